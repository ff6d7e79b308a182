"""The same MQTT over every listener: TCP, WebSocket (ws://.../mqtt, subprotocol mqtt),
TLS (mqtts) and WebSocket over TLS (wss), with paho, for MQTT 3.1.1 and 5.0; plus messages
crossing from one transport to another. (MQTT.js covers the same in node/.)
"""

import base64
import hashlib
import os
import socket
import ssl
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (CONNACK, MQTT_V311, MQTT_V5, BrokerTestCase, client_ssl_context,  # noqa
                     connect_packet, main, unique)

TRANSPORTS = {
    "tcp": {"transport": "tcp", "tls": False},
    "ws": {"transport": "websockets", "tls": False},
    "mqtts": {"transport": "tcp", "tls": True},
    "wss": {"transport": "websockets", "tls": True},
}


class TransportTests:
    broker_tls = True

    def round_trip_over(self, name: str):
        t = self.topic(name)
        c = self.client(**TRANSPORTS[name])
        for qos in (0, 1, 2):
            self.assertEqual(c.subscribe(f"{t}/{qos}", qos), [qos])
            c.publish(f"{t}/{qos}", f"{name} q{qos}".encode(), qos=qos)
            m = c.wait_message()
            self.assertEqual((m.topic, m.payload, m.qos), (f"{t}/{qos}", f"{name} q{qos}".encode(),
                                                           qos))

    def test_tcp(self):
        self.round_trip_over("tcp")

    def test_websocket(self):
        self.round_trip_over("ws")

    def test_tls(self):
        self.round_trip_over("mqtts")

    def test_websocket_over_tls(self):
        self.round_trip_over("wss")

    def test_messages_cross_transports(self):
        t = self.topic()
        subs = {name: self.client(**kw) for name, kw in TRANSPORTS.items()}
        for c in subs.values():
            c.subscribe(t, 1)
        for name, kw in TRANSPORTS.items():
            self.client(**kw).publish(t, f"from {name}".encode(), qos=1)
        for name, c in subs.items():
            got = sorted(m.payload.decode() for m in c.wait_messages(len(TRANSPORTS)))
            self.assertEqual(got, sorted(f"from {n}" for n in TRANSPORTS), name)


class TransportsV311(TransportTests, BrokerTestCase):
    version = MQTT_V311


class TransportsV5(TransportTests, BrokerTestCase):
    version = MQTT_V5

    def test_tls_certificate_verifies_against_the_test_ca(self):
        # The broker serves the certificate it was given (--tls-cert) for 127.0.0.1.
        ctx = client_ssl_context()
        with socket.create_connection((self.broker.host, self.broker.mqtts_port), 5) as s:
            with ctx.wrap_socket(s, server_hostname="127.0.0.1") as tls:
                self.assertIn(tls.version(), ("TLSv1.2", "TLSv1.3"))
                tls.sendall(connect_packet(unique("tls-"), MQTT_V5))
                self.assertEqual(tls.recv(1)[0] >> 4, CONNACK)

    def test_plain_mqtt_on_the_tls_port_gets_no_connack(self):
        with socket.create_connection((self.broker.host, self.broker.mqtts_port), 5) as s:
            s.sendall(connect_packet(unique("plain-"), MQTT_V5))
            s.settimeout(1)
            try:
                data = s.recv(64)
            except (ConnectionResetError, socket.timeout):
                data = b""
            self.assertFalse(data[:1] == b"\x20", f"CONNACK over plain TCP on TLS port: {data!r}")

    def test_websocket_handshake_selects_the_mqtt_subprotocol(self):
        # v5 §6.0 [MQTT-6.0.0-4] (v3.1.1 §6 likewise): the server selects and returns "mqtt".
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET /mqtt HTTP/1.1\r\nHost: {self.broker.host}:{self.broker.ws_port}\r\n"
                   "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                   "Sec-WebSocket-Protocol: mqtt\r\n\r\n")
        with socket.create_connection((self.broker.host, self.broker.ws_port), 5) as s:
            s.sendall(request.encode())
            response = b""
            while b"\r\n\r\n" not in response:
                chunk = s.recv(4096)
                if not chunk:
                    break
                response += chunk
        head = response.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
        self.assertIn(" 101 ", head[0] + " ", head[0])
        headers = {k.strip().lower(): v.strip() for k, v in
                   (line.split(":", 1) for line in head[1:] if ":" in line)}
        self.assertEqual(headers.get("sec-websocket-protocol"), "mqtt")
        accept = base64.b64encode(hashlib.sha1(
            (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        self.assertEqual(headers.get("sec-websocket-accept"), accept)

    def test_untrusted_certificate_is_refused_by_a_verifying_client(self):
        ctx = ssl.create_default_context()  # system CAs only: the test CA is unknown
        with socket.create_connection((self.broker.host, self.broker.mqtts_port), 5) as s:
            with self.assertRaises(ssl.SSLCertVerificationError):
                ctx.wrap_socket(s, server_hostname="127.0.0.1")


if __name__ == "__main__":
    main()
