#!/usr/bin/env bash
# --userns-remap: what a remapped start costs, and the two ways of showing the image's
# layers to the remapped root (docs/userns-remap.md), interleaved rounds, medians:
#   plain        run --rm --network none IMAGE true, no remapping
#   idmap        the same with --userns-remap 100000:100000:65536, layers as idmapped mounts
#   copy         the same, layers as shifted copies already made (every start after the first)
#   copy-first   the same, the shifted copies removed before each start (a first start)
#   podman       podman run --uidmap 0:100000:65536 (its storage shifts the image once), and without
# IMAGE is the Alpine fixture (9.9 MB, one layer of ~500 files), else busybox.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
SWIFTBOX=$(realpath "${SWIFTBOX:-$HERE/.build/release/swiftbox}")
ROUNDS=${ROUNDS:-15}
WORK=/tmp/swiftbox-bench-userns-$$
mkdir -p "$WORK"
chmod 755 "$WORK"   # the remapped root must be able to search the path to its root
. "$HERE/bench/lib/podman.sh"
cleanup() {
  for r in idmap copy first; do "$SWIFTBOX" system prune --root "$WORK/$r" -af >/dev/null 2>&1 || true; done
  podman_stop
  rm -rf "$WORK"
}
trap cleanup EXIT

if "$HERE/rootfs-fixtures/alpine-image.sh" "$WORK/image" >/dev/null 2>&1; then IMAGE=alpine; else
  "$HERE/rootfs-fixtures/busybox-image.sh" "$WORK/image" >/dev/null; IMAGE=busybox; fi
REMAP=100000:100000:65536
for r in idmap copy first; do
  mkdir -p "$WORK/$r"
  name=$("$SWIFTBOX" load --root "$WORK/$r" -i "$WORK/image" | sed -n 's/^Loaded image: //p' | head -1)
  mode=$r; [ "$r" = first ] && mode=copy
  printf '{"userns-remap-layers": "%s"}\n' "$mode" > "$WORK/$r/daemon.json"
  "$SWIFTBOX" run --root "$WORK/$r" --rm --network none --userns-remap $REMAP "$name" true
done
podman_start "$WORK/podman" "$WORK/image" none
[ $PODMAN_OK = 1 ] && { pod run --rm --network none --uidmap 0:100000:65536 "$PODIMG" true >/dev/null 2>&1 \
  || { echo "podman: --uidmap fails here"; PODMAN_OK=0; }; }

us() { local t=${EPOCHREALTIME/./}; echo "$t"; }
declare -A T
timeit() { local label=$1 s e; shift; s=$(us); "$@" >/dev/null 2>&1 || { echo "$label failed: $*" >&2; return 1; }; e=$(us); T[$label]+="$(( e - s )) "; }
sb() { local r=$1; shift; "$SWIFTBOX" run --root "$WORK/$r" --rm --network none "$@" "$name" true; }
for i in $(seq 1 "$ROUNDS"); do
  rm -rf "$WORK"/first/images/snapshots/*/remap-*
  timeit plain sb idmap
  timeit idmap sb idmap --userns-remap $REMAP
  timeit copy sb copy --userns-remap $REMAP
  timeit copy-first sb first --userns-remap $REMAP
  if [ $PODMAN_OK = 1 ]; then
    timeit podman-plain pod run --rm --network none "$PODIMG" true
    timeit podman-uidmap pod run --rm --network none --uidmap 0:100000:65536 "$PODIMG" true
  fi
done
python3 - "$ROUNDS" "$IMAGE" <<PY
import statistics, sys
rows = {$(for k in "${!T[@]}"; do printf '"%s": [%s], ' "$k" "$(echo ${T[$k]} | tr ' ' ',')"; done)}
print("%s rounds of run --rm --network none %s true, --userns-remap 100000:100000:65536" % (sys.argv[1], sys.argv[2]))
base = statistics.median(rows["plain"]) / 1000
print("%-16s %10s %10s" % ("", "median_ms", "vs plain"))
for k in ("plain", "idmap", "copy", "copy-first", "podman-plain", "podman-uidmap"):
    if k in rows:
        m = statistics.median(rows[k]) / 1000
        print("%-16s %10.1f %10.2f" % (k, m, m / base))
PY
