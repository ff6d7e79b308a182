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
                     main, publish_packet, skip_on_mosquitto)

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
    """Reads QoS 0 PUBLISHes until `count` arrived or nothing comes for `timeout`; their
    numbers. Parses only what it needs, so that the test itself reads fast."""
    numbers = []
    buffer = bytearray(raw.buf)
    raw.sock.settimeout(timeout)
    while len(numbers) < count:
        offset = 0
        while True:
            if len(buffer) - offset < 2:
                break
            length, shift, i = 0, 0, offset + 1
            while i < len(buffer):
                length |= (buffer[i] & 0x7F) << shift
                shift += 7
                i += 1
                if not buffer[i - 1] & 0x80:
                    break
            else:
                break
            if len(buffer) - i < length:
                break
            if buffer[offset] >> 4 == PUBLISH:
                topic_length = int.from_bytes(buffer[i:i + 2], "big")
                start = i + 2 + topic_length + (1 if raw.version == MQTT_V5 else 0)
                numbers.append(int(buffer[start:start + 8]))
            offset = i + length
        del buffer[:offset]
        if len(numbers) >= count:
            break
        try:
            chunk = raw.sock.recv(1 << 20)
        except (TimeoutError, OSError):
            break
        if not chunk:
            break
        buffer += chunk
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


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


class ClientThatNeverReads(BrokerTestCase):

    @skip_on_mosquitto("it keeps reading and buffers every answer")
    def test_its_answers_do_not_pile_up_in_the_server(self):
        # A client streams PINGREQs and reads none of the PINGRESPs. Once the answers waiting
        # for it pass 8 MiB, millet stops reading it: the client's writes block, the server's
        # memory stays bounded, and everyone else is served as usual.
        raw = self.raw()
        raw.connect()
        # Bytes of PINGREQ (as many of PINGRESP come back): twice what the kernel's buffers and
        # millet's 8 MiB let through before the writes stall (about 16 MiB here).
        total = 32 << 20
        chunk = b"\xc0\x00" * (1 << 15)
        sent = [0]

        def send():
            while sent[0] < total:
                raw.sock.sendall(chunk)
                sent[0] += len(chunk)
        raw.sock.settimeout(None)
        sender = threading.Thread(target=send, daemon=True)
        pid = self.broker.process.pid
        before = rss_kib(pid)
        sender.start()
        # Wait until the client's writes stop moving for a second (a slow build takes longer).
        deadline = time.monotonic() + 60
        last = -1
        while sender.is_alive() and sent[0] != last and time.monotonic() < deadline:
            last = sent[0]
            time.sleep(1)
        self.assertTrue(sender.is_alive(), "the server read all of it without the client reading")
        self.assertEqual(sent[0], last, "the client can still write: the server keeps reading it")
        grown = rss_kib(pid) - before
        if "ASAN_OPTIONS" not in os.environ:  # AddressSanitizer keeps freed memory in quarantine
            self.assertLess(grown, 32 << 10, f"the server grew by {grown} KiB")
        self.assert_broker_serves()
        # Once the client reads, it is read again, and every PINGREQ is answered.
        received = 0
        raw.sock.settimeout(10)
        while received < total:
            data = raw.sock.recv(1 << 20)
            if not data:
                break
            received += len(data)
        sender.join(10)
        self.assertFalse(sender.is_alive())
        self.assertEqual(received, total, "PINGRESPs missing")


if __name__ == "__main__":
    main()
