#!/usr/bin/env python3
"""Summarise one bench/conformance.sh run: the TAP each runtime-tools test printed
per runtime, counted, compared, and written out.

Usage: conformance-report.py OUT   (OUT holds runs.tsv and tap/TEST.RUNTIME.{tap,stderr})

How runtime-tools' tests report (validation/*/*.go at 260e151, tap-go):
  "ok N - text"          an assertion that held
  "not ok N - text"      one that did not
  "ok N # SKIP text"     skipped; "… # TODO …" is todo, neither pass nor fail
  "  ---" … "  ..."      a diagnostic block (JSON text), after or *before* its
                         assertion (RuntimeInsideValidate writes it first)
Some tests (hooks, poststart, prestart_fail, …) assert nothing: they print a
diagnostic block with an "error" key and no assertion next to it. Such a block is
counted as an *error* (a failure without an assertion). The *_fail tests print nothing
on success and exit 1 on failure, so a run also fails when its test exits non-zero.

Writes results.tsv, failures-RUNTIME.txt, and for each pair of runtimes
A-only.txt: per test, what fails under A but not under the other runtime.
Prints the totals side by side and one line per test.
"""
import collections
import json
import os
import re
import sys

TEST_LINE = re.compile(r"^(not )?ok \d+\b\s*(?:- )?(.*)$")
DIRECTIVE = re.compile(r"^#\s*(SKIP|TODO)\b\s*(.*)$", re.IGNORECASE)


class Assertion:
    def __init__(self, kind, text):
        self.kind = kind      # ok, notok, skip, todo, error
        self.text = text
        self.details = []     # diagnostic lines worth showing next to a failure


def block_json(lines):
    """The diagnostic block's JSON object, or {} when it is not JSON."""
    try:
        value = json.loads("\n".join(lines))
        return value if isinstance(value, dict) else {}
    except ValueError:
        return {}


def describe_block(info):
    """Short lines for a failure: the error, stderr, and nested "not ok" lines."""
    out = []
    for key in ("error", "stderr", "expected", "actual", "reference"):
        if key in info and info[key] not in ("", None):
            out.append(f"{key}: {str(info[key]).strip()}".replace("\n", " | "))
    nested = str(info.get("stdout", ""))
    for line in nested.splitlines():
        if line.startswith("not ok"):
            out.append(f"inside the container: {line}")
    return out


def parse(path):
    """The assertions of one TAP file, in order."""
    try:
        lines = open(path, errors="replace").read().splitlines()
    except FileNotFoundError:
        return []
    result = []
    last_was_test = False
    pending = None            # a block with an error not yet attached to an assertion
    i = 0
    while i < len(lines):
        line = lines[i]
        if line == "  ---":
            end = i + 1
            while end < len(lines) and lines[end] != "  ...":
                end += 1
            info = block_json([l[2:] for l in lines[i + 1:end]])
            # A block with the nested runtimetest's "stdout" precedes its assertion;
            # any other block follows one, unless no assertion came before it.
            if last_was_test and result and "stdout" not in info:
                result[-1].details += describe_block(info)
            else:
                pending = info
            i = end + 1
            continue
        match = TEST_LINE.match(line)
        if match:
            failed, rest = match.group(1) is not None, match.group(2)
            directive = DIRECTIVE.match(rest)
            if directive:
                kind = "skip" if directive.group(1).upper() == "SKIP" else "todo"
                assertion = Assertion(kind, directive.group(2))
            else:
                assertion = Assertion("notok" if failed else "ok", rest)
            if pending is not None:          # the block written before its assertion
                assertion.details += describe_block(pending)
                pending = None
            result.append(assertion)
            last_was_test = True
        else:
            if line.startswith("# ") and result and last_was_test:
                result[-1].details.append(line[2:])
                i += 1
                continue
            if pending is not None and "error" in pending:
                result.append(error_assertion(pending))
            pending = None
            last_was_test = False
        i += 1
    if pending is not None and "error" in pending:
        result.append(error_assertion(pending))
    return result


def error_assertion(info):
    first = str(info["error"]).strip().splitlines()
    assertion = Assertion("error", first[0] if first else "error")
    assertion.details = describe_block(info)[1:]
    return assertion


def stderr_lines(path, limit=12):
    """The distinct lines of a test's stderr (where the runtime's errors land)."""
    seen, out = set(), []
    try:
        for line in open(path, errors="replace").read().splitlines():
            if line and line not in seen:
                seen.add(line)
                out.append(line)
    except FileNotFoundError:
        pass
    return out[:limit]


def main(out_dir):
    runs = []                 # (test, runtime, exit, seconds, leftovers)
    with open(os.path.join(out_dir, "runs.tsv")) as f:
        next(f)
        for row in f:
            runs.append(row.rstrip("\n").split("\t"))
    runtimes = list(dict.fromkeys(r[1] for r in runs))
    tests = list(dict.fromkeys(r[0] for r in runs))
    parsed, status = {}, {}
    for test, runtime, exit_status, seconds, leftovers in runs:
        base = os.path.join(out_dir, "tap", f"{test}.{runtime}")
        parsed[test, runtime] = parse(base + ".tap")
        status[test, runtime] = (exit_status, seconds, int(leftovers))

    def count(test, runtime):
        return collections.Counter(a.kind for a in parsed.get((test, runtime), []))

    def passed(test, runtime):
        c = count(test, runtime)
        return status[test, runtime][0] == "0" and c["notok"] == 0 and c["error"] == 0

    with open(os.path.join(out_dir, "results.tsv"), "w") as f:
        f.write("test\truntime\tpass\tfail\tskip\ttodo\terrors\texit\tseconds\tleftovers\tverdict\n")
        for test in tests:
            for runtime in runtimes:
                if (test, runtime) not in status:
                    continue
                c, (ex, sec, left) = count(test, runtime), status[test, runtime]
                verdict = "pass" if passed(test, runtime) else "fail"
                f.write(f"{test}\t{runtime}\t{c['ok']}\t{c['notok']}\t{c['skip']}\t{c['todo']}\t"
                        f"{c['error']}\t{ex}\t{sec}\t{left}\t{verdict}\n")

    for runtime in runtimes:
        with open(os.path.join(out_dir, f"failures-{runtime}.txt"), "w") as f:
            for test in tests:
                if (test, runtime) not in status or passed(test, runtime):
                    continue
                f.write(f"=== {test} (exit {status[test, runtime][0]})\n")
                for a in parsed[test, runtime]:
                    if a.kind in ("notok", "error"):
                        f.write(f"{'not ok' if a.kind == 'notok' else 'error'}: {a.text}\n")
                        f.writelines(f"    {d}\n" for d in a.details)
                base = os.path.join(out_dir, "tap", f"{test}.{runtime}")
                f.writelines(f"  stderr: {l}\n" for l in stderr_lines(base + ".stderr"))

    for runtime in runtimes:
        for other in runtimes:
            if other != runtime:
                write_only(out_dir, runtime, other, tests, parsed, status, passed)

    print_table(runtimes, tests, status, count, passed)


def write_only(out_dir, runtime, other, tests, parsed, status, passed):
    """RUNTIME-only.txt: per test, what goes wrong under RUNTIME and not under OTHER."""
    with open(os.path.join(out_dir, f"{runtime}-only.txt"), "w") as f:
        for test in tests:
            if (test, runtime) not in status or (test, other) not in status:
                continue
            if passed(test, runtime):
                continue
            mine, theirs = parsed[test, runtime], parsed[test, other]
            bad_theirs = {a.text for a in theirs if a.kind in ("notok", "error")}
            new_failures = [a for a in mine if a.kind in ("notok", "error") and a.text not in bad_theirs]
            ok_theirs = collections.Counter(a.text for a in theirs if a.kind == "ok")
            ok_mine = collections.Counter(a.text for a in mine if a.kind == "ok")
            missing = {t: n - ok_mine[t] for t, n in ok_theirs.items() if n > ok_mine[t]}
            worse_verdict = passed(test, other) and not passed(test, runtime)
            if not (new_failures or missing or worse_verdict):
                continue
            f.write(f"=== {test}: {runtime} exit {status[test, runtime][0]}, "
                    f"{other} exit {status[test, other][0]}"
                    f"{'; passes under ' + other + ' only' if worse_verdict else ''}\n")
            shown = set()
            for a in new_failures:
                if (a.kind, a.text) in shown:
                    continue
                shown.add((a.kind, a.text))
                f.write(f"  {'not ok' if a.kind == 'notok' else 'error'}: {a.text}\n")
                f.writelines(f"      {d}\n" for d in a.details[:6])
            for text, n in list(missing.items())[:5]:
                f.write(f"  ok under {other} only{' (x%d)' % n if n > 1 else ''}: {text}\n")
            if len(missing) > 5:
                more = sum(list(missing.values())[5:])
                f.write(f"  … and {more} more assertions that hold under {other} only\n")
            base = os.path.join(out_dir, "tap", f"{test}.{runtime}")
            f.writelines(f"  stderr: {l}\n" for l in stderr_lines(base + ".stderr", 6))


def print_table(runtimes, tests, status, count, passed):
    totals = {r: collections.Counter() for r in runtimes}
    for (test, runtime), (ex, _, left) in status.items():
        t = totals[runtime]
        t.update(count(test, runtime))
        t["tests"] += 1
        t["passed"] += passed(test, runtime)
        t["timeout"] += ex == "timeout"
        t["nonzero"] += ex not in ("0", "timeout")
        t["left"] += left
    rows = [("assertions ok", "ok"), ("assertions not ok", "notok"), ("assertions skipped", "skip"),
            ("assertions todo", "todo"), ("errors without an assertion", "error"),
            ("tests run", "tests"), ("tests passed (exit 0, no failure)", "passed"),
            ("tests exiting non-zero", "nonzero"), ("tests timed out", "timeout"),
            ("containers left behind", "left")]
    print()
    print(f"{'':36}" + "".join(f"{r:>10}" for r in runtimes))
    for label, key in rows:
        print(f"{label:36}" + "".join(f"{totals[r][key]:>10}" for r in runtimes))
    print()
    print(f"{'':34}" + "".join(f"{r:^28}" for r in runtimes))
    print(f"{'test':34}" + "".join(f"{'ok':>6}{'nok':>5}{'skip':>5}{'err':>4}{'exit':>8}" for _ in runtimes))
    for test in tests:
        cells = ""
        for r in runtimes:
            if (test, r) not in status:
                cells += f"{'-':>28}"
                continue
            c = count(test, r)
            cells += f"{c['ok']:>6}{c['notok']:>5}{c['skip']:>5}{c['error']:>4}{status[test, r][0]:>8}"
        print(f"{test:34}{cells}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: conformance-report.py OUT")
    main(sys.argv[1])
