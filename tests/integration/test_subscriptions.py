"""SUBSCRIBE / UNSUBSCRIBE, topic matching and wildcards, overlapping subscriptions, invalid
filters — for MQTT 3.1.1 and 5.0.

Spec: §4.7 (topic names and filters), §3.8 / §3.10 (SUBSCRIBE / UNSUBSCRIBE), §3.3.4 (overlap).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (DISCONNECT, MQTT_V311, MQTT_V5, QUIET, RC_MALFORMED,  # noqa: E402
                     RC_PROTOCOL_ERROR, RC_TOPIC_FILTER_INVALID, SUBACK, BrokerTestCase,
                     is_mosquitto, main, millet_only, subscribe_packet, unique)


class SubscriptionTests:

    def deliveries(self, subscribe_to: list[str], publish_to: list[str]) -> list[str]:
        """Subscribe one client to the filters, publish one message per topic, return the
        topics delivered (in the order published; a sentinel published last bounds the wait)."""
        sub = self.client()
        for f in subscribe_to:
            self.assertEqual(sub.subscribe(f, 1), [1], f"SUBACK for {f!r}")
        sentinel = self.topic("sentinel")
        sub.subscribe(sentinel, 1)
        pub = self.client()
        for t in publish_to:
            pub.publish(t, t.encode(), qos=1)
        pub.publish(sentinel, b"end", qos=1)
        got = []
        while True:
            m = sub.wait_message()
            if m.topic == sentinel:
                break
            got.append(m.topic)
        # Delivery order across different topics is not guaranteed: linger briefly for
        # stragglers that a broker might deliver after the sentinel.
        got += [m.topic for m in sub.collect_messages(0.2)]
        return got

    def test_exact_filter_matches_only_that_topic(self):
        t = self.topic()
        got = self.deliveries([f"{t}/a/b"], [f"{t}/a/b", f"{t}/a", f"{t}/a/b/c", f"{t}/a/B"])
        self.assertEqual(got, [f"{t}/a/b"])

    def test_single_level_wildcard(self):
        # §4.7.1.3: '+' matches exactly one level, which may be empty.
        t = self.topic()
        got = self.deliveries([f"{t}/+/c"], [f"{t}/x/c", f"{t}/x/y/c", f"{t}/c", f"{t}//c",
                                              f"{t}/x/c/d"])
        self.assertCountEqual(got, [f"{t}/x/c", f"{t}//c"])

    def test_multi_level_wildcard_also_matches_the_parent_level(self):
        # §4.7.1.2: 'sport/#' also matches 'sport'.
        t = self.topic()
        got = self.deliveries([f"{t}/sport/#"], [f"{t}/sport", f"{t}/sport/tennis",
                                                  f"{t}/sport/tennis/player1", f"{t}/sports",
                                                  f"{t}/other"])
        self.assertCountEqual(got, [f"{t}/sport", f"{t}/sport/tennis",
                                    f"{t}/sport/tennis/player1"])

    def test_wildcards_combined(self):
        t = self.topic()
        got = self.deliveries([f"{t}/+/b/#"], [f"{t}/a/b", f"{t}/a/b/c/d", f"{t}/a/x/b"])
        self.assertCountEqual(got, [f"{t}/a/b", f"{t}/a/b/c/d"])

    def test_dollar_topics_are_not_matched_by_leading_wildcards(self):
        # §4.7.2 [MQTT-4.7.2-1]: filters starting with '#' or '+' do not match topic names
        # beginning with '$'; an explicit '$...' filter does.
        dollar_root = f"$it{unique()}"
        dollar_topic = f"{dollar_root}/sensor/temp"
        wild = self.client()
        self.assertEqual(wild.subscribe("#", 1), [1])
        self.assertEqual(wild.subscribe("+/sensor/temp", 1), [1])
        self.assertEqual(wild.subscribe("+/+/+", 1), [1])
        explicit = self.client()
        self.assertEqual(explicit.subscribe(f"{dollar_root}/#", 1), [1])
        explicit2 = self.client()
        self.assertEqual(explicit2.subscribe(f"{dollar_root}/+/temp", 1), [1])
        pub = self.client()
        pub.publish(dollar_topic, b"secret", qos=1)
        self.assertEqual(explicit.wait_message().topic, dollar_topic)
        self.assertEqual(explicit2.wait_message().topic, dollar_topic)
        sentinel = self.topic("sentinel")
        pub.publish(sentinel, b"end", qos=1)
        seen = []
        while True:
            m = wild.wait_message()
            seen.append(m.topic)
            if m.topic == sentinel:
                break
        seen += [m.topic for m in wild.collect_messages(0.2)]
        self.assertNotIn(dollar_topic, seen)

    def test_overlapping_subscriptions_deliver_with_the_maximum_qos(self):
        # v3.1.1 §3.3.5 / v5 §3.3.4 [MQTT-3.3.4-2]: the message is delivered respecting the
        # maximum QoS of all matching subscriptions (further copies are allowed, see below).
        if self.version == MQTT_V311 and is_mosquitto():
            self.skipTest("Mosquitto 2.0.11 deviates: to a v3.1.1 client it sends one copy at "
                          "the QoS of one matching subscription, not the maximum")
        t = self.topic()
        sub = self.client()
        self.assertEqual(sub.subscribe(f"{t}/#", 1), [1])
        self.assertEqual(sub.subscribe(f"{t}/+", 2), [2])
        self.assertEqual(sub.subscribe(f"{t}/a", 0), [0])
        self.client().publish(f"{t}/a", b"x", qos=2)
        copies = [sub.wait_message()] + sub.collect_messages(QUIET)
        self.assertIn(2, [m.qos for m in copies], f"no copy at QoS 2: {copies}")

    @millet_only("the spec allows one copy per matching subscription; millet promises one")
    def test_overlapping_subscriptions_deliver_a_single_copy(self):
        t = self.topic()
        sub = self.client()
        sub.subscribe(f"{t}/#", 1)
        sub.subscribe(f"{t}/+", 2)
        sub.subscribe(f"{t}/a", 0)
        self.client().publish(f"{t}/a", b"x", qos=2)
        self.assertEqual(sub.wait_message().qos, 2)
        sub.assert_no_message()

    def test_subscribing_again_replaces_the_subscription(self):
        # [MQTT-3.8.4-3]: an identical filter replaces the existing subscription (one copy).
        t = self.topic()
        sub = self.client()
        self.assertEqual(sub.subscribe(t, 0), [0])
        self.assertEqual(sub.subscribe(t, 2), [2])
        self.client().publish(t, b"x", qos=2)
        self.assertEqual(sub.wait_message().qos, 2)
        sub.assert_no_message()

    def test_one_subscribe_packet_with_several_filters_gets_a_code_per_filter_in_order(self):
        # [MQTT-3.8.4-6] (v5) / [MQTT-3.8.4-5] (v3.1.1): one return code per filter;
        # [MQTT-3.9.3-1]: in the order of the filters.
        t = self.topic()
        sub = self.client()
        codes = sub.subscribe([(f"{t}/a", 2), (f"{t}/b", 0), (f"{t}/c", 1)])
        self.assertEqual(codes, [2, 0, 1])

    def test_unsubscribe_stops_delivery(self):
        t = self.topic()
        sub = self.client()
        sub.subscribe(f"{t}/+", 1)
        sub.subscribe(f"{t}/keep", 1)
        pub = self.client()
        pub.publish(f"{t}/x", b"1", qos=1)
        self.assertEqual(sub.wait_message().payload, b"1")
        codes = sub.unsubscribe(f"{t}/+")
        if self.version == MQTT_V5:
            self.assertEqual(codes, [0])  # v5 §3.11.3: Success for an existing subscription
        pub.publish(f"{t}/x", b"2", qos=1)
        pub.publish(f"{t}/keep", b"3", qos=1)
        m = sub.wait_message()
        self.assertEqual((m.topic, m.payload), (f"{t}/keep", b"3"))
        sub.assert_no_message()

    def test_unsubscribe_of_an_unknown_filter_is_acknowledged(self):
        # [MQTT-3.10.4-5]: UNSUBACK is sent even if no filter matched.
        sub = self.client()
        codes = sub.unsubscribe(self.topic("never-subscribed"))
        if self.version == MQTT_V5:
            self.assertEqual(len(codes), 1)
            self.assertIn(codes[0], (0x00, 0x11))  # Success / No subscription existed

    def check_invalid_filter(self, bad_filter: bytes):
        """An invalid filter must not become a subscription, and the client must learn it.

        The spec leaves two answers: v3.1.1 SUBACK 0x80 / v5 SUBACK 0x8F Topic Filter invalid,
        or treating it as a protocol violation and closing the connection (v3.1.1 §4.8
        [MQTT-4.8.0-1]; v5 §4.13 [MQTT-4.13.1-1], optionally after DISCONNECT 0x8F/0x82/0x81).
        What a client relies on: no success code is returned, and nothing is delivered."""
        raw = self.raw()
        raw.connect()
        raw.send(subscribe_packet(1, [(bad_filter, 1)], version=self.version))
        packets, closed = raw.collect(QUIET)
        if closed:
            for p in packets:
                self.assertIn(p.type, (SUBACK, DISCONNECT), p)
                if p.type == SUBACK:
                    self.assertTrue(all(c >= 0x80 for c in p.reason_codes), p)
                else:
                    self.assertIn(p.reason_code, (RC_TOPIC_FILTER_INVALID, RC_PROTOCOL_ERROR,
                                                  RC_MALFORMED), p)
            return
        self.assertEqual(len(packets), 1)
        ack = packets[0]
        self.assertEqual(ack.type, SUBACK, ack)
        expected = 0x80 if self.version == MQTT_V311 else RC_TOPIC_FILTER_INVALID
        self.assertEqual(ack.reason_codes, [expected], f"SUBACK for {bad_filter!r}")

    def test_multi_level_wildcard_not_last_is_rejected(self):
        # [MQTT-4.7.1-2]: '#' must be the last character, alone in its level.
        self.check_invalid_filter(self.topic("a/#/b").encode())

    def test_multi_level_wildcard_inside_a_level_is_rejected(self):
        self.check_invalid_filter(self.topic("a#").encode())

    def test_single_level_wildcard_inside_a_level_is_rejected(self):
        # [MQTT-4.7.1-3]: '+' must occupy an entire level.
        self.check_invalid_filter(self.topic("a+").encode())

    def test_empty_filter_is_rejected(self):
        # [MQTT-4.7.3-1]: topic filters are at least one character long.
        self.check_invalid_filter(b"")

    def test_broker_keeps_serving_after_invalid_filters(self):
        self.check_invalid_filter(self.topic("x/#/y").encode())
        self.assert_broker_serves()


class SubscriptionsV311(SubscriptionTests, BrokerTestCase):
    version = MQTT_V311


class SubscriptionsV5(SubscriptionTests, BrokerTestCase):
    version = MQTT_V5


if __name__ == "__main__":
    main()
