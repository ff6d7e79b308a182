"""A paho-mqtt 1.6.1 client (MQTT 3.1.1 or 5.0) whose every operation waits for its
acknowledgement, and whose received messages are awaited from a queue with timeouts."""

from __future__ import annotations

import dataclasses
import itertools
import queue
import socket
import threading
import time
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from brokers import Broker
from common import MQTT_V5, QUIET, TIMEOUT, unique


@dataclasses.dataclass
class Message:
    topic: str
    payload: bytes
    qos: int
    retain: bool
    dup: bool
    mid: int
    properties: Properties | None
    received_at: float
    receiver: str = ""  # client id of the client that received it

    def prop(self, name: str, default: Any = None) -> Any:
        """A v5 property by paho's name (e.g. 'UserProperty', 'SubscriptionIdentifier')."""
        if self.properties is None:
            return default
        return getattr(self.properties, name, default)


def props(packet_type: int, **values: Any) -> Properties:
    """paho Properties: props(PacketTypes.PUBLISH, ResponseTopic='r', UserProperty=[('a','b')])."""
    p = Properties(packet_type)
    for k, v in values.items():
        setattr(p, k, v)
    return p


class MqttClient:
    """A paho client driven by its own network thread; every call waits for its ack."""

    _ids = itertools.count(1)

    def __init__(self, broker: Broker, client_id: str | None = None, version: int = MQTT_V5,
                 clean: bool = True, keepalive: int = 60, transport: str = "tcp",
                 tls: bool = False, port: int | None = None,
                 messages: "queue.Queue[Message] | None" = None):
        """messages: a queue to deliver into, e.g. one shared by the members of a group
        (each Message says its receiver)."""
        self.broker = broker
        self.version = version
        self.client_id = client_id if client_id is not None else unique(f"c{next(self._ids)}-")
        self.clean = clean
        self.keepalive = keepalive
        protocol = paho.MQTTv5 if version == MQTT_V5 else paho.MQTTv311
        kwargs: dict[str, Any] = {}
        if version != MQTT_V5:
            kwargs["clean_session"] = clean
        self.paho = paho.Client(self.client_id, protocol=protocol, transport=transport,
                                reconnect_on_failure=False, **kwargs)
        if transport == "websockets":
            self.paho.ws_set_options(path="/mqtt")
        if tls:
            self.paho.tls_set(ca_certs=broker.ca_cert)
        if port is None:
            port = {("tcp", False): broker.mqtt_port, ("websockets", False): broker.ws_port,
                    ("tcp", True): broker.mqtts_port if tls else 0,
                    ("websockets", True): broker.wss_port if tls else 0}[(transport, tls)]
        self.port = port
        self.messages: "queue.Queue[Message]" = messages if messages is not None else queue.Queue()
        self.connected = threading.Event()
        self.disconnected = threading.Event()
        self.connack_flags: dict | None = None
        self.connack_rc: int | None = None
        self.connack_props: Properties | None = None
        self.disconnect_rc: int | None = None
        self.disconnect_props: Properties | None = None
        self._acks: dict[int, tuple[threading.Event, list]] = {}
        self._lock = threading.Lock()
        self.paho.on_connect = self._on_connect
        self.paho.on_disconnect = self._on_disconnect
        self.paho.on_message = self._on_message
        self.paho.on_subscribe = self._on_subscribe
        self.paho.on_unsubscribe = self._on_unsubscribe
        self._loop_started = False

    # ---- callbacks (network thread) ------------------------------------------------------
    def _on_connect(self, client, userdata, flags, rc, properties=None):
        self.connack_flags = dict(flags)
        self.connack_rc = rc.value if hasattr(rc, "value") else int(rc)
        self.connack_props = properties
        self.connected.set()

    def _on_disconnect(self, client, userdata, rc, properties=None):
        self.disconnect_rc = rc.value if hasattr(rc, "value") else int(rc)
        self.disconnect_props = properties
        self.disconnected.set()
        self.connected.set()  # wake a connect() waiting on a refused connection

    def _on_message(self, client, userdata, msg):
        self.messages.put(Message(
            topic=msg.topic, payload=bytes(msg.payload), qos=msg.qos, retain=bool(msg.retain),
            dup=bool(msg.dup), mid=msg.mid, properties=getattr(msg, "properties", None),
            received_at=time.monotonic(), receiver=self.client_id))

    def _ack(self, mid: int, value: Any) -> None:
        with self._lock:
            entry = self._acks.setdefault(mid, (threading.Event(), []))
        entry[1].append(value)
        entry[0].set()

    def _on_subscribe(self, client, userdata, mid, granted, properties=None):
        self._ack(mid, [g.value if hasattr(g, "value") else int(g) for g in granted])

    def _on_unsubscribe(self, client, userdata, mid, properties=None, reasons=None):
        if reasons is None:
            codes = []
        elif isinstance(reasons, list):
            codes = [r.value if hasattr(r, "value") else int(r) for r in reasons]
        else:
            codes = [reasons.value if hasattr(reasons, "value") else int(reasons)]
        self._ack(mid, codes)

    def _wait_ack(self, mid: int, what: str, timeout: float) -> Any:
        with self._lock:
            entry = self._acks.setdefault(mid, (threading.Event(), []))
        if not entry[0].wait(timeout):
            raise AssertionError(f"{self.client_id}: no {what} within {timeout}s")
        with self._lock:
            self._acks.pop(mid, None)
        return entry[1][0]

    # ---- operations -----------------------------------------------------------------------
    def will_set(self, topic: str, payload: bytes | str = b"", qos: int = 0, retain: bool = False,
                 properties: Properties | None = None) -> "MqttClient":
        self.paho.will_set(topic, payload, qos, retain, properties)
        return self

    def connect(self, properties: Properties | None = None, timeout: float = TIMEOUT,
                expect_rc: int | None = 0) -> "MqttClient":
        """Connect and wait for CONNACK; fail unless its reason code is expect_rc."""
        self.connected.clear()
        self.disconnected.clear()
        self.connack_rc = None
        kwargs: dict[str, Any] = {}
        if self.version == MQTT_V5:
            kwargs = {"clean_start": self.clean, "properties": properties}
        self.paho.connect(self.broker.host, self.port, self.keepalive, **kwargs)
        if not self._loop_started:
            self.paho.loop_start()
            self._loop_started = True
        if not self.connected.wait(timeout):
            raise AssertionError(f"{self.client_id}: no CONNACK within {timeout}s")
        if expect_rc is not None and self.connack_rc != expect_rc:
            raise AssertionError(f"{self.client_id}: CONNACK reason {self.connack_rc!r}, "
                                 f"expected {expect_rc}")
        return self

    @property
    def session_present(self) -> bool:
        return bool(self.connack_flags and self.connack_flags.get("session present"))

    def subscribe(self, topic: str | list, qos: int = 0, options: SubscribeOptions | None = None,
                  properties: Properties | None = None, timeout: float = TIMEOUT) -> list[int]:
        """Subscribe and return the SUBACK reason codes (granted QoS or >= 0x80)."""
        if isinstance(topic, list):
            rc, mid = self.paho.subscribe(topic, properties=properties)
        elif self.version == MQTT_V5:
            rc, mid = self.paho.subscribe(topic, options=options or SubscribeOptions(qos=qos),
                                          properties=properties)
        else:
            rc, mid = self.paho.subscribe(topic, qos)
        if rc != paho.MQTT_ERR_SUCCESS:
            raise AssertionError(f"subscribe({topic!r}) not sent: {paho.error_string(rc)}")
        return self._wait_ack(mid, f"SUBACK for {topic!r}", timeout)

    def unsubscribe(self, topic: str | list, properties: Properties | None = None,
                    timeout: float = TIMEOUT) -> list[int]:
        if self.version == MQTT_V5:
            rc, mid = self.paho.unsubscribe(topic, properties=properties)
        else:
            rc, mid = self.paho.unsubscribe(topic)
        if rc != paho.MQTT_ERR_SUCCESS:
            raise AssertionError(f"unsubscribe({topic!r}) not sent: {paho.error_string(rc)}")
        return self._wait_ack(mid, f"UNSUBACK for {topic!r}", timeout)

    def publish(self, topic: str, payload: bytes | str = b"", qos: int = 0, retain: bool = False,
                properties: Properties | None = None, wait: bool = True,
                timeout: float = TIMEOUT) -> paho.MQTTMessageInfo:
        """Publish; with wait, return only once PUBACK/PUBCOMP (QoS 1/2) or the send (QoS 0)."""
        info = self.paho.publish(topic, payload, qos, retain, properties)
        if info.rc != paho.MQTT_ERR_SUCCESS:
            raise AssertionError(f"publish to {topic!r} failed: {paho.error_string(info.rc)}")
        if wait:
            info.wait_for_publish(timeout)
            if not info.is_published():
                raise AssertionError(f"{self.client_id}: publish to {topic!r} (QoS {qos}) "
                                     f"not acknowledged within {timeout}s")
        return info

    def wait_message(self, timeout: float = TIMEOUT) -> Message:
        try:
            return self.messages.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"{self.client_id}: no message within {timeout}s") from None

    def wait_messages(self, count: int, timeout: float = TIMEOUT) -> list[Message]:
        deadline = time.monotonic() + timeout
        out = []
        while len(out) < count:
            remaining = deadline - time.monotonic()
            try:
                out.append(self.messages.get(timeout=max(0.0, remaining)))
            except queue.Empty:
                raise AssertionError(f"{self.client_id}: got {len(out)} of {count} messages "
                                     f"within {timeout}s: {[m.topic for m in out]}") from None
        return out

    def assert_no_message(self, within: float = QUIET) -> None:
        try:
            m = self.messages.get(timeout=within)
        except queue.Empty:
            return
        raise AssertionError(f"{self.client_id}: unexpected message on {m.topic!r}: "
                             f"{m.payload[:60]!r} (qos {m.qos}, retain {m.retain})")

    def collect_messages(self, within: float = QUIET) -> list[Message]:
        """All messages that arrive within `within` seconds (for counting copies)."""
        deadline = time.monotonic() + within
        out = []
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return out
            try:
                out.append(self.messages.get(timeout=remaining))
            except queue.Empty:
                return out

    def drain(self) -> list[Message]:
        out = []
        while True:
            try:
                out.append(self.messages.get_nowait())
            except queue.Empty:
                return out

    def disconnect(self, reason_code: int | None = None, properties: Properties | None = None,
                   timeout: float = TIMEOUT) -> None:
        """Send DISCONNECT (v5: with reason_code) and wait until the connection is down."""
        if self.version == MQTT_V5 and reason_code is not None:
            from paho.mqtt.reasoncodes import ReasonCodes
            rc = ReasonCodes(PacketTypes.DISCONNECT, identifier=reason_code)
            self.paho.disconnect(rc, properties)
        else:
            self.paho.disconnect()
        if not self.disconnected.wait(timeout):
            raise AssertionError(f"{self.client_id}: not disconnected within {timeout}s")
        self.stop()

    def drop(self, timeout: float = TIMEOUT) -> None:
        """Abnormal close: the TCP connection ends without a DISCONNECT packet."""
        sock = self.paho.socket()
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if not self.disconnected.wait(timeout):
            raise AssertionError(f"{self.client_id}: connection not closed within {timeout}s")
        self.stop()

    def wait_disconnected(self, timeout: float = TIMEOUT) -> int | None:
        """Wait for the server to close the connection; return the v5 DISCONNECT reason (if any)."""
        if not self.disconnected.wait(timeout):
            raise AssertionError(f"{self.client_id}: still connected after {timeout}s")
        return self.disconnect_rc

    def is_connected(self) -> bool:
        return self.paho.is_connected()

    def stop(self) -> None:
        if self._loop_started:
            self.paho.loop_stop()
            self._loop_started = False

    def close(self) -> None:
        """Best-effort teardown (no DISCONNECT if still connected: just close)."""
        try:
            if self.paho.is_connected():
                self.paho.disconnect()
                self.disconnected.wait(1.0)
        except Exception:
            pass
        self.stop()
        try:
            sock = self.paho.socket()
            if sock is not None:
                sock.close()
        except Exception:
            pass
