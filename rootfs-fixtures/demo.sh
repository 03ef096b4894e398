#!/usr/bin/env bash
# The demo `make demo` runs: one busybox container started by swiftbox's OCI runtime,
# first as a plan (--dry-run), then for real, then through create/start/state/delete.
set -euo pipefail
BIN=${1:-.build/release/swiftbox}
FIX=${2:-fixtures-out}
ROOT=$(mktemp -d /tmp/swiftbox-demo.XXXXXX)
BUNDLE=$ROOT/bundle
trap 'rm -rf "$ROOT"' EXIT

"$(dirname "$0")/busybox-bundle.sh" "$BUNDLE" sh -c \
  'echo "hello from pid $$ in $(hostname)"; grep -E "^(CapEff|NoNewPrivs)" /proc/self/status; ls /' >/dev/null

echo "== swiftbox oci run --dry-run: the kernel operations, in order (first 12 lines)"
"$BIN" oci --root "$ROOT/state" run --dry-run --bundle "$BUNDLE" demo | head -12
echo "   …"
echo
echo "== swiftbox oci run: the container's output"
"$BIN" oci --root "$ROOT/state" run --bundle "$BUNDLE" demo
echo
echo "== the OCI lifecycle: create → state → start → delete"
"$(dirname "$0")/busybox-bundle.sh" "$BUNDLE" sleep 30 >/dev/null
"$BIN" oci --root "$ROOT/state" create --bundle "$BUNDLE" lifecycle
"$BIN" oci --root "$ROOT/state" list
"$BIN" oci --root "$ROOT/state" start lifecycle
"$BIN" oci --root "$ROOT/state" state lifecycle
"$BIN" oci --root "$ROOT/state" delete --force lifecycle
echo
echo "The busybox OCI image layout built from Debian's busybox-static is in $FIX/busybox-image."
echo "Image, engine (swiftbox run) and compose commands are not implemented yet: see docs/status.md."
