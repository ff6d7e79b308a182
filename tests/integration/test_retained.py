"""Retained messages for MQTT 3.1.1 and 5.0, and the v5 subscription options Retain Handling
and Retain As Published.

Spec: v3.1.1 §3.3.1.3, v5 §3.3.1.3 and §3.8.3.1.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from paho.mqtt.subscribeoptions import SubscribeOptions  # noqa: E402

from harness import MQTT_V311, MQTT_V5, BrokerTestCase, main, v5_props  # noqa: E402


class RetainedTests:

    def retain(self, topic: str, payload: bytes, qos: int = 1) -> None:
        self.client().publish(topic, payload, qos=qos, retain=True)

    def subscribe_and_get(self, filter_: str, count: int = 1, qos: int = 1):
        sub = self.client()
        self.assertEqual(sub.subscribe(filter_, qos), [qos])
        return sub, sub.wait_messages(count)

    def test_retained_message_is_sent_on_subscribe_with_the_retain_flag(self):
        # v3.1.1 [MQTT-3.3.1-6] [MQTT-3.3.1-8]; v5 [MQTT-3.3.1-5] [MQTT-3.3.1-9]:
        # stored, then sent to new subscribers with RETAIN=1.
        t = self.topic()
        self.retain(t, b"21.5")
        sub, (m,) = self.subscribe_and_get(t)
        self.assertEqual((m.topic, m.payload, m.retain), (t, b"21.5", True))
        sub.assert_no_message()

    def test_retained_message_is_replaced_by_the_next_one(self):
        t = self.topic()
        self.retain(t, b"old")
        self.retain(t, b"new")
        sub, (m,) = self.subscribe_and_get(t)
        self.assertEqual((m.payload, m.retain), (b"new", True))
        sub.assert_no_message()

    def test_empty_retained_payload_clears_the_retained_message(self):
        # v3.1.1 [MQTT-3.3.1-10] [MQTT-3.3.1-11]; v5 [MQTT-3.3.1-6] [MQTT-3.3.1-7].
        t = self.topic()
        self.retain(t, b"gone soon")
        live = self.client()
        live.subscribe(t, 1)
        self.assertTrue(live.wait_message().retain)
        self.retain(t, b"")
        # The clearing message itself is forwarded normally to existing subscribers.
        m = live.wait_message()
        self.assertEqual((m.payload, m.retain), (b"", False))
        fresh = self.client()
        fresh.subscribe(t, 1)
        fresh.assert_no_message()

    def test_retained_messages_of_every_matching_topic_are_sent_to_a_wildcard_subscriber(self):
        t = self.topic()
        expected = {f"{t}/room{i}/temp": f"{20 + i}".encode() for i in range(5)}
        for topic, payload in expected.items():
            self.retain(topic, payload)
        self.retain(f"{t}/room0/humidity", b"40")  # does not match the filter below
        sub, got = self.subscribe_and_get(f"{t}/+/temp", count=5)
        self.assertEqual({m.topic: m.payload for m in got}, expected)
        self.assertTrue(all(m.retain for m in got))
        sub.assert_no_message()

    def test_retain_flag_is_cleared_on_normal_forwarding(self):
        # v3.1.1 [MQTT-3.3.1-9]; v5 [MQTT-3.3.1-12] (Retain As Published = 0): a message
        # forwarded to an established subscription has RETAIN=0 whatever the publisher set.
        t = self.topic()
        sub = self.client()
        sub.subscribe(t, 1)
        self.retain(t, b"live")
        m = sub.wait_message()
        self.assertEqual((m.payload, m.retain), (b"live", False))

    def test_retained_message_is_not_resent_on_normal_forwarding(self):
        t = self.topic()
        self.retain(t, b"stored")
        sub, (m,) = self.subscribe_and_get(t)
        self.assertTrue(m.retain)
        # Another client subscribing must not cause a resend to this one, and a new
        # non-retained message arrives alone.
        other, (m2,) = self.subscribe_and_get(t)
        self.assertEqual(m2.payload, b"stored")
        self.client().publish(t, b"fresh", qos=1)
        m3 = sub.wait_message()
        self.assertEqual((m3.payload, m3.retain), (b"fresh", False))
        sub.assert_no_message()

    def test_non_retained_publish_does_not_replace_the_retained_message(self):
        t = self.topic()
        self.retain(t, b"kept")
        self.client().publish(t, b"transient", qos=1, retain=False)
        sub, (m,) = self.subscribe_and_get(t)
        self.assertEqual((m.payload, m.retain), (b"kept", True))

    def test_retained_message_is_delivered_at_the_lower_of_both_qos(self):
        t = self.topic()
        self.retain(t, b"q2", qos=2)
        for sub_qos in (0, 1, 2):
            with self.subTest(subscription_qos=sub_qos):
                sub, (m,) = self.subscribe_and_get(t, qos=sub_qos)
                self.assertEqual(m.qos, sub_qos)

    def test_resubscribing_sends_the_retained_message_again(self):
        # v3.1.1 [MQTT-3.8.4-3]; v5 Retain Handling 0 [MQTT-3.3.1-9]: a repeated SUBSCRIBE
        # re-sends the matching retained messages.
        t = self.topic()
        self.retain(t, b"again")
        sub, (m,) = self.subscribe_and_get(t)
        sub.subscribe(t, 1)
        m2 = sub.wait_message()
        self.assertEqual((m2.payload, m2.retain), (b"again", True))


class RetainedV311(RetainedTests, BrokerTestCase):
    version = MQTT_V311


class RetainedV5(RetainedTests, BrokerTestCase):
    version = MQTT_V5

    def test_retain_handling_1_sends_retained_only_for_a_new_subscription(self):
        # [MQTT-3.3.1-10]: Retain Handling 1 sends retained messages only if the
        # subscription did not already exist.
        t = self.topic()
        self.retain(t, b"once")
        sub = self.client()
        opts = SubscribeOptions(qos=1, retainHandling=SubscribeOptions.RETAIN_SEND_IF_NEW_SUB)
        self.assertEqual(sub.subscribe(t, options=opts), [1])
        self.assertEqual(sub.wait_message().payload, b"once")
        self.assertEqual(sub.subscribe(t, options=opts), [1])
        sub.assert_no_message()

    def test_retain_handling_2_never_sends_retained(self):
        # [MQTT-3.3.1-11]
        t = self.topic()
        self.retain(t, b"hidden")
        sub = self.client()
        opts = SubscribeOptions(qos=1, retainHandling=SubscribeOptions.RETAIN_DO_NOT_SEND)
        self.assertEqual(sub.subscribe(t, options=opts), [1])
        sub.assert_no_message()
        # ...but live messages still flow.
        self.client().publish(t, b"live", qos=1)
        self.assertEqual(sub.wait_message().payload, b"live")

    def test_retain_as_published_keeps_the_retain_flag_on_forwarding(self):
        # [MQTT-3.3.1-13]: with Retain As Published = 1 the forwarded RETAIN flag equals the
        # publisher's; with 0 it is cleared [MQTT-3.3.1-12].
        t = self.topic()
        rap = self.client()
        rap.subscribe(t, options=SubscribeOptions(qos=1, retainAsPublished=True))
        plain = self.client()
        plain.subscribe(t, options=SubscribeOptions(qos=1, retainAsPublished=False))
        pub = self.client()
        pub.publish(t, b"r", qos=1, retain=True)
        pub.publish(t, b"n", qos=1, retain=False)
        self.assertEqual([(m.payload, m.retain) for m in rap.wait_messages(2)],
                         [(b"r", True), (b"n", False)])
        self.assertEqual([(m.payload, m.retain) for m in plain.wait_messages(2)],
                         [(b"r", False), (b"n", False)])

    def test_retained_message_keeps_its_properties(self):
        t = self.topic()
        self.client().publish(t, b"{}", qos=1, retain=True, properties=v5_props(
            "PUBLISH", ContentType="application/json", UserProperty=[("unit", "C")]))
        sub, (m,) = self.subscribe_and_get(t)
        self.assertEqual(m.prop("ContentType"), "application/json")
        self.assertEqual(m.prop("UserProperty"), [("unit", "C")])


if __name__ == "__main__":
    main()
