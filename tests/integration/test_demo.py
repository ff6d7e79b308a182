"""The demo home of `millet serve --demo` (docs/simulator.md): made once on an empty data dir,
with a week of history, its ~35 devices simulated in the server's process and online, obeying what people set and
reporting back; a restart keeps it without making it again; a data dir with users gets none."""

import json
import os
import unittest

from brokers import Broker
from common import wait_until
from api_client import Api, demo_sign_in_line


def all_online(api: Api) -> bool:
    return all(api.ok("GET", f"/api/v1/devices/{d['id']}")["online"] for d in api.ok("GET", "/api/v1/devices")["devices"])


class DemoHomeTest(unittest.TestCase):

    def setUp(self):
        self.broker = Broker(kind="millet", demo=True).start()
        self.addCleanup(self.broker.close)

    def sign_in(self, start: int = 1) -> Api:
        """Signs in as the log's demo sign-in says, once the server's `start`th start has said it
        (the log of each start is appended)."""
        url, user, password, kept = demo_sign_in_line(self.broker, start)
        self.assertEqual(url, f"http://127.0.0.1:{self.broker.http_port}/")
        self.assertEqual(user, "demo")
        with open(kept) as f:
            self.assertEqual(json.load(f)["password"], password)
        self.assertEqual(os.stat(kept).st_mode & 0o777, 0o600, "demo.json holds secrets")
        return Api(self.broker.http_port).login(user, password)

    def test_the_demo_home_is_alive_and_obeys(self):
        api = self.sign_in()
        homes = api.ok("GET", "/api/v1/homes")["homes"]
        self.assertEqual([h["name"] for h in homes], ["Demo home"])
        home = homes[0]
        self.assertGreaterEqual(len(api.ok("GET", f"/api/v1/homes/{home['id']}/rooms")["rooms"]), 5)
        devices = api.ok("GET", "/api/v1/devices")["devices"]
        self.assertGreaterEqual(len(devices), 30)
        self.assertGreaterEqual(len({d["type"] for d in devices}), 15)
        wait_until(lambda: all_online(api), interval=0.1, message="every demo device online")
        self.assertGreaterEqual(len(api.ok("GET", f"/api/v1/homes/{home['id']}/rules")["rules"]), 4)
        scenes = api.ok("GET", f"/api/v1/homes/{home['id']}/scenes")["scenes"]
        self.assertGreaterEqual(len(scenes), 3)

        # The measuring devices come with a past week of history (every 5 minutes).
        sensor = next(d for d in devices if d["name"] == "Living room sensor")
        week = api.ok("GET", f"/api/v1/devices/{sensor['id']}/history?property=environment.temperature&from=-7d")
        self.assertEqual(week["level"], "5m")
        self.assertGreaterEqual(len(week["rollups"]), 1000)  # a value when it changed, at most one per 5 minutes
        self.assertTrue(all(10 < r["avg"] < 30 for r in week["rollups"]), "plausible room temperatures")

        # A set reaches the simulated light, which obeys and reports the new values back.
        light = next(d for d in devices if d["name"] == "Hall light")
        answer = api.ok("PUT", f"/api/v1/devices/{light['id']}/properties",
                        {"light.on": True, "light.brightness": 35}, expect=200)
        state = api.ok("GET", f"/api/v1/devices/{light['id']}")
        self.assertEqual(state["properties"]["light.on"]["value"], True, answer)
        self.assertEqual(state["properties"]["light.brightness"]["value"], 35)

        # A scene: the curtain goes where the scene sends it, and reports its position.
        movie = next(s for s in scenes if s["name"] == "Movie night")
        api.ok("POST", f"/api/v1/scenes/{movie['id']}/apply", expect=200)
        curtain = next(d for d in devices if d["name"] == "Living room curtain")
        wait_until(lambda: api.ok("GET", f"/api/v1/devices/{curtain['id']}")["properties"]
                   .get("window-covering.current-position", {}).get("value") == 0,
                   interval=0.1, message="the curtain's report that it closed")

    def test_a_restart_keeps_the_demo_without_making_it_again(self):
        api = self.sign_in()
        before = sorted(d["id"] for d in api.ok("GET", "/api/v1/devices")["devices"])
        self.broker.restart()
        api = self.sign_in(start=2)
        self.assertEqual(sorted(d["id"] for d in api.ok("GET", "/api/v1/devices")["devices"]), before)
        self.assertEqual(len(api.ok("GET", "/api/v1/homes")["homes"]), 1)
        self.assertEqual(self.broker.log().count("demo: made the home"), 1)
        wait_until(lambda: all_online(api), interval=0.1, message="every demo device online again")


class DemoOnAUsedDataDirTest(unittest.TestCase):

    def test_a_data_dir_with_users_gets_no_demo(self):
        broker = Broker(kind="millet").start()
        self.addCleanup(broker.close)
        Api(broker.http_port).ok("POST", "/api/v1/users", {"name": "alice", "password": "correct-horse-battery"})
        broker.settings["demo"] = True
        broker.restart()
        wait_until(lambda: "demo: this data directory has users" in broker.log(), interval=0.1, message="the warning")
        self.assertNotIn("sign in at", broker.log())
        self.assertFalse(os.path.exists(os.path.join(broker.data_dir, "demo.json")))


if __name__ == "__main__":
    unittest.main()
