"""The automation walkthrough of the README, as a new user runs it: the rule "when the hall
motion sensor sees motion after sunset, turn on the hall light at 30 % and turn it off 5 minutes
after the motion stops" written to a file, loaded with `millet rule add`, fired by a motion sensor
(a paho client) so that the example light — built on the device library — turns on through the
broker, then off once the motion has stopped long enough, and the run read with `millet rule
trace`. The test shortens the rule's 5 minutes to 2 seconds; nothing else differs."""

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest

import paho.mqtt.client as mqtt

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from brokers import Broker  # noqa: E402
from common import MILLET_BIN, TIMEOUT, millet_only  # noqa: E402
from test_automations_api import evening_somewhere  # noqa: E402

EXAMPLE_LIGHT = os.path.join(os.path.dirname(MILLET_BIN), "examples", "millet-example-light")
README_RULE = {
    "name": "Hall light follows motion", "mode": "restart",
    "triggers": [{"type": "property", "device": "Hall motion", "property": "motion-sensor.motion-state", "to": True}],
    "conditions": [{"sun": {"after": "sunset"}}],
    "actions": [
        {"set": {"device": "Hall light", "properties": {"light.on": True, "light.brightness": 30}}},
        {"wait": {"trigger": {"type": "property", "device": "Hall motion", "property": "motion-sensor.motion-state",
                              "to": False, "for": "5m"}, "timeout": "6h"}},
        {"set": {"device": "Hall light", "properties": {"light.on": False}}}]}


@millet_only("the walkthrough is millet's")
class AutomationWalkthrough(unittest.TestCase):

    def setUp(self):
        self.broker = Broker(kind="millet").start()
        self.addCleanup(self.broker.close)
        config = tempfile.mkdtemp(prefix="millet-cli-config-")
        self.env = {**os.environ, "XDG_CONFIG_HOME": config,
                    "MILLET_SERVER": f"http://127.0.0.1:{self.broker.http_port}"}

    def millet(self, *arguments: str, stdin: str | None = None) -> str:
        out = subprocess.run([MILLET_BIN, *arguments], input=stdin, capture_output=True, text=True, timeout=60,
                             env=self.env)
        self.assertEqual(out.returncode, 0, f"millet {' '.join(arguments)}: {out.stderr}")
        return out.stdout

    def add_device(self, name: str, kind: str) -> tuple[str, str]:
        added = self.millet("device", "add", name, "--type", kind)
        return re.search(r"^id:\s+(\S+)", added, re.M).group(1), re.search(r"^secret:\s+(\S+)", added, re.M).group(1)

    def light_says(self, text: str, after: int = 0) -> int:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            self.light_log.seek(0)
            found = self.light_log.read().find(text, after)
            if found >= 0:
                return found + len(text)
            time.sleep(0.05)
        self.light_log.seek(0)
        self.fail(f"the example light did not print {text!r}; it printed:\n{self.light_log.read()}")

    def test_motion_after_sunset_turns_the_light_on_and_then_off(self):
        self.millet("user", "add", "alice", stdin="a-long-password\n")
        self.millet("login", "--user", "alice", stdin="a-long-password\n")
        self.millet("home", "add", "Flat")
        evening = evening_somewhere()
        self.millet("home", "locate", str(evening["location"]["latitude"]), str(evening["location"]["longitude"]),
                    "--time-zone", evening["time_zone"])
        light_id, light_secret = self.add_device("Hall light", "light")
        motion_id, motion_secret = self.add_device("Hall motion", "motion-sensor")

        self.light_log = open(os.path.join(self.broker.workdir, "light.log"), "w+")
        self.addCleanup(self.light_log.close)
        light = subprocess.Popen([EXAMPLE_LIGHT, "--port", str(self.broker.mqtt_port), "--id", light_id,
                                  "--secret", light_secret], stdout=self.light_log, stderr=subprocess.STDOUT)
        self.addCleanup(light.wait, 10)
        self.addCleanup(light.terminate)
        self.light_says(f"connected as {light_id}")

        rule = json.loads(json.dumps(README_RULE).replace('"5m"', '"2s"'))
        rule_file = os.path.join(self.broker.workdir, "hall-light.json")
        with open(rule_file, "w") as f:
            json.dump(rule, f, indent=2)
        self.assertRegex(self.millet("rule", "add", rule_file), r"^rule Hall light follows motion \(rl-\w+\) in Flat")

        motion = mqtt.Client(client_id=motion_id, protocol=mqtt.MQTTv5)
        motion.username_pw_set(motion_id, motion_secret)
        motion.connect("127.0.0.1", self.broker.mqtt_port)
        motion.loop_start()
        self.addCleanup(motion.disconnect)
        self.addCleanup(motion.loop_stop)

        def report(state: bool) -> None:
            motion.publish(f"$device/{motion_id}/report",
                           json.dumps({"properties": {"motion-sensor.motion-state": state}}), qos=1).wait_for_publish(TIMEOUT)

        report(True)
        seen = self.light_says("brightness → 30")
        seen = self.light_says("on → true", 0)
        report(False)
        started = time.monotonic()
        self.light_says("on → false", seen)
        self.assertGreaterEqual(time.monotonic() - started, 1.5, "the light went off before the motion had stopped 2 s")

        trace = self.millet("rule", "trace", "hall light follows motion", "--last", "1")
        self.assertIn("trigger: Hall motion: motion-sensor.motion-state (unknown) → true", trace)
        self.assertIn("✓ conditions[0].sun: sunset today is at", trace)
        self.assertRegex(trace, r"actions\[0\]\s+set\s+Hall light: light\.on = true light\.brightness = 30\s+→ sent")
        self.assertRegex(trace, r"actions\[1\]\s+wait\s+at most 6h\s+→ triggered")
        self.assertRegex(trace, r"actions\[2\]\s+set\s+Hall light: light\.on = false\s+→ sent")
        self.assertIn("done", trace)


if __name__ == "__main__":
    unittest.main()
