#!/usr/bin/env bash
# OCI runtime conformance: every runtime-tools validation test, against runc and
# against swiftbox in the same run, with the TAP totals side by side.
#
# Usage: RTOOLS=DIR [SWIFTBOX=path/to/swiftbox] [RUNC=runc] [TIMEOUT=60]
#        [TESTS="hostname kill …"] [OUT=DIR] bench/conformance.sh
#
# RTOOLS is a checkout of github.com/opencontainers/runtime-tools at 260e151 (later
# commits need Go 1.21; Debian 12 has 1.19). It is another project's code: it lives
# outside this repository and is never committed. If its test binaries are missing
# they are built here with Debian's golang-1.19-go from the vendored modules (no
# network): `make runtimetest validation-executables` with GOFLAGS=-mod=vendor.
#
# How the tests are driven. Each validation/NAME/NAME.t is a Go program that writes
# TAP to stdout. It must run from the checkout (it copies ./runtimetest and unpacks
# ./rootfs-amd64.tar.gz into each bundle) and as root, and it calls the command named
# by $RUNTIME with runc's command line (create --bundle B ID, start, state, kill,
# delete [--force]). $RUNTIME is a wrapper per runtime that adds `--root` with a state
# directory of this run's own, so neither runtime sees the host's containers, and logs
# every call (the container ids feed the clean-up below). Each test runs once per
# runtime, runc first, with TIMEOUT seconds (default 60) and stdin from /dev/null.
#
# Counting is bench/lib/conformance-report.py's job (its header says how runtime-tools
# reports): assertions ok / not ok / skipped / todo, "errors" (a diagnostic with an
# error and no assertion: how the hook tests fail), and per run the exit status or
# "timeout". A test that stops early reports fewer assertions, so a run passes only
# when it exits 0 with nothing failing: totals alone are not the whole story.
#
# Clean-up after every test, even a timed-out one: containers left in the private
# root are deleted with --force (and their processes killed if that fails);
# TMPDIR points into a directory per run, so every bundle the test made is there —
# mounts under it are detached and it is removed; empty cgroups the run made are
# removed (the fixed names runtime-tools uses, "cgrouptest" and "testdir", and the
# ids of the containers the wrapper saw), nothing else.
#
# Output, in OUT (default /tmp/swiftbox-conformance.<date>):
#   runs.tsv, results.tsv  per test and runtime: exit status, seconds, containers left
#                        behind; then the counts and a pass/fail verdict
#   failures-RUNTIME.txt every failing assertion with its diagnostic, and the stderr
#   swiftbox-only.txt    per test, what fails under swiftbox and not under runc
#                        (runc-only.txt: the other way round)
#   tap/TEST.RUNTIME.{tap,stderr,calls}  raw output and the runtime calls of each run;
#                        tap/TEST.RUNTIME.calls.N.json the config.json of the create on line N
# and on stdout the totals side by side, then one line per test.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
TIMEOUT=${TIMEOUT:-60}
RUNC=${RUNC:-runc}
GO_BIN=${GO_BIN:-/usr/lib/go-1.19/bin}

die() { echo "conformance: $*" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || die "must run as root (the tests create namespaces, mounts and cgroups)"
[ -n "${RTOOLS:-}" ] || die "RTOOLS must name a runtime-tools checkout (see the header of $0)"
RTOOLS=$(realpath "$RTOOLS") || die "RTOOLS: no such directory"
[ -f "$RTOOLS/Makefile" ] && [ -d "$RTOOLS/validation" ] ||
    die "RTOOLS=$RTOOLS does not look like a runtime-tools checkout (no Makefile or validation/)"
SWIFTBOX=$(realpath "${SWIFTBOX:-$repo/.build/debug/swiftbox}") || die "SWIFTBOX: not found"
[ -x "$SWIFTBOX" ] || die "SWIFTBOX=$SWIFTBOX is not an executable"
RUNC_PATH=$(command -v "$RUNC") || die "RUNC=$RUNC: not found"
case $TIMEOUT in '' | *[!0-9]* | 0) die "TIMEOUT must be a positive number of seconds" ;; esac

# --- build runtime-tools' test binaries if any is missing -------------------------
need_build=0
[ -x "$RTOOLS/runtimetest" ] || need_build=1
for src in "$RTOOLS"/validation/*/*.go; do
    case $src in */validation/util/*) continue ;; esac
    [ -x "${src%.go}.t" ] || need_build=1
done
if [ $need_build = 1 ]; then
    [ -x "$GO_BIN/go" ] || die "$GO_BIN/go missing: apt-get install golang-1.19-go (make conformance does)"
    echo "building runtime-tools' runtimetest and validation/*/*.t with $("$GO_BIN/go" version)"
    (cd "$RTOOLS" && PATH=$GO_BIN:$PATH GOFLAGS=-mod=vendor make runtimetest validation-executables >/dev/null) ||
        die "building runtime-tools failed (RTOOLS at $(git -C "$RTOOLS" rev-parse --short HEAD 2>/dev/null); 260e151 builds with Go 1.19)"
fi

# --- the run's directory, wrappers and a private copy of swiftbox -----------------
OUT=${OUT:-/tmp/swiftbox-conformance.$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"/{bin,runtimes,roots/runc,roots/swiftbox,tap,tmp} || die "cannot create OUT=$OUT"
OUT=$(realpath "$OUT")
# A rebuild of swiftbox during the run must not change the binary under test.
cp "$SWIFTBOX" "$OUT/bin/swiftbox"
# $OUT/runtimes/NAME runs COMMAND… "$@". It logs the call to $CONFORMANCE_CALLS and
# keeps the config.json of every create next to it (CALLS.LINE.json), so a failure can
# be reproduced by hand with the same configuration.
write_wrapper() {  # NAME COMMAND…
    local name=$1; shift
    {   echo '#!/bin/sh'
        echo 'if [ -n "${CONFORMANCE_CALLS:-}" ]; then'
        echo '    echo "$*" >> "$CONFORMANCE_CALLS"'
        echo '    if [ "$1" = create ]; then'
        echo '        prev=; for a; do [ "$prev" = --bundle ] && cp "$a/config.json" "$CONFORMANCE_CALLS.$(wc -l < "$CONFORMANCE_CALLS").json" 2>/dev/null; prev=$a; done'
        echo '    fi'
        echo 'fi'
        printf 'exec'; printf ' %q' "$@"; echo ' "$@"'
    } > "$OUT/runtimes/$name"
    chmod +x "$OUT/runtimes/$name"
}
write_wrapper runc "$RUNC_PATH" --root "$OUT/roots/runc"
write_wrapper swiftbox "$OUT/bin/swiftbox" oci --root "$OUT/roots/swiftbox"
RUNTIMES=(runc swiftbox)

# --- clean-up after one run --------------------------------------------------------
remove_containers() {  # RUNTIME: delete --force what is left in its root; kill what resists
    local rt=$1 id pid left=0
    for id in $("$OUT/runtimes/$rt" list -q 2>/dev/null); do
        left=$((left + 1))
        "$OUT/runtimes/$rt" delete --force "$id" >/dev/null 2>&1 && continue
        pid=$("$OUT/runtimes/$rt" state "$id" 2>/dev/null | jq -r '.pid // empty' 2>/dev/null)
        [ -n "$pid" ] && [ "$pid" -gt 1 ] && kill -KILL "$pid" 2>/dev/null
        "$OUT/runtimes/$rt" delete --force "$id" >/dev/null 2>&1 || rm -rf -- "${OUT:?}/roots/$rt/$id"
    done
    echo $left
}
remove_tmp() {  # DIR: detach mounts under DIR (deepest first), then remove it
    local dir=$1 mp
    awk -v d="$dir/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
        while read -r mp; do umount -l "$mp" 2>/dev/null; done
    rm -rf --one-file-system -- "$dir"
}
remove_cgroups() {  # CALLS-LOG: empty cgroups named after the tests' fixed paths or the run's ids
    local names=(cgrouptest testdir) expr=() n
    [ -f "$1" ] && mapfile -t -O 2 names < <(awk '$1 == "create" { print $NF }' "$1" | sort -u)
    for n in "${names[@]}"; do expr+=(-o -name "$n"); done
    find /sys/fs/cgroup -mindepth 2 -maxdepth 7 -type d \( "${expr[@]:1}" \) -print 2>/dev/null |
        awk '{ print length, $0 }' | sort -rn | cut -d' ' -f2- |
        while read -r dir; do
            # children first: rmdir of every empty cgroup below, then the directory itself
            find "$dir" -depth -type d -exec rmdir {} \; 2>/dev/null
        done
}

# --- the run ---------------------------------------------------------------------------
if [ -n "${TESTS:-}" ]; then
    read -r -a names <<< "$TESTS"
else
    names=()
    for t in "$RTOOLS"/validation/*/*.t; do names+=("$(basename "$t" .t)"); done
fi
runs=$OUT/runs.tsv
printf 'test\truntime\texit\tseconds\tleftovers\n' > "$runs"
echo "$(date -u +%FT%TZ) runtime-tools $(git -C "$RTOOLS" describe --tags --always 2>/dev/null) at $RTOOLS;" \
     "$($RUNC_PATH --version | head -1); swiftbox $SWIFTBOX ($("$OUT/bin/swiftbox" --version 2>/dev/null | head -1))"
echo "output: $OUT"
for name in "${names[@]}"; do
    bin=$RTOOLS/validation/$name/$name.t
    [ -x "$bin" ] || { echo "no test binary $bin" >&2; continue; }
    for rt in "${RUNTIMES[@]}"; do
        base=$OUT/tap/$name.$rt
        tmp=$OUT/tmp/$name.$rt
        mkdir -p "$tmp"
        start=$(date +%s%N)
        (cd "$RTOOLS" && RUNTIME=$OUT/runtimes/$rt TMPDIR=$tmp CONFORMANCE_CALLS=$base.calls \
            timeout -k 10 "$TIMEOUT" "$bin" < /dev/null > "$base.tap" 2> "$base.stderr")
        status=$?
        ms=$((($(date +%s%N) - start) / 1000000))
        [ $status -eq 124 ] || [ $status -eq 137 ] && status=timeout
        leftovers=$(remove_containers "$rt")
        remove_tmp "$tmp"
        remove_cgroups "$base.calls"
        printf '%s\t%s\t%s\t%d.%d\t%d\n' "$name" "$rt" "$status" $((ms / 1000)) $((ms % 1000 / 100)) \
            "$leftovers" >> "$runs"
    done
done
rmdir "$OUT/tmp" 2>/dev/null

# --- the report --------------------------------------------------------------------------
python3 "$here/lib/conformance-report.py" "$OUT"
echo
echo "per test: $OUT/results.tsv; failures: $OUT/failures-{runc,swiftbox}.txt;" \
     "what fails under swiftbox only: $OUT/swiftbox-only.txt (and runc-only.txt)"
