"""Sessions: clean session / clean start, persistent sessions and their offline queue,
v5 session expiry, redelivery of unacknowledged messages, session takeover, client ids.

Spec: v3.1.1 §3.1.2.4, §3.2.2.2, §4.4; v5 §3.1.2.4, §3.1.2.11.2, §3.2.2.1.1, §4.1, §4.4.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (CONNACK, DISCONNECT, MQTT_V311, MQTT_V5, PUBCOMP, PUBLISH,  # noqa: E402
                     PUBREC, PUBREL, RC_SESSION_TAKEN_OVER, BrokerTestCase, ack_packet,
                     RC_PROTOCOL_ERROR, connect_packet, disconnect_packet, main,
                     mosquitto_lacks, skip_on_mosquitto, unique, v5_props)

LONG_EXPIRY = 300


class SessionTests:

    def persistent(self, client_id: str, expiry: int = LONG_EXPIRY, connect: bool = True):
        """A paho client with a session that outlives the connection."""
        props = None
        if self.version == MQTT_V5:
            props = v5_props("CONNECT", SessionExpiryInterval=expiry)
        return self.client(client_id=client_id, clean=False, connect_properties=props,
                           connect=connect)

    def raw_persistent(self, client_id: str):
        raw = self.raw()
        ack = raw.connect(client_id, clean=False,
                          properties={"session_expiry_interval": LONG_EXPIRY})
        return raw, ack

    def test_first_connection_has_no_session_present(self):
        # v3.1.1 [MQTT-3.2.2-1] [MQTT-3.2.2-3]; v5 [MQTT-3.2.2-2] [MQTT-3.2.2-3]
        self.assertFalse(self.client().session_present)
        self.assertFalse(self.persistent(unique("fresh-")).session_present)

    def test_persistent_session_queues_qos1_and_qos2_while_offline(self):
        # §3.1.2.4: QoS 1 and 2 messages for an offline session are part of its state and are
        # delivered when it resumes; [MQTT-3.2.2-2] (v3.1.1) / [MQTT-3.2.2-3] (v5) session
        # present = 1. The subscription itself survives: no re-SUBSCRIBE.
        cid = unique("offline-")
        t = self.topic()
        sub = self.persistent(cid)
        self.assertEqual(sub.subscribe(t, 2), [2])
        sub.disconnect()
        pub = self.client()
        for i in range(5):
            pub.publish(t, f"q1-{i}", qos=1)
            pub.publish(t, f"q2-{i}", qos=2)
        back = self.persistent(cid)
        self.assertTrue(back.session_present)
        got = [(m.payload.decode(), m.qos) for m in back.wait_messages(10)]
        expected = []
        for i in range(5):
            expected += [(f"q1-{i}", 1), (f"q2-{i}", 2)]
        # Ordering is only guaranteed per topic *and* QoS (§4.6), so compare per QoS.
        for qos in (1, 2):
            self.assertEqual([p for p, q in got if q == qos], [p for p, q in expected if q == qos])
        back.assert_no_message()
        # Live messages flow on the resumed subscription.
        pub.publish(t, b"live", qos=1)
        self.assertEqual(back.wait_message().payload, b"live")

    def test_clean_connection_discards_the_previous_session(self):
        # v3.1.1 [MQTT-3.1.2-6]; v5 [MQTT-3.1.2-4]: Clean Session/Start = 1 discards the
        # session: no queued messages, no subscriptions, session present = 0.
        cid = unique("discard-")
        t = self.topic()
        sub = self.persistent(cid)
        sub.subscribe(t, 1)
        sub.disconnect()
        pub = self.client()
        pub.publish(t, b"queued", qos=1)
        clean = self.client(client_id=cid, clean=True)
        self.assertFalse(clean.session_present)
        pub.publish(t, b"after", qos=1)
        clean.assert_no_message()
        clean.disconnect()
        # ...and the discarded session does not come back.
        again = self.persistent(cid)
        self.assertFalse(again.session_present)
        again.assert_no_message()

    def test_session_resumes_without_queue_when_nothing_was_published(self):
        cid = unique("idle-")
        self.persistent(cid).disconnect()
        back = self.persistent(cid)
        self.assertTrue(back.session_present)
        back.assert_no_message()

    def test_unacknowledged_qos1_is_resent_with_dup_and_the_same_packet_id(self):
        # v3.1.1 [MQTT-4.4.0-1] / v5 [MQTT-4.4.0-1]: on reconnect with a session, unacked
        # PUBLISH packets are re-sent with their original packet ids; DUP=1 [MQTT-3.3.1-1].
        cid = unique("redeliver-")
        t = self.topic()
        raw, _ = self.raw_persistent(cid)
        self.assertEqual(raw.subscribe((t, 1)).reason_codes, [1])
        self.client().publish(t, b"ack me", qos=1)
        first = raw.expect(PUBLISH)
        self.assertEqual((first.qos, first.dup, first.payload), (1, False, b"ack me"))
        raw.close()  # no PUBACK
        raw2, ack = self.raw_persistent(cid)
        self.assertTrue(ack.session_present)
        again = raw2.expect(PUBLISH)
        self.assertEqual((again.topic, again.payload, again.qos), (t.encode(), b"ack me", 1))
        self.assertTrue(again.dup, "re-sent PUBLISH must have DUP=1")
        self.assertEqual(again.packet_id, first.packet_id)
        raw2.ack(again)
        raw2.expect_no_packet()
        # Once acknowledged it is gone from the session.
        raw2.close()
        raw3, _ = self.raw_persistent(cid)
        raw3.expect_no_packet()

    def test_unacknowledged_qos2_publish_is_resent_with_dup(self):
        cid = unique("redeliver2-")
        t = self.topic()
        raw, _ = self.raw_persistent(cid)
        raw.subscribe((t, 2))
        self.client().publish(t, b"exactly once", qos=2)
        first = raw.expect(PUBLISH)
        raw.close()  # no PUBREC
        raw2, ack = self.raw_persistent(cid)
        self.assertTrue(ack.session_present)
        again = raw2.expect(PUBLISH)
        self.assertEqual((again.payload, again.qos, again.dup, again.packet_id),
                         (b"exactly once", 2, True, first.packet_id))
        raw2.ack(again)
        raw2.expect_no_packet()

    def test_unacknowledged_pubrel_is_resent_not_the_publish(self):
        # [MQTT-4.4.0-1]: after PUBREC the sender re-sends PUBREL (not PUBLISH) on reconnect.
        cid = unique("pubrel-")
        t = self.topic()
        raw, _ = self.raw_persistent(cid)
        raw.subscribe((t, 2))
        self.client().publish(t, b"m", qos=2)
        p = raw.expect(PUBLISH)
        raw.send(ack_packet(PUBREC, p.packet_id, version=self.version))
        self.assertEqual(raw.expect(PUBREL).packet_id, p.packet_id)
        raw.close()  # no PUBCOMP
        raw2, ack = self.raw_persistent(cid)
        self.assertTrue(ack.session_present)
        rel = raw2.recv_packet()
        self.assertEqual((rel.type, rel.packet_id), (PUBREL, p.packet_id), rel)
        raw2.send(ack_packet(PUBCOMP, p.packet_id, version=self.version))
        raw2.expect_no_packet()

    def test_session_takeover_closes_the_old_connection_and_keeps_the_session(self):
        # v3.1.1 [MQTT-3.1.4-2]: the existing client is disconnected. v5 [MQTT-3.1.4-3]: it
        # gets DISCONNECT 0x8E Session taken over, then the connection is closed.
        cid = unique("takeover-")
        t = self.topic()
        old, _ = self.raw_persistent(cid)
        old.subscribe((t, 1))
        new = self.raw()
        ack = new.connect(cid, clean=False, properties={"session_expiry_interval": LONG_EXPIRY})
        self.assertTrue(ack.session_present)
        packets = old.wait_closed()
        if self.version == MQTT_V5:
            # Whether the DISCONNECT arrives is checked in SessionsV5 below.
            for p in packets:
                self.assertEqual((p.type, p.reason_code), (DISCONNECT, RC_SESSION_TAKEN_OVER))
        else:
            self.assertEqual(packets, [])
        # The new connection owns the subscription.
        self.client().publish(t, b"to the new owner", qos=1)
        m = new.expect(PUBLISH)
        self.assertEqual(m.payload, b"to the new owner")


class SessionsV311(SessionTests, BrokerTestCase):
    version = MQTT_V311

    def test_empty_client_id_is_accepted_with_clean_session(self):
        # [MQTT-3.1.3-6]
        raw = self.raw()
        raw.send(connect_packet("", MQTT_V311, clean=True))
        self.assertEqual(raw.expect(CONNACK).reason_code, 0)

    def test_empty_client_id_without_clean_session_is_rejected(self):
        # [MQTT-3.1.3-8]: CONNACK return code 0x02 (identifier rejected), then close.
        raw = self.raw()
        raw.send(connect_packet("", MQTT_V311, clean=False))
        packets = raw.wait_closed()
        self.assertEqual([(p.type, p.reason_code) for p in packets], [(CONNACK, 0x02)])


class SessionsV5(SessionTests, BrokerTestCase):
    version = MQTT_V5

    def test_empty_client_id_gets_an_assigned_client_identifier(self):
        # [MQTT-3.2.2-16]
        raw = self.raw()
        raw.send(connect_packet("", MQTT_V5, clean=True))
        ack = raw.expect(CONNACK)
        self.assertEqual(ack.reason_code, 0)
        self.assertTrue(ack.properties.get("assigned_client_identifier"))

    @skip_on_mosquitto("it closes the old connection without the DISCONNECT 0x8E it queued")
    def test_session_takeover_sends_disconnect_session_taken_over(self):
        # [MQTT-3.1.4-3], §4.13: DISCONNECT 0x8E (Session taken over) to the existing client.
        cid = unique("takeover-rc-")
        old = self.raw()
        old.connect(cid)
        self.raw().connect(cid)
        packets = old.wait_closed()
        self.assertEqual([(p.type, p.reason_code) for p in packets],
                         [(DISCONNECT, RC_SESSION_TAKEN_OVER)])

    def test_session_without_expiry_ends_with_the_connection(self):
        # §3.1.2.11.2: an absent Session Expiry Interval means 0: the session ends when the
        # network connection closes, even with Clean Start = 0.
        cid = unique("noexpiry-")
        t = self.topic()
        sub = self.client(client_id=cid, clean=False)
        sub.subscribe(t, 1)
        sub.disconnect()
        self.client().publish(t, b"nobody home", qos=1)
        back = self.client(client_id=cid, clean=False)
        self.assertFalse(back.session_present)
        back.assert_no_message()

    def test_session_is_kept_before_its_expiry_and_gone_after_it(self):
        # [MQTT-3.1.2-23]: the session is kept for Session Expiry Interval seconds.
        t = self.topic()
        kept, expired = unique("kept-"), unique("expired-")
        for cid, expiry in ((kept, 60), (expired, 1)):
            c = self.persistent(cid, expiry=expiry)
            c.subscribe(t, 1)
            c.disconnect()
        self.client().publish(t, b"queued", qos=1)
        time.sleep(2.2)  # the clock under test: let the 1 s session expire
        back = self.persistent(expired, expiry=1)
        self.assertFalse(back.session_present)
        back.assert_no_message(within=0.2)
        back2 = self.persistent(kept, expiry=60)
        self.assertTrue(back2.session_present)
        self.assertEqual(back2.wait_message().payload, b"queued")

    def test_session_expiry_can_be_set_to_zero_on_disconnect(self):
        # §3.14.2.2.2: DISCONNECT may change the Session Expiry Interval (here to 0: end now).
        cid = unique("endnow-")
        c = self.persistent(cid)
        c.subscribe(self.topic(), 1)
        c.disconnect(reason_code=0, properties=v5_props("DISCONNECT", SessionExpiryInterval=0))
        back = self.persistent(cid)
        self.assertFalse(back.session_present)

    def test_disconnect_setting_expiry_when_connect_had_zero_is_a_protocol_error(self):
        # §3.14.2.2.2: if CONNECT had Session Expiry Interval 0, a non-zero value in
        # DISCONNECT is a Protocol Error; the server answers DISCONNECT 0x82 (§4.13).
        raw = self.raw()
        raw.connect(unique("zero-"))
        raw.send(disconnect_packet(0, {"session_expiry_interval": 60}))
        packets = raw.wait_closed()
        self.assertEqual([(p.type, p.reason_code) for p in packets],
                         [(DISCONNECT, RC_PROTOCOL_ERROR)])

    def test_connack_session_expiry_never_exceeds_the_requested_one(self):
        # §3.2.2.3.2: if the server uses a different Session Expiry Interval it says so in
        # CONNACK; if it says nothing the client's value applies. It may lower, not raise it.
        raw = self.raw()
        ack = raw.connect(unique("cap-"), clean=False, properties={"session_expiry_interval": 60})
        self.assertIn(ack.properties.get("session_expiry_interval", 60), range(0, 61))


class ResendWindow(BrokerTestCase):
    version = MQTT_V5

    @skip_on_mosquitto("it sends more un-acked QoS 1 messages than the Receive Maximum")
    def test_resend_after_reconnect_respects_the_new_receive_maximum(self):
        # §4.9: never more unacknowledged QoS 1/2 PUBLISHes than the client's Receive
        # Maximum — also while resending a session's in-flight messages (§4.4), which keep
        # their order and packet ids.
        cid = unique("window-")
        t = self.topic()
        props = {"session_expiry_interval": 3600, "receive_maximum": 5}
        raw = self.raw()
        raw.connect(cid, clean=False, properties=props)
        raw.subscribe((t, 1))
        pub = self.client()
        for i in range(5):
            pub.publish(t, f"m{i}", qos=1)
        first = [raw.expect(PUBLISH) for _ in range(5)]
        raw.close()  # nothing acknowledged
        raw2 = self.raw()
        ack = raw2.connect(cid, clean=False, properties={**props, "receive_maximum": 2})
        self.assertTrue(ack.session_present)
        outstanding = [raw2.expect(PUBLISH) for _ in range(2)]
        raw2.expect_no_packet()
        self.assertEqual([(p.packet_id, p.dup) for p in outstanding],
                         [(p.packet_id, True) for p in first[:2]])
        for expected in first[2:]:
            raw2.ack(outstanding.pop(0))  # one slot frees: exactly the next one comes
            resent = raw2.expect(PUBLISH)
            self.assertEqual((resent.packet_id, resent.payload, resent.dup),
                             (expected.packet_id, expected.payload, True))
            outstanding.append(resent)
            raw2.expect_no_packet()
        for p in outstanding:
            raw2.ack(p)
        raw2.expect_no_packet()


@mosquitto_lacks("persistent_client_expiration has a granularity of hours here")
class SessionExpiryCapV311(BrokerTestCase):
    version = MQTT_V311
    broker_settings = {"max_session_expiry": 1}

    def test_session_without_clean_session_ends_at_the_servers_cap(self):
        # 3.1.1 has no session expiry; --max-session-expiry bounds such sessions too.
        cid = unique("v311-capped-")
        raw = self.raw()
        raw.connect(cid, clean=False)
        raw.subscribe((self.topic(), 1))
        raw.disconnect()
        raw2 = self.raw()
        self.assertTrue(raw2.connect(cid, clean=False).session_present, "kept within the cap")
        raw2.disconnect()
        time.sleep(2.5)  # past the 1 s cap (checked every 250 ms)
        raw3 = self.raw()
        self.assertFalse(raw3.connect(cid, clean=False).session_present, "kept past the cap")


@mosquitto_lacks("persistent_client_expiration is not announced as a v5 Session Expiry "
                 "Interval in CONNACK")
class SessionExpiryCap(BrokerTestCase):
    version = MQTT_V5
    broker_settings = {"max_session_expiry": 60}

    def test_connack_announces_the_capped_session_expiry(self):
        # §3.2.2.3.2: a server using another Session Expiry Interval than the client asked
        # for announces it in CONNACK (CONTRACT.md --max-session-expiry).
        ack = self.raw().connect(unique("capped-"), clean=False,
                                 properties={"session_expiry_interval": 3600})
        self.assertEqual(ack.properties.get("session_expiry_interval"), 60)

    def test_requests_under_the_cap_are_kept(self):
        ack = self.raw().connect(unique("under-"), clean=False,
                                 properties={"session_expiry_interval": 30})
        self.assertEqual(ack.properties.get("session_expiry_interval", 30), 30)


if __name__ == "__main__":
    main()
