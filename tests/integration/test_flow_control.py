"""Flow control and size limits: the client's Receive Maximum, the broker's outbound
in-flight window (--max-inflight), the broker's inbound Receive Maximum (--receive-max), the
broker's Maximum Packet Size (--max-packet-size) and the client's Maximum Packet Size.

Spec: v5 §3.3.4 (flow control), §4.9, §3.1.2.11.4 / §3.2.2.3.6 (Maximum Packet Size).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (DISCONNECT, MQTT_V311, MQTT_V5, PUBACK, PUBLISH, PUBREC,  # noqa: E402
                     RC_PACKET_TOO_LARGE, RC_RECEIVE_MAXIMUM_EXCEEDED, BrokerTestCase,
                     ack_packet, main, publish_packet, skip_on_mosquitto, unique, varint)

MAX_PACKET = 2048
MAX_INFLIGHT = 3
RECEIVE_MAX = 4


def publish_size(topic: str, payload_len: int, qos: int, version: int) -> int:
    """Size on the wire of a PUBLISH (no properties)."""
    body = 2 + len(topic.encode()) + (2 if qos else 0) + (1 if version == MQTT_V5 else 0)
    body += payload_len
    return 1 + len(varint(body)) + body


class FlowControl(BrokerTestCase):
    broker_settings = {"max_inflight": MAX_INFLIGHT, "receive_max": RECEIVE_MAX}

    def publish_many(self, topic: str, count: int, qos: int = 1):
        pub = self.client()
        for i in range(count):
            pub.publish(topic, f"m{i}", qos=qos)  # acknowledged by the broker, not the subscriber

    def first_burst(self, raw, window: int):
        """The broker sends exactly `window` PUBLISHes, then waits for an ack."""
        burst = [raw.expect(PUBLISH) for _ in range(window)]
        raw.expect_no_packet()  # the window is full: nothing more until an ack
        return burst

    def drain_in_window(self, raw, total: int, window: int):
        """Receive `total` QoS 1 PUBLISHes acking one at a time; after each ack exactly one
        more may arrive, so never more than `window` are un-acked. Returns payloads."""
        outstanding = self.first_burst(raw, window)
        received = list(outstanding)
        while outstanding:
            p = outstanding.pop(0)
            raw.send(ack_packet(PUBACK, p.packet_id, version=raw.version))
            if len(received) < total:
                nxt = raw.expect(PUBLISH)
                received.append(nxt)
                outstanding.append(nxt)
                if len(received) < total:
                    raw.expect_no_packet(within=0.2)
        raw.expect_no_packet(within=0.2)
        return [p.payload.decode() for p in received]

    def receive_max_client(self, topic: str, receive_maximum: int):
        raw = self.raw(version=MQTT_V5)
        raw.connect(properties={"receive_maximum": receive_maximum})
        raw.subscribe((topic, 1))
        return raw

    def test_client_receive_maximum_limits_the_first_burst(self):
        # [MQTT-3.3.4-9]: never more than the client's Receive Maximum un-acked QoS 1/2
        # PUBLISHes.
        t = self.topic()
        raw = self.receive_max_client(t, 2)
        self.publish_many(t, 6)
        self.assertEqual([p.payload for p in self.first_burst(raw, 2)], [b"m0", b"m1"])

    @skip_on_mosquitto("after one PUBACK it sends two more PUBLISHes: 3 un-acked with "
                       "Receive Maximum 2 (MQTT-3.3.4-9)")
    def test_client_receive_maximum_holds_while_acks_come_in(self):
        t = self.topic()
        raw = self.receive_max_client(t, 2)
        self.publish_many(t, 6)
        self.assertEqual(self.drain_in_window(raw, 6, 2), [f"m{i}" for i in range(6)])

    def test_broker_in_flight_window_limits_the_first_burst_to_v311_clients(self):
        # CONTRACT.md --max-inflight: the outbound QoS 1/2 window per client (Mosquitto:
        # max_inflight_messages). v3.1.1 has no Receive Maximum; the broker's window applies.
        t = self.topic()
        raw = self.raw(version=MQTT_V311)
        raw.connect()
        raw.subscribe((t, 1))
        self.publish_many(t, 7)
        self.assertEqual(len(self.first_burst(raw, MAX_INFLIGHT)), MAX_INFLIGHT)

    @skip_on_mosquitto("after one PUBACK it refills past max_inflight_messages")
    def test_broker_in_flight_window_holds_for_v311_clients(self):
        t = self.topic()
        raw = self.raw(version=MQTT_V311)
        raw.connect()
        raw.subscribe((t, 1))
        self.publish_many(t, 7)
        self.assertEqual(self.drain_in_window(raw, 7, MAX_INFLIGHT), [f"m{i}" for i in range(7)])

    @skip_on_mosquitto("it answers the extra PUBLISH with PUBREC 0x97 Quota exceeded instead "
                       "of DISCONNECT 0x93")
    def test_exceeding_the_broker_receive_maximum_is_disconnected(self):
        # §3.3.4: more un-completed inbound QoS 2 PUBLISHes than the Receive Maximum the
        # server announced -> DISCONNECT 0x93 Receive Maximum exceeded.
        raw = self.raw(version=MQTT_V5)
        ack = raw.connect()
        announced = ack.properties.get("receive_maximum", 65535)
        if self.broker.kind == "millet":
            self.assertEqual(announced, RECEIVE_MAX)  # CONTRACT.md --receive-max
        self.assertLessEqual(announced, 100, "test needs a small announced Receive Maximum")
        t = self.topic()
        for pid in range(1, announced + 1):
            raw.send(publish_packet(t, b"x", qos=2, packet_id=pid))
            self.assertEqual(raw.expect(PUBREC).packet_id, pid)  # no PUBREL: stays in flight
        raw.send(publish_packet(t, b"x", qos=2, packet_id=announced + 1))
        packets = raw.wait_closed()
        self.assertEqual([(p.type, p.reason_code) for p in packets],
                         [(DISCONNECT, RC_RECEIVE_MAXIMUM_EXCEEDED)])


class PacketSizeLimits(BrokerTestCase):
    broker_settings = {"max_packet_size": MAX_PACKET}

    def test_connack_announces_the_maximum_packet_size(self):
        # §3.2.2.3.6 / CONTRACT.md: --max-packet-size is announced in CONNACK (v5).
        ack = self.raw(version=MQTT_V5).connect()
        self.assertEqual(ack.properties.get("maximum_packet_size"), MAX_PACKET)

    def oversized_publish_is_refused(self, version: int, excess: int):
        """A PUBLISH of exactly the limit is accepted; one `excess` bytes over closes the
        connection and is not forwarded. Returns the packets received before the close."""
        t = self.topic()
        watcher = self.client()
        watcher.subscribe(t, 1)
        raw = self.raw(version=version)
        raw.connect()
        payload_len = MAX_PACKET - publish_size(t, 0, 1, version)
        while publish_size(t, payload_len, 1, version) > MAX_PACKET:
            payload_len -= 1
        fits = b"f" * payload_len
        self.assertEqual(publish_size(t, len(fits), 1, version), MAX_PACKET)
        ack = raw.publish(t, fits, qos=1)  # exactly the limit: accepted
        self.assertEqual((ack.type, ack.reason_code), (PUBACK, 0))
        self.assertEqual(watcher.wait_message().payload, fits)
        big = publish_packet(t, fits + b"!" * excess, qos=1, packet_id=9, version=version)
        self.assertEqual(len(big), MAX_PACKET + excess)
        raw.try_send(big)
        packets = raw.wait_closed()
        watcher.assert_no_message()
        return packets

    def test_v5_publish_over_the_limit_gets_disconnect_packet_too_large(self):
        # §3.2.2.3.6 / §4.13: a packet above the announced Maximum Packet Size is a Protocol
        # Error answered with DISCONNECT 0x95 Packet too large.
        packets = self.oversized_publish_is_refused(MQTT_V5, excess=100)
        self.assertEqual([(p.type, p.reason_code) for p in packets],
                         [(DISCONNECT, RC_PACKET_TOO_LARGE)])

    def test_v311_publish_over_the_limit_closes_the_connection(self):
        self.assertEqual(self.oversized_publish_is_refused(MQTT_V311, excess=100), [])

    @skip_on_mosquitto("it compares the remaining length, not the whole packet, with "
                       "max_packet_size, so it accepts packets up to 3 bytes over the limit")
    def test_one_byte_over_the_limit_is_refused(self):
        # §3.1.2.11.4 / §3.2.2.3.6: the Maximum Packet Size is the total packet size.
        for version in (MQTT_V5, MQTT_V311):
            with self.subTest(version=version):
                packets = self.oversized_publish_is_refused(version, excess=1)
                if version == MQTT_V5:
                    self.assertEqual([(p.type, p.reason_code) for p in packets],
                                     [(DISCONNECT, RC_PACKET_TOO_LARGE)])

    def test_broker_never_sends_a_client_more_than_its_maximum_packet_size(self):
        # [MQTT-3.1.2-24]: the server must not send packets larger than the client's Maximum
        # Packet Size; [MQTT-3.1.2-25]: it discards such a message for that client.
        t = self.topic()
        raw = self.raw(version=MQTT_V5)
        raw.connect(unique("small-"), properties={"maximum_packet_size": 256})
        raw.subscribe((t, 1))
        pub = self.client()
        pub.publish(t, b"L" * 1000, qos=1)
        pub.publish(t, b"small", qos=1)
        p = raw.expect(PUBLISH)
        self.assertEqual(p.payload, b"small")
        raw.ack(p)
        raw.expect_no_packet()
        self.assertFalse(raw.closed)


if __name__ == "__main__":
    main()
