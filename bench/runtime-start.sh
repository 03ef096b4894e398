#!/usr/bin/env bash
# Start-to-exit latency of `/bin/true` in a busybox OCI bundle:
# swiftbox vs runc vs crun, interleaved round-robin in one run.
#
# Usage: [ROUNDS=30] [SWIFTBOX=path/to/swiftbox] bench/runtime-start.sh
#        (SWIFTBOX defaults to .build/release/swiftbox of this checkout)
#
# Each timed sample is one complete `RUNTIME --root R run --bundle B ID`
# (create namespaces, mount the rootfs, exec /bin/true, reap it, delete the
# container state). Every round runs each runtime once; the starting runtime
# rotates from round to round so none always follows the same neighbour. One
# untimed warmup round comes first and doubles as a check: a runtime that is
# missing or fails it is skipped with the reason printed.
#
# Output: per runtime the good runs, failed runs (non-zero exit), median and
# p90 (nearest rank) in ms over the good runs, and median / swiftbox median.
#
# Needs root (runtimes create namespaces and cgroups), bash, python3 (for a
# monotonic clock and the statistics) and util-linux unshare.
#
# Why a private mount namespace:
# this host has "hybrid" cgroups (v1 controllers plus an empty cgroup2 mount
# at /sys/fs/cgroup/unified). crun 1.8 refuses hybrid mode ("cgroups in hybrid
# mode not supported, drop all controllers from cgroupv2"). Covering
# /sys/fs/cgroup/unified with a tmpfs makes the host look like plain cgroup
# v1, which crun accepts and runc is happy with too. To leave the host's
# mounts alone the script re-executes itself once under
# `unshare -m --propagation private` and mounts that tmpfs only inside the
# new namespace; it disappears when the script exits. All runtimes are timed
# inside that same namespace, so none pays for unshare and the comparison
# stays fair.
set -euo pipefail

ROUNDS=${ROUNDS:-30}
PYTHON=${PYTHON:-python3}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
# Default: the release build of this checkout, wherever the script is run
# from. A relative SWIFTBOX given by the caller is taken from the cwd.
SWIFTBOX=$(realpath "${SWIFTBOX:-$repo/.build/release/swiftbox}")   # absolute, as in the other scripts

case $ROUNDS in
    '' | *[!0-9]* | 0) echo "ROUNDS must be a positive integer" >&2; exit 2 ;;
esac
if [ "$(id -u)" -ne 0 ]; then
    echo "$0: must run as root (container runtimes need it)" >&2
    exit 1
fi

# --- step 1: enter a private mount namespace (once) ------------------------
if [ "${_RUNTIME_START_IN_NS:-}" != 1 ]; then
    if unshare -m --propagation private true 2>/dev/null; then
        export _RUNTIME_START_IN_NS=1
        exec unshare -m --propagation private -- bash "$0" "$@"
    fi
    echo "note: cannot create a private mount namespace; running on host" \
         "mounts as they are (crun may refuse a hybrid-cgroup host)" >&2
elif [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] &&
     [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
    # Hybrid host: hide the cgroup2 mount, in this namespace only. The tmpfs
    # must stay writable and not tiny: for the "0::" line of
    # /proc/self/cgroup crun still makes a directory there per container and
    # writes a cgroup.procs file into it, which it cannot remove again from a
    # plain tmpfs (a few KiB per run, freed with the namespace at exit).
    mount -t tmpfs -o mode=755 swiftbox-bench /sys/fs/cgroup/unified
    echo "note: hybrid cgroups; /sys/fs/cgroup/unified covered by a tmpfs" \
         "inside a private mount namespace (host mounts untouched)"
fi

# --- step 2: bundle and state dirs -----------------------------------------
work=$(mktemp -d /tmp/runtime-start.XXXXXX)
tag=rs$$   # in every container id, so leftovers can be found
cleanup() {
    rm -rf -- "$work"
    # A runtime that fails half-way can leave empty cgroups behind in the
    # (shared, host) v1 hierarchies; rmdir removes only empty ones.
    rmdir /sys/fs/cgroup/*/*-"$tag" /sys/fs/cgroup/*/*-"$tag"-* 2>/dev/null || true
}
trap cleanup EXIT
"$repo/rootfs-fixtures/busybox-bundle.sh" "$work/bundle" /bin/true >/dev/null

# --- step 3: which runtimes to bench ----------------------------------------
# Each is passed to the timing helper as: NAME NWORDS WORD... where the words
# are the command prefix that `--root R run --bundle B ID` is appended to.
runtimes=()
if [ -x "$SWIFTBOX" ]; then
    runtimes+=(swiftbox 2 "$(cd "$(dirname "$SWIFTBOX")" && pwd)/$(basename "$SWIFTBOX")" oci)
else
    echo "skip swiftbox: no executable at SWIFTBOX=$SWIFTBOX (build it with" \
         "'swift build -c release' or set SWIFTBOX)"
fi
for rt in runc crun; do
    if path=$(command -v "$rt"); then
        runtimes+=("$rt" 1 "$path")
    else
        echo "skip $rt: not installed"
    fi
done
if [ ${#runtimes[@]} -eq 0 ]; then
    echo "nothing to benchmark" >&2
    exit 1
fi

# --- step 4: the interleaved loop and statistics -----------------------------
# Python gives a monotonic nanosecond clock with the same small spawn cost for
# every runtime; the clock is read right before spawning and right after the
# child is reaped.
"$PYTHON" - "$ROUNDS" "$work/bundle" "$work" "$tag" "${runtimes[@]}" <<'PY'
import math, os, statistics, subprocess, sys, time

rounds, bundle, work, tag = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
argv, runtimes = sys.argv[5:], []          # [(name, [prefix words])]
sys.stdout.reconfigure(line_buffering=True)   # keep output in order with stderr
while argv:
    name, n = argv[0], int(argv[1])
    runtimes.append((name, argv[2:2 + n]))
    argv = argv[2 + n:]

def run(name, prefix, run_id):
    """Run one container; return (exit status, elapsed ns)."""
    root = os.path.join(work, "state-" + name)
    os.makedirs(root, exist_ok=True)
    cmd = prefix + ["--root", root, "run", "--bundle", bundle, run_id]
    with open(os.path.join(work, name + ".err"), "w") as err:
        t0 = time.monotonic_ns()
        rc = subprocess.call(cmd, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=err)
        t1 = time.monotonic_ns()
    return rc, t1 - t0

def last_error(name):
    with open(os.path.join(work, name + ".err")) as f:
        lines = f.read().strip().splitlines()
    return " | ".join(lines[-3:]) or "(no stderr)"

# Warmup round, not counted; a failure here drops the runtime.
active = []
for name, prefix in runtimes:
    try:
        rc, _ = run(name, prefix, "warmup-%s-%s" % (name, tag))
    except OSError as e:
        rc, why = None, str(e)
    if rc == 0:
        active.append((name, prefix))
    else:
        why = why if rc is None else "exit %d: %s" % (rc, last_error(name))
        print("skip %s: warmup run failed (%s)" % (name, why))
if not active:
    sys.exit("no runtime passed its warmup run")

samples = {name: [] for name, _ in active}
failures = {name: 0 for name, _ in active}
for r in range(rounds):
    k = r % len(active)                    # rotate who goes first
    for name, prefix in active[k:] + active[:k]:
        rc, ns = run(name, prefix, "bench-%s-%s-%d" % (name, tag, r))
        if rc == 0:
            samples[name].append(ns / 1e6)
        else:
            failures[name] += 1
            print("%s round %d: exit %d: %s" % (name, r, rc, last_error(name)),
                  file=sys.stderr)

def p90(xs):
    xs = sorted(xs)
    return xs[math.ceil(0.9 * len(xs)) - 1]

med = {n: statistics.median(s) for n, s in samples.items() if s}
base = med.get("swiftbox")
print("\n%d rounds, /bin/true in a busybox bundle" % rounds)
print("%-9s %5s %8s %10s %8s %18s" % ("runtime", "runs", "failures",
                                       "median_ms", "p90_ms",
                                       "ratio_vs_swiftbox"))
for name, _ in active:
    s = samples[name]
    if not s:
        print("%-9s %5d %8d %10s %8s %18s" % (name, 0, failures[name],
                                               "-", "-", "-"))
        continue
    ratio = "%.2f" % (med[name] / base) if base else "n/a"
    print("%-9s %5d %8d %10.2f %8.2f %18s" % (name, len(s), failures[name],
                                               med[name], p90(s), ratio))
PY
