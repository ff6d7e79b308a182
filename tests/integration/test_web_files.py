"""The web app's files on millet's HTTP port (src/api/static_files.h): served from memory outside
/api/, with their types and cache rules; the app's own routes get index.html; nothing outside the
folder can be reached; a bad --web-dir stops the start with a message."""

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from brokers import Broker  # noqa: E402
from common import HOST, MILLET_BIN, TIMEOUT, millet_only  # noqa: E402

INDEX = b"<!doctype html><title>millet</title><script type=module src=/assets/app-1a2b.js></script>"
SCRIPT = b"console.log('millet');\n"


@millet_only("the web app is millet's")
class WebFiles(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.web = tempfile.mkdtemp(prefix="millet-web-")
        os.makedirs(os.path.join(cls.web, "assets"))
        for name, body in (("index.html", INDEX), ("assets/app-1a2b.js", SCRIPT), ("icon.svg", b"<svg/>")):
            with open(os.path.join(cls.web, name), "wb") as f:
                f.write(body)
        cls.broker = Broker(web_dir=cls.web).start()

    @classmethod
    def tearDownClass(cls):
        cls.broker.close()

    def request(self, method, path):
        connection = http.client.HTTPConnection(HOST, self.broker.http_port, timeout=TIMEOUT)
        try:
            connection.request(method, path)
            response = connection.getresponse()
            return response, response.read()
        finally:
            connection.close()

    def test_the_root_is_the_app_page(self):
        response, body = self.request("GET", "/")
        self.assertEqual(response.status, 200)
        self.assertEqual(body, INDEX)
        self.assertEqual(response.getheader("Content-Type"), "text/html; charset=utf-8")
        self.assertEqual(response.getheader("Cache-Control"), "no-cache")
        self.assertIn("default-src 'self'", response.getheader("Content-Security-Policy"))

    def test_assets_have_their_type_and_are_cached_for_good(self):
        response, body = self.request("GET", "/assets/app-1a2b.js")
        self.assertEqual((response.status, body), (200, SCRIPT))
        self.assertEqual(response.getheader("Content-Type"), "text/javascript; charset=utf-8")
        self.assertEqual(response.getheader("Cache-Control"), "public, max-age=31536000, immutable")
        self.assertEqual(response.getheader("X-Content-Type-Options"), "nosniff")
        response, body = self.request("GET", "/icon.svg")
        self.assertEqual((response.status, response.getheader("Content-Type")), (200, "image/svg+xml"))

    def test_the_apps_own_routes_get_the_app_page_and_missing_files_404(self):
        response, body = self.request("GET", "/homes/h-1/devices")
        self.assertEqual((response.status, body), (200, INDEX))
        response, body = self.request("GET", "/assets/gone-9f9f.js")
        self.assertEqual(response.status, 404)
        self.assertIn(b"no such file: /assets/gone-9f9f.js", body)

    def test_nothing_outside_the_folder_can_be_reached(self):
        for path in ("/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/assets/../../etc/hostname",
                     "/..%2f..%2f..%2fetc%2fpasswd"):
            with socket.create_connection((HOST, self.broker.http_port), timeout=TIMEOUT) as s:
                s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                answer = b""
                while chunk := s.recv(65536):
                    answer += chunk
            self.assertNotIn(b"root:", answer, path)
            status = int(answer.split(b" ", 2)[1])
            self.assertIn(status, (200, 400, 404), path)
            if status == 200:
                self.assertTrue(answer.endswith(INDEX), path)  # the app page, never a file from elsewhere

    def test_head_gives_the_length_without_the_body(self):
        response, body = self.request("HEAD", "/")
        self.assertEqual(response.status, 200)
        self.assertEqual(int(response.getheader("Content-Length")), len(INDEX))
        self.assertEqual(body, b"")
        # The connection stays usable: the next answer is not mixed with a body that was not sent.
        connection = http.client.HTTPConnection(HOST, self.broker.http_port, timeout=TIMEOUT)
        connection.request("HEAD", "/")
        connection.getresponse().read()
        connection.request("GET", "/icon.svg")
        self.assertEqual(connection.getresponse().read(), b"<svg/>")
        connection.close()

    def test_other_methods_are_refused_and_the_api_is_untouched(self):
        response, body = self.request("POST", "/")
        self.assertEqual(response.status, 405)
        self.assertEqual(response.getheader("Allow"), "GET, HEAD")
        response, body = self.request("GET", "/api/v1/nothing-here")
        self.assertEqual(response.status, 401)  # the API's answer: sign in first
        response, body = self.request("GET", "/api/other")
        self.assertEqual(response.status, 404)
        self.assertIn(b"the API is under /api/v1/", body)
        response, body = self.request("GET", "/healthz")
        self.assertEqual(response.status, 200)


@millet_only("the web app is millet's")
class WebDirOption(unittest.TestCase):
    def test_a_folder_without_the_app_stops_the_start_with_a_message(self):
        empty = tempfile.mkdtemp(prefix="millet-web-empty-")
        data = tempfile.mkdtemp(prefix="millet-web-data-")
        out = subprocess.run([MILLET_BIN, "serve", "--data-dir", data, "--bind", HOST, "--mqtt-port", "0",
                              "--ws-port", "off", "--http-port", "0", "--web-dir", empty],
                             capture_output=True, text=True, timeout=TIMEOUT * 3)
        self.assertEqual(out.returncode, 1)
        self.assertIn(f"--web-dir: {empty} has no index.html", out.stderr)

    def test_off_serves_the_api_alone(self):
        broker = Broker(web_dir="off").start()
        try:
            connection = http.client.HTTPConnection(HOST, broker.http_port, timeout=TIMEOUT)
            connection.request("GET", "/")
            response = connection.getresponse()
            self.assertEqual(response.status, 404)
            self.assertIn(b"the API is under /api/v1/", response.read())
            connection.close()
        finally:
            broker.close()


if __name__ == "__main__":
    unittest.main()
