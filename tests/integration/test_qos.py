"""QoS 0/1/2 end to end (client -> broker -> client), for MQTT 3.1.1 and 5.0.

Spec: v3.1.1 §4.3 and v5 §4.3 (delivery protocols), §3.8.4 (granted QoS), §4.6 (ordering).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (MQTT_V311, MQTT_V5, PUBACK, PUBCOMP, PUBLISH, PUBREC, PUBREL,  # noqa: E402
                     BrokerTestCase, ack_packet, main, publish_packet)


class QosTests:
    """Mixed into one TestCase per protocol version (see the classes at the end)."""

    def round_trip(self, publish_qos: int, subscribe_qos: int, payload: bytes = b"hello",
                   check_no_duplicate: bool = False):
        topic = self.topic()
        sub = self.client()
        self.assertEqual(sub.subscribe(topic, subscribe_qos), [subscribe_qos])
        pub = self.client()
        pub.publish(topic, payload, qos=publish_qos)
        m = sub.wait_message()
        self.assertEqual(m.topic, topic)
        self.assertEqual(m.payload, payload)
        # v3.1.1 §3.8.4 / v5 §3.8.4 [MQTT-3.8.4-8]: delivered QoS is the minimum of the
        # published QoS and the granted QoS.
        self.assertEqual(m.qos, min(publish_qos, subscribe_qos))
        self.assertFalse(m.retain)
        if check_no_duplicate:
            sub.assert_no_message()
        return m

    def test_qos0_round_trip(self):
        self.round_trip(0, 2, check_no_duplicate=True)

    def test_qos1_round_trip(self):
        self.round_trip(1, 2, check_no_duplicate=True)

    def test_qos2_round_trip(self):
        self.round_trip(2, 2, check_no_duplicate=True)

    def test_qos_is_downgraded_to_the_granted_qos(self):
        self.round_trip(2, 0)
        self.round_trip(2, 1)
        self.round_trip(1, 0)

    def test_qos_is_never_upgraded(self):
        self.round_trip(0, 1)
        self.round_trip(1, 2)

    def test_qos2_stream_is_delivered_exactly_once_in_order(self):
        # §4.3.3: exactly once; §4.6 (ordered topics): same topic and QoS keep publisher order.
        topic = self.topic()
        sub = self.client()
        sub.subscribe(topic, 2)
        pub = self.client()
        infos = [pub.publish(topic, f"m{i}", qos=2, wait=False) for i in range(100)]
        for info in infos:
            info.wait_for_publish(5)
            self.assertTrue(info.is_published(), "publisher did not get PUBCOMP")
        got = [m.payload.decode() for m in sub.wait_messages(100)]
        self.assertEqual(got, [f"m{i}" for i in range(100)])
        sub.assert_no_message()

    def test_qos1_stream_arrives_complete_and_in_order(self):
        topic = self.topic()
        sub = self.client()
        sub.subscribe(topic, 1)
        pub = self.client()
        infos = [pub.publish(topic, f"m{i}", qos=1, wait=False) for i in range(100)]
        for info in infos:
            info.wait_for_publish(5)
            self.assertTrue(info.is_published(), "publisher did not get PUBACK")
        got = [m.payload.decode() for m in sub.wait_messages(100)]
        self.assertEqual(got, [f"m{i}" for i in range(100)])

    def test_qos2_publish_resent_before_pubrel_is_forwarded_once(self):
        # §4.3.3: until the receiver gets PUBREL it acknowledges a PUBLISH with the same
        # packet id with PUBREC and MUST NOT cause duplicate delivery onward.
        topic = self.topic()
        sub = self.client()
        sub.subscribe(topic, 2)
        raw = self.raw()
        raw.connect()
        v = self.version
        raw.send(publish_packet(topic, b"once", qos=2, packet_id=7, version=v))
        self.assertEqual(raw.expect(PUBREC).packet_id, 7)
        raw.send(publish_packet(topic, b"once", qos=2, packet_id=7, dup=True, version=v))
        self.assertEqual(raw.expect(PUBREC).packet_id, 7)
        raw.send(ack_packet(PUBREL, 7, version=v))
        comp = raw.expect(PUBCOMP)
        self.assertEqual((comp.packet_id, comp.reason_code), (7, 0))
        self.assertEqual(sub.wait_message().payload, b"once")
        sub.assert_no_message()

    def test_qos2_outbound_flow_to_a_raw_subscriber(self):
        # Broker -> client QoS 2: PUBLISH(id) / PUBREC / PUBREL(id) / PUBCOMP, then nothing more.
        topic = self.topic()
        raw = self.raw()
        raw.connect()
        self.assertEqual(raw.subscribe((topic, 2)).reason_codes, [2])
        pub = self.client()
        pub.publish(topic, b"q2", qos=2)
        p = raw.expect(PUBLISH)
        self.assertEqual((p.topic, p.payload, p.qos, p.dup), (topic.encode(), b"q2", 2, False))
        self.assertTrue(1 <= p.packet_id <= 65535)  # [MQTT-2.2.1-3]: non-zero packet id
        raw.ack(p)  # PUBREC, expects PUBREL with the same id, PUBCOMP
        raw.expect_no_packet()

    def test_qos1_outbound_publish_carries_a_packet_id_and_is_not_resent_after_puback(self):
        topic = self.topic()
        raw = self.raw()
        raw.connect()
        raw.subscribe((topic, 1))
        pub = self.client()
        pub.publish(topic, b"q1", qos=1)
        p = raw.expect(PUBLISH)
        self.assertEqual((p.qos, p.dup, p.payload), (1, False, b"q1"))
        self.assertNotEqual(p.packet_id, 0)
        raw.send(ack_packet(PUBACK, p.packet_id, version=self.version))
        raw.expect_no_packet()

    def test_binary_payload_is_delivered_byte_for_byte(self):
        payload = bytes(range(256)) * 16 + b"\x00\xff\x00"
        for qos in (0, 1, 2):
            with self.subTest(qos=qos):
                self.round_trip(qos, 2, payload)

    def test_empty_payload_is_delivered(self):
        for qos in (0, 1, 2):
            with self.subTest(qos=qos):
                self.assertEqual(self.round_trip(qos, 2, b"").payload, b"")

    def test_large_payload_is_delivered_intact(self):
        payload = os.urandom(256 * 1024)
        self.round_trip(1, 1, payload)

    def test_utf8_topic_round_trip(self):
        topic = self.topic("température/日本/😀")
        sub = self.client()
        sub.subscribe(topic, 1)
        self.client().publish(topic, b"x", qos=1)
        self.assertEqual(sub.wait_message().topic, topic)


class QosV311(QosTests, BrokerTestCase):
    version = MQTT_V311


class QosV5(QosTests, BrokerTestCase):
    version = MQTT_V5


if __name__ == "__main__":
    main()
