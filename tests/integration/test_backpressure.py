"""Backpressure: a fast publisher and a slow subscriber.

QoS 0 allows a broker to drop messages, but a subscriber that reads slower than a publisher
writes should slow the publisher down, not lose messages (millet holds the publisher's
connection until the subscriber catches up). A subscriber that stops reading altogether must
not stall anyone else for long: after a short while the publisher is released and only the
stuck subscriber loses messages.

The floods below are larger than what the kernel's socket buffers and millet's 8 MiB
per-client cap hold together, so without backpressure messages would be dropped.
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (MQTT_V311, MQTT_V5, PUBLISH, BrokerTestCase, ConnectionClosed,  # noqa: E402
                     main, publish_packet)

PAYLOAD_SIZE = 1024
FLOOD_MESSAGES = 32_000  # 32 MiB of payload


def flood(port_client, topic: str, count: int) -> threading.Thread:
    """Sends `count` numbered QoS 0 PUBLISHes from a thread (sendall blocks while held back)."""
    def run():
        batch = []
        for i in range(count):
            payload = f"{i:08d}".encode().ljust(PAYLOAD_SIZE, b".")
            batch.append(publish_packet(topic, payload, 0, version=port_client.version))
            if len(batch) == 256:
                port_client.send(b"".join(batch))
                batch.clear()
        if batch:
            port_client.send(b"".join(batch))
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def read_numbers(raw, count: int, timeout: float) -> list[int]:
    """Reads PUBLISHes until `count` arrived or nothing comes for `timeout`; their numbers."""
    numbers = []
    while len(numbers) < count:
        try:
            p = raw.recv_packet(timeout=timeout)
        except (AssertionError, TimeoutError):
            break
        if p.type == PUBLISH:
            numbers.append(int(p.payload[:8]))
    return numbers


class Backpressure(BrokerTestCase):

    def test_slow_subscriber_loses_no_qos0_messages(self):
        for version in (MQTT_V311, MQTT_V5):
            with self.subTest(version=version):
                topic = self.topic(f"v{version}")
                subscriber = self.raw(version=version)
                subscriber.connect()
                subscriber.subscribe(topic)
                publisher = self.raw(version=version)
                publisher.connect()
                sender = flood(publisher, topic, FLOOD_MESSAGES)
                time.sleep(1.0)  # the subscriber reads nothing meanwhile: millet must hold the publisher
                numbers = read_numbers(subscriber, FLOOD_MESSAGES, timeout=5.0)
                sender.join(10)
                self.assertFalse(sender.is_alive(), "the publisher was never released")
                self.assertEqual(len(numbers), FLOOD_MESSAGES, "QoS 0 messages were dropped")
                self.assertEqual(numbers, list(range(FLOOD_MESSAGES)), "messages out of order")
        self.assert_broker_serves()

    def test_stuck_subscriber_does_not_stall_the_others(self):
        topic = self.topic()
        stuck = self.raw()
        stuck.connect()
        stuck.subscribe(topic)  # and never reads again
        healthy = self.raw()
        healthy.connect()
        healthy.subscribe(topic)
        publisher = self.raw()
        publisher.connect()
        started = time.monotonic()
        sender = flood(publisher, topic, FLOOD_MESSAGES)
        numbers = read_numbers(healthy, FLOOD_MESSAGES, timeout=8.0)
        sender.join(10)
        self.assertFalse(sender.is_alive(), "a subscriber that never reads stalled the publisher")
        self.assertEqual(len(numbers), FLOOD_MESSAGES, "the reading subscriber lost messages")
        self.assertLess(time.monotonic() - started, 20, "the reading subscriber was held back too long")
        self.assert_broker_serves()


if __name__ == "__main__":
    main()
