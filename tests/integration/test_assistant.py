"""The assistant on a running millet (docs/assistant.md, docs/api.md "The assistant"): sentences in
English and Chinese to the demo home's simulated devices, which obey and report back; follow-ups
in a conversation; questions answered from the devices' reported values; confirmations; timers
that run, are cancelled, and outlive a restart; who may talk to which home; bad requests; and
`millet say` on the command line, following up from one call to the next; and the optional
fallback, against a stand-in for an OpenAI-compatible chat server (no language model can be
downloaded here, so a small server on loopback plays its part of the protocol)."""

import http.server
import json
import os
import subprocess
import tempfile
import threading
import time
import unittest

from api_client import Api, EventStream, demo_sign_in_line
from brokers import Broker
from common import MILLET_BIN, wait_until


class AssistantTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.broker = Broker(kind="millet", demo=True).start()
        _, user, password, _ = demo_sign_in_line(cls.broker)
        cls.password = password
        cls.api = Api(cls.broker.http_port).login(user, password)
        cls.home = cls.api.ok("GET", "/api/v1/homes")["homes"][0]["id"]
        cls.devices = {d["name"]: d["id"] for d in cls.api.ok("GET", "/api/v1/devices")["devices"]}
        wait_until(lambda: all(cls.api.ok("GET", f"/api/v1/devices/{i}")["online"] for i in cls.devices.values()),
                   interval=0.1, message="every demo device online")

    @classmethod
    def tearDownClass(cls):
        cls.broker.close()

    def say(self, text: str, conversation: str | None = None, api: Api | None = None, **more) -> dict:
        body = {"text": text, **more}
        if conversation:
            body["conversation"] = conversation
        return (api or self.api).ok("POST", f"/api/v1/homes/{self.home}/assistant", body, expect=200)

    def reported(self, device: str, prop: str):
        state = self.api.ok("GET", f"/api/v1/devices/{self.devices[device]}")
        return state["properties"].get(prop, {}).get("value")

    def set(self, device: str, values: dict) -> None:
        self.api.ok("PUT", f"/api/v1/devices/{self.devices[device]}/properties", values, expect=200)

    def test_english_command_and_follow_up_reach_the_devices(self):
        self.set("Kitchen light", {"light.on": False})
        self.set("Bedroom light", {"light.on": False})
        turn = self.say("turn on the kitchen light")
        self.assertEqual((turn["intent"], turn["status"]), ("turn_on", "done"), turn)
        self.assertEqual(turn["targets"], [self.devices["Kitchen light"]])
        self.assertEqual(turn["results"], [{"status": "ok", "device": self.devices["Kitchen light"]}])
        self.assertEqual(turn["reply"], "Turned on the kitchen light.")
        self.assertTrue(self.reported("Kitchen light", "light.on"))

        # A change elsewhere in the registry (a sign-in makes a token) does not end the conversation.
        Api(self.broker.http_port).login("demo", self.password)
        follow = self.say("and the bedroom too", turn["conversation"])
        self.assertEqual(follow["conversation"], turn["conversation"])
        self.assertEqual(follow["targets"], [self.devices["Bedroom light"]], follow)
        self.assertTrue(self.reported("Bedroom light", "light.on"))

        # "a bit brighter" is relative to the value the light reports now.
        self.set("Bedroom light", {"light.brightness": 40})
        brighter = self.say("a bit brighter", turn["conversation"])
        self.assertEqual(brighter["intent"], "set_brightness", brighter)
        self.assertEqual(self.reported("Bedroom light", "light.brightness"), 50)

    def test_chinese_command_follow_up_and_question(self):
        self.set("Living room light", {"light.on": True})
        self.set("Bedroom light", {"light.on": True})
        turn = self.say("把客厅的灯关掉")
        self.assertEqual((turn["language"], turn["intent"], turn["status"]), ("zh", "turn_off", "done"), turn)
        self.assertIn("客厅灯", turn["reply"])
        self.assertFalse(self.reported("Living room light", "light.on"))
        follow = self.say("卧室的也关掉", turn["conversation"])
        self.assertEqual(follow["targets"], [self.devices["Bedroom light"]], follow)
        self.assertFalse(self.reported("Bedroom light", "light.on"))

        # The answer is the sensor's reported value, as the API shows it.
        humidity = self.say("客厅的湿度是多少")
        self.assertEqual((humidity["intent"], humidity["status"]), ("query", "answer"), humidity)
        value = self.reported("Living room sensor", "environment.relative-humidity")
        self.assertIn(f"{value:.1f}".rstrip("0").rstrip(".") + "%", humidity["reply"])

        ac = self.say("空调调到二十六度")
        self.assertEqual(ac["params"].get("value"), 26, ac)
        self.assertEqual(self.reported("Air conditioner", "air-conditioner.target-temperature"), 26)
        warmer = self.say("调高两度", ac["conversation"])
        self.assertEqual(self.reported("Air conditioner", "air-conditioner.target-temperature"), 28, warmer)

    def test_here_a_question_and_a_confirmation(self):
        self.set("Bedroom light", {"light.on": False})
        here = self.say("turn on the light", here="Bedroom")
        self.assertEqual(here["targets"], [self.devices["Bedroom light"]], here)
        self.assertTrue(self.reported("Bedroom light", "light.on"))
        asked = self.say("turn on the light")
        self.assertEqual(asked["status"], "clarify", asked)
        answered = self.say("the one in the kitchen", asked["conversation"])
        self.assertEqual(answered["targets"], [self.devices["Kitchen light"]], answered)

        unlock = self.say("unlock the front door")
        self.assertEqual((unlock["status"], unlock["operations"]), ("confirm", []), unlock)
        yes = self.say("yes", unlock["conversation"])
        self.assertEqual((yes["intent"], yes["status"]), ("unlock", "done"), yes)
        self.assertEqual(yes["results"][0]["status"], "ok", yes)

    def test_a_timer_runs_and_one_is_cancelled(self):
        self.set("Bedroom fan", {"fan-control.on": True})
        events = EventStream(self.broker.http_port, self.api.token, f"?home={self.home}")
        self.addCleanup(events.close)
        turn = self.say("turn off the bedroom fan in 2 seconds")
        self.assertEqual((turn["status"], turn["params"]), ("scheduled", {"delay": 2}), turn)
        timers = self.api.ok("GET", f"/api/v1/homes/{self.home}/timers")["timers"]
        self.assertEqual([t["id"] for t in timers], [turn["timer"]])
        self.assertTrue(self.reported("Bedroom fan", "fan-control.on"), "not before its time")
        ran = events.until(lambda e: e["type"] == "timer" and e["id"] == turn["timer"], timeout=10)
        self.assertEqual(ran["result"], "done")
        wait_until(lambda: self.reported("Bedroom fan", "fan-control.on") is False, interval=0.1,
                   message="the fan's report that it is off")
        self.assertEqual(self.api.ok("GET", f"/api/v1/homes/{self.home}/timers")["timers"], [])

        later = self.say("十分钟后关空调")
        self.assertEqual(later["status"], "scheduled", later)
        cancelled = self.say("取消定时")
        self.assertEqual(cancelled["status"], "cancelled", cancelled)
        self.assertEqual(self.api.ok("GET", f"/api/v1/homes/{self.home}/timers")["timers"], [])
        again = self.say("turn off the kettle in 10 minutes")
        self.api.ok("DELETE", f"/api/v1/homes/{self.home}/timers/{again['timer']}", expect=204)
        status, _ = self.api.request("DELETE", f"/api/v1/homes/{self.home}/timers/{again['timer']}")
        self.assertEqual(status, 404)

    def test_people_reach_only_their_homes_and_conversations(self):
        anonymous = Api(self.broker.http_port)
        status, _ = anonymous.request("POST", f"/api/v1/homes/{self.home}/assistant", {"text": "turn on the TV"})
        self.assertEqual(status, 401)
        self.api.ok("POST", "/api/v1/users", {"name": "mallory", "password": "mallory-password"}, expect=201)
        mallory = anonymous.login("mallory", "mallory-password")
        status, body = mallory.request("POST", f"/api/v1/homes/{self.home}/assistant", {"text": "unlock the front door"})
        self.assertEqual((status, body["error"]), (404, "not_found"))
        # Another person's conversation id in their own home is a new conversation.
        theirs = self.say("turn on the kitchen light")
        own = mallory.ok("POST", "/api/v1/homes", {"name": "Mallory's"}, expect=201)["id"]
        status, body = mallory.request("POST", f"/api/v1/homes/{own}/assistant",
                                       {"text": "and the bedroom too", "conversation": theirs["conversation"]})
        self.assertEqual(status, 200)
        self.assertNotEqual(body["conversation"], theirs["conversation"])
        self.assertEqual(body["operations"], [])

    def test_bad_requests_get_clear_errors(self):
        path = f"/api/v1/homes/{self.home}/assistant"
        for body, why in (({"text": ""}, "empty"), ({"text": "x" * 1001}, "1000"), ({}, "required"),
                          ({"text": 5}, "string"), ({"text": "turn on the light", "here": "Attic"}, "Attic")):
            status, answer = self.api.request("POST", path, body)
            self.assertEqual(status, 400, (body, answer))
            self.assertIn(why, answer["message"], answer)
        status, answer = self.api.request("POST", path, raw=b"{not json")
        self.assertEqual((status, answer["error"]), (400, "bad_json"))
        nonsense = self.say("qwerty zxcvb")
        self.assertEqual((nonsense["status"], nonsense["operations"]), ("not_understood", []), nonsense)

    def test_millet_say_follows_up_from_one_call_to_the_next(self):
        env = {**os.environ, "XDG_CONFIG_HOME": tempfile.mkdtemp(prefix="millet-say-"),
               "MILLET_SERVER": f"http://127.0.0.1:{self.broker.http_port}"}

        def millet(*arguments: str, stdin: str | None = None) -> str:
            out = subprocess.run([MILLET_BIN, *arguments], input=stdin, capture_output=True, text=True, timeout=60,
                                 env=env)
            self.assertEqual(out.returncode, 0, out.stderr)
            return out.stdout

        millet("login", "--user", "demo", stdin=self.password + "\n")
        self.set("Hall light", {"light.on": True})
        self.set("Bedroom light", {"light.on": True})
        self.assertEqual(millet("say", "turn off the hall light"), "Turned off the hall light.\n")
        self.assertEqual(millet("say", "and the bedroom too"), "Turned off the bedroom light.\n")
        self.assertFalse(self.reported("Bedroom light", "light.on"))
        self.assertIn("卧室", millet("say", "卧室的温度是多少"))
        # --new forgets: "turn it on" has nothing to refer to.
        self.assertNotIn("Turned on", millet("say", "--new", "turn it on"))
        # One per line from stdin, in one conversation; an empty line starts another.
        lines = millet("say", stdin="turn on the hall light\nand the bedroom too\n\nturn it off\n").splitlines()
        self.assertEqual(lines[:2], ["Turned on the hall light.", "Turned on the bedroom light."])
        self.assertNotIn("Turned off", lines[2])
        self.assertTrue(self.reported("Bedroom light", "light.on"))


class AssistantTimerRestartTest(unittest.TestCase):

    def test_a_timer_outlives_a_restart(self):
        broker = Broker(kind="millet", demo=True).start()
        self.addCleanup(broker.close)
        _, user, password, _ = demo_sign_in_line(broker)
        api = Api(broker.http_port).login(user, password)
        home = api.ok("GET", "/api/v1/homes")["homes"][0]["id"]
        turn = api.ok("POST", f"/api/v1/homes/{home}/assistant", {"text": "turn off the heater in 20 minutes"})
        self.assertEqual(turn["status"], "scheduled", turn)
        before = api.ok("GET", f"/api/v1/homes/{home}/timers")["timers"]
        broker.restart()
        api = Api(broker.http_port).login(user, password)
        self.assertEqual(api.ok("GET", f"/api/v1/homes/{home}/timers")["timers"], before)
        self.assertGreater(before[0]["due"], time.time() * 1000)


class StandInChatServer(http.server.ThreadingHTTPServer):
    """POST /v1/chat/completions answers as an OpenAI-compatible server would: the rewrite
    `rewrites` gives for the sentence after "Said: ", else NONE; every request is kept."""

    def __init__(self, rewrites: dict):
        self.rewrites = rewrites
        self.requests = []
        self.headers_seen = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append((self.path, body))
                outer.headers_seen.append(dict(self.headers))
                said = body["messages"][-1]["content"].rsplit("Said: ", 1)[-1]
                answer = {"id": "chat-1", "object": "chat.completion", "model": body.get("model", ""),
                          "choices": [{"index": 0, "finish_reason": "stop",
                                       "message": {"role": "assistant", "content": outer.rewrites.get(said, "NONE")}}]}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)


class AssistantFallbackTest(unittest.TestCase):

    def test_sentences_it_does_not_understand_are_rewritten_by_the_chat_server(self):
        chat = StandInChatServer({"I can't see a thing in the kitchen": "turn on the kitchen light",
                                  "厨房里什么都看不见": "打开厨房的灯", "sing me a song about bananas": "NONE"})
        threading.Thread(target=chat.serve_forever, daemon=True).start()
        os.environ["MILLET_ASSISTANT_API_KEY"] = "sk-test-key"
        self.addCleanup(os.environ.pop, "MILLET_ASSISTANT_API_KEY")
        broker = Broker(kind="millet", demo=True, assistant_fallback=f"http://127.0.0.1:{chat.server_port}/v1",
                        assistant_model="tiny-model").start()
        self.addCleanup(broker.close)
        _, user, password, _ = demo_sign_in_line(broker)
        api = Api(broker.http_port).login(user, password)
        home = api.ok("GET", "/api/v1/homes")["homes"][0]["id"]
        kitchen = next(d["id"] for d in api.ok("GET", "/api/v1/devices")["devices"] if d["name"] == "Kitchen light")
        wait_until(lambda: api.ok("GET", f"/api/v1/devices/{kitchen}")["online"], interval=0.1, message="online")
        api.ok("PUT", f"/api/v1/devices/{kitchen}/properties", {"light.on": False}, expect=200)

        def say(text):
            return api.ok("POST", f"/api/v1/homes/{home}/assistant", {"text": text}, expect=200)

        # Understood by the grammar: the chat server is not asked.
        self.assertEqual(say("turn off the kitchen light")["status"], "done")
        self.assertEqual(chat.requests, [])

        turn = say("I can't see a thing in the kitchen")
        self.assertEqual((turn["intent"], turn["status"], turn["rewritten"]),
                         ("turn_on", "done", "turn on the kitchen light"), turn)
        self.assertTrue(api.ok("GET", f"/api/v1/devices/{kitchen}")["properties"]["light.on"]["value"])
        path, request = chat.requests[-1]
        self.assertEqual((path, request["model"]), ("/v1/chat/completions", "tiny-model"))
        self.assertIn("Kitchen light", request["messages"][-1]["content"], "the home's names go with it")
        self.assertEqual(chat.headers_seen[-1]["Authorization"], "Bearer sk-test-key")

        chinese = say("厨房里什么都看不见")
        self.assertEqual((chinese["language"], chinese["rewritten"]), ("zh", "打开厨房的灯"), chinese)

        # NONE, or nothing the grammar understands: not understood, nothing done.
        refused = say("sing me a song about bananas")
        self.assertEqual((refused["status"], refused["operations"]), ("not_understood", []), refused)
        self.assertNotIn("rewritten", refused)

        # The chat server gone: the sentence is not understood, and says so at once.
        chat.shutdown()
        chat.server_close()
        started = time.monotonic()
        gone = say("I can't see a thing in the kitchen")
        self.assertEqual(gone["status"], "not_understood", gone)
        self.assertLess(time.monotonic() - started, 5)
        # The log reaches the test through a pipe its reader drains: wait for the warning rather than race it.
        wait_until(lambda: "assistant fallback" in broker.log(), interval=0.05, message="the fallback's warning in the log")


if __name__ == "__main__":
    unittest.main(verbosity=int(os.environ.get("MILLET_TEST_VERBOSITY", "2")))
