"""Settings and small utilities shared by the integration-test modules.

Environment: MILLET_TEST_BROKER (millet | mosquitto), MILLET_BIN, MOSQUITTO_BIN.
"""

from __future__ import annotations

import os
import socket
import time
import unittest
import uuid
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
HOST = "127.0.0.1"

#: Default wait for any awaited event. Generous: a pass takes milliseconds.
TIMEOUT = 5.0
#: How long to watch for something that must NOT happen (no message, no close).
QUIET = 0.5

BROKER_KIND = os.environ.get("MILLET_TEST_BROKER", "millet").strip().lower() or "millet"
if BROKER_KIND not in ("millet", "mosquitto"):
    raise SystemExit(f"MILLET_TEST_BROKER={BROKER_KIND!r}: expected 'millet' or 'mosquitto'")
MILLET_BIN = os.environ.get("MILLET_BIN", str(REPO / "build" / "millet"))
MOSQUITTO_BIN = os.environ.get("MOSQUITTO_BIN", "/usr/sbin/mosquitto")

MQTT_V311 = 4
MQTT_V5 = 5

# --------------------------------------------------------------------------------------
# Skips tied to the broker under test
# --------------------------------------------------------------------------------------


def is_mosquitto() -> bool:
    return BROKER_KIND == "mosquitto"


def skip_on_mosquitto(reason: str):
    """Skip a spec-conformance test under Mosquitto 2.0.11, which deviates: `reason` says how."""
    return unittest.skipIf(is_mosquitto(), f"Mosquitto 2.0.11 deviates: {reason}")


def mosquitto_lacks(reason: str):
    """Skip a test that needs a setting Mosquitto 2.0.11 does not have (not a spec issue)."""
    return unittest.skipIf(is_mosquitto(), f"Mosquitto 2.0.11 has no equivalent: {reason}")


def millet_only(reason: str):
    """Skip a test of millet-specific behaviour (beyond what the spec requires) on other brokers."""
    return unittest.skipIf(BROKER_KIND != "millet", f"millet-specific: {reason}")


# --------------------------------------------------------------------------------------
# Waiting utilities
# --------------------------------------------------------------------------------------


def wait_until(predicate: Callable[[], Any], timeout: float = TIMEOUT, interval: float = 0.01,
               message: str = "condition") -> Any:
    """Poll `predicate` until it returns a truthy value; fail the test after `timeout`.

    Use only where no event can be awaited (e.g. a process exiting, a port opening)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.1f}s waiting for {message}")
        time.sleep(interval)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (only for brokers that cannot bind 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def unique(prefix: str = "") -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"
