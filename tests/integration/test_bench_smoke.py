"""`millet bench`, the load tool, keeps working: a one-second run of each scenario against the
broker under test (millet, or Mosquitto with MILLET_TEST_BROKER=mosquitto). Benchmarks are
not tests; this only checks that every scenario runs, measures and reports sensibly.
bench/compare-mosquitto runs the real thing.
"""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import MILLET_BIN, BrokerTestCase, main  # noqa: E402


class BenchSmoke(BrokerTestCase):

    def bench(self, *arguments: str) -> dict:
        out = subprocess.run([MILLET_BIN, "bench", *arguments, "--port", str(self.broker.mqtt_port), "--quiet"],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        self.assertNotIn("error", result)
        return result

    def check_flow(self, result: dict, scenario: str, qos: int = 0):
        self.assertEqual((result["scenario"], result["qos"]), (scenario, qos))
        self.assertGreater(result["delivered"], 100, "hardly anything was delivered in a second")
        self.assertGreaterEqual(result["published"], result["delivered"] // 50)
        latency = result["latency_ns"]
        self.assertTrue(0 < latency["p50"] <= latency["p99"] <= latency["p999"] <= latency["max"], latency)

    def test_fan_in_qos0_and_qos1(self):
        self.check_flow(self.bench("fan-in", "--duration", "1", "--warmup", "0.2"), "fan-in")
        self.check_flow(self.bench("fan-in", "--qos", "1", "--duration", "1", "--warmup", "0.2"), "fan-in", 1)

    def test_point_to_point(self):
        self.check_flow(self.bench("p2p", "--pairs", "4", "--duration", "1", "--warmup", "0.2"), "p2p")

    def test_fan_out_counts_every_copy(self):
        result = self.bench("fan-out", "--subscribers", "10", "--duration", "1", "--warmup", "0.2")
        self.check_flow(result, "fan-out")
        self.assertGreaterEqual(result["delivered_in_run"], result["delivered"])

    def test_fixed_rate_keeps_the_rate(self):
        result = self.bench("fan-in", "--rate", "2000", "--duration", "1", "--warmup", "0.2", "--protocol", "5")
        self.check_flow(result, "fan-in")
        self.assertEqual(result["mode"], "fixed-rate")
        self.assertAlmostEqual(result["delivered_per_second"], 2000, delta=200)

    def test_idle_connections_and_broker_memory(self):
        result = self.bench("connections", "--connections", "300", "--source-addresses", "3", "--hold", "0.2",
                            "--broker-pid", str(self.broker.process.pid))
        self.assertEqual(result["connections"], 300)
        self.assertGreater(result["connects_per_second"], 0)
        self.assertIn("broker_rss_bytes_per_connection", result)

    def test_unreachable_broker_is_a_clear_error(self):
        out = subprocess.run([MILLET_BIN, "bench", "fan-in", "--port", "1", "--duration", "1", "--quiet"],
                             capture_output=True, text=True, timeout=30)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("cannot connect", out.stderr)


if __name__ == "__main__":
    main()
