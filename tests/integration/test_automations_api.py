"""Automations through the HTTP API and the command line (docs/api.md, "Automations, scenes
and the home's settings"; docs/automations.md): rules checked against the home's devices, who
may add and run them, the hall light that follows motion — devices played by paho clients, the
light's set asserted as it arrives over MQTT — with its trace, disabling, scenes captured from
the devices' state and applied, the home's mode and notifications on the event stream, and
webhooks in and out."""

import datetime
import http.server
import json
import os
import queue
import subprocess
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from api_client import Api, EventStream  # noqa: E402
from brokers import Broker  # noqa: E402
from common import HOST, MILLET_BIN, MQTT_V5, TIMEOUT, millet_only  # noqa: E402
from paho_client import MqttClient  # noqa: E402

# docs/automations.md's example, as written there.
HALL_RULE = {
    "name": "Hall light follows motion",
    "mode": "restart",
    "triggers": [
        {"type": "property", "device": "Hall motion", "property": "motion-sensor.motion-state", "to": True}
    ],
    "conditions": [{"sun": {"after": "sunset"}}],
    "actions": [
        {"set": {"device": "Hall light", "properties": {"light.on": True, "light.brightness": 30}}},
        {"wait": {"trigger": {"type": "property", "device": "Hall motion",
                              "property": "motion-sensor.motion-state", "to": False, "for": "5m"},
                  "timeout": "6h"}},
        {"set": {"device": "Hall light", "properties": {"light.on": False}}},
    ],
}


def evening_somewhere() -> dict:
    """Settings that make it about 21:00 where the home is, now: on the equator (sunset near
    18:00 all year), at the longitude and in the fixed-offset zone (Etc/GMT-k is UTC+k) whose
    local time is 21:00 ± 30 min — after sunset, before midnight."""
    now = datetime.datetime.now(datetime.timezone.utc)
    k = round(21 - (now.hour + now.minute / 60)) % 24
    if k > 12:
        k -= 24
    zone = "Etc/GMT" if k == 0 else f"Etc/GMT{-k:+d}"
    return {"location": {"latitude": 0.0, "longitude": 15.0 * k}, "time_zone": zone}


class Device:
    """A device played by a paho client, connected with its id and secret and subscribed to
    its set topic; the sets it receives are read with next_set()."""

    def __init__(self, broker: Broker, made: dict):
        self.id = made["id"]
        self.client = MqttClient(broker, client_id=self.id, version=MQTT_V5)
        self.client.paho.username_pw_set(self.id, made["secret"])
        self.client.connect()
        self.client.subscribe(f"$device/{self.id}/set", qos=1)

    def report(self, properties: dict) -> None:
        self.client.publish(f"$device/{self.id}/report", json.dumps({"properties": properties}), qos=1)

    def next_set(self) -> dict:
        message = self.client.wait_message(TIMEOUT)
        self.assert_topic(message.topic, "set")
        return json.loads(message.payload)

    def assert_topic(self, topic: str, kind: str) -> None:
        if topic != f"$device/{self.id}/{kind}":
            raise AssertionError(f"{topic}: expected $device/{self.id}/{kind}")

    def close(self) -> None:
        self.client.close()


class WebhookReceiver:
    """An HTTP server on 127.0.0.1 that keeps what each request brought: (method, path, body)."""

    def __init__(self):
        received = self.received = queue.Queue()

        class Handler(http.server.BaseHTTPRequestHandler):
            def handle_any(self):
                length = int(self.headers.get("Content-Length") or 0)
                received.put((self.command, self.path, self.rfile.read(length).decode(),
                              self.headers.get("Content-Type")))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_PUT = do_GET = handle_any

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer((HOST, 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@millet_only("automations are millet's")
class AutomationsApiTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.broker = Broker(kind="millet").start()
        anonymous = Api(cls.broker.http_port)
        anonymous.ok("POST", "/api/v1/users", {"name": "alice", "password": "alice-password"}, expect=201)
        cls.alice = anonymous.login("alice", "alice-password")
        cls.alice.ok("POST", "/api/v1/users", {"name": "bob", "password": "bob-password"}, expect=201)
        cls.bob = anonymous.login("bob", "bob-password")
        cls.anonymous = anonymous

    @classmethod
    def tearDownClass(cls):
        cls.broker.close()

    def setUp(self):
        # A home of its own for each test, with the two devices of the example.
        self.home = self.alice.ok("POST", "/api/v1/homes", {"name": f"Flat {self.id()[-24:]}"}, expect=201)
        self.light_made = self.add_device("Hall light", "light")
        self.motion_made = self.add_device("Hall motion", "motion-sensor")

    def home_path(self, rest: str = "") -> str:
        return f"/api/v1/homes/{self.home['id']}{rest}"

    def add_device(self, name: str, kind: str) -> dict:
        return self.alice.ok("POST", self.home_path("/devices"), {"name": name, "type": kind}, expect=201)

    def connect(self, made: dict) -> Device:
        device = Device(self.broker, made)
        self.addCleanup(device.close)
        return device

    def events(self) -> EventStream:
        stream = EventStream(self.broker.http_port, self.alice.token, f"?home={self.home['id']}")
        self.addCleanup(stream.close)
        self.assertEqual(stream.status, 101, stream.head)
        return stream

    def add_rule(self, document: dict, api: Api | None = None) -> dict:
        return (api or self.alice).ok("POST", self.home_path("/rules"), document, expect=201)

    def traces(self, rule_id: str, api: Api | None = None) -> list:
        return (api or self.alice).ok("GET", f"/api/v1/rules/{rule_id}/traces", expect=200)["traces"]

    # --- the interconnection benchmark, briefly ----------------------------------------------------

    def test_the_interconnect_benchmark_measures_sets_reaching_their_lights(self):
        """A smoke run of `millet bench interconnect` (docs/benchmarks.md): three sensor-light pairs,
        one rule each; every set it counts reached a light over MQTT."""
        sensors = [self.add_device(f"Sensor {i}", "temperature-humidity-sensor") for i in range(3)]
        lights = [self.add_device(f"Light {i}", "light") for i in range(3)]
        for i, (sensor, light) in enumerate(zip(sensors, lights)):
            self.add_rule({"name": f"Pair {i}",
                           "triggers": [{"type": "property", "device": sensor["id"], "property": "environment.temperature"}],
                           "actions": [{"set": {"device": light["id"], "properties": {"light.on": True}}}]})
        files = {}
        for name, made in (("sensors", sensors), ("lights", lights)):
            files[name] = os.path.join(self.broker.workdir, f"bench-{name}.json")
            with open(files[name], "w") as f:
                json.dump([{"id": m["id"], "secret": m["secret"]} for m in made], f)
        out = subprocess.run([MILLET_BIN, "bench", "interconnect", "--devices", files["sensors"], "--targets",
                              files["lights"], "--port", str(self.broker.mqtt_port), "--protocol", "5", "--duration",
                              "1", "--warmup", "0.5", "--window", "2", "--quiet"],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        result = json.loads(out.stdout)
        self.assertGreater(result["delivered"], 10)
        self.assertLessEqual(result["delivered_in_run"], result["published"])
        self.assertGreater(result["latency_ns"]["p50"], 0)
        rule = self.alice.ok("GET", self.home_path("/rules"))["rules"][0]
        self.assertEqual(self.traces(rule["id"])[0]["result"], "done")

    # --- rules: checked, and only for people of the home ---------------------------------------

    def test_a_rule_naming_an_unknown_device_is_refused_saying_where(self):
        document = {"name": "Garage", "triggers": [
            {"type": "property", "device": "Garage light", "property": "light.on", "to": True}],
            "actions": [{"notify": "the garage light is on"}]}
        status, answer = self.alice.request("POST", self.home_path("/rules"), document)
        self.assertEqual((status, answer["error"]), (400, "invalid"), answer)
        self.assertEqual(answer["message"], "triggers[0]: no device 'Garage light' in this home")
        bad_value = {"name": "Too bright", "triggers": [{"type": "manual"}],
                     "actions": [{"set": {"device": "Hall light", "properties": {"light.brightness": 140}}}]}
        status, answer = self.alice.request("POST", self.home_path("/rules"), bad_value)
        self.assertEqual(status, 400, answer)
        self.assertIn("actions[0].set", answer["message"])
        self.assertIn("140", answer["message"])
        status, answer = self.alice.request("POST", self.home_path("/rules"), raw=b"{not json")
        self.assertEqual((status, answer["error"]), (400, "bad_json"))
        self.assertEqual(self.alice.ok("GET", self.home_path("/rules"))["rules"], [])

    def test_a_home_the_caller_has_no_role_in_has_no_rules_for_them(self):
        rule = self.add_rule({"name": "Hello", "triggers": [{"type": "manual"}], "actions": [{"notify": "hi"}]})
        status, answer = self.bob.request("POST", self.home_path("/rules"), {
            "name": "Mine now", "triggers": [{"type": "manual"}], "actions": [{"notify": "hi"}]})
        self.assertEqual((status, answer["error"]), (404, "not_found"), answer)
        for method, path in (("GET", self.home_path("/rules")), ("GET", f"/api/v1/rules/{rule['id']}"),
                             ("POST", f"/api/v1/rules/{rule['id']}/run"),
                             ("GET", f"/api/v1/rules/{rule['id']}/traces"),
                             ("DELETE", f"/api/v1/rules/{rule['id']}"),
                             ("GET", self.home_path("/settings"))):
            status, answer = self.bob.request(method, path)
            self.assertEqual((status, answer["error"]), (404, "not_found"), (method, path, answer))
        status, answer = self.anonymous.request("GET", self.home_path("/rules"))
        self.assertEqual(status, 401, answer)
        self.assertEqual(self.alice.request("GET", "/api/v1/rules/r-doesnotexist")[0], 404)

    def test_a_guest_cannot_add_rules_but_can_run_them(self):
        rule = self.add_rule({"name": "Dinner", "triggers": [{"type": "manual"}],
                              "actions": [{"notify": "Dinner is ready"}]})
        self.alice.ok("POST", self.home_path("/members"), {"user": "bob", "role": "guest"})
        status, answer = self.bob.request("POST", self.home_path("/rules"), {
            "name": "Bob's", "triggers": [{"type": "manual"}], "actions": [{"notify": "hi"}]})
        self.assertEqual((status, answer["error"]), (403, "forbidden"), answer)
        status, answer = self.bob.request("POST", f"/api/v1/rules/{rule['id']}/disable")
        self.assertEqual((status, answer["error"]), (403, "forbidden"), answer)
        self.assertEqual([r["name"] for r in self.bob.ok("GET", self.home_path("/rules"))["rules"]], ["Dinner"])
        run = self.bob.ok("POST", f"/api/v1/rules/{rule['id']}/run", expect=202)
        self.assertIsInstance(run["run"], int)
        [trace] = self.traces(rule["id"], self.bob)
        self.assertEqual((trace["run"], trace["trigger"], trace["result"]), (run["run"], "manual: run by bob", "done"))
        self.assertEqual([(s["action"], s["detail"]) for s in trace["steps"]], [("notify", "Dinner is ready")])

    # --- the example: the hall light follows motion ----------------------------------------------

    def test_the_hall_light_follows_motion_with_a_trace_until_the_rule_is_disabled(self):
        settings = self.alice.ok("PATCH", self.home_path("/settings"), evening_somewhere())
        self.assertEqual(settings["location"], evening_somewhere()["location"])
        light = self.connect(self.light_made)
        motion = self.connect(self.motion_made)
        rule = self.add_rule(HALL_RULE)
        self.assertEqual((rule["name"], rule["enabled"], rule["last_run"], rule["running"]),
                         ("Hall light follows motion", True, None, 0))
        self.assertEqual(rule["document"], HALL_RULE)

        motion.report({"motion-sensor.motion-state": True})
        sent = light.next_set()
        self.assertEqual(sent["properties"], {"light.on": True, "light.brightness": 30})

        [trace] = self.traces(rule["id"])
        self.assertEqual(trace["trigger"], "Hall motion: motion-sensor.motion-state (unknown) → true")
        self.assertEqual(trace["result"], "running")
        self.assertIsNone(trace["ended"])
        [condition] = trace["conditions"]
        self.assertEqual((condition["path"], condition["result"]), ("conditions[0].sun", True), condition)
        self.assertIn("sunset today is at", condition["why"])
        self.assertEqual([(s["path"], s["action"]) for s in trace["steps"]],
                         [("actions[0]", "set"), ("actions[1]", "wait")])
        self.assertEqual(trace["steps"][0]["detail"], "Hall light: light.on = true light.brightness = 30")
        self.assertEqual(trace["steps"][1]["result"], "waiting")
        shown = self.alice.ok("GET", f"/api/v1/rules/{rule['id']}")
        self.assertEqual(shown["running"], 1)
        self.assertIsInstance(shown["last_run"], int)

        disabled = self.alice.ok("POST", f"/api/v1/rules/{rule['id']}/disable")
        self.assertEqual((disabled["enabled"], disabled["running"]), (False, 0))
        self.assertEqual(self.traces(rule["id"])[0]["result"], "stopped: the rule was disabled")
        motion.report({"motion-sensor.motion-state": False})
        motion.report({"motion-sensor.motion-state": True})
        light.client.assert_no_message(within=1.0)
        self.assertEqual(len(self.traces(rule["id"])), 1)
        status, answer = self.alice.request("POST", f"/api/v1/rules/{rule['id']}/run")
        self.assertEqual((status, answer["error"]), (409, "conflict"), answer)

        # Enabled again, it follows the next motion.
        self.assertTrue(self.alice.ok("POST", f"/api/v1/rules/{rule['id']}/enable")["enabled"])
        motion.report({"motion-sensor.motion-state": False})
        motion.report({"motion-sensor.motion-state": True})
        self.assertEqual(light.next_set()["properties"], {"light.on": True, "light.brightness": 30})

    def test_a_rule_is_changed_and_removed(self):
        rule = self.add_rule({"name": "Hello", "triggers": [{"type": "manual"}], "actions": [{"notify": "hi"}]})
        changed = self.alice.ok("PUT", f"/api/v1/rules/{rule['id']}", {
            "name": "Hello again", "mode": "single", "triggers": [{"type": "manual"}],
            "actions": [{"delay": "1h"}]})
        self.assertEqual((changed["id"], changed["name"]), (rule["id"], "Hello again"))
        first = self.alice.ok("POST", f"/api/v1/rules/{rule['id']}/run", expect=202)
        self.assertIsInstance(first["run"], int)
        second = self.alice.ok("POST", f"/api/v1/rules/{rule['id']}/run", expect=202)
        self.assertEqual(second, {"run": None, "message": "ignored: a run is going (mode single)"})
        status, answer = self.alice.request("PUT", f"/api/v1/rules/{rule['id']}", {"name": "No triggers"})
        self.assertEqual((status, answer["error"]), (400, "invalid"), answer)
        self.alice.ok("DELETE", f"/api/v1/rules/{rule['id']}", expect=204)
        self.assertEqual(self.alice.request("GET", f"/api/v1/rules/{rule['id']}")[0], 404)
        self.assertEqual(self.alice.ok("GET", self.home_path("/rules"))["rules"], [])

    # --- scenes ------------------------------------------------------------------------------------

    def test_a_scene_captured_from_the_devices_state_is_applied(self):
        light = self.connect(self.light_made)
        motion = self.connect(self.motion_made)
        light.report({"light.on": True, "light.brightness": 30})
        motion.report({"motion-sensor.motion-state": True})  # read-only: not part of a scene
        # Reports are stored before their PUBACK, so the state is there to read now.
        scene = self.alice.ok("POST", self.home_path("/scenes/capture"), {"name": "Evening"}, expect=201)
        self.assertEqual(scene["name"], "Evening")
        self.assertEqual(scene["document"], {"name": "Evening", "states": [
            {"device": "Hall light", "properties": {"light.on": True, "light.brightness": 30}}]})
        self.assertEqual(self.alice.ok("GET", f"/api/v1/scenes/{scene['id']}"), scene)
        self.assertEqual(self.alice.ok("GET", self.home_path("/scenes"))["scenes"], [scene])

        light.report({"light.brightness": 80})
        self.assertEqual(self.alice.ok("POST", f"/api/v1/scenes/{scene['id']}/apply"), {"devices": 1})
        self.assertEqual(light.next_set()["properties"], {"light.on": True, "light.brightness": 30})

        status, answer = self.alice.request("POST", self.home_path("/scenes/capture"),
                                            {"name": "Sensor only", "devices": ["hall MOTION"]})
        self.assertEqual((status, answer["error"]), (409, "conflict"), answer)
        self.assertIn("nothing to capture", answer["message"])
        status, answer = self.alice.request("POST", self.home_path("/scenes/capture"),
                                            {"name": "Ghost", "devices": ["Hall light", "Attic fan"]})
        self.assertEqual((status, answer["error"], answer["message"]),
                         (400, "invalid", "devices[1]: no device 'Attic fan' in this home"))
        status, answer = self.alice.request("POST", self.home_path("/scenes/capture"), {"name": "evening"})
        self.assertEqual((status, answer["error"]), (409, "conflict"), answer)
        self.alice.ok("DELETE", f"/api/v1/scenes/{scene['id']}", expect=204)
        self.assertEqual(self.alice.request("GET", f"/api/v1/scenes/{scene['id']}")[0], 404)

    def test_a_scene_written_by_hand_is_checked_and_replaced(self):
        status, answer = self.alice.request("POST", self.home_path("/scenes"), {
            "name": "Bright", "states": [{"device": "Hall light", "properties": {"light.brightness": 140}}]})
        self.assertEqual((status, answer["error"]), (400, "invalid"), answer)
        self.assertIn("140", answer["message"])
        scene = self.alice.ok("POST", self.home_path("/scenes"), {
            "name": "Bright", "states": [{"device": "hall light", "properties": {"light.brightness": 100}}]},
            expect=201)
        self.assertEqual(scene["document"]["states"][0]["device"], "Hall light")
        replaced = self.alice.ok("PUT", f"/api/v1/scenes/{scene['id']}", {
            "name": "Dim", "states": [{"device": "Hall light", "properties": {"light.brightness": 5}}]})
        self.assertEqual((replaced["id"], replaced["name"]), (scene["id"], "Dim"))
        light = self.connect(self.light_made)
        self.alice.ok("POST", f"/api/v1/scenes/{scene['id']}/apply")
        self.assertEqual(light.next_set()["properties"], {"light.brightness": 5})

    # --- the home's settings and what goes on the event stream ----------------------------------

    def test_the_mode_is_a_setting_and_its_change_is_on_the_event_stream(self):
        self.assertEqual(self.alice.ok("GET", self.home_path("/settings")),
                         {"mode": "home", "location": None, "time_zone": ""})
        stream = self.events()
        self.assertEqual(self.alice.ok("PATCH", self.home_path("/settings"), {"mode": "away"})["mode"], "away")
        event = stream.until(lambda e: e["type"] == "mode")
        self.assertEqual((event["mode"], event["home"]), ("away", self.home["id"]))
        self.assertIsInstance(event["time"], int)
        changed = self.alice.ok("PATCH", self.home_path("/settings"), {
            "location": {"latitude": 52.52, "longitude": 13.405}, "time_zone": "Europe/Berlin"})
        self.assertEqual(changed, {"mode": "away", "location": {"latitude": 52.52, "longitude": 13.405},
                                   "time_zone": "Europe/Berlin"})
        for body, words in (({"mode": "holiday"}, "mode 'holiday'"), ({"time_zone": "Mars/Olympus"}, "Mars/Olympus"),
                            ({"location": {"latitude": 95, "longitude": 0}}, "latitude"),
                            ({"location": "Berlin"}, "location"), ({"colour": "blue"}, "colour")):
            status, answer = self.alice.request("PATCH", self.home_path("/settings"), body)
            self.assertEqual((status, answer["error"]), (400, "invalid"), (body, answer))
            self.assertIn(words, answer["message"])
        self.assertEqual(self.alice.ok("GET", self.home_path("/settings")), changed)

    def test_an_incoming_webhook_fires_a_rule_that_notifies(self):
        rule = self.add_rule({"name": "Doorbell", "triggers": [{"type": "webhook", "id": "doorbell-pressed"}],
                              "actions": [{"notify": "Someone is at the door"}]})
        stream = self.events()
        self.assertEqual(self.alice.ok("POST", self.home_path("/hooks/doorbell-pressed")), {"fired": 1})
        event = stream.until(lambda e: e["type"] == "notification")
        self.assertEqual((event["message"], event["rule"], event["home"]),
                         ("Someone is at the door", rule["id"], self.home["id"]))
        self.assertEqual(self.traces(rule["id"])[0]["trigger"], "webhook doorbell-pressed")
        status, answer = self.alice.request("POST", self.home_path("/hooks/nobody-listens"))
        self.assertEqual((status, answer["error"]), (404, "not_found"), answer)
        status, _ = self.anonymous.request("POST", self.home_path("/hooks/doorbell-pressed"))
        self.assertEqual(status, 401)
        status, _ = self.bob.request("POST", self.home_path("/hooks/doorbell-pressed"))
        self.assertEqual(status, 404)

    def test_an_outgoing_webhook_reaches_its_server(self):
        receiver = WebhookReceiver()
        self.addCleanup(receiver.close)
        url = f"http://{HOST}:{receiver.port}/hooks/door"
        rule = self.add_rule({"name": "Tell the server", "triggers": [{"type": "manual"}],
                              "actions": [{"webhook": {"url": url, "body": "{\"door\": \"open\"}"}}]})
        self.alice.ok("POST", f"/api/v1/rules/{rule['id']}/run", expect=202)
        method, path, body, content_type = receiver.received.get(timeout=TIMEOUT)
        self.assertEqual((method, path, body, content_type), ("POST", "/hooks/door", "{\"door\": \"open\"}",
                                                              "application/json"))
        [step] = self.traces(rule["id"])[0]["steps"]
        self.assertEqual((step["action"], step["detail"]), ("webhook", f"POST {url}"))


@millet_only("automations are millet's")
class AutomationsCommandLineTest(unittest.TestCase):
    """`millet rule|scene|home mode|home locate` against the server, as people type them."""

    @classmethod
    def setUpClass(cls):
        cls.broker = Broker(kind="millet").start()
        anonymous = Api(cls.broker.http_port)
        anonymous.ok("POST", "/api/v1/users", {"name": "carol", "password": "carol-password"}, expect=201)
        cls.carol = anonymous.login("carol", "carol-password")
        cls.home = cls.carol.ok("POST", "/api/v1/homes", {"name": "Cabin"}, expect=201)
        cls.light = cls.carol.ok("POST", f"/api/v1/homes/{cls.home['id']}/devices",
                                 {"name": "Porch light", "type": "light"}, expect=201)

    @classmethod
    def tearDownClass(cls):
        cls.broker.close()

    def millet(self, *arguments: str, stdin: str | None = None, status: int = 0) -> str:
        env = {**os.environ, "MILLET_SERVER": f"http://{HOST}:{self.broker.http_port}",
               "MILLET_TOKEN": self.carol.token, "XDG_CONFIG_HOME": self.broker.workdir}
        out = subprocess.run([MILLET_BIN, *arguments], input=stdin, capture_output=True, text=True, env=env,
                             timeout=TIMEOUT * 4)
        self.assertEqual(out.returncode, status, f"millet {' '.join(arguments)}:\n{out.stdout}{out.stderr}")
        return out.stdout if status == 0 else out.stderr

    def test_a_rule_from_stdin_is_listed_run_and_traced(self):
        document = {"name": "Porch at night", "triggers": [{"type": "manual"}],
                    "conditions": [{"mode": "home"}],
                    "actions": [{"set": {"device": "Porch light", "properties": {"light.on": True}}},
                                {"notify": "porch on"}]}
        added = self.millet("rule", "add", "-", stdin=json.dumps(document))
        self.assertRegex(added, r"^rule Porch at night \(rl-[a-z0-9]+\) in Cabin\n$")
        self.assertIn("Porch at night", self.millet("rule", "list"))
        self.assertIn("\"name\": \"Porch at night\"", self.millet("rule", "show", "porch AT NIGHT"))
        self.assertIn("started", self.millet("rule", "run", "porch at night"))
        trace = self.millet("rule", "trace", "Porch at night")
        self.assertIn("trigger: manual: run by carol", trace)
        self.assertIn("✓ conditions[0].mode: the home's mode is home", trace)
        self.assertIn("actions[0]  set  Porch light: light.on = true  → queued", trace)
        self.assertIn("actions[1]  notify  porch on  → sent", trace)

        self.assertEqual(self.millet("home", "mode", "away"), "Cabin: mode away\n")
        self.millet("rule", "run", "porch at night")
        self.assertIn("✗ conditions[0].mode: the home's mode is away", self.millet("rule", "trace", "porch at night",
                                                                                  "--last", "1"))
        self.assertEqual(self.millet("home", "mode"), "Cabin: mode away\n")
        self.millet("home", "mode", "home")
        self.assertIn("disabled", self.millet("rule", "disable", "porch at night"))
        self.assertIn("the rule is disabled", self.millet("rule", "run", "porch at night", status=1))
        self.assertIn("removed rule Porch at night", self.millet("rule", "rm", "porch at night"))

    def test_bad_input_is_an_error_with_exit_status_1(self):
        bad = {"name": "Broken", "triggers": [{"type": "property", "device": "Garage", "property": "light.on"}],
               "actions": [{"notify": "x"}]}
        self.assertEqual(self.millet("rule", "add", "-", stdin=json.dumps(bad), status=1),
                         "triggers[0]: no device 'Garage' in this home\n")
        self.assertIn("not JSON", self.millet("rule", "add", "-", stdin="{nope", status=1))
        self.assertIn("cannot read", self.millet("rule", "add", "/nonexistent/rule.json", status=1))
        self.assertIn("you have no rule 'Nothing'", self.millet("rule", "show", "Nothing", status=1))
        self.assertIn("is not a place", self.millet("home", "locate", "north", "13.4", status=1))
        self.assertIn("mode 'holiday'", self.millet("home", "mode", "holiday", status=1))

    def test_home_locate_and_a_captured_scene(self):
        self.assertEqual(self.millet("home", "locate", "-33.87", "151.21", "--time-zone", "Australia/Sydney"),
                         "Cabin: at -33.87, 151.21; time zone Australia/Sydney\n")
        # A light of its own: the porch light has values queued by the other tests, sent when it connects.
        made = self.carol.ok("POST", f"/api/v1/homes/{self.home['id']}/devices",
                             {"name": "Garden light", "type": "light"}, expect=201)
        light = Device(self.broker, made)
        self.addCleanup(light.close)
        light.report({"light.on": True, "light.brightness": 40})
        captured = self.millet("scene", "capture", "Welcome", "garden light")
        self.assertIn("scene Welcome", captured)
        self.assertIn("Garden light: light.on=true light.brightness=40", captured)
        self.assertIn("Welcome", self.millet("scene", "list"))
        self.assertEqual(self.millet("scene", "apply", "welcome"), "scene Welcome: sent to 1 device(s)\n")
        self.assertEqual(light.next_set()["properties"], {"light.on": True, "light.brightness": 40})
        self.assertIn("removed scene Welcome", self.millet("scene", "rm", "Welcome"))


if __name__ == "__main__":
    unittest.main(verbosity=int(os.environ.get("MILLET_TEST_VERBOSITY", "2")))
