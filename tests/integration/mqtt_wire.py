"""MQTT 3.1.1 / 5.0 on the wire: packet builders, a decoder, and RawClient, a socket
client that sends exact bytes and reads exact replies (for protocol-level and bad-input
tests)."""

from __future__ import annotations

import dataclasses
import itertools
import select
import socket
import struct
import time
from typing import TYPE_CHECKING, Any, Iterable

from common import HOST, MQTT_V5, QUIET, TIMEOUT, unique

if TYPE_CHECKING:
    from brokers import Broker

CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP = 1, 2, 3, 4, 5, 6, 7
SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, PINGREQ, PINGRESP, DISCONNECT, AUTH = range(8, 16)
PACKET_NAMES = {1: "CONNECT", 2: "CONNACK", 3: "PUBLISH", 4: "PUBACK", 5: "PUBREC", 6: "PUBREL",
                7: "PUBCOMP", 8: "SUBSCRIBE", 9: "SUBACK", 10: "UNSUBSCRIBE", 11: "UNSUBACK",
                12: "PINGREQ", 13: "PINGRESP", 14: "DISCONNECT", 15: "AUTH"}

# v5 reason codes used by the tests
RC_SUCCESS = 0x00
RC_DISCONNECT_WITH_WILL = 0x04
RC_NO_MATCHING_SUBSCRIBERS = 0x10
RC_UNSPECIFIED = 0x80
RC_MALFORMED = 0x81
RC_PROTOCOL_ERROR = 0x82
RC_UNSUPPORTED_PROTOCOL_VERSION = 0x84
RC_KEEP_ALIVE_TIMEOUT = 0x8D
RC_SESSION_TAKEN_OVER = 0x8E
RC_TOPIC_FILTER_INVALID = 0x8F
RC_TOPIC_NAME_INVALID = 0x90
RC_RECEIVE_MAXIMUM_EXCEEDED = 0x93
RC_TOPIC_ALIAS_INVALID = 0x94
RC_PACKET_TOO_LARGE = 0x95
RC_QOS_NOT_SUPPORTED = 0x9B

# property id -> (name, kind)
_PROP_DEFS = {
    0x01: ("payload_format_indicator", "byte"), 0x02: ("message_expiry_interval", "u32"),
    0x03: ("content_type", "str"), 0x08: ("response_topic", "str"),
    0x09: ("correlation_data", "bin"), 0x0B: ("subscription_identifier", "varint"),
    0x11: ("session_expiry_interval", "u32"), 0x12: ("assigned_client_identifier", "str"),
    0x13: ("server_keep_alive", "u16"), 0x15: ("authentication_method", "str"),
    0x16: ("authentication_data", "bin"), 0x17: ("request_problem_information", "byte"),
    0x18: ("will_delay_interval", "u32"), 0x19: ("request_response_information", "byte"),
    0x1A: ("response_information", "str"), 0x1C: ("server_reference", "str"),
    0x1F: ("reason_string", "str"), 0x21: ("receive_maximum", "u16"),
    0x22: ("topic_alias_maximum", "u16"), 0x23: ("topic_alias", "u16"),
    0x24: ("maximum_qos", "byte"), 0x25: ("retain_available", "byte"),
    0x26: ("user_property", "pair"), 0x27: ("maximum_packet_size", "u32"),
    0x28: ("wildcard_subscription_available", "byte"),
    0x29: ("subscription_identifier_available", "byte"),
    0x2A: ("shared_subscription_available", "byte"),
}
_PROP_IDS = {name: (pid, kind) for pid, (name, kind) in _PROP_DEFS.items()}
_MULTI_PROPS = {"user_property", "subscription_identifier"}


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n % 128
        n //= 128
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def mqtt_string(s: str | bytes) -> bytes:
    b = s.encode("utf-8") if isinstance(s, str) else s
    return struct.pack("!H", len(b)) + b


def encode_properties(properties: dict | None) -> bytes:
    """v5 property block (length + properties).

    Multi-valued properties (user_property, subscription_identifier) take a list."""
    body = bytearray()
    for name, value in (properties or {}).items():
        pid, kind = _PROP_IDS[name]
        values = value if (name in _MULTI_PROPS and isinstance(value, (list, tuple))
                           and not (kind == "pair" and isinstance(value, tuple))) else [value]
        for v in values:
            body.append(pid)
            if kind == "byte":
                body.append(v)
            elif kind == "u16":
                body += struct.pack("!H", v)
            elif kind == "u32":
                body += struct.pack("!I", v)
            elif kind == "varint":
                body += varint(v)
            elif kind in ("str", "bin"):
                body += mqtt_string(v)
            elif kind == "pair":
                body += mqtt_string(v[0]) + mqtt_string(v[1])
    return varint(len(body)) + bytes(body)


def packet(ptype: int, flags: int, body: bytes) -> bytes:
    return bytes([(ptype << 4) | flags]) + varint(len(body)) + body


def connect_packet(client_id: str | bytes = "", version: int = MQTT_V5, clean: bool = True,
                   keepalive: int = 60, properties: dict | None = None,
                   will: dict | None = None, username: str | None = None,
                   password: bytes | None = None, protocol_name: bytes = b"MQTT",
                   extra_flags: int = 0) -> bytes:
    """CONNECT. will = {topic, payload, qos, retain, properties}; extra_flags ORed in (bit 0
    is the reserved flag)."""
    flags = (0x02 if clean else 0) | extra_flags
    payload = mqtt_string(client_id)
    if will is not None:
        flags |= 0x04 | (will.get("qos", 0) << 3) | (0x20 if will.get("retain") else 0)
        if version == MQTT_V5:
            payload += encode_properties(will.get("properties"))
        payload += mqtt_string(will["topic"]) + mqtt_string(will.get("payload", b""))
    if username is not None:
        flags |= 0x80
        payload += mqtt_string(username)
    if password is not None:
        flags |= 0x40
        payload += mqtt_string(password)
    var = mqtt_string(protocol_name) + bytes([version, flags]) + struct.pack("!H", keepalive)
    if version == MQTT_V5:
        var += encode_properties(properties)
    return packet(CONNECT, 0, var + payload)


def publish_packet(topic: str | bytes, payload: bytes | str = b"", qos: int = 0,
                   retain: bool = False, dup: bool = False, packet_id: int | None = None,
                   properties: dict | None = None, version: int = MQTT_V5) -> bytes:
    if isinstance(payload, str):
        payload = payload.encode()
    flags = (0x08 if dup else 0) | ((qos & 3) << 1) | (0x01 if retain else 0)
    body = mqtt_string(topic)
    if qos > 0:
        body += struct.pack("!H", packet_id if packet_id is not None else 1)
    if version == MQTT_V5:
        body += encode_properties(properties)
    return packet(PUBLISH, flags, body + payload)


def ack_packet(ptype: int, packet_id: int, reason_code: int | None = None,
               version: int = MQTT_V5) -> bytes:
    """PUBACK / PUBREC / PUBREL / PUBCOMP (PUBREL gets its mandatory flags 0b0010)."""
    body = struct.pack("!H", packet_id)
    if version == MQTT_V5 and reason_code not in (None, 0):
        body += bytes([reason_code])
    return packet(ptype, 0x02 if ptype == PUBREL else 0, body)


def subscribe_packet(packet_id: int, filters: Iterable[tuple[str | bytes, int]],
                     properties: dict | None = None, version: int = MQTT_V5) -> bytes:
    """filters: (filter, options byte), see sub_options()."""
    body = struct.pack("!H", packet_id)
    if version == MQTT_V5:
        body += encode_properties(properties)
    for f, opts in filters:
        body += mqtt_string(f) + bytes([opts])
    return packet(SUBSCRIBE, 0x02, body)


def unsubscribe_packet(packet_id: int, filters: Iterable[str | bytes],
                       properties: dict | None = None, version: int = MQTT_V5) -> bytes:
    body = struct.pack("!H", packet_id)
    if version == MQTT_V5:
        body += encode_properties(properties)
    for f in filters:
        body += mqtt_string(f)
    return packet(UNSUBSCRIBE, 0x02, body)


def pingreq_packet() -> bytes:
    return packet(PINGREQ, 0, b"")


def disconnect_packet(reason_code: int | None = None, properties: dict | None = None,
                      version: int = MQTT_V5) -> bytes:
    body = b""
    if version == MQTT_V5 and (reason_code not in (None, 0) or properties):
        body = bytes([reason_code or 0]) + (encode_properties(properties) if properties else b"")
    return packet(DISCONNECT, 0, body)


def sub_options(qos: int = 0, no_local: bool = False, retain_as_published: bool = False,
                retain_handling: int = 0) -> int:
    return qos | (int(no_local) << 2) | (int(retain_as_published) << 3) | (retain_handling << 4)


class ProtocolDecodeError(AssertionError):
    pass


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise ProtocolDecodeError(f"packet truncated: need {n} bytes at {self.pos} of "
                                      f"{len(self.data)}")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        return struct.unpack("!H", self.take(2))[0]

    def u32(self) -> int:
        return struct.unpack("!I", self.take(4))[0]

    def varint(self) -> int:
        value, mult = 0, 1
        for _ in range(4):
            b = self.u8()
            value += (b & 0x7F) * mult
            if not b & 0x80:
                return value
            mult *= 128
        raise ProtocolDecodeError("variable byte integer longer than 4 bytes")

    def string(self) -> bytes:
        return self.take(self.u16())

    def rest(self) -> bytes:
        b = self.data[self.pos:]
        self.pos = len(self.data)
        return b

    def remaining(self) -> int:
        return len(self.data) - self.pos

    def properties(self) -> dict:
        r = _Reader(self.take(self.varint()))
        out: dict[str, Any] = {}
        while r.remaining():
            pid = r.varint()
            if pid not in _PROP_DEFS:
                raise ProtocolDecodeError(f"unknown property id 0x{pid:02x}")
            name, kind = _PROP_DEFS[pid]
            if kind == "byte":
                v: Any = r.u8()
            elif kind == "u16":
                v = r.u16()
            elif kind == "u32":
                v = r.u32()
            elif kind == "varint":
                v = r.varint()
            elif kind == "str":
                v = r.string().decode("utf-8")
            elif kind == "bin":
                v = r.string()
            else:
                v = (r.string().decode("utf-8"), r.string().decode("utf-8"))
            if name in _MULTI_PROPS:
                out.setdefault(name, []).append(v)
            elif name in out:
                raise ProtocolDecodeError(f"property {name} included twice")
            else:
                out[name] = v
        return out


@dataclasses.dataclass
class Packet:
    """A decoded control packet. Fields not used by a packet type stay at their defaults."""
    type: int
    flags: int
    raw: bytes
    packet_id: int | None = None
    reason_code: int | None = None
    reason_codes: list[int] = dataclasses.field(default_factory=list)
    properties: dict = dataclasses.field(default_factory=dict)
    session_present: bool = False
    topic: bytes = b""
    payload: bytes = b""

    @property
    def name(self) -> str:
        return PACKET_NAMES.get(self.type, f"type {self.type}")

    @property
    def qos(self) -> int:
        return (self.flags >> 1) & 3

    @property
    def dup(self) -> bool:
        return bool(self.flags & 0x08)

    @property
    def retain(self) -> bool:
        return bool(self.flags & 0x01)

    def __repr__(self) -> str:
        extra = ""
        if self.type == PUBLISH:
            extra = (f" topic={self.topic!r} qos={self.qos} dup={self.dup} retain={self.retain}"
                     f" id={self.packet_id} payload={self.payload[:40]!r}")
        elif self.reason_code is not None:
            extra = f" reason=0x{self.reason_code:02x}"
        if self.reason_codes:
            extra += f" codes={[hex(c) for c in self.reason_codes]}"
        if self.properties:
            extra += f" props={self.properties}"
        return f"<{self.name}{extra}>"


def decode_packet(first: int, body: bytes, version: int) -> Packet:
    ptype, flags = first >> 4, first & 0x0F
    p = Packet(type=ptype, flags=flags, raw=body)
    r = _Reader(body)
    v5 = version == MQTT_V5
    if ptype == CONNACK:
        p.session_present = bool(r.u8() & 1)
        p.reason_code = r.u8()
        if v5 and r.remaining():
            p.properties = r.properties()
    elif ptype == PUBLISH:
        p.topic = r.string()
        if p.qos > 0:
            p.packet_id = r.u16()
        if v5:
            p.properties = r.properties()
        p.payload = r.rest()
    elif ptype in (PUBACK, PUBREC, PUBREL, PUBCOMP):
        p.packet_id = r.u16()
        p.reason_code = 0
        if v5 and r.remaining():
            p.reason_code = r.u8()
            if r.remaining():
                p.properties = r.properties()
    elif ptype in (SUBACK, UNSUBACK):
        p.packet_id = r.u16()
        if v5:
            p.properties = r.properties()
        p.reason_codes = list(r.rest())
    elif ptype == DISCONNECT:
        p.reason_code = 0
        if v5 and r.remaining():
            p.reason_code = r.u8()
            if r.remaining():
                p.properties = r.properties()
    elif ptype == AUTH:
        if r.remaining():
            p.reason_code = r.u8()
            if r.remaining():
                p.properties = r.properties()
    return p


class ConnectionClosed(AssertionError):
    """The peer closed the connection (EOF or reset) while a packet was awaited."""


class RawClient:
    """An MQTT client made of a socket: send exact bytes, read and decode exact replies.

    Packets received while waiting for another type are kept in order in `backlog` and
    returned first by later reads."""

    def __init__(self, broker: Broker | None = None, port: int | None = None,
                 version: int = MQTT_V5, host: str = HOST, timeout: float = TIMEOUT):
        self.version = version
        self.port = port if port is not None else broker.mqtt_port  # type: ignore[union-attr]
        self.sock = socket.create_connection((host, self.port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.backlog: list[Packet] = []
        self.closed = False
        self._ids = itertools.count(1)

    def next_id(self) -> int:
        return (next(self._ids) - 1) % 65535 + 1

    # ---- bytes -------------------------------------------------------------------------
    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def try_send(self, data: bytes) -> bool:
        """Send, tolerating a connection the broker already closed. True if sent."""
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def _fill(self, deadline: float) -> None:
        """Read more bytes into buf. Raises ConnectionClosed on EOF, TimeoutError at deadline."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        ready, _, _ = select.select([self.sock], [], [], remaining)
        if not ready:
            raise TimeoutError
        try:
            chunk = self.sock.recv(65536)
        except (ConnectionResetError, ConnectionAbortedError, BrokenPipeError):
            chunk = b""
        if not chunk:
            self.closed = True
            raise ConnectionClosed("connection closed by broker")
        self.buf += chunk

    def _parse_one(self) -> Packet | None:
        if len(self.buf) < 2:
            return None
        length, mult, i = 0, 1, 1
        while True:
            if i >= len(self.buf):
                return None
            b = self.buf[i]
            length += (b & 0x7F) * mult
            mult *= 128
            i += 1
            if not b & 0x80:
                break
            if i > 4:
                raise ProtocolDecodeError("broker sent a remaining length over 4 bytes")
        if len(self.buf) < i + length:
            return None
        first = self.buf[0]
        body = bytes(self.buf[i:i + length])
        del self.buf[:i + length]
        return decode_packet(first, body, self.version)

    def recv_packet(self, timeout: float = TIMEOUT) -> Packet:
        """The next packet (backlog first). Raises ConnectionClosed / AssertionError on timeout."""
        if self.backlog:
            return self.backlog.pop(0)
        deadline = time.monotonic() + timeout
        while True:
            p = self._parse_one()
            if p is not None:
                return p
            try:
                self._fill(deadline)
            except TimeoutError:
                raise AssertionError(f"no packet from broker within {timeout}s") from None

    def expect(self, ptype: int, timeout: float = TIMEOUT) -> Packet:
        """The next packet of type ptype; other packets met on the way go to the backlog."""
        for i, p in enumerate(self.backlog):
            if p.type == ptype:
                return self.backlog.pop(i)
        deadline = time.monotonic() + timeout
        skipped: list[Packet] = []
        try:
            while True:
                p = self._parse_one()
                if p is None:
                    try:
                        self._fill(deadline)
                    except TimeoutError:
                        raise AssertionError(
                            f"no {PACKET_NAMES[ptype]} within {timeout}s (got {skipped})") from None
                    continue
                if p.type == ptype:
                    return p
                skipped.append(p)
        finally:
            self.backlog.extend(skipped)

    def expect_no_packet(self, within: float = QUIET) -> None:
        if self.backlog:
            raise AssertionError(f"unexpected packet {self.backlog[0]!r}")
        deadline = time.monotonic() + within
        while True:
            p = self._parse_one()
            if p is not None:
                raise AssertionError(f"unexpected packet {p!r}")
            try:
                self._fill(deadline)
            except TimeoutError:
                return

    def wait_closed(self, timeout: float = TIMEOUT) -> list[Packet]:
        """Wait until the broker closes the connection; return the packets it sent first."""
        got, closed = self.collect(timeout)
        if closed:
            return got
        self.backlog = got  # still open: keep what arrived for later reads
        raise AssertionError(f"broker did not close the connection within {timeout}s; "
                             f"received {got}")

    def collect(self, within: float = QUIET) -> tuple[list[Packet], bool]:
        """Read packets until the broker closes the connection or `within` seconds pass
        without it. Returns (packets received, closed)."""
        got = list(self.backlog)
        self.backlog.clear()
        deadline = time.monotonic() + within
        while True:
            p = self._parse_one()
            if p is not None:
                got.append(p)
                continue
            try:
                self._fill(deadline)
            except ConnectionClosed:
                return got, True
            except TimeoutError:
                return got, False

    def is_open_after(self, within: float = QUIET) -> bool:
        """True if the connection is still open (no EOF) after `within` seconds."""
        try:
            self.wait_closed(within)
            return False
        except AssertionError:
            return True

    # ---- MQTT operations ---------------------------------------------------------------
    def connect(self, client_id: str | None = None, clean: bool = True, keepalive: int = 60,
                properties: dict | None = None, will: dict | None = None,
                expect_rc: int | None = 0) -> Packet:
        """Send CONNECT and return CONNACK (asserting its code when expect_rc is not None)."""
        self.client_id = client_id if client_id is not None else unique("raw-")
        self.send(connect_packet(self.client_id, self.version, clean, keepalive, properties, will))
        ack = self.expect(CONNACK)
        if expect_rc is not None and ack.reason_code != expect_rc:
            raise AssertionError(f"CONNACK reason 0x{ack.reason_code:02x}, expected "
                                 f"0x{expect_rc:02x}: {ack!r}")
        return ack

    def subscribe(self, *filters: str | tuple[str, int], properties: dict | None = None) -> Packet:
        """Subscribe (filter or (filter, options byte)) and return SUBACK."""
        pid = self.next_id()
        pairs = [(f, 0) if isinstance(f, str) else f for f in filters]
        self.send(subscribe_packet(pid, pairs, properties, self.version))
        ack = self.expect(SUBACK)
        if ack.packet_id != pid:
            raise AssertionError(f"SUBACK packet id {ack.packet_id}, expected {pid}")
        return ack

    def publish(self, topic: str | bytes, payload: bytes | str = b"", qos: int = 0,
                retain: bool = False, properties: dict | None = None,
                packet_id: int | None = None, wait: bool = True) -> Packet | None:
        """Publish; with wait, complete the QoS 1/2 flow and return PUBACK / PUBCOMP."""
        pid = packet_id if packet_id is not None else (self.next_id() if qos else None)
        self.send(publish_packet(topic, payload, qos, retain, False, pid, properties,
                                 self.version))
        if not wait or qos == 0:
            return None
        if qos == 1:
            return self.expect(PUBACK)
        rec = self.expect(PUBREC)
        if rec.reason_code is not None and rec.reason_code >= 0x80:
            return rec
        self.send(ack_packet(PUBREL, pid, version=self.version))
        return self.expect(PUBCOMP)

    def ack(self, p: Packet) -> None:
        """Acknowledge a received PUBLISH (QoS 1: PUBACK; QoS 2: PUBREC..PUBCOMP)."""
        if p.qos == 1:
            self.send(ack_packet(PUBACK, p.packet_id, version=self.version))
        elif p.qos == 2:
            self.send(ack_packet(PUBREC, p.packet_id, version=self.version))
            rel = self.expect(PUBREL)
            assert rel.packet_id == p.packet_id, f"PUBREL for {rel.packet_id}, not {p.packet_id}"
            self.send(ack_packet(PUBCOMP, p.packet_id, version=self.version))

    def disconnect(self, reason_code: int | None = None, properties: dict | None = None) -> None:
        self.try_send(disconnect_packet(reason_code, properties, self.version))
        self.close()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
        self.closed = True
