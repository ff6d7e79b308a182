"""docs/openapi.yaml against the code: the document is well formed (OpenAPI 3, operations with
responses, every $ref resolves), it lists exactly the routes src/api/api.cc serves (ROUTES
below), and a running millet serves every documented operation — answering with a status the
document lists — and none of the methods it leaves out."""

import http.client
import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    import yaml  # Debian: python3-yaml
except ImportError:  # a clear message instead of a bare traceback
    raise ImportError("test_openapi.py needs PyYAML for /usr/bin/python3: apt-get install python3-yaml") from None

from api_client import Api, EventStream  # noqa: E402
from brokers import Broker  # noqa: E402
from common import HOST, REPO, TIMEOUT, millet_only  # noqa: E402

DOCUMENT = REPO / "docs" / "openapi.yaml"

# Every route src/api/api.cc serves, as (method, path template). Api::handle serves /healthz;
# Api::route serves login, users, me, logout and spec/...; Api::route_homes the /homes tree;
# Api::route_devices the /devices tree (properties take PUT, PATCH and POST alike);
# Api::route_home_automations, route_rules and route_scenes the automations; Api::route_assistant
# the assistant and its timers; and
# Api::accept_websocket the event stream. A route added there must be added here and to
# docs/openapi.yaml.
ROUTES = {
    ("GET", "/healthz"),
    ("POST", "/api/v1/login"),
    ("POST", "/api/v1/users"),
    ("GET", "/api/v1/me"),
    ("POST", "/api/v1/logout"),
    ("GET", "/api/v1/spec/types"),
    ("GET", "/api/v1/spec/types/{type}"),
    ("GET", "/api/v1/homes"),
    ("POST", "/api/v1/homes"),
    ("GET", "/api/v1/homes/{home}"),
    ("GET", "/api/v1/homes/{home}/rooms"),
    ("POST", "/api/v1/homes/{home}/rooms"),
    ("DELETE", "/api/v1/homes/{home}/rooms/{room}"),
    ("POST", "/api/v1/homes/{home}/members"),
    ("DELETE", "/api/v1/homes/{home}/members/{user}"),
    ("GET", "/api/v1/homes/{home}/devices"),
    ("POST", "/api/v1/homes/{home}/devices"),
    ("GET", "/api/v1/devices"),
    ("GET", "/api/v1/devices/{device}"),
    ("PATCH", "/api/v1/devices/{device}"),
    ("DELETE", "/api/v1/devices/{device}"),
    ("GET", "/api/v1/devices/{device}/properties"),
    ("PUT", "/api/v1/devices/{device}/properties"),
    ("PATCH", "/api/v1/devices/{device}/properties"),
    ("POST", "/api/v1/devices/{device}/properties"),
    ("POST", "/api/v1/devices/{device}/actions/{action}"),
    ("GET", "/api/v1/devices/{device}/history"),
    ("POST", "/api/v1/devices/{device}/secret"),
    ("POST", "/api/v1/devices/{device}/revoke"),
    ("GET", "/api/v1/homes/{home}/rules"),
    ("POST", "/api/v1/homes/{home}/rules"),
    ("GET", "/api/v1/homes/{home}/scenes"),
    ("POST", "/api/v1/homes/{home}/scenes"),
    ("POST", "/api/v1/homes/{home}/scenes/capture"),
    ("GET", "/api/v1/homes/{home}/settings"),
    ("PATCH", "/api/v1/homes/{home}/settings"),
    ("POST", "/api/v1/homes/{home}/hooks/{hook}"),
    ("POST", "/api/v1/homes/{home}/assistant"),
    ("GET", "/api/v1/homes/{home}/timers"),
    ("DELETE", "/api/v1/homes/{home}/timers/{timer}"),
    ("GET", "/api/v1/rules/{rule}"),
    ("PUT", "/api/v1/rules/{rule}"),
    ("DELETE", "/api/v1/rules/{rule}"),
    ("POST", "/api/v1/rules/{rule}/enable"),
    ("POST", "/api/v1/rules/{rule}/disable"),
    ("POST", "/api/v1/rules/{rule}/run"),
    ("GET", "/api/v1/rules/{rule}/traces"),
    ("GET", "/api/v1/scenes/{scene}"),
    ("PUT", "/api/v1/scenes/{scene}"),
    ("DELETE", "/api/v1/scenes/{scene}"),
    ("POST", "/api/v1/scenes/{scene}/apply"),
    ("GET", "/api/v1/events"),
}

OPERATIONS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")
# The methods probed on each documented path (HEAD answers have no body to read the error from).
PROBED = ("GET", "POST", "PUT", "PATCH", "DELETE")
EVENTS = "/api/v1/events"


def load_document() -> dict:
    with open(DOCUMENT, encoding="utf-8") as f:
        return yaml.safe_load(f)


def resolve(document: dict, ref: str):
    """The node a local $ref ("#/components/schemas/User") points to; KeyError if none."""
    if not ref.startswith("#/"):
        raise KeyError(f"{ref}: only local references are used")
    node = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            node = node[int(part)]
        else:
            node = node[part]
    return node


def deref(document: dict, node):
    while isinstance(node, dict) and "$ref" in node:
        node = resolve(document, node["$ref"])
    return node


def documented_operations(document: dict) -> dict:
    """{(METHOD, path): (operation, path item)}."""
    found = {}
    for path, item in document["paths"].items():
        for method in OPERATIONS:
            if method in item:
                found[(method.upper(), path)] = (item[method], item)
    return found


def parameters_of(document: dict, item: dict, operation: dict) -> list:
    """The operation's parameters with the path item's, references resolved (the operation's win)."""
    merged = {}
    for parameter in item.get("parameters", []) + operation.get("parameters", []):
        parameter = deref(document, parameter)
        merged[(parameter["name"], parameter["in"])] = parameter
    return list(merged.values())


class OpenApiDocumentTest(unittest.TestCase):
    """The document alone."""

    @classmethod
    def setUpClass(cls):
        cls.document = load_document()

    def test_it_is_openapi_3_with_info_and_paths(self):
        self.assertRegex(str(self.document.get("openapi")), r"^3\.\d+\.\d+$")
        self.assertTrue(self.document["info"]["title"])
        self.assertTrue(str(self.document["info"]["version"]))
        self.assertTrue(self.document["paths"])

    def test_no_value_is_null(self):
        # The usual YAML slip: a comma in an unquoted string of a flow mapping
        # ({description: a, b}) splits it into a key with a null value.
        def walk(node, where):
            if isinstance(node, dict):
                for key, value in node.items():
                    self.assertIsNotNone(value, f"{where}/{key} is null")
                    walk(value, f"{where}/{key}")
            elif isinstance(node, list):
                for i, value in enumerate(node):
                    walk(value, f"{where}/{i}")

        walk(self.document, "")

    def test_every_path_has_operations_and_every_operation_responses(self):
        operation_ids = []
        for path, item in self.document["paths"].items():
            self.assertTrue(path.startswith("/"), path)
            operations = [m for m in OPERATIONS if m in item]
            self.assertTrue(operations, f"{path} has no operation")
            for method in operations:
                operation = item[method]
                responses = operation.get("responses")
                self.assertIsInstance(responses, dict, f"{method} {path}")
                self.assertTrue(responses, f"{method.upper()} {path} has no responses")
                for code, response in responses.items():
                    self.assertRegex(str(code), r"^([1-5]\d\d|[1-5]XX|default)$", f"{method} {path}")
                    self.assertIn("description", deref(self.document, response), f"{method} {path} {code}")
                if "operationId" in operation:
                    operation_ids.append(operation["operationId"])
        self.assertEqual(len(operation_ids), len(set(operation_ids)), "operationIds are unique")

    def test_every_ref_resolves(self):
        refs = []

        def walk(node):
            if isinstance(node, dict):
                if "$ref" in node:
                    refs.append(node["$ref"])
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(self.document)
        self.assertTrue(refs)
        for ref in refs:
            try:
                resolve(self.document, ref)
            except (KeyError, IndexError, ValueError, TypeError) as error:
                self.fail(f"$ref {ref} does not resolve ({error!r})")

    def test_path_parameters_match_the_templates(self):
        for (method, path), (operation, item) in documented_operations(self.document).items():
            in_template = set(re.findall(r"\{([^}]+)\}", path))
            declared = {p["name"] for p in parameters_of(self.document, item, operation) if p["in"] == "path"}
            self.assertEqual(in_template, declared, f"{method} {path}")
            for parameter in parameters_of(self.document, item, operation):
                if parameter["in"] == "path":
                    self.assertTrue(parameter.get("required"), f"{method} {path}: {parameter['name']}")

    def test_security_names_defined_schemes(self):
        schemes = self.document["components"]["securitySchemes"]
        self.assertEqual((schemes["bearer"]["type"], schemes["bearer"]["scheme"]), ("http", "bearer"))
        self.assertEqual((schemes["queryToken"]["in"], schemes["queryToken"]["name"]), ("query", "token"))
        requirements = list(self.document.get("security", []))
        for operation, _ in documented_operations(self.document).values():
            requirements += operation.get("security", [])
        for requirement in requirements:
            for name in requirement:
                self.assertIn(name, schemes)
        events, _ = documented_operations(self.document)[("GET", EVENTS)]
        self.assertIn({"queryToken": []}, events["security"])

    def test_the_schemas_the_brief_names_exist(self):
        schemas = self.document["components"]["schemas"]
        for name in ("User", "Home", "Room", "Member", "Device", "NewDevice", "DeviceState", "CommandResult",
                     "History", "Error", "StreamEvent"):
            self.assertIn(name, schemas)
        self.assertEqual(set(schemas["Error"]["required"]), {"error", "message"})

    def test_every_route_the_code_serves_is_documented_and_nothing_else(self):
        documented = set(documented_operations(self.document))
        self.assertEqual(sorted(ROUTES - documented), [], "served but not documented")
        self.assertEqual(sorted(documented - ROUTES), [], "documented but not in ROUTES (api.cc)")

    def test_routes_name_the_path_segments_api_cc_matches(self):
        # A cheap tie between ROUTES and the code: the literal segments api.cc compares path
        # parts with ("homes", "rooms", ...) are exactly the literal segments of ROUTES' /api/v1 paths.
        source = (REPO / "src" / "api" / "api.cc").read_text(encoding="utf-8")
        in_code = set(re.findall(r'(?:parts\[\d+\]|what) == "([^"]+)"', source))
        in_routes = {segment for _, path in ROUTES if path.startswith("/api/v1/")
                     for segment in path[len("/api/v1/"):].split("/") if not segment.startswith("{")}
        self.assertEqual(in_code, in_routes - {"events"}, "update ROUTES (and docs/openapi.yaml) from api.cc")
        self.assertIn('request.path == "/healthz"', source)
        self.assertIn('std::string(kPrefix) + "/events"', source)


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes):
        self.status = status
        self.headers = headers
        try:
            self.json = json.loads(body) if body.strip() else None
        except ValueError:
            self.json = None

    @property
    def error(self):
        return self.json.get("error") if isinstance(self.json, dict) else None

    @property
    def message(self) -> str:
        return str(self.json.get("message", "")) if isinstance(self.json, dict) else ""

    def __repr__(self):
        return f"{self.status} {self.json!r}"


@millet_only("the HTTP API is millet's")
class OpenApiServerTest(unittest.TestCase):
    """The document against a running millet."""

    @classmethod
    def setUpClass(cls):
        cls.document = load_document()
        cls.broker = Broker(kind="millet").start()
        cls.port = cls.broker.http_port
        anonymous = Api(cls.port)
        anonymous.ok("POST", "/api/v1/users", {"name": "alice", "password": "alice-password"}, expect=201)
        cls.alice = anonymous.login("alice", "alice-password")
        cls.anonymous = anonymous
        cls.alice_id = cls.alice.ok("GET", "/api/v1/me")["id"]

    @classmethod
    def tearDownClass(cls):
        cls.broker.close()

    def setUp(self):
        self.home = self.alice.ok("POST", "/api/v1/homes", {"name": f"Home {self.id()[-20:]}"}, expect=201)
        self.room = self.alice.ok("POST", f"/api/v1/homes/{self.home['id']}/rooms", {"name": "Hall"}, expect=201)
        self.device = self.alice.ok("POST", f"/api/v1/homes/{self.home['id']}/devices",
                                    {"name": "Lamp", "type": "light", "room": self.room["id"]}, expect=201)
        self.rule = self.alice.ok("POST", f"/api/v1/homes/{self.home['id']}/rules", {
            "name": "Lamp on", "triggers": [{"type": "manual"}, {"type": "webhook", "id": "doorbell"}],
            "actions": [{"set": {"device": "Lamp", "properties": {"light.on": True}}}]}, expect=201)
        self.scene = self.alice.ok("POST", f"/api/v1/homes/{self.home['id']}/scenes", {
            "name": "Lamp on", "states": [{"device": "Lamp", "properties": {"light.on": True}}]}, expect=201)

    def send(self, method: str, target: str, body: bytes | None = None, token: str | None = None) -> Response:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=TIMEOUT * 4)
        try:
            headers = {"Content-Type": "application/json"} if body is not None else {}
            if token:
                headers["Authorization"] = f"Bearer {token}"
            connection.request(method, target, body=body, headers=headers)
            answer = connection.getresponse()
            return Response(answer.status, answer.headers, answer.read())
        finally:
            connection.close()

    def target(self, path: str, operation: dict, item: dict) -> str:
        """The path with its parameters filled with real ids, and required query parameters
        set to the document's examples."""
        values = {"home": self.home["id"], "room": self.room["id"], "device": self.device["id"],
                  "user": self.alice_id, "action": "light.toggle", "type": "light", "rule": self.rule["id"],
                  "scene": self.scene["id"], "hook": "doorbell", "timer": "1"}

        def fill(match):
            name = match.group(1)
            self.assertIn(name, values, f"{path}: the test has no value for {{{name}}}")
            return values[name]

        filled = re.sub(r"\{([^}]+)\}", fill, path)
        query = []
        for parameter in parameters_of(self.document, item, operation):
            if parameter["in"] == "query" and parameter.get("required"):
                self.assertIn("example", parameter, f"{path}: required ?{parameter['name']} needs an example")
                query.append(f"{parameter['name']}={parameter['example']}")
        return filled + ("?" + "&".join(query) if query else "")

    def test_every_documented_operation_is_routed_and_answers_a_documented_status(self):
        operations = documented_operations(self.document)
        # Destructive ones last, removing the device last of all.
        order = sorted(operations, key=lambda key: (key[0] == "DELETE", key == ("DELETE", "/api/v1/devices/{device}"),
                                                    key[1], key[0]))
        for method, path in order:
            operation, item = operations[(method, path)]
            with self.subTest(f"{method} {path}"):
                target = self.target(path, operation, item)
                documented = {str(code) for code in operation["responses"]}
                if path == EVENTS:
                    stream = EventStream(self.port, self.alice.token, target[len(EVENTS):])
                    stream.close()
                    self.assertEqual(stream.status, 101, stream.head)
                    self.assertIn("101", documented)
                    continue
                token = self.alice.token
                if path == "/api/v1/logout":
                    token = self.anonymous.login("alice", "alice-password").token  # not the one the test uses
                # A body the server parses and then (mostly) refuses: proves the route without changing much.
                body = b"{}" if "requestBody" in operation else None
                answer = self.send(method, target, body, token)
                self.assertNotEqual(answer.status, 405, f"{method} {target}: {answer!r}")
                self.assertFalse(answer.status == 404 and answer.message.startswith("no such resource"),
                                 f"{method} {target} is not routed: {answer!r}")
                self.assertIn(str(answer.status), documented, f"{method} {target}: {answer!r} is not documented")
                if answer.status >= 400:
                    self.assertIsInstance(answer.json, dict, f"{method} {target}: {answer!r}")
                    self.assertTrue(answer.error and answer.message, f"{method} {target}: {answer!r}")

    def test_methods_a_path_does_not_document_are_not_served(self):
        operations = documented_operations(self.document)
        for path, item in self.document["paths"].items():
            allowed = {method for (method, p) in operations if p == path}
            target = self.target(path, *next((op, it) for (m, p), (op, it) in operations.items() if p == path))
            for method in PROBED:
                if method in allowed:
                    continue
                with self.subTest(f"{method} {path}"):
                    answer = self.send(method, target, None, self.alice.token)
                    if path == EVENTS:  # only a WebSocket upgrade is served there
                        self.assertEqual((answer.status, answer.error), (426, "upgrade_required"), answer)
                        continue
                    self.assertEqual((answer.status, answer.error), (405, "method_not_allowed"),
                                     f"{method} {target}: {answer!r}")
                    header = answer.headers.get("Allow")
                    if header:  # every method the server says it allows is documented
                        listed = {m.strip() for m in header.split("(")[0].split(",") if m.strip()}
                        self.assertLessEqual(listed, allowed, f"{path}: Allow: {header}")


if __name__ == "__main__":
    unittest.main(verbosity=int(os.environ.get("MILLET_TEST_VERBOSITY", "2")))
