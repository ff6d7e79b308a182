"""Will messages for MQTT 3.1.1 and 5.0 (v5: Will Delay Interval, DISCONNECT 0x04).

Spec: v3.1.1 §3.1.2.5; v5 §3.1.2.5, §3.1.3.2, §3.14.2.1.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (MQTT_V311, MQTT_V5, RC_DISCONNECT_WITH_WILL, BrokerTestCase,  # noqa: E402
                     main, unique, v5_props)


class WillTests:

    def watcher(self, topic: str):
        w = self.client()
        self.assertEqual(w.subscribe(topic, 2), [2])
        return w

    def with_will(self, topic: str, payload: bytes = b"offline", qos: int = 1,
                  retain: bool = False, will_properties=None, client_id: str | None = None,
                  clean: bool = True, connect_properties=None):
        c = self.client(connect=False, client_id=client_id, clean=clean)
        c.will_set(topic, payload, qos, retain, will_properties)
        c.connect(properties=connect_properties)
        return c

    def test_will_is_published_when_the_connection_drops(self):
        # v3.1.1 [MQTT-3.1.2-8] / v5 [MQTT-3.1.2-8]: published when the network connection
        # closes without a (normal) DISCONNECT.
        t = self.topic("status")
        w = self.watcher(t)
        self.with_will(t, b"device lost", qos=1).drop()
        m = w.wait_message()
        self.assertEqual((m.topic, m.payload, m.qos, m.retain), (t, b"device lost", 1, False))
        w.assert_no_message()

    def test_will_is_not_published_after_a_normal_disconnect(self):
        # v3.1.1 [MQTT-3.1.2-10] / v5 [MQTT-3.1.2-10]: DISCONNECT (0x00) deletes the will.
        t = self.topic("status")
        w = self.watcher(t)
        self.with_will(t).disconnect()
        # The will would be published at disconnect, before this later message.
        self.client().publish(t, b"sentinel", qos=1)
        self.assertEqual(w.wait_message().payload, b"sentinel")
        w.assert_no_message()

    def test_retained_will_is_stored_as_retained(self):
        t = self.topic("status")
        self.with_will(t, b"gone", retain=True).drop()
        late = self.client()
        late.subscribe(t, 1)
        m = late.wait_message()
        self.assertEqual((m.payload, m.retain), (b"gone", True))

    def test_will_qos_is_honoured(self):
        t = self.topic("status")
        w = self.watcher(t)
        self.with_will(t, b"q2", qos=2).drop()
        self.assertEqual(w.wait_message().qos, 2)


class WillV311(WillTests, BrokerTestCase):
    version = MQTT_V311


class WillV5(WillTests, BrokerTestCase):
    version = MQTT_V5

    def test_disconnect_with_reason_0x04_publishes_the_will(self):
        # §3.14.2.1: 0x04 Disconnect with Will Message — the server publishes the will.
        t = self.topic("status")
        w = self.watcher(t)
        self.with_will(t, b"asked for it").disconnect(reason_code=RC_DISCONNECT_WITH_WILL)
        self.assertEqual(w.wait_message().payload, b"asked for it")

    def test_will_properties_are_forwarded(self):
        # §3.1.3.2: will properties (content type, response topic, correlation data, user
        # properties) are sent with the will message.
        t = self.topic("status")
        w = self.watcher(t)
        self.with_will(t, b"{}", will_properties=v5_props(
            "WILLMESSAGE", ContentType="application/json", ResponseTopic=self.topic("reply"),
            CorrelationData=b"\x01\x02", UserProperty=[("k", "v")])).drop()
        m = w.wait_message()
        self.assertEqual(m.prop("ContentType"), "application/json")
        self.assertEqual(m.prop("ResponseTopic"), self.topic("reply"))
        self.assertEqual(m.prop("CorrelationData"), b"\x01\x02")
        self.assertEqual(m.prop("UserProperty"), [("k", "v")])

    def delayed_will_client(self, topic: str, delay: int, session_expiry: int,
                            client_id: str | None = None):
        return self.with_will(
            topic, b"delayed", client_id=client_id, clean=False,
            will_properties=v5_props("WILLMESSAGE", WillDelayInterval=delay),
            connect_properties=v5_props("CONNECT", SessionExpiryInterval=session_expiry))

    def test_will_delay_postpones_the_will(self):
        # [MQTT-3.1.2-8] / §3.1.3.2.2: the will is published once the Will Delay Interval has
        # passed (the session lasts longer than the delay here).
        t = self.topic("status")
        w = self.watcher(t)
        c = self.delayed_will_client(t, delay=2, session_expiry=60)
        dropped = time.monotonic()
        c.drop()
        m = w.wait_message(timeout=6)
        elapsed = time.monotonic() - dropped
        self.assertEqual(m.payload, b"delayed")
        # 2 s requested; allow whole-second timer granularity on the broker side.
        self.assertGreaterEqual(elapsed, 1.0, "will published before its delay")

    def test_reconnecting_within_the_will_delay_cancels_the_will(self):
        # [MQTT-3.1.3-9]: a new connection for the session before the delay ends: no will.
        t = self.topic("status")
        w = self.watcher(t)
        cid = unique("comeback-")
        self.delayed_will_client(t, delay=2, session_expiry=60, client_id=cid).drop()
        back = self.client(client_id=cid, clean=False, connect_properties=v5_props(
            "CONNECT", SessionExpiryInterval=60))
        self.assertTrue(back.session_present)
        w.assert_no_message(within=3.0)
        back.disconnect()

    def test_will_is_published_when_the_session_ends_before_the_delay(self):
        # §3.1.3.2.2: the will is published when the delay passes *or the session ends*,
        # whichever comes first: session expiry 1 s, will delay 60 s.
        t = self.topic("status")
        w = self.watcher(t)
        self.delayed_will_client(t, delay=60, session_expiry=1).drop()
        self.assertEqual(w.wait_message(timeout=6).payload, b"delayed")


if __name__ == "__main__":
    main()
