"""Debian's mosquitto_pub / mosquitto_sub against the broker: QoS 0/1/2, retained (set and
clear), binary payloads, v5 properties, with -V mqttv311 and -V mqttv5.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (MQTT_V311, MQTT_V5, TIMEOUT, BrokerTestCase, main,  # noqa: E402
                     v5_props)

MARK = "::msg "  # no %, @ or backslash: those start mosquitto_sub -F sequences
EXIT_TIMED_OUT = 27  # mosquitto_sub's status when -W expires
VERSION_FLAG = {MQTT_V311: "mqttv311", MQTT_V5: "mqttv5"}


class Sub:
    """A running mosquitto_sub; started() returns once the broker acknowledged SUBSCRIBE."""

    def __init__(self, test, topic: str, qos: int, count: int, extra=(), wait_s: int = 10):
        fmt = MARK + "%t|%q|%r|%x" + ("|%P|%C|%R" if test.version == MQTT_V5 else "")
        argv = ["stdbuf", "-oL", "mosquitto_sub", "-h", test.broker.host,
                "-p", str(test.broker.mqtt_port), "-V", VERSION_FLAG[test.version],
                "-t", topic, "-q", str(qos), "-C", str(count), "-W", str(wait_s), "-d",
                "-F", fmt, *extra]
        self.lines: list[str] = []
        self.subscribed = threading.Event()
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, errors="replace")
        test.addCleanup(self._cleanup)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            self.lines.append(line)
            if line.startswith("Subscribed"):
                self.subscribed.set()

    def _cleanup(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()

    def started(self):
        if not self.subscribed.wait(TIMEOUT):
            raise AssertionError("mosquitto_sub not subscribed:\n" + "\n".join(self.lines))
        return self

    def finish(self, timeout: float = 15):
        """Wait for exit; return (status, [(topic, qos, retain, payload, *v5 fields)])."""
        status = self.proc.wait(timeout)
        self.reader.join(2)
        msgs = []
        for line in self.lines:
            if line.startswith(MARK):
                fields = line[len(MARK):].split("|")
                topic, qos, retain, hexpayload = fields[:4]
                msgs.append((topic, int(qos), int(retain), bytes.fromhex(hexpayload),
                             *fields[4:]))
        return status, msgs


class CliTests:

    def pub(self, topic: str, payload: bytes | None, qos: int = 0, retain: bool = False,
            extra=()):
        argv = ["mosquitto_pub", "-h", self.broker.host, "-p", str(self.broker.mqtt_port),
                "-V", VERSION_FLAG[self.version], "-t", topic, "-q", str(qos), *extra]
        if retain:
            argv.append("-r")
        tmp = None
        if payload is None:
            argv.append("-n")  # zero-length message
        else:
            tmp = tempfile.NamedTemporaryFile(delete=False)
            tmp.write(payload)
            tmp.close()
            argv += ["-f", tmp.name]
        try:
            r = subprocess.run(argv, capture_output=True, text=True, timeout=15)
        finally:
            if tmp:
                os.unlink(tmp.name)
        self.assertEqual(r.returncode, 0, f"mosquitto_pub failed: {r.stdout}{r.stderr}")

    def round_trip(self, qos: int):
        t = self.topic(f"q{qos}")
        sub = Sub(self, t, 2, 1).started()
        self.pub(t, f"cli qos {qos}".encode(), qos=qos)
        status, msgs = sub.finish()
        self.assertEqual(status, 0, "\n".join(sub.lines))
        self.assertEqual([m[:4] for m in msgs], [(t, qos, 0, f"cli qos {qos}".encode())])

    def test_qos0(self):
        self.round_trip(0)

    def test_qos1(self):
        self.round_trip(1)

    def test_qos2(self):
        self.round_trip(2)

    def test_binary_payload_from_a_file(self):
        t = self.topic()
        payload = bytes(range(256)) * 8
        sub = Sub(self, t, 1, 1).started()
        self.pub(t, payload, qos=1)
        status, msgs = sub.finish()
        self.assertEqual(status, 0)
        self.assertEqual(msgs[0][3], payload)

    def test_retained_set_read_and_cleared(self):
        t = self.topic()
        self.pub(t, b"kept", qos=1, retain=True)
        status, msgs = Sub(self, t, 1, 1).finish()
        self.assertEqual(status, 0)
        self.assertEqual([m[:4] for m in msgs], [(t, 1, 1, b"kept")])
        self.pub(t, None, qos=1, retain=True)  # -r -n clears it
        status, msgs = Sub(self, t, 1, 1, wait_s=1).finish()
        self.assertEqual((status, msgs), (EXIT_TIMED_OUT, []))

    def test_wildcard_subscription_gets_several_topics(self):
        t = self.topic()
        sub = Sub(self, f"{t}/+/temp", 1, 2).started()
        self.pub(f"{t}/kitchen/temp", b"21", qos=1)
        self.pub(f"{t}/kitchen/humidity", b"40", qos=1)
        self.pub(f"{t}/hall/temp", b"19", qos=1)
        status, msgs = sub.finish()
        self.assertEqual(status, 0)
        self.assertCountEqual([(m[0], m[3]) for m in msgs],
                              [(f"{t}/kitchen/temp", b"21"), (f"{t}/hall/temp", b"19")])

    def test_cli_and_paho_clients_interoperate(self):
        t = self.topic()
        paho_sub = self.client()
        paho_sub.subscribe(t, 2)
        self.pub(t, b"from cli", qos=2)
        m = paho_sub.wait_message()
        self.assertEqual((m.payload, m.qos), (b"from cli", 2))
        cli_sub = Sub(self, t, 2, 1).started()
        self.client().publish(t, b"from paho", qos=1)
        status, msgs = cli_sub.finish()
        self.assertEqual((status, msgs[0][3], msgs[0][1]), (0, b"from paho", 1))


class CliV311(CliTests, BrokerTestCase):
    version = MQTT_V311


class CliV5(CliTests, BrokerTestCase):
    version = MQTT_V5

    def test_v5_properties_from_the_command_line(self):
        t = self.topic()
        sub = Sub(self, t, 1, 1).started()
        self.pub(t, b"{}", qos=1, extra=[
            "-D", "publish", "user-property", "room", "kitchen",
            "-D", "publish", "content-type", "application/json",
            "-D", "publish", "response-topic", f"{t}/reply"])
        status, msgs = sub.finish()
        self.assertEqual(status, 0)
        _, _, _, payload, user, content_type, response = msgs[0]
        self.assertEqual((payload, user, content_type, response),
                         (b"{}", "room:kitchen", "application/json", f"{t}/reply"))

    def test_paho_properties_seen_by_mosquitto_sub(self):
        t = self.topic()
        sub = Sub(self, t, 1, 1).started()
        self.client().publish(t, b"x", qos=1, properties=v5_props(
            "PUBLISH", UserProperty=[("k", "v")], ContentType="text/plain"))
        status, msgs = sub.finish()
        self.assertEqual(status, 0)
        self.assertEqual(msgs[0][4:6], ("k:v", "text/plain"))


def setUpModule():
    missing = [t for t in ("mosquitto_pub", "mosquitto_sub", "stdbuf") if not shutil.which(t)]
    if missing:
        raise RuntimeError(f"missing {missing}: apt-get install mosquitto-clients coreutils")


if __name__ == "__main__":
    main()
