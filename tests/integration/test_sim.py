"""`millet sim` (docs/simulator.md) against a running millet: devices from the files `millet
device add --json` printed connect with a progress line, report their state, obey sets and
actions and report back, and stop on SIGINT with a summary; bad files and refused credentials
get clear errors."""

import json
import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cli_case import CliCase  # noqa: E402
from common import MILLET_BIN, TIMEOUT, millet_only, wait_until  # noqa: E402


@millet_only("millet sim drives a millet")
class SimTest(CliCase):

    def setUp(self):
        super().setUp()
        self.millet("user", "add", "alice", stdin="a-long-password\n")
        self.millet("login", "--user", "alice", stdin="a-long-password\n")
        self.millet("home", "add", "Flat")

    def add(self, name: str, device_type: str, count: int) -> str:
        """Adds devices; returns the file of their ids and secrets, as a user would keep it."""
        path = os.path.join(self.broker.workdir, f"{name}.json")
        with open(path, "w") as f:
            f.write(self.millet("device", "add", name, "--type", device_type, "--count", str(count), "--json").stdout)
        return path

    def sim(self, *files: str, extra: tuple = ()) -> subprocess.Popen:
        argv = [MILLET_BIN, "sim", "--mqtt", f"127.0.0.1:{self.broker.mqtt_port}", *extra]
        for file in files:
            argv += ["--devices", file]
        log = open(os.path.join(self.broker.workdir, "sim.log"), "w+")
        self.addCleanup(log.close)
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=log, text=True, env=self.env)
        self.addCleanup(lambda: process.poll() is None and process.kill())
        self.sim_log = log
        return process

    def sim_says(self, text: str) -> str:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            self.sim_log.seek(0)
            said = self.sim_log.read()
            if text in said:
                return said
            time.sleep(0.05)
        self.fail(f"millet sim did not say {text!r}; it said:\n{said}")

    def state(self, name: str) -> dict:
        return json.loads(self.millet("device", "get", name, "--json").stdout)

    def test_devices_connect_report_obey_and_stop_with_a_summary(self):
        lamps = self.add("Lamp", "light", 20)
        plugs = self.add("Plug", "outlet", 10)
        vacuum = self.add("Vacuum", "robot-vacuum", 1)
        process = self.sim(lamps, plugs, vacuum)
        said = self.sim_says("31 devices online in")
        self.assertIn("millet sim: 31 devices to", said)
        self.assertIn("connecting:", said, "the progress line")

        wait_until(lambda: "light.on" in self.state("Lamp 20").get("properties", {}), interval=0.1,
                   message="Lamp 20's report of its state")
        self.assertTrue(self.state("Lamp 20")["online"])

        # A set is obeyed and reported back; a plug switched on draws power.
        self.assertIn("set: done", self.millet("device", "set", "Lamp 7", "light.on=true", "light.brightness=30").stdout)
        lamp = self.state("Lamp 7")["properties"]
        self.assertEqual((lamp["light.on"]["value"], lamp["light.brightness"]["value"]), (True, 30))
        self.millet("device", "set", "Plug 3", "switch.on=true")
        wait_until(lambda: self.state("Plug 3")["properties"].get("power-consumption.power", {}).get("value", 0) > 0,
                   interval=0.1, message="the plug's report of the power it draws")
        # An action: the vacuum starts cleaning and says so.
        self.millet("device", "call", "Vacuum 1", "vacuum.start-sweep")
        wait_until(lambda: self.state("Vacuum 1")["properties"]["vacuum.status"]["value"] == 2, interval=0.1,
                   message="the vacuum's report that it sweeps")

        process.send_signal(signal.SIGINT)
        self.assertEqual(process.wait(TIMEOUT), 0)
        said = self.sim_says("millet sim: stopped after")
        self.assertRegex(said, r"stopped after \d+ s: 31 of 31 devices online; .* obeyed 3 sets and 1 actions")
        wait_until(lambda: not self.state("Lamp 7")["online"], interval=0.1,
                   message="the lamp to show offline after the simulator stopped")

    def test_bad_files_and_refused_credentials_get_clear_errors(self):
        broken = os.path.join(self.broker.workdir, "broken.json")
        with open(broken, "w") as f:
            f.write("[{\"id\": \"d-1\"")
        out = subprocess.run([MILLET_BIN, "sim", "--devices", broken], capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 1)
        self.assertIn("is not JSON", out.stderr)

        strange = os.path.join(self.broker.workdir, "strange.json")
        with open(strange, "w") as f:
            json.dump([{"id": "d-000000000001", "secret": "x", "type": "teleporter"}], f)
        out = subprocess.run([MILLET_BIN, "sim", "--devices", strange], capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 1)
        self.assertIn("type 'teleporter', which the catalog does not have", out.stderr)

        lamps = self.add("Lamp", "light", 2)
        with open(lamps) as f:
            devices = json.load(f)
        for device in devices:
            device["secret"] = "not-the-secret"
        with open(lamps, "w") as f:
            json.dump(devices, f)
        process = self.sim(lamps)
        self.assertEqual(process.wait(TIMEOUT), 1)
        said = self.sim_says("millet refused every device's credentials")
        self.assertIn("Lamp 1:", said)


if __name__ == "__main__":
    unittest.main()
