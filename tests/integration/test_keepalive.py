"""Keep alive: a silent client is disconnected after 1.5 x its keep alive and its will is
published; PINGREQ keeps a connection open; v5 Server Keep Alive (--max-keepalive).

Spec: v3.1.1 §3.1.2.10 [MQTT-3.1.2-24]; v5 §3.1.2.10 [MQTT-3.1.2-22], §3.2.2.3.14.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (DISCONNECT, MQTT_V311, MQTT_V5, PINGRESP, RC_KEEP_ALIVE_TIMEOUT,  # noqa
                     BrokerTestCase, main, pingreq_packet, unique)


class KeepAliveTests:

    def test_silent_client_is_disconnected_and_its_will_published(self):
        t = self.topic("will")
        watcher = self.client()
        watcher.subscribe(t, 1)
        # A keep-alive-0 client connected alongside must not be timed out (§3.1.2.10: 0 turns
        # the mechanism off).
        patient = self.raw()
        patient.connect(unique("ka0-"), keepalive=0)
        silent = self.raw()
        silent.connect(unique("ka1-"), keepalive=1,
                       will={"topic": t, "payload": b"timed out", "qos": 1})
        connected = time.monotonic()
        packets = silent.wait_closed(timeout=10)
        elapsed = time.monotonic() - connected
        # Not before the keep alive itself has run out.
        self.assertGreaterEqual(elapsed, 1.0, "disconnected before the keep alive ran out")
        if self.version == MQTT_V5:
            for p in packets:  # optional, §4.13: DISCONNECT 0x8D Keep Alive timeout
                self.assertEqual((p.type, p.reason_code), (DISCONNECT, RC_KEEP_ALIVE_TIMEOUT))
        else:
            self.assertEqual(packets, [])
        m = watcher.wait_message()
        self.assertEqual((m.topic, m.payload), (t, b"timed out"))
        self.assertTrue(patient.is_open_after(0.1), "keep alive 0 client was disconnected")
        patient.send(pingreq_packet())
        patient.expect(PINGRESP)
        # By 1.5 x keep alive; up to 3 s allowed for timer granularity.
        if elapsed > 3.0:
            self.fail_or_skip_on_mosquitto(
                f"disconnected after {elapsed:.1f}s, not within ~1.5 x keep alive (1 s)",
                "its keep-alive check runs only when its loop wakes, often seconds late")

    def test_pingreq_keeps_the_connection_open(self):
        c = self.raw()
        c.connect(unique("pinger-"), keepalive=1)
        for _ in range(5):  # 2.5 s: well past the 1.5 s limit
            time.sleep(0.5)
            c.send(pingreq_packet())
            self.assertEqual(c.expect(PINGRESP, timeout=2).type, PINGRESP)
        self.assertFalse(c.closed)


class KeepAliveV311(KeepAliveTests, BrokerTestCase):
    version = MQTT_V311


class KeepAliveV5(KeepAliveTests, BrokerTestCase):
    version = MQTT_V5


class ServerKeepAlive(BrokerTestCase):
    # Mosquitto's documentation asks for max_keepalive >= 10.
    broker_settings = {"max_keepalive": 10}
    version = MQTT_V5

    def test_server_keep_alive_replaces_a_longer_client_keep_alive(self):
        # §3.2.2.3.14: the server may send Server Keep Alive; the client must use it.
        raw = self.raw()
        ack = raw.connect(unique("long-"), keepalive=600)
        self.assertEqual(ack.properties.get("server_keep_alive"), 10)

    def test_shorter_client_keep_alive_is_kept(self):
        raw = self.raw()
        ack = raw.connect(unique("short-"), keepalive=5)
        # Absent means the client's own value stands; present, it must not change it.
        self.assertEqual(ack.properties.get("server_keep_alive", 5), 5)


if __name__ == "__main__":
    main()
