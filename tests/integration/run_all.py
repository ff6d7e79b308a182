#!/usr/bin/python3
"""Run every Python integration test file (and, with --node, the MQTT.js tests).

    /usr/bin/python3 tests/integration/run_all.py [--node] [-k PATTERN] [test_x.py ...]

Ends with a plain summary line, 'N passed, N failed, N skipped', and exits non-zero if
anything failed or errored. The broker is chosen by MILLET_TEST_BROKER / MILLET_BIN as for a
single file (see README.md).
"""

import argparse
import os
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", help="test files (default: all test_*.py)")
    parser.add_argument("-k", dest="patterns", action="append",
                        help="only tests whose name contains this substring")
    parser.add_argument("--node", action="store_true", help="also run run_node_tests.py")
    args = parser.parse_args()

    loader = unittest.TestLoader()
    if args.patterns:
        loader.testNamePatterns = [f"*{p}*" for p in args.patterns]
    if args.files:
        suite = unittest.TestSuite(
            loader.loadTestsFromName(os.path.splitext(os.path.basename(f))[0])
            for f in args.files)
    else:
        suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)

    print(f"[run_all] broker under test: {harness.BROKER_KIND}", file=sys.stderr)
    started = time.monotonic()
    result = unittest.TextTestRunner(verbosity=int(os.environ.get("MILLET_TEST_VERBOSITY", "1")),
                                     warnings="ignore").run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    status = 0 if result.wasSuccessful() else 1
    if args.node:
        node = subprocess.run([sys.executable, os.path.join(HERE, "run_node_tests.py")])
        print(f"[run_all] node tests exit status {node.returncode}", file=sys.stderr)
        status = status or node.returncode
    print(f"[run_all] {time.monotonic() - started:.1f}s", file=sys.stderr)
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return status


if __name__ == "__main__":
    sys.exit(main())
