"""A small client for millet's HTTP API (docs/api.md): JSON requests over urllib, and the
WebSocket event stream over a plain socket (the handshake and unmasked server frames are
all it needs)."""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import struct
import urllib.error
import urllib.request
from typing import Any

from common import HOST, TIMEOUT, wait_until


class ApiError(AssertionError):
    pass


class Api:
    def __init__(self, port: int, token: str | None = None):
        self.base = f"http://{HOST}:{port}"
        self.port = port
        self.token = token

    def request(self, method: str, path: str, body: Any = None, raw: bytes | None = None,
                token: str | None = None, headers: dict | None = None) -> tuple[int, Any]:
        """(status, parsed JSON body or None)."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.base + path, data=data, method=method)
        bearer = token if token is not None else self.token
        if bearer:
            req.add_header("Authorization", f"Bearer {bearer}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            req.add_header(name, value)
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT * 4) as response:
                text = response.read()
                return response.status, json.loads(text) if text.strip() else None
        except urllib.error.HTTPError as error:
            text = error.read()
            try:
                return error.code, json.loads(text) if text.strip() else None
            except ValueError:
                return error.code, text

    def ok(self, method: str, path: str, body: Any = None, expect: int | tuple = (200, 201, 202, 204)) -> Any:
        status, answer = self.request(method, path, body)
        expected = (expect,) if isinstance(expect, int) else expect
        if status not in expected:
            raise ApiError(f"{method} {path}: {status} {answer!r}, expected {expected}")
        return answer

    def login(self, user: str, password: str) -> "Api":
        answer = self.ok("POST", "/api/v1/login", {"user": user, "password": password}, expect=201)
        return Api(self.port, answer["token"])


class EventStream:
    """GET /api/v1/events upgraded to WebSocket; yields the server's text frames as JSON."""

    def __init__(self, port: int, token: str | None, query: str = ""):
        self.sock = socket.create_connection((HOST, port), TIMEOUT)
        key = base64.b64encode(os.urandom(16)).decode()
        auth = f"Authorization: Bearer {token}\r\n" if token else ""
        self.sock.sendall((f"GET /api/v1/events{query} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
                           f"Upgrade: websocket\r\nConnection: Upgrade\r\n{auth}"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        self.status = int(head.split(b" ", 2)[1]) if head else 0
        self.head = head.decode("latin-1")

    def _read(self, n: int) -> bytes:
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ApiError("the event stream closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def next(self, timeout: float = TIMEOUT) -> dict:
        self.sock.settimeout(timeout)
        while True:
            b0, b1 = self._read(2)
            length = b1 & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(length)
            if b0 & 0x0F == 0x1:
                return json.loads(payload)
            if b0 & 0x0F == 0x8:
                raise ApiError("the event stream was closed by the server")

    def until(self, predicate, timeout: float = TIMEOUT) -> dict:
        """The first event for which predicate(event) holds; others are skipped."""
        import time
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ApiError("no such event within the timeout")
            event = self.next(left)
            if predicate(event):
                return event

    def quiet(self, within: float = 0.5) -> list:
        """Events that arrive within `within` seconds (usually to check there are none)."""
        got = []
        try:
            while True:
                got.append(self.next(within))
        except (socket.timeout, TimeoutError):
            return got

    def close(self) -> None:
        try:
            self.sock.sendall(bytes([0x88, 0x80]) + os.urandom(4))
        except OSError:
            pass
        self.sock.close()


DEMO_SIGN_IN = r"demo: sign in at (\S+) as (\S+) with password (\S+) \(kept in (\S+)\)"


def demo_sign_in_line(broker, start: int = 1) -> tuple[str, str, str, str]:
    """(url, user, password, file) from the log's demo sign-in line, once the server's `start`th
    start has written it (the log of each start is appended)."""
    said = wait_until(lambda: len(re.findall(DEMO_SIGN_IN, broker.log())) >= start and
                      re.findall(DEMO_SIGN_IN, broker.log()), interval=0.1, message="the demo sign-in in the log")
    return said[start - 1]
