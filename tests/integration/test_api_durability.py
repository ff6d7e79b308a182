"""An acknowledged write survives kill -9: while devices report with QoS 1 and a person sets
properties through the API, the server is killed; after a restart every PUBACKed report is in
the history and the shadow, and the last acknowledged set of each property is still desired."""

import json
import os
import signal
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from api_client import Api  # noqa: E402
from brokers import Broker  # noqa: E402
from common import MQTT_V5, millet_only  # noqa: E402
from paho_client import MqttClient  # noqa: E402


@millet_only("the device API is millet's")
class KillDuringLoad(unittest.TestCase):

    def test_acknowledged_reports_and_sets_survive_kill_9(self):
        broker = Broker(kind="millet").start()
        self.addCleanup(broker.close)
        api = Api(broker.http_port)
        api.ok("POST", "/api/v1/users", {"name": "alice", "password": "alice-password"})
        alice = api.login("alice", "alice-password")
        home = alice.ok("POST", "/api/v1/homes", {"name": "Flat"})
        sensors = [alice.ok("POST", f"/api/v1/homes/{home['id']}/devices",
                            {"name": f"Sensor {i}", "type": "temperature-humidity-sensor"}) for i in range(3)]
        lights = [alice.ok("POST", f"/api/v1/homes/{home['id']}/devices", {"name": f"Light {i}", "type": "light"})
                  for i in range(2)]

        stop = threading.Event()
        acked_reports: dict[str, list[tuple[int, float]]] = {s["id"]: [] for s in sensors}
        acked_sets: dict[str, list[int]] = {light["id"]: [] for light in lights}
        attempted_sets: dict[str, list[int]] = {light["id"]: [] for light in lights}

        def report(sensor: dict) -> None:
            client = MqttClient(broker, client_id=sensor["id"], version=MQTT_V5)
            client.paho.username_pw_set(sensor["id"], sensor["secret"])
            client.connect()
            base = int(time.time() * 1000) - 60_000
            i = 0
            try:
                while not stop.is_set():
                    value = round(15 + (i % 200) * 0.1, 1)
                    t = base + i
                    info = client.paho.publish(f"$device/{sensor['id']}/report",
                                               json.dumps({"properties": {"environment.temperature": value},
                                                           "time": t}), qos=1)
                    info.wait_for_publish(2)
                    if not info.is_published():
                        return  # the server is gone: this one was not acknowledged
                    acked_reports[sensor["id"]].append((t, value))
                    i += 1
            except Exception:
                return
            finally:
                client.paho.loop_stop()

        def set_brightness(light: dict) -> None:
            value = 1
            while not stop.is_set():
                attempted_sets[light["id"]].append(value)
                try:
                    status, _ = alice.request("PUT", f"/api/v1/devices/{light['id']}/properties",
                                              {"light.brightness": value})
                except Exception:
                    return
                if status not in (200, 202):
                    return
                acked_sets[light["id"]].append(value)
                value = value % 100 + 1

        threads = [threading.Thread(target=report, args=(s,)) for s in sensors]
        threads += [threading.Thread(target=set_brightness, args=(light,)) for light in lights]
        for t in threads:
            t.start()
        time.sleep(1.5)
        broker.process.signal(signal.SIGKILL)
        broker.process.wait_exit(10)
        stop.set()
        for t in threads:
            t.join(10)
        self.assertGreater(sum(len(v) for v in acked_reports.values()), 100, "the load ran")
        self.assertGreater(sum(len(v) for v in acked_sets.values()), 10, "the sets ran")

        broker.start()
        alice = Api(broker.http_port, alice.token)
        for sensor in sensors:
            acked = acked_reports[sensor["id"]]
            history = alice.ok("GET", f"/api/v1/devices/{sensor['id']}/history"
                                      f"?property=environment.temperature&from=-1h&level=raw")
            stored = {(p["time"], p["value"]) for p in history["points"]}
            missing = [r for r in acked if r not in stored]
            self.assertEqual(missing, [], f"{len(missing)} of {len(acked)} acknowledged reports lost")
            state = alice.ok("GET", f"/api/v1/devices/{sensor['id']}")
            last = state["properties"]["environment.temperature"]
            self.assertGreaterEqual(last["time"], acked[-1][0], "the shadow has the last acknowledged report")
        for light in lights:
            state = alice.ok("GET", f"/api/v1/devices/{light['id']}")
            desired = state["desired"]["light.brightness"]["value"]
            acked = acked_sets[light["id"]]
            attempted = attempted_sets[light["id"]]
            # The last acknowledged value, or one sent after it that was stored but not answered.
            self.assertIn(desired, [acked[-1]] + attempted[len(acked):], (desired, acked[-3:], attempted[-3:]))


if __name__ == "__main__":
    unittest.main()
