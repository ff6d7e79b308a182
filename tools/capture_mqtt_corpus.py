#!/usr/bin/python3
"""Records the MQTT packets real clients exchange with millet, as a fuzzing seed corpus.

Also records what a paho client sends over WebSocket (the HTTP upgrade and masked
frames) to fuzz/corpus/websocket/, prefixed with the chunk-size byte of
fuzz/websocket_fuzzer.cc.

Starts build/millet on free ports and a recording TCP proxy in front of it, runs
mosquitto_pub / mosquitto_sub (3.1.1 and 5.0, with QoS, retain, wills, properties,
credentials) and paho-mqtt clients through the proxy, splits each direction of each
connection into packets and writes every distinct packet to fuzz/corpus/mqtt/ as
<version byte><packet>, the input format of fuzz/mqtt_codec_fuzzer.cc (version byte:
4 = MQTT 3.1.1, 5 = MQTT 5.0). Run from the repository root after `make build`.
"""
import hashlib
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fuzz", "corpus", "mqtt")
WS_OUT = os.path.join(ROOT, "fuzz", "corpus", "websocket")


def split_packets(data: bytes):
    packets, i = [], 0
    while i + 2 <= len(data):
        length, multiplier, j = 0, 1, i + 1
        while j < len(data):
            byte = data[j]
            length += (byte & 0x7F) * multiplier
            multiplier *= 128
            j += 1
            if byte & 0x80 == 0:
                break
        if j + length > len(data):
            break
        packets.append(data[i:j + length])
        i = j + length
    return packets


class Proxy:
    def __init__(self, target_port: int):
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.streams = []  # (client->server bytes, server->client bytes) per connection
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            client, _ = self.listener.accept()
            server = socket.create_connection(("127.0.0.1", self.target_port))
            record = [bytearray(), bytearray()]
            with self.lock:
                self.streams.append(record)
            threading.Thread(target=self._pump, args=(client, server, record[0]), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, record[1]), daemon=True).start()

    @staticmethod
    def _pump(source, sink, record):
        try:
            while True:
                chunk = source.recv(65536)
                if not chunk:
                    break
                record.extend(chunk)
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def run(command, timeout=5):
    subprocess.run(command, timeout=timeout, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def scenarios(port: int):
    pub = ["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port)]
    sub = ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-W", "2"]
    for version in ("mqttv311", "mqttv5"):
        v = ["-V", version]
        background = subprocess.Popen(sub + v + ["-t", "corpus/#", "-t", "+/x", "-q", "2", "-C", "6", "-v"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3)
        for qos in ("0", "1", "2"):
            run(pub + v + ["-t", "corpus/q" + qos, "-m", "payload " + qos, "-q", qos])
        run(pub + v + ["-t", "corpus/retained", "-m", "kept", "-r", "-q", "1"])
        run(pub + v + ["-t", "corpus/retained", "-n", "-r"])  # clears
        run(pub + v + ["-t", "corpus/auth", "-m", "x", "-u", "user", "-P", "secret", "-i", "corpus-client"])
        run(pub + v + ["-t", "corpus/will", "-m", "x", "--will-topic", "corpus/gone", "--will-payload", "bye",
                       "--will-qos", "1", "--will-retain", "-k", "30"])
        run(sub + v + ["-t", "corpus/retained", "-C", "1", "-c", "-i", "persistent", "-q", "1"])
        run(sub + v + ["-t", "a/+/c", "-t", "$SYS/#", "-U", "a/+/c", "-C", "1", "-q", "1"])
        background.wait(timeout=5)
    v5 = ["-V", "mqttv5"]
    run(pub + v5 + ["-t", "corpus/props", "-m", "{\"on\":true}", "-q", "1",
                    "-D", "publish", "user-property", "room", "kitchen",
                    "-D", "publish", "content-type", "application/json",
                    "-D", "publish", "response-topic", "corpus/reply",
                    "-D", "publish", "correlation-data", "abc123",
                    "-D", "publish", "message-expiry-interval", "60",
                    "-D", "publish", "payload-format-indicator", "1",
                    "-D", "connect", "session-expiry-interval", "3600",
                    "-D", "connect", "receive-maximum", "10",
                    "-D", "connect", "maximum-packet-size", "100000",
                    "-D", "connect", "topic-alias-maximum", "5",
                    "-D", "connect", "user-property", "client", "corpus"])
    run(pub + v5 + ["-t", "corpus/alias", "-m", "x", "-D", "publish", "topic-alias", "3"])
    run(sub + v5 + ["-t", "corpus/#", "-C", "1", "--nodelay", "-D", "subscribe", "subscription-identifier", "42",
                    "--retain-as-published", "--nolocal", "-D", "connect", "request-problem-information", "1"])
    run(sub + v5 + ["-t", "$share/group/corpus/#", "-C", "1"])
    run(sub + v5 + ["-t", "corpus/#", "-C", "1", "--retained-only"])
    paho_scenario(port)


def paho_scenario(port: int):
    import paho.mqtt.client as mqtt
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    done = threading.Event()
    client = mqtt.Client(client_id="corpus-paho", protocol=mqtt.MQTTv5)
    connect = Properties(PacketTypes.CONNECT)
    connect.SessionExpiryInterval = 120
    will = Properties(PacketTypes.WILLMESSAGE)
    will.WillDelayInterval = 5
    client.will_set("corpus/paho/will", b"gone", qos=2, retain=True, properties=will)
    client.on_subscribe = lambda *a: done.set()
    client.connect("127.0.0.1", port, keepalive=20, clean_start=True, properties=connect)
    client.loop_start()
    subscribe = Properties(PacketTypes.SUBSCRIBE)
    subscribe.SubscriptionIdentifier = 7
    client.subscribe([("corpus/paho/#", mqtt.SubscribeOptions(qos=2, noLocal=False, retainAsPublished=True,
                                                               retainHandling=1))], properties=subscribe)
    done.wait(3)
    publish = Properties(PacketTypes.PUBLISH)
    publish.UserProperty = [("a", "1"), ("b", "2")]
    client.publish("corpus/paho/x", b"\x00\x01binary\xff", qos=2, properties=publish).wait_for_publish(3)
    client.publish("corpus/paho/y", b"", qos=1, retain=True).wait_for_publish(3)
    client.unsubscribe("corpus/paho/#")
    time.sleep(0.3)
    disconnect = Properties(PacketTypes.DISCONNECT)
    disconnect.SessionExpiryInterval = 0
    client.disconnect(reasoncode=None, properties=disconnect)
    client.loop_stop()


def websocket_scenario(port: int):
    import paho.mqtt.client as mqtt
    for protocol in (mqtt.MQTTv311, mqtt.MQTTv5):
        done = threading.Event()
        client = mqtt.Client(client_id="corpus-ws", protocol=protocol, transport="websockets")
        client.ws_set_options(path="/mqtt")
        client.on_subscribe = lambda *a: done.set()
        client.connect("127.0.0.1", port, keepalive=20)
        client.loop_start()
        client.subscribe("corpus/ws/#", qos=1)
        done.wait(3)
        client.publish("corpus/ws/x", b"over websocket" * 20, qos=1).wait_for_publish(3)
        client.disconnect()
        client.loop_stop()


def write_sample(directory: str, sample: bytes) -> int:
    path = os.path.join(directory, hashlib.sha1(sample).hexdigest())
    if os.path.exists(path):
        return 0
    with open(path, "wb") as f:
        f.write(sample)
    return 1


def main():
    binary = os.path.join(ROOT, "build", "millet")
    data_dir = tempfile.mkdtemp(prefix="millet-corpus-")
    broker = subprocess.Popen([binary, "serve", "--data-dir", data_dir, "--mqtt-port", "0", "--ws-port", "0",
                               "--http-port", "off"], stderr=subprocess.PIPE, text=True)
    ports = {}
    for line in broker.stderr:
        m = re.search(r"listening (\w+) on \w+://127.0.0.1:(\d+)", line)
        if m:
            ports[m.group(1)] = int(m.group(2))
        if line.rstrip().endswith("ready"):
            break
    threading.Thread(target=lambda: [None for _ in broker.stderr], daemon=True).start()
    proxy = Proxy(ports["mqtt"])
    ws_proxy = Proxy(ports["ws"])
    try:
        scenarios(proxy.port)
        websocket_scenario(ws_proxy.port)
        time.sleep(0.5)
    finally:
        broker.terminate()
        broker.wait(timeout=10)
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(WS_OUT, exist_ok=True)
    written = 0
    for client_bytes, _ in ws_proxy.streams:
        written += write_sample(WS_OUT, b"\xff" + bytes(client_bytes))  # chunks of 256 bytes
    for client_bytes, server_bytes in proxy.streams:
        packets_in = split_packets(bytes(client_bytes))
        if not packets_in or packets_in[0][0] >> 4 != 1:
            continue
        name_at = packets_in[0].find(b"\x00\x04MQTT")
        level = packets_in[0][name_at + 6] if name_at > 0 else 4
        version = bytes([5 if level == 5 else 4])
        for packet in packets_in + split_packets(bytes(server_bytes)):
            written += write_sample(OUT, version + packet)
    print(f"{written} new samples in {OUT} and {WS_OUT}")


if __name__ == "__main__":
    sys.exit(main())
