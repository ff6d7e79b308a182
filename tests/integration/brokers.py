"""Broker processes under test: millet (CONTRACT.md) or Mosquitto (a generated
mosquitto.conf), on free ports of 127.0.0.1 with data in a temp dir; TLS material."""

from __future__ import annotations

import atexit
import dataclasses
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
from typing import Any, Iterable

from common import (BROKER_KIND, HOST, MILLET_BIN, MOSQUITTO_BIN, TIMEOUT, free_port,
                    wait_until)

# --------------------------------------------------------------------------------------
# TLS material: a throwaway CA and a server certificate for 127.0.0.1 / localhost
# --------------------------------------------------------------------------------------

_tls_lock = threading.Lock()
_tls_dir: str | None = None


@dataclasses.dataclass(frozen=True)
class TlsFiles:
    ca_cert: str
    server_cert: str
    server_key: str


def tls_files() -> TlsFiles:
    """Generate (once per process) a self-signed CA and a server cert signed by it."""
    global _tls_dir
    with _tls_lock:
        if _tls_dir is None:
            d = tempfile.mkdtemp(prefix="millet-it-tls-")
            atexit.register(shutil.rmtree, d, True)
            _generate_tls(d)
            _tls_dir = d
        return TlsFiles(os.path.join(_tls_dir, "ca.pem"), os.path.join(_tls_dir, "server.pem"),
                        os.path.join(_tls_dir, "server.key"))


def _generate_tls(d: str) -> None:
    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=millet integration test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("basicConstraints=CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\n"
                "subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext")


def client_ssl_context() -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=tls_files().ca_cert)
    return ctx


# --------------------------------------------------------------------------------------
# Broker process
# --------------------------------------------------------------------------------------

#: Settings every test broker gets unless a test overrides them (CONTRACT.md names).
DEFAULT_SETTINGS: dict[str, Any] = {"connect_timeout": 1}

#: CONTRACT.md flag for each setting.
_MILLET_FLAGS = {
    "max_packet_size": "--max-packet-size",
    "connect_timeout": "--connect-timeout",
    "max_keepalive": "--max-keepalive",
    "receive_max": "--receive-max",
    "max_inflight": "--max-inflight",
    "max_queued": "--max-queued",
    "topic_alias_max": "--topic-alias-max",
    "max_session_expiry": "--max-session-expiry",
    "threads": "--threads",
    "web_dir": "--web-dir",  # millet only: the web app's files
    "demo": "--demo",        # millet only: True makes (or keeps) the demo home and simulates it
    "assistant_fallback": "--assistant-fallback",  # millet only: an OpenAI-compatible chat server
    "assistant_model": "--assistant-model",
}

_LISTENING_RE = re.compile(r"listening (\w+) on (\S+)")
_READY_RE = re.compile(r"\bready\s*$")
_live_processes: set[subprocess.Popen] = set()


@atexit.register
def _kill_leftovers() -> None:
    for p in list(_live_processes):
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                p.kill()
            p.wait()


class BrokerStartError(RuntimeError):
    pass


class BrokerProcess:
    """One OS process of a broker (in its own process group); its output (stderr, and stdout
    merged into it) is drained by a thread into `lines` and the log file."""

    def __init__(self, argv: list[str], log_path: str, kind: str,
                 required_urls: Iterable[str] = ()):
        """required_urls (millet): listener kinds whose 'listening' line must precede the
        'ready' line for the process to count as ready."""
        self.kind = kind
        self.argv = argv
        self.required_urls = set(required_urls)
        self.lines: list[str] = []
        self.urls: dict[str, str] = {}
        self.ready = threading.Event()
        self.exited = threading.Event()
        self._log = open(log_path, "a", buffering=1)
        self._log.write(f"$ {' '.join(argv)}\n")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT,
                                     text=True, errors="replace", start_new_session=True)
        _live_processes.add(self.proc)
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        self._waiter = threading.Thread(target=self._wait, daemon=True)
        self._waiter.start()

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        try:
            for line in self.proc.stdout:
                line = line.rstrip("\n")
                self.lines.append(line)
                self._log.write(line + "\n")
                m = _LISTENING_RE.search(line)
                if m:
                    self.urls[m.group(1)] = m.group(2)
                if (self.kind == "millet" and _READY_RE.search(line)
                        and self.required_urls <= set(self.urls)):
                    self.ready.set()
                if self.kind == "mosquitto" and re.search(r"mosquitto version \S+ running", line):
                    self.ready.set()
        except (OSError, ValueError):
            pass  # pipe closed by wait_exit

    def _wait(self) -> None:
        # Exit is judged by the process, not by EOF on its output (a child it forked could
        # hold the pipe open).
        self.proc.wait()
        self.exited.set()
        self.ready.set()  # wake wait_ready; it checks exited

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def returncode(self) -> int | None:
        return self.proc.poll()

    def running(self) -> bool:
        return self.proc.poll() is None

    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_ready(self, timeout: float) -> bool:
        """True once ready; False if the process exited first. Raises on timeout."""
        if not self.ready.wait(timeout):
            raise BrokerStartError(f"{self.kind} not ready after {timeout}s:\n{self.output()}")
        if self.exited.is_set():
            self._reader.join(1.0)  # collect its last words
            return False
        return True

    def wait_exit(self, timeout: float) -> int:
        if not self.exited.wait(timeout):
            raise AssertionError(f"{self.kind} pid {self.pid} still running after {timeout}s")
        self._reader.join(1.0)
        _live_processes.discard(self.proc)
        if not self._log.closed:
            self._log.write(f"[exit status {self.proc.returncode}]\n")
            self._log.close()
        if self.proc.stdout is not None and not self._reader.is_alive():
            self.proc.stdout.close()
        return self.proc.returncode

    def signal(self, sig: int) -> None:
        """Signal the broker process (SIGKILL: its whole process group)."""
        if not self.running():
            return
        if sig == signal.SIGKILL:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
                return
            except OSError:
                pass
        self.proc.send_signal(sig)


class Broker:
    """A broker under test on 127.0.0.1, on free ports, with its data in a temp dir.

    settings use CONTRACT.md's names: max_packet_size, connect_timeout, max_keepalive,
    receive_max, max_inflight, max_queued, topic_alias_max, max_session_expiry, threads.
    """

    def __init__(self, tls: bool = False, kind: str | None = None, data_dir: str | None = None,
                 **settings: Any):
        unknown = set(settings) - set(_MILLET_FLAGS)
        if unknown:
            raise TypeError(f"unknown broker settings {sorted(unknown)}")
        self.kind = kind or BROKER_KIND
        self.tls = tls
        self.settings = {**DEFAULT_SETTINGS, **settings}
        self.workdir = tempfile.mkdtemp(prefix=f"millet-it-{self.kind}-")
        self.data_dir = data_dir or os.path.join(self.workdir, "data")
        os.makedirs(self.data_dir, exist_ok=True)
        self.log_path = os.path.join(self.workdir, "broker.log")
        self.process: BrokerProcess | None = None
        self.host = HOST
        self.ports: dict[str, int] = {}

    # ---- ports -------------------------------------------------------------------------
    @property
    def mqtt_port(self) -> int:
        return self.ports["mqtt"]

    @property
    def ws_port(self) -> int:
        return self.ports["ws"]

    @property
    def http_port(self) -> int | None:
        """millet's HTTP listener (none for Mosquitto)."""
        return self.ports.get("http")

    @property
    def mqtts_port(self) -> int:
        return self.ports["mqtts"]

    @property
    def wss_port(self) -> int:
        return self.ports["wss"]

    @property
    def ca_cert(self) -> str:
        return tls_files().ca_cert

    # ---- lifecycle -----------------------------------------------------------------------
    def start(self, timeout: float = 15.0) -> "Broker":
        if self.process is not None and self.process.running():
            raise RuntimeError("broker already running")
        self.process, self.ports = self._launch(timeout)
        return self

    def _launch(self, timeout: float) -> tuple[BrokerProcess, dict[str, int]]:
        if self.kind == "millet":
            return self._launch_millet(timeout)
        return self._launch_mosquitto(timeout)

    def _launch_millet(self, timeout: float) -> tuple[BrokerProcess, dict[str, int]]:
        if not os.access(MILLET_BIN, os.X_OK):
            raise BrokerStartError(f"millet binary not found at {MILLET_BIN} (set MILLET_BIN, "
                                   "or MILLET_TEST_BROKER=mosquitto)")
        argv = [MILLET_BIN, "serve", "--data-dir", self.data_dir, "--bind", HOST,
                "--mqtt-port", "0", "--ws-port", "0", "--http-port", "0"]
        if self.tls:
            t = tls_files()
            argv += ["--mqtts-port", "0", "--wss-port", "0", "--tls-cert", t.server_cert,
                     "--tls-key", t.server_key]
        for name, value in self.settings.items():
            if value is True:  # a flag without a value
                argv += [_MILLET_FLAGS[name]]
            elif value is not None and value is not False:
                argv += [_MILLET_FLAGS[name], str(value)]
        if os.environ.get("MILLET_TEST_LOG_LEVEL"):
            argv += ["--log-level", os.environ["MILLET_TEST_LOG_LEVEL"]]
        want = ["mqtt", "ws"] + (["mqtts", "wss"] if self.tls else [])
        proc = BrokerProcess(argv, self.log_path, "millet", required_urls=want)
        if not _ready_or_killed(proc, timeout):
            raise BrokerStartError(f"millet exited with {proc.returncode} before ready:\n"
                                   f"{proc.output()}")
        ports = {}
        for kind, url in proc.urls.items():
            m = re.match(r"\w+://([^:/]+):(\d+)", url)
            if m:
                ports[kind] = int(m.group(2))
        missing = [k for k in want if k not in ports]
        if missing:
            proc.signal(signal.SIGKILL)
            raise BrokerStartError(f"millet did not log 'listening {missing[0]} on ...':\n"
                                   f"{proc.output()}")
        return proc, ports

    def _mosquitto_conf(self, ports: dict[str, int]) -> str:
        s = self.settings
        lines = [
            "# generated by tests/integration/harness.py",
            "per_listener_settings false",
            "allow_anonymous true",
            "user root" if os.geteuid() == 0 else "",
            "persistence true",
            f"persistence_location {self.data_dir}/",
            # Mosquitto writes its database only periodically and at exit. Saving after every
            # change is the closest it comes to millet's durable-before-ack store.
            "autosave_on_changes true",
            "autosave_interval 1",
            "log_dest stderr",
            "log_type error", "log_type warning", "log_type notice", "log_type information",
            "connection_messages true",
            "set_tcp_nodelay true",
            "max_queued_messages {}".format(s["max_queued"]) if s.get("max_queued") else "",
            "max_inflight_messages {}".format(s["max_inflight"]) if s.get("max_inflight") else "",
            "max_packet_size {}".format(s["max_packet_size"]) if s.get("max_packet_size") else "",
            "max_keepalive {}".format(s["max_keepalive"]) if s.get("max_keepalive") else "",
        ]
        if s.get("max_session_expiry"):
            hours = max(1, -(-int(s["max_session_expiry"]) // 3600))
            lines.append(f"persistent_client_expiration {hours}h")
        # receive_max, connect_timeout and threads have no Mosquitto equivalent.
        t = tls_files() if self.tls else None
        for kind, port in ports.items():
            lines += ["", f"listener {port} {HOST}",
                      "protocol websockets" if kind in ("ws", "wss") else "protocol mqtt"]
            if s.get("topic_alias_max") is not None:
                lines.append(f"max_topic_alias {s['topic_alias_max']}")
            if kind in ("mqtts", "wss"):
                lines += [f"certfile {t.server_cert}", f"keyfile {t.server_key}"]
        return "\n".join(line for line in lines if line is not None) + "\n"

    def _launch_mosquitto(self, timeout: float) -> tuple[BrokerProcess, dict[str, int]]:
        for attempt in range(3):
            kinds = ["mqtt", "ws"] + (["mqtts", "wss"] if self.tls else [])
            ports = {k: free_port() for k in kinds}
            conf = os.path.join(self.workdir, "mosquitto.conf")
            with open(conf, "w") as f:
                f.write(self._mosquitto_conf(ports))
            proc = BrokerProcess([MOSQUITTO_BIN, "-c", conf], self.log_path, "mosquitto")
            if _ready_or_killed(proc, timeout):
                for kind, port in ports.items():
                    wait_until(lambda: _port_open(port), timeout, message=f"{kind} port {port}")
                return proc, ports
            if "Address already in use" not in proc.output():
                break
        raise BrokerStartError(f"mosquitto exited with {proc.returncode}:\n{proc.output()}")

    def running(self) -> bool:
        return self.process is not None and self.process.running()

    def terminate(self, timeout: float = 10.0) -> int:
        """SIGTERM and wait; returns the exit status (negative = killed by that signal)."""
        assert self.process is not None
        self.process.signal(signal.SIGTERM)
        return self.process.wait_exit(timeout)

    def kill(self) -> None:
        """kill -9: no chance to flush anything."""
        assert self.process is not None
        self.process.signal(signal.SIGKILL)
        self.process.wait_exit(TIMEOUT)

    def restart(self, hard: bool = False) -> "Broker":
        """Stop (SIGTERM, or kill -9 if hard) and start again on the same data dir."""
        if self.running():
            if hard:
                self.kill()
            else:
                self.terminate()
        return self.start()

    def spawn_second(self) -> BrokerProcess:
        """Start another broker process on the same data dir (its own fresh ports, no TLS).

        For millet, wait_ready() tells whether it came up; its `urls` give its ports."""
        log_path = os.path.join(self.workdir, "second.log")
        if self.kind == "millet":
            argv = [MILLET_BIN, "serve", "--data-dir", self.data_dir, "--bind", HOST,
                    "--mqtt-port", "0", "--ws-port", "0", "--http-port", "0"]
            return BrokerProcess(argv, log_path, "millet", required_urls=["mqtt", "ws"])
        ports = {"mqtt": free_port(), "ws": free_port()}
        conf = os.path.join(self.workdir, "second.conf")
        with open(conf, "w") as f:
            f.write(self._mosquitto_conf(ports))
        p = BrokerProcess([MOSQUITTO_BIN, "-c", conf], log_path, "mosquitto")
        p.urls = {"mqtt": f"mqtt://{HOST}:{ports['mqtt']}"}
        return p

    def log(self) -> str:
        try:
            with open(self.log_path) as f:
                return f.read()
        except OSError:
            return ""

    def close(self) -> None:
        """Kill the broker if it runs and remove its work dir (unless MILLET_TEST_KEEP_LOGS)."""
        try:
            if self.process is not None and self.process.running():
                self.process.signal(signal.SIGKILL)
                self.process.wait_exit(TIMEOUT)
        finally:
            if os.environ.get("MILLET_TEST_KEEP_LOGS"):
                print(f"[harness] broker work dir kept: {self.workdir}", file=sys.stderr)
            else:
                shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> "Broker":
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _ready_or_killed(proc: BrokerProcess, timeout: float) -> bool:
    """wait_ready, but a broker that hangs before ready is killed before the error is raised."""
    try:
        return proc.wait_ready(timeout)
    except BrokerStartError:
        proc.signal(signal.SIGKILL)
        proc.wait_exit(TIMEOUT)
        raise


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False
