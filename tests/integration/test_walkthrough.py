"""The README's walkthrough, command by command, as a new user runs it: the `millet` command
line against a running server, the example light (built on the device library) connected with
the id and secret `millet device add` printed, its state seen through the command line and the
API, its brightness set and obeyed, its history read."""

import json
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from api_client import Api  # noqa: E402
from cli_case import CliCase  # noqa: E402
from common import TIMEOUT, millet_only  # noqa: E402


@millet_only("the walkthrough is millet's")
class ReadmeWalkthrough(CliCase):

    def test_the_readme_walkthrough(self):
        self.millet("user", "add", "alice", stdin="a-long-password\n")
        self.assertIn("signed in", self.millet("login", "--user", "alice", stdin="a-long-password\n").stdout)
        self.millet("home", "add", "Flat")
        self.millet("room", "add", "Living room")
        added = self.millet("device", "add", "Lamp", "--type", "light", "--room", "Living room").stdout
        device_id = re.search(r"^id:\s+(\S+)", added, re.M).group(1)
        secret = re.search(r"^secret:\s+(\S+)", added, re.M).group(1)

        self.start_light(device_id, secret)
        self.light_says(f"connected as {device_id}")
        deadline = time.monotonic() + TIMEOUT
        while "online" not in self.millet("device", "get", "Lamp").stdout.split("\n")[0]:
            self.assertLess(time.monotonic(), deadline, "the lamp never showed as online")
            time.sleep(0.1)
        state = json.loads(self.millet("device", "get", "Lamp", "--json").stdout)
        self.assertEqual(state["properties"]["light.brightness"]["value"], 80, "the light reported its state")

        self.assertIn("set: done", self.millet("device", "set", "Lamp", "light.brightness=40").stdout)
        self.light_says("brightness → 40")
        self.assertRegex(self.millet("device", "get", "Lamp").stdout, r"light\.brightness\s+40\b")
        history = self.millet("device", "history", "Lamp", "light.brightness").stdout
        self.assertRegex(history, r"80 %\n.*40 %")

        refused = self.millet("device", "set", "Lamp", "light.brightness=140", ok=False)
        self.assertEqual(refused.returncode, 1)
        self.assertIn("light.brightness = 140 is outside [1, 100]", refused.stderr)

        # The same lamp through the API, as in the README's curl lines.
        api = Api(self.broker.http_port).login("alice", "a-long-password")
        devices = api.ok("GET", "/api/v1/devices")["devices"]
        self.assertEqual([d["name"] for d in devices], ["Lamp"])
        answer = api.ok("PUT", f"/api/v1/devices/{device_id}/properties", {"light.brightness": 60})
        self.assertEqual(answer["status"], "ok")
        self.light_says("brightness → 60")

        # With millet stopped, the same commands read its data directory.
        self.assertEqual(self.broker.terminate(), 0)
        offline = ["--data-dir", self.broker.data_dir, "--user", "alice"]
        state = json.loads(self.millet("device", "get", "Lamp", *offline, "--json").stdout)
        self.assertEqual((state["online"], state["properties"]["light.brightness"]["value"]), (False, 60))
        history = self.millet("device", "history", "Lamp", "light.brightness", *offline).stdout
        self.assertRegex(history, r"80 %\n.*40 %\n.*60 %")
        refused = self.millet("device", "set", "Lamp", "light.brightness=10", *offline, ok=False)
        self.assertIn("needs a running millet", refused.stderr + refused.stdout)


if __name__ == "__main__":
    unittest.main()
