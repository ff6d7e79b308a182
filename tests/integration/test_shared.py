"""Shared subscriptions ($share/<group>/<filter>), MQTT 5.0.

Spec: v5 §4.8.2.
"""

import collections
import os
import queue
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import MQTT_V5, QUIET, BrokerTestCase, main, millet_only, v5_props  # noqa: E402

N = 100


class Group:
    """The members of one share group; all of them deliver into one queue."""

    def __init__(self, test: BrokerTestCase, name: str, topic_filter: str, size: int,
                 qos: int = 1):
        self.messages: queue.Queue = queue.Queue()
        self.members = []
        self.filter = f"$share/{name}/{topic_filter}"
        for _ in range(size):
            c = test.client(messages=self.messages)
            test.assertEqual(c.subscribe(self.filter, qos), [qos])
            self.members.append(c)

    def receive(self, count: int):
        """Exactly `count` messages, then no more: {client_id: [payloads]}."""
        per_member = collections.defaultdict(list)
        # any member's wait_messages reads the shared queue
        for m in self.members[0].wait_messages(count):
            per_member[m.receiver].append(m.payload)
        extra = self.members[0].collect_messages(QUIET)
        if extra:
            raise AssertionError(f"{len(extra)} more messages than published: {extra[:3]}")
        return per_member


class SharedSubscriptions(BrokerTestCase):
    version = MQTT_V5

    def publish(self, topic: str, count: int = N, qos: int = 1):
        pub = self.client()
        for i in range(count):
            pub.publish(topic, f"{i}", qos=qos, wait=False)
        pub.publish(topic, b"last", qos=qos)  # waits: everything before it was sent too
        return [f"{i}".encode() for i in range(count)] + [b"last"]

    def test_each_message_goes_to_exactly_one_member_and_both_get_a_share(self):
        # §4.8.2: each message matching a shared subscription goes to exactly one session of
        # the group; with two members over a hundred messages, both get a real share.
        t = self.topic()
        group = Group(self, "g", t, 2)
        sent = self.publish(t)
        per_member = group.receive(len(sent))
        self.assertCountEqual(sum(per_member.values(), []), sent)
        for c in group.members:
            share = len(per_member[c.client_id])
            self.assertGreaterEqual(share, 10, f"{c.client_id} got {share} of {len(sent)}")

    def test_each_group_gets_every_message_and_plain_subscribers_too(self):
        t = self.topic()
        g1 = Group(self, "one", t, 2)
        g2 = Group(self, "two", t, 3)
        plain = self.client()
        plain.subscribe(t, 1)
        sent = self.publish(t, count=30)
        self.assertCountEqual(sum(g1.receive(len(sent)).values(), []), sent)
        self.assertCountEqual(sum(g2.receive(len(sent)).values(), []), sent)
        self.assertEqual([m.payload for m in plain.wait_messages(len(sent))], sent)
        plain.assert_no_message(within=0.1)

    def test_shared_filter_with_wildcards(self):
        t = self.topic()
        group = Group(self, "w", f"{t}/+/temp", 2)
        pub = self.client()
        pub.publish(f"{t}/kitchen/temp", b"21", qos=1)
        pub.publish(f"{t}/kitchen/humidity", b"40", qos=1)
        pub.publish(f"{t}/hall/temp", b"19", qos=1)
        self.assertCountEqual(sum(group.receive(2).values(), []), [b"21", b"19"])

    def test_remaining_member_gets_everything_after_the_other_leaves(self):
        t = self.topic()
        group = Group(self, "leave", t, 2)
        group.members[1].disconnect()
        sent = self.publish(t, count=20)
        per_member = group.receive(len(sent))
        self.assertEqual(sorted(per_member[group.members[0].client_id]), sorted(sent))

    def test_unsubscribed_member_gets_no_more_share(self):
        t = self.topic()
        group = Group(self, "unsub", t, 2)
        group.members[1].unsubscribe(group.filter)
        sent = self.publish(t, count=20)
        per_member = group.receive(len(sent))
        self.assertEqual(sorted(per_member[group.members[0].client_id]), sorted(sent))

    def test_qos_is_the_minimum_of_publish_and_member_subscription(self):
        t = self.topic()
        group = Group(self, "q", t, 1, qos=1)
        self.client().publish(t, b"x", qos=2)
        self.assertEqual(group.members[0].wait_message().qos, 1)

    @millet_only("Mosquitto 2.0.11 also hands messages to members that are away")
    def test_a_connected_member_gets_what_members_away_would_only_queue(self):
        # §4.8.2 leaves the choice of member to the server. With one member connected and
        # several away (persistent sessions, so they could queue), every message goes to the
        # connected one: it is delivered now instead of waiting in a queue. Several members
        # away, so that some of them live on each of millet's reactors.
        t = self.topic()
        group_filter = f"$share/g/{t}"
        expiry = v5_props("CONNECT", SessionExpiryInterval=3600)
        away = []
        for _ in range(4):
            member = self.client(clean=False, connect_properties=expiry)
            self.assertEqual(member.subscribe(group_filter, 1), [1])
            member.disconnect()
            away.append(member.client_id)
        here = self.client()
        self.assertEqual(here.subscribe(group_filter, 1), [1])
        sent = self.publish(t, 20)
        self.assertCountEqual([m.payload for m in here.wait_messages(len(sent))], sent)
        here.assert_no_message()
        for client_id in away:
            back = self.client(client_id=client_id, clean=False, connect_properties=expiry)
            self.assertTrue(back.session_present)
            back.assert_no_message()


if __name__ == "__main__":
    main()
