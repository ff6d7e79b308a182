"""The device protocol (docs/device-protocol.md) with real MQTT clients: devices provisioned
with `millet device add`, authenticated by their secret, confined to their own `$device/<id>/`
topics, and their reports checked against the spec and kept across a restart."""

import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from brokers import Broker  # noqa: E402
from common import MILLET_BIN, MQTT_V311, MQTT_V5, millet_only  # noqa: E402
from mqtt_wire import CONNACK, RawClient, connect_packet  # noqa: E402

RC_BAD_CREDENTIALS = 0x86
RC_NOT_AUTHORIZED = 0x87
RC_PAYLOAD_FORMAT_INVALID = 0x99


def millet(data_dir: str, *arguments: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    out = subprocess.run([MILLET_BIN, *arguments, "--data-dir", data_dir], input=stdin, capture_output=True,
                         text=True, timeout=30)
    return out


@millet_only("the device protocol is millet's")
class DeviceProtocol(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.broker = Broker(kind="millet")
        data = cls.broker.data_dir
        assert millet(data, "user", "add", "alice", stdin="alice-password\n").returncode == 0
        assert millet(data, "home", "add", "Flat", "--user", "alice").returncode == 0
        cls.devices = {}
        for name, kind in (("Hall light", "light"), ("Kitchen sensor", "temperature-humidity-sensor")):
            out = millet(data, "device", "add", name, "--type", kind, "--user", "alice", "--json")
            assert out.returncode == 0, out.stderr
            cls.devices[kind] = json.loads(out.stdout)
        fleet = millet(data, "device", "add", "Sensor", "--type", "temperature-humidity-sensor", "--count", "20",
                       "--user", "alice", "--json")
        assert fleet.returncode == 0, fleet.stderr
        cls.fleet_file = os.path.join(cls.broker.workdir, "fleet.json")
        with open(cls.fleet_file, "w") as f:
            f.write(fleet.stdout)
        cls.broker.start()

    @classmethod
    def tearDownClass(cls):
        cls.broker.close()

    def connect_device(self, kind: str = "light", secret: str | None = None, version: int = MQTT_V5,
                       expect_rc: int = 0, client_id: str | None = None, username: str | None = None):
        device = self.devices[kind]
        raw = RawClient(self.broker, version=version)
        self.addCleanup(raw.close)
        raw.send(connect_packet(client_id or device["id"], version,
                                username=username if username is not None else device["id"],
                                password=(secret if secret is not None else device["secret"]).encode()))
        ack = raw.expect(CONNACK)
        self.assertEqual(ack.reason_code, expect_rc, ack)
        return raw

    def report(self, raw: RawClient, properties: dict, kind: str = "light", **extra) -> object:
        topic = f"$device/{self.devices[kind]['id']}/report"
        return raw.publish(topic, json.dumps({"properties": properties, **extra}), qos=1)

    # --- who may connect -----------------------------------------------------------------

    def test_a_device_connects_with_its_secret_only(self):
        self.connect_device()
        self.connect_device(secret="not-the-secret", expect_rc=RC_BAD_CREDENTIALS)
        self.connect_device(secret="", expect_rc=RC_BAD_CREDENTIALS)
        # 3.1.1: CONNACK return code 4, bad user name or password
        self.connect_device(secret="not-the-secret", version=MQTT_V311, expect_rc=4)

    def test_nobody_else_may_use_a_device_id(self):
        light = self.devices["light"]
        # Without credentials, with another's secret, or with a user name that is not the id.
        raw = RawClient(self.broker)
        self.addCleanup(raw.close)
        raw.send(connect_packet(light["id"], MQTT_V5))
        self.assertEqual(raw.expect(CONNACK).reason_code, RC_BAD_CREDENTIALS)
        self.connect_device(secret=self.devices["temperature-humidity-sensor"]["secret"],
                            expect_rc=RC_BAD_CREDENTIALS)
        self.connect_device(username="alice", expect_rc=RC_BAD_CREDENTIALS)

    # --- what a device may use -----------------------------------------------------------------

    def test_a_device_is_confined_to_its_own_topics(self):
        raw = self.connect_device()
        light = self.devices["light"]["id"]
        sensor = self.devices["temperature-humidity-sensor"]["id"]
        for topic in (f"$device/{sensor}/report", "home/hall", f"$device/{light}/set", "$SYS/x"):
            ack = raw.publish(topic, json.dumps({"properties": {}}), qos=1)
            self.assertEqual(ack.reason_code, RC_NOT_AUTHORIZED, topic)
        suback = raw.subscribe(f"$device/{sensor}/set", "#", f"$device/{light}/set", f"$device/{light}/#")
        self.assertEqual(suback.reason_codes, [RC_NOT_AUTHORIZED, RC_NOT_AUTHORIZED, 0, 0])
        self.assertTrue(raw.is_open_after(0.1), "a refusal is an answer, not a disconnect")

    def test_other_clients_cannot_see_or_touch_device_topics(self):
        light = self.devices["light"]["id"]
        watcher = RawClient(self.broker)
        self.addCleanup(watcher.close)
        watcher.connect()
        suback = watcher.subscribe("#", f"$device/{light}/report", f"$share/g/$device/{light}/report")
        self.assertEqual(suback.reason_codes, [0, RC_NOT_AUTHORIZED, RC_NOT_AUTHORIZED])
        ack = watcher.publish(f"$device/{light}/report", json.dumps({"properties": {"light.on": True}}), qos=1)
        self.assertEqual(ack.reason_code, RC_NOT_AUTHORIZED)
        device = self.connect_device()
        self.assertEqual(self.report(device, {"light.on": True}).reason_code, 0)
        watcher.expect_no_packet(within=0.3)  # '#' does not match '$device/...'

    # --- reports ---------------------------------------------------------------------------------

    def test_valid_reports_are_acknowledged(self):
        raw = self.connect_device()
        self.assertEqual(self.report(raw, {"light.on": True, "light.brightness": 80}).reason_code, 0)
        self.assertEqual(self.report(raw, {"2.2": 55, "light.mode": 2}).reason_code, 0)
        sensor = self.connect_device("temperature-humidity-sensor")
        ack = self.report(sensor, {"environment.temperature": 21.5, "environment.relative-humidity": 40},
                          "temperature-humidity-sensor", time=int(time.time() * 1000) - 60_000)
        self.assertEqual(ack.reason_code, 0)

    def test_bad_reports_get_the_rule_that_failed(self):
        raw = self.connect_device()
        cases = [
            ({"light.brightness": 140}, "device 'Hall light': light.brightness = 140 is outside [1, 100]"),
            ({"light.brightness": "bright"}, "light.brightness = \"bright\" is not a number"),
            ({"light.on": 1}, "light.on = 1 is not a bool"),
            ({"light.volume": 3}, "light has no property 'light.volume'"),
            ({"device-information.model": "x"}, None),  # read-only, but a device may report it
            ({"light.mode": 9}, "light.mode = 9 is not one of 0 (Normal)"),
        ]
        for properties, expected in cases:
            ack = self.report(raw, properties)
            if expected is None:
                self.assertEqual(ack.reason_code, 0, properties)
                continue
            self.assertEqual(ack.reason_code, RC_PAYLOAD_FORMAT_INVALID, properties)
            self.assertIn(expected, ack.properties.get("reason_string", ""), properties)
        topic = f"$device/{self.devices['light']['id']}/report"
        for payload, expected in ((b"{not json", "not valid JSON"), (b"[1, 2]", "must be a JSON object"),
                                  (b'{"properties": {}}', "a report needs"),
                                  (b'{"properties": {"light.on": true}, "time": 5}', "\"time\" 5")):
            ack = raw.publish(topic, payload, qos=1)
            self.assertEqual(ack.reason_code, RC_PAYLOAD_FORMAT_INVALID, payload)
            self.assertIn(expected, ack.properties.get("reason_string", ""), payload)
        self.assertTrue(raw.is_open_after(0.1))

    def test_a_report_with_one_bad_value_is_refused_whole(self):
        raw = self.connect_device()
        ack = self.report(raw, {"light.brightness": 30, "light.color-temperature": 100})
        self.assertEqual(ack.reason_code, RC_PAYLOAD_FORMAT_INVALID)
        self.assertIn("light.color-temperature = 100 is outside [2700, 6500]", ack.properties["reason_string"])

    def test_a_fleet_reports_under_load(self):
        # A one-second smoke run of `millet bench reports` (the benchmark itself is not a test).
        fleet = json.load(open(self.fleet_file))
        self.assertEqual(len(fleet), 20)
        self.assertEqual(len({d["id"] for d in fleet}), 20)
        self.assertEqual(fleet[19]["name"], "Sensor 20")
        out = subprocess.run([MILLET_BIN, "bench", "reports", "--port", str(self.broker.mqtt_port), "--devices",
                              self.fleet_file, "--window", "4", "--duration", "1", "--warmup", "0.2", "--protocol",
                              "5", "--quiet"], capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        self.assertGreater(result["delivered"], 100)
        self.assertEqual(result["qos"], 1)
        bad = subprocess.run([MILLET_BIN, "bench", "reports", "--port", str(self.broker.mqtt_port), "--devices",
                              self.fleet_file, "--report", '{"properties":{"environment.temperature":900}}',
                              "--duration", "1", "--protocol", "5", "--quiet"], capture_output=True, text=True,
                             timeout=60)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("a report was refused (reason 0x99)", bad.stderr)

    def test_events_are_checked_against_the_spec(self):
        raw = self.connect_device("temperature-humidity-sensor")
        topic = f"$device/{self.devices['temperature-humidity-sensor']['id']}/event"
        ack = raw.publish(topic, json.dumps({"event": "environment.nothing"}), qos=1)
        self.assertEqual(ack.reason_code, RC_PAYLOAD_FORMAT_INVALID)
        self.assertIn("has no event 'environment.nothing'", ack.properties["reason_string"])


@millet_only("the device protocol is millet's")
class DeviceCredentialsWithdrawn(unittest.TestCase):

    def test_a_removed_device_is_refused(self):
        broker = Broker(kind="millet")
        self.addCleanup(broker.close)
        data = broker.data_dir
        millet(data, "user", "add", "bob", stdin="bob-password\n")
        millet(data, "home", "add", "Cabin", "--user", "bob")
        device = json.loads(millet(data, "device", "add", "Heater", "--type", "heater", "--user", "bob",
                                   "--json").stdout)
        broker.start()
        raw = RawClient(broker)
        self.addCleanup(raw.close)
        raw.send(connect_packet(device["id"], MQTT_V5, username=device["id"], password=device["secret"].encode()))
        self.assertEqual(raw.expect(CONNACK).reason_code, 0)
        ack = raw.publish(f"$device/{device['id']}/report",
                          json.dumps({"properties": {"heater.on": True}}), qos=1)
        self.assertEqual(ack.reason_code, 0)
        # While the server runs the registry is its own; offline, the CLI removes the device.
        self.assertEqual(broker.terminate(), 0)
        self.assertEqual(millet(data, "device", "rm", device["id"], "--user", "bob").returncode, 0)
        broker.start()
        again = RawClient(broker)
        self.addCleanup(again.close)
        again.send(connect_packet(device["id"], MQTT_V5, username=device["id"], password=device["secret"].encode()))
        self.assertEqual(again.expect(CONNACK).reason_code, RC_BAD_CREDENTIALS)


if __name__ == "__main__":
    unittest.main(verbosity=2)
