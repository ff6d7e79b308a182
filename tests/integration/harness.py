"""Integration-test harness for millet (and, for reference runs, Mosquitto).

Run tests with Debian's interpreter, which has paho-mqtt 1.6.1:

    /usr/bin/python3 tests/integration/test_qos.py

Broker selection (environment):
    MILLET_TEST_BROKER  millet (default) | mosquitto
    MILLET_BIN          path of the millet binary (default <repo>/build/millet)
    MILLET_TEST_LOG_LEVEL  --log-level passed to millet (default: not passed)
    MILLET_TEST_KEEP_LOGS  if set, broker work dirs are kept and their paths printed

Tests import everything from here; the pieces live in:
    common.py       settings from the environment, skips tied to the broker, wait_until
    brokers.py      Broker: start/stop/kill/restart on free ports in a temp data dir; TLS
    paho_client.py  MqttClient: paho (v3.1.1 or v5) whose events are awaited with timeouts
    mqtt_wire.py    packet builders, decoder, RawClient (exact bytes in, exact replies out)
    harness.py      BrokerTestCase: one broker per class, per-test unique topics, clients
                    closed after each test; main()
"""

from __future__ import annotations

import os
import sys
import unittest
from typing import Any

from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from brokers import *  # noqa: F401,F403  (re-exported for the tests)
from common import *  # noqa: F401,F403
from mqtt_wire import *  # noqa: F401,F403
from paho_client import *  # noqa: F401,F403
from brokers import Broker
from common import BROKER_KIND, MILLET_BIN, MOSQUITTO_BIN, MQTT_V5, is_mosquitto, unique
from mqtt_wire import RawClient
from paho_client import MqttClient, props

# --------------------------------------------------------------------------------------
# unittest base class
# --------------------------------------------------------------------------------------


class BrokerTestCase(unittest.TestCase):
    """One broker per test class (settings from `broker_settings`, TLS if `broker_tls`).

    Tests get unique topics from self.topic() and clients from self.client() / self.raw(),
    which are closed after the test. After each test the broker must still be running."""

    broker_settings: dict[str, Any] = {}
    broker_tls = False
    #: False: no class-wide broker; each test starts its own with self.start_broker().
    shared_broker = True
    #: MQTT version for classes parameterised by version (see versioned()).
    version = MQTT_V5
    broker: Broker

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        if not cls.shared_broker:
            cls.broker = None  # type: ignore[assignment]
            return
        cls.broker = Broker(tls=cls.broker_tls, **cls.broker_settings)
        cls.addClassCleanup(cls.broker.close)
        cls.broker.start()

    def setUp(self) -> None:
        super().setUp()
        self._prefix = f"it/{type(self).__name__}/{self._testMethodName}/{unique()}"
        self.addCleanup(self._check_broker_alive)

    def _check_broker_alive(self) -> None:
        b = type(self).broker
        if b is not None and b.process is not None and not b.running():
            raise AssertionError(f"broker died during the test (status {b.process.returncode}):"
                                 f"\n{b.log()[-3000:]}")

    # ---- helpers ---------------------------------------------------------------------
    def topic(self, suffix: str = "") -> str:
        """A topic unique to this test: it/<class>/<test>/<random>[/suffix]."""
        return f"{self._prefix}/{suffix}" if suffix else self._prefix

    def client(self, version: int | None = None, connect: bool = True,
               connect_properties: Properties | None = None, broker: Broker | None = None,
               **kwargs: Any) -> MqttClient:
        c = MqttClient(broker or self.broker, version=version or self.version, **kwargs)
        self.addCleanup(c.close)
        if connect:
            c.connect(properties=connect_properties)
        return c

    def raw(self, version: int | None = None, broker: Broker | None = None,
            port: int | None = None) -> RawClient:
        c = RawClient(broker or self.broker, port=port, version=version or self.version)
        self.addCleanup(c.close)
        return c

    def fail_or_skip_on_mosquitto(self, problem: str, deviation: str) -> None:
        """Fail with `problem` — except under Mosquitto, where it is a known deviation: skip
        (after the checks that ran before this call passed)."""
        if is_mosquitto():
            self.skipTest(f"Mosquitto 2.0.11 deviates: {deviation} ({problem})")
        self.fail(problem)

    def start_broker(self, **settings: Any) -> Broker:
        """A broker just for this test (e.g. with special settings or to be killed)."""
        tls = settings.pop("tls", False)
        b = Broker(tls=tls, **settings)
        self.addCleanup(b.close)
        b.start()
        return b

    def assert_broker_serves(self, broker: Broker | None = None,
                             client: MqttClient | None = None) -> None:
        """The broker still routes promptly: a QoS 1 round trip on a fresh topic."""
        broker = broker or self.broker
        topic = f"it-health/{unique()}"  # outside self.topic(): tests may watch that
        if client is None:
            client = self.client(broker=broker)
        self.assertEqual(client.subscribe(topic, 1), [1])
        client.publish(topic, b"still alive", qos=1, timeout=2.0)
        m = client.wait_message(timeout=2.0)
        self.assertEqual((m.topic, m.payload), (topic, b"still alive"))


def v5_props(packet_type: str, **values: Any) -> Properties:
    """props() with a packet type name: v5_props('PUBLISH', UserProperty=[...])."""
    return props(getattr(PacketTypes, packet_type), **values)


def main() -> None:
    """unittest.main with a line that says which broker ran, for logs."""
    print(f"[harness] broker under test: {BROKER_KIND}"
          + (f" ({MILLET_BIN})" if BROKER_KIND == "millet" else f" ({MOSQUITTO_BIN})"),
          file=sys.stderr)
    # paho 1.6.1 triggers DeprecationWarnings on Python 3.11; MILLET_TEST_WARNINGS=default
    # shows them (and ResourceWarnings) again.
    unittest.main(verbosity=int(os.environ.get("MILLET_TEST_VERBOSITY", "2")),
                  warnings=os.environ.get("MILLET_TEST_WARNINGS", "ignore"))
