"""The web app in a real browser (tests/browser/web-app.test.mjs: Debian's chromium, headless,
driven by playwright-core) against millet started with --demo, whose simulated devices answer:
sign in (and a wrong password), live cards, a quick toggle, a scene, the assistant's chat box, a device page's controls
and slider, a history chart, a phone-width screen. The run's screenshots go to
screenshots/ beside the millet tested (build/screenshots) (`make screenshots` copies them to docs/screenshots for the README)."""

import os
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from brokers import Broker  # noqa: E402
from common import MILLET_BIN, TIMEOUT, millet_only  # noqa: E402

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WEB_DIST = os.path.join(SOURCE, "web", "dist")
BROWSER_TESTS = os.path.join(SOURCE, "tests", "browser")
CHROMIUM = "/usr/bin/chromium"


@millet_only("the web app is millet's")
class WebAppInABrowser(unittest.TestCase):

    def test_the_web_app_in_chromium(self):
        self.assertTrue(os.path.exists(os.path.join(WEB_DIST, "index.html")), "web/dist is built by `make build`")
        self.assertTrue(os.access(CHROMIUM, os.X_OK), "Debian's chromium is installed by tools/install-deps.sh")
        self.assertTrue(os.path.isdir(os.path.join(BROWSER_TESTS, "node_modules", "playwright-core")),
                        "playwright-core is installed by tools/install-deps.sh (make deps)")
        broker = Broker(kind="millet", demo=True, web_dir=WEB_DIST).start()
        self.addCleanup(broker.close)
        pattern = r"demo: sign in at (\S+) as (\S+) with password (\S+) "
        deadline = time.monotonic() + TIMEOUT
        while not (said := re.search(pattern, broker.log())):
            self.assertLess(time.monotonic(), deadline, f"no demo sign-in in the log:\n{broker.log()}")
            time.sleep(0.1)
        url, user, password = said.groups()
        screenshots = os.path.join(os.path.dirname(MILLET_BIN), "screenshots")  # build/screenshots
        run = subprocess.run(["node", "--test", "--test-reporter=spec", "web-app.test.mjs"], cwd=BROWSER_TESTS,
                             capture_output=True, text=True, timeout=240,
                             env={**os.environ, "MILLET_URL": url, "MILLET_USER": user, "MILLET_PASSWORD": password,
                                  "MILLET_SCREENSHOTS": screenshots})
        print(run.stdout[-6000:], file=sys.stderr)
        self.assertEqual(run.returncode, 0, f"the browser tests failed:\n{run.stdout[-6000:]}\n{run.stderr[-3000:]}")


if __name__ == "__main__":
    unittest.main()
