#!/usr/bin/python3
"""Run the MQTT.js tests in node/ against a broker started by harness.py (TLS enabled).

    /usr/bin/python3 tests/integration/run_node_tests.py [extra node --test args]

Installs node/node_modules from package-lock.json (npm ci) when missing. The broker is chosen
as for the Python tests (MILLET_TEST_BROKER, MILLET_BIN). Exits with node's status.
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402

NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node")


def ensure_node_modules() -> None:
    if os.path.isdir(os.path.join(NODE_DIR, "node_modules", "mqtt")):
        return
    print("[run_node_tests] npm ci in tests/integration/node", file=sys.stderr)
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True)


def main() -> int:
    ensure_node_modules()
    print(f"[run_node_tests] broker under test: {harness.BROKER_KIND}", file=sys.stderr)
    with harness.Broker(tls=True) as broker:
        env = dict(os.environ,
                   MILLET_HOST=broker.host,
                   MILLET_MQTT_PORT=str(broker.mqtt_port),
                   MILLET_WS_PORT=str(broker.ws_port),
                   MILLET_MQTTS_PORT=str(broker.mqtts_port),
                   MILLET_WSS_PORT=str(broker.wss_port),
                   MILLET_CA_FILE=broker.ca_cert)
        argv = ["node", "--test", *sys.argv[1:], "mqtt.test.mjs"]
        status = subprocess.run(argv, cwd=NODE_DIR, env=env, timeout=300).returncode
        if not broker.running():
            print(f"[run_node_tests] broker died:\n{broker.log()[-3000:]}", file=sys.stderr)
            return 1
        return status


if __name__ == "__main__":
    sys.exit(main())
