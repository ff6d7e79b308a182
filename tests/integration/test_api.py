"""The HTTP API (docs/api.md) driven over HTTP, with devices that are real MQTT clients (paho):
accounts and tokens, homes, rooms, sharing, devices, property get/set, action calls, history,
the WebSocket event stream, and each kind of bad input answered with a clear error that
stores nothing."""

import json
import os
import queue
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from api_client import Api, EventStream  # noqa: E402
from brokers import Broker  # noqa: E402
from common import MQTT_V5, TIMEOUT, millet_only  # noqa: E402
from mqtt_wire import CONNACK, RawClient, connect_packet  # noqa: E402
from paho_client import MqttClient  # noqa: E402


class Device:
    """A device played by paho: applies sets (reporting the values, then answering ok),
    refuses brightness 99, and answers actions from `action_out`."""

    def __init__(self, broker: Broker, made: dict, clean: bool = False):
        self.id = made["id"]
        self.client = MqttClient(broker, client_id=self.id, version=MQTT_V5, clean=clean)
        self.client.paho.username_pw_set(self.id, made["secret"])
        self.sets: "queue.Queue[dict]" = queue.Queue()
        self.actions: "queue.Queue[dict]" = queue.Queue()
        self.action_out: dict = {}
        self.answer = True
        self.client.paho.on_message = self._on_message

    def _on_message(self, client, userdata, msg):
        request = json.loads(msg.payload)
        if msg.topic.endswith("/set"):
            self.sets.put(request)
            if not self.answer:
                return
            if request["properties"].get("light.brightness") == 99:
                client.publish(f"$device/{self.id}/set/result",
                               json.dumps({"id": request["id"], "status": "error", "message": "too bright"}), 1)
                return
            client.publish(f"$device/{self.id}/report", json.dumps({"properties": request["properties"]}), 1)
            client.publish(f"$device/{self.id}/set/result", json.dumps({"id": request["id"], "status": "ok"}), 1)
        elif msg.topic.endswith("/action"):
            self.actions.put(request)
            if self.answer:
                client.publish(f"$device/{self.id}/action/result",
                               json.dumps({"id": request["id"], "status": "ok", "out": self.action_out}), 1)

    def connect(self) -> "Device":
        self.client.connect()
        self.client.subscribe(f"$device/{self.id}/set", qos=1)
        self.client.subscribe(f"$device/{self.id}/action", qos=1)
        return self

    def report(self, properties: dict, **extra) -> None:
        self.client.publish(f"$device/{self.id}/report", json.dumps({"properties": properties, **extra}), qos=1)

    def close(self) -> None:
        self.client.close()


@millet_only("the HTTP API is millet's")
class ApiTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        # The API alone: with the web app, a path outside /api/ is one of the app's (index.html).
        cls.broker = Broker(kind="millet", web_dir="off").start()
        cls.anonymous = Api(cls.broker.http_port)
        cls.anonymous.ok("POST", "/api/v1/users", {"name": "alice", "password": "alice-password"}, expect=201)
        cls.alice = cls.anonymous.login("alice", "alice-password")
        cls.alice.ok("POST", "/api/v1/users", {"name": "bob", "password": "bob-password"}, expect=201)
        cls.bob = cls.anonymous.login("bob", "bob-password")
        cls.home = cls.alice.ok("POST", "/api/v1/homes", {"name": "Flat"}, expect=201)
        cls.hall = cls.alice.ok("POST", f"/api/v1/homes/{cls.home['id']}/rooms", {"name": "Hall"}, expect=201)
        cls.bob_home = cls.bob.ok("POST", "/api/v1/homes", {"name": "Bob's place"}, expect=201)

    @classmethod
    def tearDownClass(cls):
        cls.broker.close()

    def add_device(self, name: str, kind: str = "light", api: Api | None = None, home: dict | None = None) -> dict:
        api = api or self.alice
        home = home or self.home
        return api.ok("POST", f"/api/v1/homes/{home['id']}/devices", {"name": name, "type": kind, "room": "Hall"}
                      if home is self.home else {"name": name, "type": kind}, expect=201)

    def device(self, made: dict, clean: bool = False) -> Device:
        device = Device(self.broker, made, clean=clean).connect()
        self.addCleanup(device.close)
        return device

    def state(self, device_id: str, api: Api | None = None) -> dict:
        return (api or self.alice).ok("GET", f"/api/v1/devices/{device_id}", expect=200)

    # --- accounts and tokens -------------------------------------------------------------

    def test_accounts_after_the_first_are_made_by_a_signed_in_user(self):
        status, answer = self.anonymous.request("POST", "/api/v1/users", {"name": "mallory", "password": "password-1"})
        self.assertEqual(status, 401)
        self.assertEqual(answer["error"], "unauthorized")
        status, answer = self.alice.request("POST", "/api/v1/users", {"name": "bob", "password": "another-one"})
        self.assertEqual((status, answer["error"]), (409, "conflict"))

    def test_a_request_without_a_valid_token_is_refused(self):
        status, answer = self.anonymous.request("GET", "/api/v1/homes")
        self.assertEqual((status, answer["error"]), (401, "unauthorized"))
        status, answer = self.anonymous.request("GET", "/api/v1/homes", token="mlt_not-a-token")
        self.assertEqual((status, answer["error"]), (401, "unauthorized"))
        status, answer = self.anonymous.request("POST", "/api/v1/login", {"user": "alice", "password": "wrong-one"})
        self.assertEqual((status, answer["error"]), (401, "unauthorized"))
        self.assertEqual(self.alice.ok("GET", "/api/v1/me")["name"], "alice")

    def test_logging_out_revokes_the_token(self):
        session = self.anonymous.login("alice", "alice-password")
        self.assertEqual(session.request("GET", "/api/v1/me")[0], 200)
        session.ok("POST", "/api/v1/logout", expect=204)
        self.assertEqual(session.request("GET", "/api/v1/me")[0], 401)

    # --- homes, rooms, sharing -----------------------------------------------------------------

    def test_a_home_is_invisible_to_people_without_a_role_in_it(self):
        status, answer = self.bob.request("GET", f"/api/v1/homes/{self.home['id']}")
        self.assertEqual((status, answer["error"]), (404, "not_found"))
        names = [h["name"] for h in self.bob.ok("GET", "/api/v1/homes")["homes"]]
        self.assertNotIn("Flat", names)

    def test_sharing_a_home_gives_the_other_user_its_devices(self):
        home = self.alice.ok("POST", "/api/v1/homes", {"name": "Cottage"}, expect=201)
        lamp = self.alice.ok("POST", f"/api/v1/homes/{home['id']}/devices", {"name": "Lamp", "type": "light"},
                             expect=201)
        self.assertEqual(self.bob.request("GET", f"/api/v1/devices/{lamp['id']}")[0], 404)
        self.alice.ok("POST", f"/api/v1/homes/{home['id']}/members", {"user": "bob", "role": "guest"})
        self.assertEqual(self.state(lamp["id"], self.bob)["name"], "Lamp")
        # A guest controls devices but may not add them.
        status, answer = self.bob.request("POST", f"/api/v1/homes/{home['id']}/devices",
                                          {"name": "Bob's lamp", "type": "light"})
        self.assertEqual(status, 403, answer)
        self.alice.ok("DELETE", f"/api/v1/homes/{home['id']}/members/{self.bob.ok('GET', '/api/v1/me')['id']}")
        self.assertEqual(self.bob.request("GET", f"/api/v1/devices/{lamp['id']}")[0], 404)

    # --- devices ------------------------------------------------------------------------------

    def test_adding_a_device_gives_its_id_and_secret_once(self):
        made = self.add_device("Desk lamp")
        self.assertTrue(made["id"].startswith("d-"))
        self.assertEqual(len(made["secret"]), 43)
        self.assertEqual(made["room"], self.hall["id"])
        state = self.state(made["id"])
        self.assertNotIn("secret", state)
        self.assertEqual((state["online"], state["properties"], state["desired"]), (False, {}, {}))
        listed = {d["id"] for d in self.alice.ok("GET", "/api/v1/devices")["devices"]}
        self.assertIn(made["id"], listed)

    def test_a_device_that_does_not_exist_or_is_in_another_home_is_not_found(self):
        for api, device_id in ((self.alice, "d-doesnotexist"), (self.bob, self.add_device("Private light")["id"])):
            for method, path, body in (("GET", "", None), ("PUT", "/properties", {"light.on": True}),
                                       ("GET", "/history?property=light.on", None),
                                       ("POST", "/actions/light.toggle", {})):
                status, answer = api.request(method, f"/api/v1/devices/{device_id}{path}", body)
                self.assertEqual((status, answer["error"]), (404, "not_found"), (method, path, answer))

    def test_renaming_and_removing_a_device(self):
        made = self.add_device("Old name")
        renamed = self.alice.ok("PATCH", f"/api/v1/devices/{made['id']}", {"name": "New name", "aliases": ["nn"]})
        self.assertEqual((renamed["name"], renamed["aliases"]), ("New name", ["nn"]))
        self.alice.ok("DELETE", f"/api/v1/devices/{made['id']}", expect=204)
        self.assertEqual(self.alice.request("GET", f"/api/v1/devices/{made['id']}")[0], 404)

    def test_revoking_a_device_disconnects_it(self):
        made = self.add_device("Revoked light")
        device = self.device(made)
        self.alice.ok("POST", f"/api/v1/devices/{made['id']}/revoke", expect=204)
        self.assertIsNotNone(device.client.wait_disconnected())
        again = Device(self.broker, made)
        self.addCleanup(again.close)
        again.client.connect(expect_rc=0x87)

    def test_the_spec_of_each_type_is_served(self):
        types = self.alice.ok("GET", "/api/v1/spec/types")["types"]
        self.assertGreaterEqual(len(types), 40)
        light = self.alice.ok("GET", "/api/v1/spec/types/light")
        self.assertIn("light", [s["name"] for s in light["services"]])
        self.assertEqual(self.alice.request("GET", "/api/v1/spec/types/teapot")[0], 404)

    # --- setting properties ------------------------------------------------------------------------

    def test_a_set_reaches_the_device_and_its_answer_comes_back(self):
        made = self.add_device("Obedient light")
        device = self.device(made)
        answer = self.alice.ok("PUT", f"/api/v1/devices/{made['id']}/properties", {"light.brightness": 50}, expect=200)
        self.assertEqual(answer["status"], "ok")
        sent = device.sets.get(timeout=TIMEOUT)
        self.assertEqual((sent["id"], sent["properties"]), (answer["request"], {"light.brightness": 50}))
        state = self.state(made["id"])
        self.assertEqual(state["properties"]["light.brightness"]["value"], 50)
        self.assertEqual(state["desired"], {})
        self.assertTrue(state["online"])

    def test_a_set_the_device_refuses_is_a_409_and_is_not_kept(self):
        made = self.add_device("Stubborn light")
        self.device(made)
        status, answer = self.alice.request("PUT", f"/api/v1/devices/{made['id']}/properties", {"light.brightness": 99})
        self.assertEqual((status, answer["error"], answer["message"]), (409, "device_refused", "too bright"))
        self.assertEqual(self.state(made["id"])["desired"], {})

    def test_a_write_only_value_is_done_when_the_device_says_ok(self):
        blind = self.add_device("Bedroom blind", "blind")
        self.device(blind)
        answer = self.alice.ok("PUT", f"/api/v1/devices/{blind['id']}/properties",
                               {"window-covering.motor-control": 1}, expect=200)
        self.assertEqual(answer["status"], "ok")
        self.assertEqual(self.state(blind["id"])["desired"], {}, "a motor command is not sent again on reconnection")

    def test_a_set_for_an_offline_device_waits_for_it(self):
        made = self.add_device("Sleepy light")
        answer = self.alice.ok("PUT", f"/api/v1/devices/{made['id']}/properties",
                               {"light.brightness": 42, "light.on": True}, expect=202)
        self.assertEqual(answer["status"], "queued")
        desired = self.state(made["id"])["desired"]
        self.assertEqual({k: v["value"] for k, v in desired.items()}, {"light.brightness": 42, "light.on": True})
        device = self.device(made, clean=True)  # a new session: the values are sent again on SUBSCRIBE
        sent = device.sets.get(timeout=TIMEOUT)
        self.assertEqual(sent["properties"], {"light.brightness": 42, "light.on": True})
        deadline = time.monotonic() + TIMEOUT
        while self.state(made["id"])["desired"] and time.monotonic() < deadline:
            time.sleep(0.05)
        state = self.state(made["id"])
        self.assertEqual(state["desired"], {}, "reported values settle the desired ones")
        self.assertEqual(state["properties"]["light.brightness"]["value"], 42)

    def test_a_device_that_does_not_answer_gets_a_202_and_its_values_stay_desired(self):
        made = self.add_device("Silent light")
        device = self.device(made)
        device.answer = False
        answer = self.alice.ok("PUT", f"/api/v1/devices/{made['id']}/properties?wait=200", {"light.on": False},
                               expect=202)
        self.assertEqual(answer["status"], "timeout")
        self.assertIn("light.on", self.state(made["id"])["desired"])

    def test_bad_values_are_refused_with_the_rule_and_nothing_is_stored(self):
        made = self.add_device("Checked light")
        sensor = self.add_device("Checked sensor", "temperature-humidity-sensor")
        device = self.device(made)
        cases = [
            ({"light.brightness": 140}, "light.brightness = 140 is outside [1, 100]"),
            ({"light.brightness": "bright"}, "light.brightness"),
            ({"light.on": 1}, "light.on"),
            ({"light.volume": 3}, "has no property 'light.volume'"),
            ({}, "at least one property"),
            ({"light.on": True, "light.brightness": 0}, "light.brightness = 0"),  # whole or nothing
        ]
        for body, expected in cases:
            status, answer = self.alice.request("PUT", f"/api/v1/devices/{made['id']}/properties", body)
            self.assertEqual((status, answer["error"]), (400, "invalid"), body)
            self.assertIn(expected, answer["message"])
            self.assertIn("Checked light", answer["message"]) if body else None
        status, answer = self.alice.request("PUT", f"/api/v1/devices/{sensor['id']}/properties",
                                            {"environment.temperature": 20})
        self.assertEqual(status, 400)
        self.assertIn("environment.temperature", answer["message"])
        self.assertIn("cannot be written", answer["message"])
        for raw in (b"{not json", b"[1, 2]", b"", b"\xff\xfe"):
            status, answer = self.alice.request("PUT", f"/api/v1/devices/{made['id']}/properties", raw=raw)
            self.assertEqual((status, answer["error"]), (400, "bad_json"), raw)
        status, answer = self.alice.request("PUT", f"/api/v1/devices/{made['id']}/properties",
                                            raw=b'{"light.on": true, "x": "' + b"a" * (2 << 20) + b'"}')
        self.assertEqual((status, answer["error"]), (413, "too_large"))
        self.assertEqual(self.state(made["id"])["desired"], {})
        self.assertTrue(device.sets.empty(), "nothing reached the device")

    def test_bad_reports_from_a_device_store_nothing(self):
        light = self.add_device("Chatty light")
        other = self.add_device("Neighbour light")
        raw = RawClient(self.broker)
        self.addCleanup(raw.close)
        raw.send(connect_packet(light["id"], MQTT_V5, username=light["id"], password=light["secret"].encode()))
        self.assertEqual(raw.expect(CONNACK).reason_code, 0)
        own = f"$device/{light['id']}/report"
        self.assertEqual(raw.publish(own, json.dumps({"properties": {"light.brightness": 30}}), qos=1).reason_code, 0)
        bad = [
            (own, {"properties": {"light.brightness": 140}}, 0x99, "is outside [1, 100]"),
            (own, {"properties": {"light.brightness": "dim"}}, 0x99, "is not a number"),
            (own, {"properties": {"device-information.model": "x" * 5000}}, 0x99, "longer than"),
            (own, "{not json", 0x99, "not valid JSON"),
            (f"$device/{other['id']}/report", {"properties": {"light.brightness": 5}}, 0x87, ""),
        ]
        for topic, payload, code, reason in bad:
            text = payload if isinstance(payload, str) else json.dumps(payload)
            ack = raw.publish(topic, text, qos=1)
            self.assertEqual(ack.reason_code, code, (topic, text[:60]))
            self.assertIn(reason, ack.properties.get("reason_string", ""), text[:60])
        state = self.state(light["id"])
        self.assertEqual(state["properties"]["light.brightness"]["value"], 30)
        self.assertNotIn("device-information.model", state["properties"])
        history = self.alice.ok("GET", f"/api/v1/devices/{light['id']}/history?property=light.brightness&from=-1h")
        self.assertEqual([p["value"] for p in history["points"]], [30])
        self.assertEqual(self.state(other["id"])["properties"], {}, "nothing reached the other device's shadow")

    def test_unknown_paths_and_methods_get_json_errors(self):
        status, answer = self.alice.request("GET", "/api/v1/teapots")
        self.assertEqual((status, answer["error"]), (404, "not_found"))
        status, answer = self.alice.request("DELETE", "/api/v1/homes")
        self.assertEqual((status, answer["error"]), (405, "method_not_allowed"))
        status, answer = self.alice.request("GET", "/nowhere")
        self.assertEqual((status, answer["error"]), (404, "not_found"))
        status, answer = self.alice.request("GET", "/api/v1/events")
        self.assertEqual((status, answer["error"]), (426, "upgrade_required"))

    # --- actions --------------------------------------------------------------------------------------

    def test_an_action_call_returns_the_devices_output(self):
        speaker = self.add_device("Kitchen speaker", "speaker")
        device = self.device(speaker)
        spec = self.alice.ok("GET", "/api/v1/spec/types/speaker")
        action = next(a for s in spec["services"] for a in s.get("actions", []) if a["name"] == "play-text")
        self.assertTrue(action)
        answer = self.alice.ok("POST", f"/api/v1/devices/{speaker['id']}/actions/speaker.play-text",
                               {"speaker.text-content": "Dinner is ready"}, expect=200)
        self.assertEqual(answer["status"], "ok")
        sent = device.actions.get(timeout=TIMEOUT)
        self.assertEqual((sent["action"], sent["in"]), ("speaker.play-text", {"speaker.text-content": "Dinner is ready"}))
        status, answer = self.alice.request("POST", f"/api/v1/devices/{speaker['id']}/actions/speaker.play-text", {})
        self.assertEqual(status, 400)
        self.assertIn("needs its argument", answer["message"])
        status, answer = self.alice.request("POST", f"/api/v1/devices/{speaker['id']}/actions/speaker.dance", {})
        self.assertEqual(status, 400)
        self.assertIn("no action 'speaker.dance'", answer["message"])

    def test_an_action_for_an_offline_device_is_refused(self):
        speaker = self.add_device("Unplugged speaker", "speaker")
        status, answer = self.alice.request("POST", f"/api/v1/devices/{speaker['id']}/actions/speaker.play-text",
                                            {"speaker.text-content": "hello"})
        self.assertEqual((status, answer["error"], answer["status"]), (409, "offline", "offline"))
        self.assertIn("offline", answer["message"])

    # --- history ---------------------------------------------------------------------------------------

    def test_history_returns_reported_values_at_the_level_the_span_calls_for(self):
        made = self.add_device("Recorded sensor", "temperature-humidity-sensor")
        device = self.device(made)
        now = int(time.time() * 1000)
        for i, value in enumerate((20.5, 21.0, 22.5)):
            device.report({"environment.temperature": value}, time=now - 3000 + i * 1000)
        path = f"/api/v1/devices/{made['id']}/history?property=environment.temperature"
        raw = self.alice.ok("GET", path + "&from=-1h")
        self.assertEqual((raw["level"], raw["unit"]), ("raw", "celsius"))
        self.assertEqual([p["value"] for p in raw["points"]], [20.5, 21.0, 22.5])
        hourly = self.alice.ok("GET", path + "&from=-100d")
        self.assertEqual(hourly["level"], "1h")
        self.assertEqual(sum(r["count"] for r in hourly["rollups"]), 3)
        self.assertAlmostEqual(sum(r["avg"] * r["count"] for r in hourly["rollups"]), 64.0)
        for bad in ("&from=yesterday", "&level=2m", "&limit=0", "&from=now&to=-1h"):
            status, answer = self.alice.request("GET", path + bad)
            self.assertEqual((status, answer["error"]), (400, "invalid"), bad)
        status, answer = self.alice.request("GET", f"/api/v1/devices/{made['id']}/history?property=light.on")
        self.assertEqual(status, 400)

    # --- the event stream ----------------------------------------------------------------------------------

    def test_the_event_stream_shows_reports_and_online_changes_of_the_callers_homes_only(self):
        made = self.add_device("Watched light")
        bobs = self.bob.ok("POST", f"/api/v1/homes/{self.bob_home['id']}/devices", {"name": "Bob's light", "type": "light"},
                           expect=201)
        alice_events = EventStream(self.broker.http_port, self.alice.token)
        self.addCleanup(alice_events.close)
        self.assertEqual(alice_events.status, 101, alice_events.head)
        bob_events = EventStream(self.broker.http_port, None, f"?token={self.bob.token}")
        self.addCleanup(bob_events.close)
        self.assertEqual(bob_events.status, 101)
        device = self.device(made)
        online = alice_events.until(lambda e: e["device"] == made["id"])
        self.assertEqual((online["type"], online["home"]), ("online", self.home["id"]))
        device.report({"light.brightness": 77})
        report = alice_events.until(lambda e: e["type"] == "report" and e["device"] == made["id"])
        self.assertEqual(report["properties"], {"light.brightness": 77})
        bobs_device = self.device(bobs)
        bobs_device.report({"light.on": True})
        mine = bob_events.until(lambda e: e["type"] == "report")
        self.assertEqual(mine["device"], bobs["id"])
        self.assertEqual([e for e in alice_events.quiet() if e["device"] == bobs["id"]], [],
                         "alice sees nothing of bob's home")
        device.close()
        offline = alice_events.until(lambda e: e["device"] == made["id"] and e["type"] == "offline")
        self.assertEqual(offline["home"], self.home["id"])

    def test_an_event_stream_ends_with_its_token(self):
        made = self.add_device("Logged-out light")
        session = self.anonymous.login("alice", "alice-password")
        stream = EventStream(self.broker.http_port, session.token)
        self.addCleanup(stream.close)
        self.assertEqual(stream.status, 101)
        device = self.device(made)
        device.report({"light.brightness": 10})
        stream.until(lambda e: e["type"] == "report" and e["device"] == made["id"])
        session.ok("POST", "/api/v1/logout", expect=204)
        device.report({"light.brightness": 20})
        self.assertEqual([e for e in stream.quiet() if e["device"] == made["id"]], [],
                         "nothing after the token was revoked")

    def test_the_event_stream_needs_a_token(self):
        stream = EventStream(self.broker.http_port, None)
        self.addCleanup(stream.close)
        self.assertEqual(stream.status, 401)


if __name__ == "__main__":
    unittest.main()
