#!/usr/bin/env python3
"""Runs the assistant's test set through `millet say --dry-run --json` and
reports the accuracy per language and per intent (docs/assistant.md, "The test
set").

  evaluate.py --millet build/millet [--min-accuracy 0.95] [--failures] [--markdown]

A sentence is right when its intent, its targets (in any order), its
parameters (exactly) and, where the file gives one, its status all match.
Exits 1 when a language's accuracy is below --min-accuracy.
"""

import argparse
import collections
import json
import os
import pathlib
import shlex
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent


class Case:
    def __init__(self, path, line, text, expected):
        self.path, self.line, self.text, self.expected = path, line, text, expected
        self.actual = None

    def where(self):
        return f"{self.path.relative_to(HERE)}:{self.line}"


def parse_expected(text, where):
    """'= intent [a, b] key=value key="two words"' -> dict."""
    body = text[1:].strip()
    intent, _, rest = body.partition(" ")
    rest = rest.strip()
    if not rest.startswith("["):
        raise SystemExit(f"{where}: expected targets in [...] after the intent")
    close = rest.index("]")
    targets = sorted(t.strip() for t in rest[1:close].split(",") if t.strip())
    params, status = {}, None
    for word in shlex.split(rest[close + 1:]):
        key, sep, value = word.partition("=")
        if not sep:
            raise SystemExit(f"{where}: '{word}' is not key=value")
        if key == "status":
            status = value
            continue
        try:
            params[key] = float(value)
        except ValueError:
            params[key] = value
    return {"intent": intent, "targets": targets, "params": params, "status": status}


def read_file(path):
    """The file's segments: (home, here, conversations), each conversation a list of cases."""
    segments = []
    home, here = None, ""
    conversation = []
    conversations = []
    pending = None

    def close_conversation():
        nonlocal conversation
        if conversation:
            conversations.append(conversation)
        conversation = []

    def close_segment():
        nonlocal conversations
        close_conversation()
        if conversations:
            segments.append((home, here, conversations))
        conversations = []

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if line.startswith("#"):
            continue
        if not line:
            close_conversation()
            continue
        if line.startswith("home:") or line.startswith("here:"):
            close_segment()
            value = line.split(":", 1)[1].strip()
            if line.startswith("home:"):
                home = value
            else:
                here = value
            continue
        if line.startswith(">"):
            pending = (number, line[1:].strip())
            continue
        if line.startswith("="):
            if pending is None:
                raise SystemExit(f"{path}:{number}: '=' without a '>' sentence before it")
            conversation.append(Case(path, pending[0], pending[1], parse_expected(line, f"{path}:{number}")))
            pending = None
            continue
        raise SystemExit(f"{path}:{number}: a line must start with #, >, =, home: or here:")
    close_segment()
    return segments


def run_segment(millet, home, here, conversations):
    lines = []
    for conversation in conversations:
        lines.extend(case.text for case in conversation)
        lines.append("")
    command = [millet, "say", "--home", str(HERE / "homes" / f"{home}.json"), "--dry-run", "--json"]
    if here:
        command += ["--here", here]
    result = subprocess.run(command, input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.strip()}")
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    answers = iter(outputs)
    for conversation in conversations:
        for case in conversation:
            case.actual = next(answers)
        if next(answers) != {}:
            raise SystemExit("millet say's output lost step with its input")


def same_params(expected, actual):
    if set(expected) != set(actual):
        return False
    for key, value in expected.items():
        got = actual[key]
        if isinstance(value, float):
            if not isinstance(got, (int, float)) or abs(got - value) > 1e-6:
                return False
        elif got != value:
            return False
    return True


def right(case):
    expected, actual = case.expected, case.actual
    return (actual.get("intent") == expected["intent"]
            and sorted(actual.get("targets", [])) == expected["targets"]
            and same_params(expected["params"], actual.get("params", {}))
            and (expected["status"] is None or actual.get("status") == expected["status"]))


def describe(case):
    a = case.actual
    params = " ".join(f"{k}={v}" for k, v in a.get("params", {}).items())
    return f"{a.get('intent')} [{', '.join(a.get('targets', []))}] {params} status={a.get('status')}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--millet", default=os.environ.get("MILLET_BIN", "build/millet"))
    parser.add_argument("--min-accuracy", type=float, default=0.0)
    parser.add_argument("--failures", action="store_true", help="list every miss")
    parser.add_argument("--markdown", action="store_true", help="print the tables for docs/assistant.md")
    parser.add_argument("files", nargs="*", help="test files (default: en/*.txt and zh/*.txt)")
    args = parser.parse_args()

    files = [pathlib.Path(f).resolve() for f in args.files] or sorted(HERE.glob("en/*.txt")) + sorted(HERE.glob("zh/*.txt"))
    cases = []
    for path in files:
        for home, here, conversations in read_file(path):
            if home is None:
                raise SystemExit(f"{path}: sentences before any 'home:' line")
            run_segment(args.millet, home, here, conversations)
            cases.extend(case for conversation in conversations for case in conversation)

    by_language = collections.defaultdict(lambda: [0, 0])
    by_intent = collections.defaultdict(lambda: {"en": [0, 0], "zh": [0, 0]})
    misses = []
    for case in cases:
        language = case.path.parent.name
        ok = right(case)
        by_language[language][0] += ok
        by_language[language][1] += 1
        by_intent[case.expected["intent"]][language][0] += ok
        by_intent[case.expected["intent"]][language][1] += 1
        if not ok:
            misses.append(case)

    if args.failures:
        for case in misses:
            print(f"{case.where()}: {case.text}")
            e = case.expected
            params = " ".join(f"{k}={v}" for k, v in e["params"].items())
            print(f"    expected {e['intent']} [{', '.join(e['targets'])}] {params} status={e['status']}")
            print(f"    got      {describe(case)}")
            print(f"    reply    {case.actual.get('reply')}")

    def percent(pair):
        return f"{100.0 * pair[0] / pair[1]:.1f}% ({pair[0]}/{pair[1]})" if pair[1] else "–"

    if args.markdown:
        print("| language | sentences | right | accuracy |\n| --- | ---: | ---: | ---: |")
        for language in sorted(by_language):
            right_count, total = by_language[language]
            print(f"| {language} | {total} | {right_count} | {100.0 * right_count / total:.1f}% |")
        print("\n| intent | English | Chinese |\n| --- | ---: | ---: |")
        for intent in sorted(by_intent):
            print(f"| `{intent}` | {percent(by_intent[intent]['en'])} | {percent(by_intent[intent]['zh'])} |")
    else:
        for language in sorted(by_language):
            print(f"{language}: {percent(by_language[language])}")
        for intent in sorted(by_intent):
            print(f"  {intent:24} en {percent(by_intent[intent]['en']):>18}   zh {percent(by_intent[intent]['zh']):>18}")

    low = [lang for lang, (ok, total) in by_language.items() if total and ok / total < args.min_accuracy]
    if low:
        print(f"accuracy below {args.min_accuracy:.0%} in: {', '.join(sorted(low))}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
