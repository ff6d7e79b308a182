"""The device catalog from the command line: `millet spec list|show`, and `millet serve`
refusing to start on a catalog that breaks a rule (docs/spec.md)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import MILLET_BIN, REPO, free_port, millet_only  # noqa: E402


def millet(*arguments: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([MILLET_BIN, *arguments], capture_output=True, text=True, timeout=timeout)


@millet_only("the catalog is millet's")
class SpecCommand(unittest.TestCase):

    def test_list_names_every_category_in_both_languages(self):
        out = millet("spec", "list", "--json")
        self.assertEqual(out.returncode, 0, out.stderr)
        types = {t["name"]: t for t in json.loads(out.stdout)}
        self.assertGreaterEqual(len(types), 40)
        self.assertEqual(types["light"]["type"], "urn:millet-spec:device:light:1")
        self.assertEqual(types["light"]["description"]["zh"], "灯")
        text = millet("spec", "list")
        self.assertIn(f"{len(types)} device types", text.stdout)

    def test_show_gives_ids_formats_ranges_and_units(self):
        out = millet("spec", "show", "light", "--json")
        self.assertEqual(out.returncode, 0, out.stderr)
        light = json.loads(out.stdout)
        service = next(s for s in light["services"] if s["name"] == "light")
        self.assertEqual(service["siid"], 2)
        brightness = next(p for p in service["properties"] if p["name"] == "brightness")
        self.assertEqual(brightness["piid"], 2)
        self.assertEqual(brightness["format"], "uint8")
        self.assertEqual(brightness["value-range"], [1, 100, 1])
        self.assertEqual(brightness["unit"], "percentage")
        self.assertEqual(brightness["access"], ["read", "write", "notify"])
        by_urn = millet("spec", "show", "urn:millet-spec:device:light:1", "--json")
        self.assertEqual(json.loads(by_urn.stdout), light)
        text = millet("spec", "show", "light")
        self.assertIn("2.2     light.brightness", text.stdout)

    def test_an_unknown_type_is_a_clear_error(self):
        out = millet("spec", "show", "teleporter")
        self.assertEqual(out.returncode, 1)
        self.assertIn("no device type 'teleporter'", out.stderr)


@millet_only("the catalog is millet's")
class BrokenCatalog(unittest.TestCase):

    def setUp(self):
        self.directory = tempfile.mkdtemp(prefix="millet-spec-")
        self.addCleanup(shutil.rmtree, self.directory, True)
        self.spec = os.path.join(self.directory, "spec")
        shutil.copytree(REPO / "spec", self.spec)

    def break_file(self, relative: str, old: str, new: str):
        path = os.path.join(self.spec, relative)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        self.assertIn(old, text)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace(old, new, 1))

    def serve(self) -> subprocess.CompletedProcess:
        return millet("serve", "--spec-dir", self.spec, "--data-dir", os.path.join(self.directory, "data"),
                      "--mqtt-port", str(free_port()), "--ws-port", "off", "--http-port", "off", timeout=20)

    def test_the_server_does_not_start_and_says_what_is_wrong(self):
        self.break_file("services/light.json", '"value-range": [1, 100, 1]', '"value-range": [1, 300, 1]')
        self.break_file("devices/kettle.json", '"name": "kettle"', '"name": "Kettle"')
        out = self.serve()
        self.assertEqual(out.returncode, 1)
        self.assertIn('spec/services/light.json: properties[1] "brightness": value-range [1, 300, 1] is outside uint8',
                      out.stderr + out.stdout)
        self.assertIn('spec/devices/kettle.json: name "Kettle" must be lowercase', out.stderr + out.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.directory, "data", "store")),
                         "nothing should be opened before the catalog is checked")

    def test_broken_json_is_named_with_its_file(self):
        self.break_file("devices/fan.json", "{", "{{")
        out = millet("spec", "--spec-dir", self.spec, "list")
        self.assertEqual(out.returncode, 1)
        self.assertIn("spec/devices/fan.json: not valid JSON", out.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
