"""Durability across broker restarts on the same data dir: retained messages and persistent
sessions (subscriptions and queued QoS 1/2 messages that were acknowledged to the publisher)
survive kill -9 and a clean SIGTERM; SIGTERM exits 0; a second broker process on the same
data dir either works or refuses with a message that says why.

Every test starts its own broker (BrokerTestCase.start_broker).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (MQTT_V311, MQTT_V5, PUBCOMP, PUBREC, PUBREL, TIMEOUT, MqttClient,  # noqa: E402
                     RawClient, ack_packet, main, publish_packet, skip_on_mosquitto, unique,
                     v5_props)
import harness  # noqa: E402


class Restart(harness.BrokerTestCase):

    shared_broker = False  # each test starts (and kills) its own

    def client_on(self, broker, version=MQTT_V5, **kwargs):
        c = MqttClient(broker, version=version, **kwargs)
        self.addCleanup(c.close)
        return c

    def persistent_on(self, broker, client_id: str, version: int):
        c = self.client_on(broker, version=version, client_id=client_id, clean=False)
        props = v5_props("CONNECT", SessionExpiryInterval=3600) if version == MQTT_V5 else None
        return c.connect(properties=props)

    def prepare_state(self, broker):
        """Retained messages and two offline persistent sessions (v3.1.1, v5) with queued
        QoS 1 and 2 messages, each PUBACKed / PUBCOMPed to the publisher."""
        t = self.topic()
        sessions = {MQTT_V311: unique("v311-"), MQTT_V5: unique("v5-")}
        for version, cid in sessions.items():
            s = self.persistent_on(broker, cid, version)
            self.assertEqual(s.subscribe(f"{t}/queue", 2), [2])
            s.disconnect()
        pub = self.client_on(broker).connect()
        pub.publish(f"{t}/retained/a", b"ra", qos=1, retain=True)
        pub.publish(f"{t}/retained/b", b"rb-old", qos=1, retain=True)
        pub.publish(f"{t}/retained/b", b"rb", qos=2, retain=True)
        pub.publish(f"{t}/retained/c", b"cleared", qos=1, retain=True)
        pub.publish(f"{t}/retained/c", b"", qos=1, retain=True)
        expected_queue = []
        for i in range(3):
            pub.publish(f"{t}/queue", f"q1-{i}", qos=1)  # returns once PUBACKed
            expected_queue.append((f"q1-{i}", 1))
        pub.publish(f"{t}/queue", b"q2-0", qos=2)  # returns once PUBCOMPed
        expected_queue.append(("q2-0", 2))
        return t, sessions, expected_queue

    def check_state(self, broker, t, sessions, expected_queue):
        late = self.client_on(broker).connect()
        late.subscribe(f"{t}/retained/#", 1)
        got = sorted((m.topic, m.payload, m.retain) for m in late.wait_messages(2))
        self.assertEqual(got, [(f"{t}/retained/a", b"ra", True), (f"{t}/retained/b", b"rb", True)])
        late.assert_no_message(within=0.3)  # the cleared one stays cleared
        resumed = {}
        for version, cid in sessions.items():
            s = self.persistent_on(broker, cid, version)
            self.assertTrue(s.session_present, f"v{version} session lost")
            msgs = s.wait_messages(len(expected_queue))
            self.assertEqual([(m.payload.decode(), m.qos) for m in msgs], expected_queue,
                             f"v{version} queue")
            resumed[version] = s
        # ...and the subscriptions themselves are still there.
        self.client_on(broker).connect().publish(f"{t}/queue", b"after", qos=1)
        for version, s in resumed.items():
            self.assertEqual(s.wait_message().payload, b"after", f"v{version} subscription")
            s.assert_no_message(within=0.2)

    @skip_on_mosquitto("it writes its database after acknowledging (autosave_on_changes, "
                       "interval 1), so kill -9 loses the last PUBACKed/PUBCOMPed message")
    def test_state_survives_kill_9(self):
        b = self.start_broker()
        state = self.prepare_state(b)
        b.kill()
        b.start()
        self.check_state(b, *state)

    def test_state_survives_sigterm_and_sigterm_exits_0(self):
        b = self.start_broker()
        state = self.prepare_state(b)
        self.assertEqual(b.terminate(), 0, f"exit status after SIGTERM:\n{b.log()[-2000:]}")
        b.start()
        self.check_state(b, *state)
        self.assertEqual(b.terminate(), 0)

    def test_sigterm_with_clients_connected_exits_0(self):
        b = self.start_broker(tls=True)
        clients = [self.client_on(b).connect(),
                   self.client_on(b, transport="websockets").connect(),
                   self.client_on(b, tls=True).connect()]
        clients[0].subscribe(self.topic(), 1)
        self.assertEqual(b.terminate(), 0)
        for c in clients:
            c.wait_disconnected()

    def test_qos2_exactly_once_after_a_session_dropped_and_regained_its_expiry(self):
        # A QoS 2 packet id the broker remembers for a persistent session (awaiting PUBREL) is
        # forgotten once released — also when the session continued without expiry meanwhile.
        # Otherwise, after a restart, a new QoS 2 PUBLISH reusing the id would be taken for a
        # resend and never delivered ([MQTT-4.3.3-10]: after PUBREL the id is a new publication).
        b = self.start_broker()
        cid = unique("qos2-id-")
        t = self.topic()
        watcher = self.client_on(b).connect()
        watcher.subscribe(t, 2)
        raw = RawClient(b)
        self.addCleanup(raw.close)
        raw.connect(cid, clean=False, properties={"session_expiry_interval": 3600})
        raw.send(publish_packet(t, b"first", 2, packet_id=7))
        raw.expect(PUBREC)
        raw.close()  # PUBREL not sent yet
        self.assertEqual(watcher.wait_message().payload, b"first")
        raw = RawClient(b)
        self.assertTrue(raw.connect(cid, clean=False, properties={"session_expiry_interval": 0}).session_present)
        raw.send(ack_packet(PUBREL, 7))
        raw.expect(PUBCOMP)
        raw.disconnect()
        raw = RawClient(b)
        raw.connect(cid, clean=True, properties={"session_expiry_interval": 3600})
        raw.disconnect()
        self.assertEqual(b.terminate(), 0)
        b.start()
        watcher = self.client_on(b).connect()
        watcher.subscribe(t, 2)
        raw = RawClient(b)
        self.addCleanup(raw.close)
        raw.connect(cid, clean=False, properties={"session_expiry_interval": 3600})
        raw.send(publish_packet(t, b"second", 2, packet_id=7))
        raw.expect(PUBREC)
        raw.send(ack_packet(PUBREL, 7))
        raw.expect(PUBCOMP)
        self.assertEqual(watcher.wait_message().payload, b"second", "a new QoS 2 message was lost")

    def test_second_process_on_the_same_data_dir_works_or_says_why(self):
        b = self.start_broker()
        t, sessions, expected = self.prepare_state(b)
        second = b.spawn_second()
        self.addCleanup(lambda: second.running() and second.signal(9))
        ready = second.wait_ready(timeout=15)
        if ready:
            # It works: it serves clients (each process with its own listeners).
            port = int(second.urls["mqtt"].rsplit(":", 1)[1])
            c = self.client_on(b, port=port).connect()
            c.subscribe(self.topic("second"), 1)
            c.publish(self.topic("second"), b"x", qos=1)
            self.assertEqual(c.wait_message().payload, b"x")
            c.disconnect()
            second.signal(15)
            second.wait_exit(TIMEOUT)
        else:
            status = second.wait_exit(TIMEOUT)
            self.assertNotEqual(status, 0, "exited 0 without serving")
            out = second.output().lower()
            self.assertTrue(any(w in out for w in ("lock", "in use", "already", "running",
                                                   b.data_dir.lower())),
                            f"exit message does not say why:\n{second.output()}")
        # Either way the first broker is unaffected.
        self.assertTrue(b.running())
        self.assert_broker_serves(broker=b)


if __name__ == "__main__":
    main()
