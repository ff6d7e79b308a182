"""The automation walkthrough of the README, as a new user runs it: the rule "when the hall
motion sensor sees motion after sunset, turn on the hall light at 30 % and turn it off 5 minutes
after the motion stops" written to a file, loaded with `millet rule add`, fired by a motion sensor
(a paho client) so that the example light — built on the device library — turns on through the
broker, then off once the motion has stopped long enough, and the run read with `millet rule
trace`. The test shortens the rule's 5 minutes to 2 seconds; nothing else differs."""

import json
import os
import re
import sys
import time
import unittest

import paho.mqtt.client as mqtt

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cli_case import CliCase  # noqa: E402
from common import TIMEOUT, millet_only  # noqa: E402
from test_automations_api import evening_somewhere  # noqa: E402

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
class AutomationWalkthrough(CliCase):

    def add_device(self, name: str, kind: str) -> tuple[str, str]:
        added = self.millet("device", "add", name, "--type", kind).stdout
        return re.search(r"^id:\s+(\S+)", added, re.M).group(1), re.search(r"^secret:\s+(\S+)", added, re.M).group(1)

    def test_motion_after_sunset_turns_the_light_on_and_then_off(self):
        self.millet("user", "add", "alice", stdin="a-long-password\n")
        self.millet("login", "--user", "alice", stdin="a-long-password\n")
        self.millet("home", "add", "Flat")
        evening = evening_somewhere()
        self.millet("home", "locate", str(evening["location"]["latitude"]), str(evening["location"]["longitude"]),
                    "--time-zone", evening["time_zone"])
        light_id, light_secret = self.add_device("Hall light", "light")
        motion_id, motion_secret = self.add_device("Hall motion", "motion-sensor")

        self.start_light(light_id, light_secret)
        self.light_says(f"connected as {light_id}")

        rule = json.loads(json.dumps(README_RULE).replace('"5m"', '"2s"'))
        rule_file = os.path.join(self.broker.workdir, "hall-light.json")
        with open(rule_file, "w") as f:
            json.dump(rule, f, indent=2)
        self.assertRegex(self.millet("rule", "add", rule_file).stdout, r"^rule Hall light follows motion \(rl-\w+\) in Flat")

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

        trace = self.millet("rule", "trace", "hall light follows motion", "--last", "1").stdout
        self.assertIn("trigger: Hall motion: motion-sensor.motion-state (unknown) → true", trace)
        self.assertIn("✓ conditions[0].sun: sunset today is at", trace)
        self.assertRegex(trace, r"actions\[0\]\s+set\s+Hall light: light\.on = true light\.brightness = 30\s+→ sent")
        self.assertRegex(trace, r"actions\[1\]\s+wait\s+at most 6h\s+→ triggered")
        self.assertRegex(trace, r"actions\[2\]\s+set\s+Hall light: light\.on = false\s+→ sent")
        self.assertIn("done", trace)


if __name__ == "__main__":
    unittest.main()
