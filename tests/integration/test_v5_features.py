"""MQTT 5.0 features: topic aliases (both directions), message expiry, properties passed
through (user properties, response topic, correlation data, content type, payload format),
subscription identifiers, No Local, CONNACK capabilities.

Spec: v5 §3.3.2.3 (PUBLISH properties), §3.3.4, §3.8.3.1 (subscription options), §3.2.2.3.
"""

import collections
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from paho.mqtt.subscribeoptions import SubscribeOptions  # noqa: E402

from harness import (DISCONNECT, MQTT_V5, PUBACK, PUBLISH, QUIET, RC_MALFORMED,  # noqa: E402
                     RC_PROTOCOL_ERROR, RC_TOPIC_ALIAS_INVALID, BrokerTestCase,
                     main, millet_only, publish_packet, unique, v5_props)

TOPIC_ALIAS_MAX = 5


class TopicAliases(BrokerTestCase):
    version = MQTT_V5
    broker_settings = {"topic_alias_max": TOPIC_ALIAS_MAX}

    def aliasing_publisher(self):
        pub = self.raw()
        ack = pub.connect()
        # §3.2.2.3.8: the server announces how many aliases it accepts (--topic-alias-max).
        self.assertEqual(ack.properties.get("topic_alias_maximum"), TOPIC_ALIAS_MAX)
        return pub

    def test_client_to_server_alias_is_set_used_and_remapped(self):
        # §3.3.2.3.4: topic + alias sets the mapping, empty topic + alias uses it, a new topic
        # with the same alias replaces it. [MQTT-3.3.2-12]: the server accepts every alias
        # from 1 to its Topic Alias Maximum.
        t = self.topic()
        sub = self.client()
        sub.subscribe(f"{t}/#", 1)
        pub = self.aliasing_publisher()
        sends = [(f"{t}/x", b"a", 1), ("", b"b", 1), (f"{t}/y", b"c", 1), ("", b"d", 1),
                 (f"{t}/z", b"e", TOPIC_ALIAS_MAX), ("", b"f", TOPIC_ALIAS_MAX)]
        for topic, payload, alias in sends:
            ack = pub.publish(topic, payload, qos=1, properties={"topic_alias": alias})
            self.assertEqual((ack.type, ack.reason_code), (PUBACK, 0), ack)
        received = sub.wait_messages(len(sends))
        self.assertEqual([(m.topic, m.payload) for m in received],
                         [(f"{t}/x", b"a"), (f"{t}/x", b"b"), (f"{t}/y", b"c"),
                          (f"{t}/y", b"d"), (f"{t}/z", b"e"), (f"{t}/z", b"f")])
        # Forwarded messages never carry the publisher's alias: the subscriber announced no
        # Topic Alias Maximum, so it must get no alias at all [MQTT-3.1.2-27].
        self.assertEqual([m.prop("TopicAlias") for m in received], [None] * len(sends))

    def expect_disconnect(self, raw, allowed_codes):
        packets = raw.wait_closed()
        self.assertEqual(len(packets), 1, packets)
        self.assertEqual(packets[0].type, DISCONNECT, packets)
        self.assertIn(packets[0].reason_code, allowed_codes, packets)

    def test_topic_alias_zero_is_rejected(self):
        # [MQTT-3.3.2-8]: alias 0 is not permitted. The spec defines 0x94 Topic Alias invalid
        # for aliases above the maximum; for 0 it names no code, so Protocol Error / Malformed
        # Packet (§4.13) are correct too.
        pub = self.aliasing_publisher()
        pub.send(publish_packet(self.topic(), b"x", properties={"topic_alias": 0}))
        self.expect_disconnect(pub, [RC_TOPIC_ALIAS_INVALID, RC_PROTOCOL_ERROR, RC_MALFORMED])

    def test_topic_alias_above_the_maximum_is_rejected(self):
        # §3.3.2.3.4 / [MQTT-3.2.2-17]: above the server's Topic Alias Maximum -> 0x94.
        pub = self.aliasing_publisher()
        pub.send(publish_packet(self.topic(), b"x",
                                properties={"topic_alias": TOPIC_ALIAS_MAX + 1}))
        self.expect_disconnect(pub, [RC_TOPIC_ALIAS_INVALID])

    def test_alias_mappings_do_not_survive_the_connection(self):
        # [MQTT-3.3.2-7]: mappings belong to one network connection. An empty topic with an
        # alias that has no mapping is a Protocol Error (§3.3.4).
        cid = unique("alias-")
        pub = self.raw()
        pub.connect(cid, clean=False, properties={"session_expiry_interval": 60})
        pub.publish(self.topic(), b"x", qos=1, properties={"topic_alias": 2})
        pub.disconnect()
        again = self.raw()
        self.assertTrue(again.connect(cid, clean=False,
                                      properties={"session_expiry_interval": 0}).session_present)
        again.send(publish_packet("", b"y", qos=1, packet_id=1, properties={"topic_alias": 2}))
        self.expect_disconnect(again, [RC_PROTOCOL_ERROR, RC_TOPIC_ALIAS_INVALID])

    def receive_resolving_aliases(self, raw, count: int, alias_max: int):
        """Read `count` PUBLISHes, resolving server->client aliases as a client must."""
        aliases, out = {}, []
        for _ in range(count):
            p = raw.expect(PUBLISH)
            alias = p.properties.get("topic_alias")
            topic = p.topic.decode()
            if alias is not None:
                # [MQTT-3.3.2-11]: never above the client's Topic Alias Maximum (nor 0).
                self.assertTrue(1 <= alias <= alias_max, f"alias {alias} outside 1..{alias_max}")
                if topic:
                    aliases[alias] = topic
                else:
                    self.assertIn(alias, aliases, "empty topic with an alias never set")
                    topic = aliases[alias]
            else:
                self.assertTrue(topic, "empty topic name without a topic alias")
            out.append((topic, p.payload, alias, not p.topic))
            raw.ack(p)
        return out

    def server_to_client_traffic(self, alias_max: int):
        t = self.topic()
        sub = self.raw()
        props = {"topic_alias_maximum": alias_max} if alias_max else {}
        sub.connect(properties=props)
        sub.subscribe((f"{t}/#", 1))
        names = ["a", "b", "a", "a", "b", "c", "d", "e", "a", "a", "b", "f", "a"]
        pub = self.client()
        for i, n in enumerate(names):
            pub.publish(f"{t}/{n}", f"{i}", qos=1)
        got = self.receive_resolving_aliases(sub, len(names), alias_max)
        # Per-topic order is guaranteed (§4.6); compare topic by topic.
        expected = collections.defaultdict(list)
        for i, n in enumerate(names):
            expected[f"{t}/{n}"].append(str(i).encode())
        actual = collections.defaultdict(list)
        for topic, payload, _, _ in got:
            actual[topic].append(payload)
        self.assertEqual(dict(actual), dict(expected))
        sub.expect_no_packet()
        return got

    def test_server_to_client_aliases_if_used_resolve_correctly(self):
        # The server may use aliases up to the client's Topic Alias Maximum (3 < 6 topics).
        self.server_to_client_traffic(alias_max=3)

    def test_no_server_to_client_alias_when_the_client_allows_none(self):
        # [MQTT-3.1.2-27]: Topic Alias Maximum absent or 0 -> the server sends no alias.
        got = self.server_to_client_traffic(alias_max=0)
        self.assertEqual([a for _, _, a, _ in got if a is not None], [])

    @millet_only("the spec lets a server choose whether to use aliases; millet does")
    def test_millet_uses_outgoing_topic_aliases(self):
        got = self.server_to_client_traffic(alias_max=3)
        # A repeated topic is sent as an empty topic name plus the alias.
        self.assertTrue(any(empty for _, _, _, empty in got), f"no alias used: {got}")


class MessageExpiry(BrokerTestCase):
    version = MQTT_V5

    def test_expiry_interval_is_forwarded_decremented_or_unchanged(self):
        # [MQTT-3.3.2-6]: the forwarded value is the received one minus the time waited.
        t = self.topic()
        sub = self.client()
        sub.subscribe(t, 1)
        pub = self.client()
        pub.publish(t, b"e", qos=1, properties=v5_props("PUBLISH", MessageExpiryInterval=60))
        pub.publish(t, b"n", qos=1)
        m1, m2 = sub.wait_messages(2)
        self.assertIn(m1.prop("MessageExpiryInterval"), (59, 60))
        self.assertIsNone(m2.prop("MessageExpiryInterval"), "expiry invented by the broker")

    def test_expired_messages_are_not_delivered_and_live_ones_carry_the_remaining_time(self):
        # [MQTT-3.3.2-5]: once expired, a queued copy is deleted; also a retained message
        # that expired is not sent to a new subscriber. [MQTT-3.3.2-6]: the rest carry the
        # remaining lifetime.
        t = self.topic()
        cid = unique("offline-")
        sub = self.client(client_id=cid, clean=False,
                          connect_properties=v5_props("CONNECT", SessionExpiryInterval=60))
        sub.subscribe(f"{t}/queue", 1)
        sub.disconnect()
        pub = self.client()
        short = v5_props("PUBLISH", MessageExpiryInterval=1)
        long = v5_props("PUBLISH", MessageExpiryInterval=60)
        pub.publish(f"{t}/queue", b"short", qos=1, properties=short)
        pub.publish(f"{t}/queue", b"long", qos=1, properties=long)
        pub.publish(f"{t}/retained/short", b"short", qos=1, retain=True, properties=short)
        pub.publish(f"{t}/retained/long", b"long", qos=1, retain=True, properties=long)
        time.sleep(2.2)  # the clock under test: let the 1 s messages expire
        back = self.client(client_id=cid, clean=False,
                           connect_properties=v5_props("CONNECT", SessionExpiryInterval=0))
        self.assertTrue(back.session_present)
        m = back.wait_message()
        self.assertEqual(m.payload, b"long")
        self.assertLessEqual(m.prop("MessageExpiryInterval"), 58)
        self.assertGreaterEqual(m.prop("MessageExpiryInterval"), 50)
        back.assert_no_message()
        late = self.client()
        late.subscribe(f"{t}/retained/+", 1)
        r = late.wait_message()
        self.assertEqual((r.topic, r.retain), (f"{t}/retained/long", True))
        self.assertLessEqual(r.prop("MessageExpiryInterval"), 58)
        late.assert_no_message()


class PropertiesPassThrough(BrokerTestCase):
    version = MQTT_V5

    def test_request_response_and_user_properties_are_forwarded_unchanged(self):
        # [MQTT-3.3.2-15] response topic, [MQTT-3.3.2-16] correlation data, [MQTT-3.3.2-17]
        # user properties unaltered, [MQTT-3.3.2-18] in order (duplicates allowed),
        # [MQTT-3.3.2-20] content type, [MQTT-3.3.2-4] payload format indicator.
        t = self.topic()
        sub = self.client()
        sub.subscribe(t, 2)
        user = [("b", "2"), ("a", "1"), ("b", "3"), ("ünï", "cödé"), ("empty", "")]
        corr = bytes(range(256))
        p = v5_props("PUBLISH", ResponseTopic=self.topic("reply/to"), CorrelationData=corr,
                     UserProperty=user, ContentType="text/plain; charset=utf-8",
                     PayloadFormatIndicator=1)
        for qos in (0, 1, 2):
            with self.subTest(qos=qos):
                self.client().publish(t, "héllo".encode(), qos=qos, properties=p)
                m = sub.wait_message()
                self.assertEqual(m.payload, "héllo".encode())
                self.assertEqual(m.prop("ResponseTopic"), self.topic("reply/to"))
                self.assertEqual(m.prop("CorrelationData"), corr)
                self.assertEqual(m.prop("UserProperty"), user)
                self.assertEqual(m.prop("ContentType"), "text/plain; charset=utf-8")
                self.assertEqual(m.prop("PayloadFormatIndicator"), 1)

    def test_absent_properties_stay_absent(self):
        t = self.topic()
        sub = self.client()
        sub.subscribe(t, 1)
        self.client().publish(t, b"plain", qos=1)
        m = sub.wait_message()
        for name in ("ResponseTopic", "CorrelationData", "UserProperty", "ContentType",
                     "PayloadFormatIndicator", "MessageExpiryInterval", "SubscriptionIdentifier"):
            self.assertIsNone(m.prop(name), name)

    def test_properties_survive_the_offline_queue(self):
        t = self.topic()
        cid = unique("q-")
        sub = self.client(client_id=cid, clean=False,
                          connect_properties=v5_props("CONNECT", SessionExpiryInterval=60))
        sub.subscribe(t, 1)
        sub.disconnect()
        self.client().publish(t, b"x", qos=1, properties=v5_props(
            "PUBLISH", UserProperty=[("k", "v")], CorrelationData=b"id-1"))
        back = self.client(client_id=cid, clean=False,
                           connect_properties=v5_props("CONNECT", SessionExpiryInterval=0))
        m = back.wait_message()
        self.assertEqual(m.prop("UserProperty"), [("k", "v")])
        self.assertEqual(m.prop("CorrelationData"), b"id-1")


class SubscriptionIdentifiers(BrokerTestCase):
    version = MQTT_V5

    def subscribe_with_id(self, client, topic_filter: str, ident: int | None, qos: int = 1):
        props = v5_props("SUBSCRIBE", SubscriptionIdentifier=ident) if ident else None
        self.assertEqual(client.subscribe(topic_filter, qos, properties=props), [qos])

    def test_message_carries_the_subscription_identifier(self):
        # §3.8.2.1.2 / [MQTT-3.3.4-3]
        t = self.topic()
        sub = self.client()
        self.subscribe_with_id(sub, f"{t}/+", 7)
        self.client().publish(f"{t}/a", b"x", qos=1)
        self.assertEqual(sub.wait_message().prop("SubscriptionIdentifier"), [7])

    def test_subscription_without_identifier_gets_none(self):
        t = self.topic()
        sub = self.client()
        self.subscribe_with_id(sub, t, None)
        self.client().publish(t, b"x", qos=1)
        self.assertIsNone(sub.wait_message().prop("SubscriptionIdentifier"))

    def test_resubscribing_replaces_the_identifier(self):
        t = self.topic()
        sub = self.client()
        self.subscribe_with_id(sub, t, 1)
        self.subscribe_with_id(sub, t, 268435455)  # the largest identifier (varint max)
        self.client().publish(t, b"x", qos=1)
        self.assertEqual(sub.wait_message().prop("SubscriptionIdentifier"), [268435455])
        sub.assert_no_message()

    def test_overlapping_subscriptions_report_all_identifiers(self):
        # [MQTT-3.3.4-4]: one copy carries the ids of all matching subscriptions;
        # [MQTT-3.3.4-5]: if several copies are sent, each carries its own subscription's id.
        t = self.topic()
        sub = self.client()
        self.subscribe_with_id(sub, f"{t}/#", 1)
        self.subscribe_with_id(sub, f"{t}/+", 2)
        self.subscribe_with_id(sub, f"{t}/a", None)
        self.client().publish(f"{t}/a", b"x", qos=1)
        copies = [sub.wait_message()] + sub.collect_messages(QUIET)
        ids = [sorted(m.prop("SubscriptionIdentifier") or []) for m in copies]
        if len(copies) == 1:
            self.assertEqual(ids, [[1, 2]])
        else:
            self.assertEqual(sorted(i for group in ids for i in group), [1, 2])
            self.assertTrue(all(len(group) <= 1 for group in ids), ids)

    @millet_only("the spec allows one copy per subscription; millet sends one with all ids")
    def test_overlapping_subscriptions_one_copy_with_all_identifiers(self):
        t = self.topic()
        sub = self.client()
        self.subscribe_with_id(sub, f"{t}/#", 1, qos=1)
        self.subscribe_with_id(sub, f"{t}/+", 2, qos=2)
        self.client().publish(f"{t}/a", b"x", qos=2)
        m = sub.wait_message()
        self.assertEqual(sorted(m.prop("SubscriptionIdentifier")), [1, 2])
        self.assertEqual(m.qos, 2)
        sub.assert_no_message()


class NoLocal(BrokerTestCase):
    version = MQTT_V5

    def test_no_local_suppresses_own_messages_only(self):
        # [MQTT-3.8.3-3]: with No Local, messages are not forwarded to the publishing
        # connection's client id; other publishers' messages still are.
        t = self.topic()
        me = self.client()
        me.subscribe(t, options=SubscribeOptions(qos=1, noLocal=True))
        other = self.client()
        other.subscribe(t, 1)
        me.publish(t, b"mine", qos=1)
        self.assertEqual(other.wait_message().payload, b"mine")
        other.publish(t, b"theirs", qos=1)
        self.assertEqual(me.wait_message().payload, b"theirs")
        self.assertEqual(other.wait_message().payload, b"theirs")
        me.assert_no_message()

    def test_without_no_local_own_messages_come_back(self):
        t = self.topic()
        me = self.client()
        me.subscribe(t, options=SubscribeOptions(qos=1, noLocal=False))
        me.publish(t, b"echo", qos=1)
        self.assertEqual(me.wait_message().payload, b"echo")


class ConnackCapabilities(BrokerTestCase):
    version = MQTT_V5

    def test_connack_does_not_deny_features_millet_supports(self):
        # §3.2.2.3: absent means available. A client relies on these to use the features.
        ack = self.raw().connect()
        self.assertEqual(ack.reason_code, 0)
        for name in ("retain_available", "wildcard_subscription_available",
                     "subscription_identifier_available", "shared_subscription_available"):
            self.assertEqual(ack.properties.get(name, 1), 1, name)
        self.assertEqual(ack.properties.get("maximum_qos", 2), 2)


if __name__ == "__main__":
    main()
