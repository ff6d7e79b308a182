"""What the walkthrough tests share: a millet server, the `millet` command line pointed at it
(with a config folder of its own, so a login stays in the test), and the example light built on
the device library, whose printed lines the test waits for."""

import os
import subprocess
import tempfile
import time
import unittest

from brokers import Broker
from common import MILLET_BIN, TIMEOUT

EXAMPLE_LIGHT = os.path.join(os.path.dirname(MILLET_BIN), "examples", "millet-example-light")


class CliCase(unittest.TestCase):

    def setUp(self):
        self.broker = Broker(kind="millet").start()
        self.addCleanup(self.broker.close)
        config = tempfile.mkdtemp(prefix="millet-cli-config-")
        self.env = {**os.environ, "XDG_CONFIG_HOME": config,
                    "MILLET_SERVER": f"http://127.0.0.1:{self.broker.http_port}"}

    def millet(self, *arguments: str, stdin: str | None = None, ok: bool = True) -> subprocess.CompletedProcess:
        """Runs `millet ARGUMENTS`; with ok, it must succeed."""
        out = subprocess.run([MILLET_BIN, *arguments], input=stdin, capture_output=True, text=True, timeout=60,
                             env=self.env)
        if ok:
            self.assertEqual(out.returncode, 0, f"millet {' '.join(arguments)}: {out.stderr}")
        return out

    def start_light(self, device_id: str, secret: str) -> subprocess.Popen:
        """The example light as that device, its output in light.log of the broker's folder."""
        self.assertTrue(os.access(EXAMPLE_LIGHT, os.X_OK), f"{EXAMPLE_LIGHT} is built by make build")
        output = open(os.path.join(self.broker.workdir, "light.log"), "w+")
        self.addCleanup(output.close)
        light = subprocess.Popen([EXAMPLE_LIGHT, "--port", str(self.broker.mqtt_port), "--id", device_id,
                                  "--secret", secret], stdout=output, stderr=subprocess.STDOUT, text=True)
        self.addCleanup(light.wait, 10)
        self.addCleanup(light.terminate)
        self.light_log = output
        return light

    def light_says(self, text: str, after: int = 0) -> int:
        """Waits until the light has printed `text` at or past offset `after`; returns the offset past it."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            self.light_log.seek(0)
            found = self.light_log.read().find(text, after)
            if found >= 0:
                return found + len(text)
            time.sleep(0.05)
        self.light_log.seek(0)
        self.fail(f"the example light did not print {text!r}; it printed:\n{self.light_log.read()}")
