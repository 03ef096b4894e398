#!/usr/bin/env bash
# Engine benchmarks, interleaved rounds, medians and ratios:
#   run:  `run --rm IMAGE true` (each engine's default network: bridge) and
#         `run --rm --network none IMAGE true` — swiftbox vs podman (runc; its own storage)
#         and docker;
#   rss:  memory of the per-container supervisor of one idle container — swiftbox's
#         monitor vs podman's conmon and docker's containerd-shim (VmRSS from /proc).
# docker: a private dockerd (Debian's docker.io, 20.10) in its own network namespace,
# started for this run and removed after it (bench/lib/dockerd.sh).
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
# Absolute: some steps run in a project directory (make bench passes a relative path).
SWIFTBOX=$(realpath "${SWIFTBOX:-$HERE/.build/release/swiftbox}")
ROUNDS=${ROUNDS:-15}
# Lowercase path: podman names a loaded directory after its path, and names are lowercase.
WORK=/tmp/swiftbox-bench-engine-$$
mkdir -p "$WORK"
cleanup() {
  for id in $("$SWIFTBOX" ps -aq --root "$WORK/sb" 2>/dev/null); do "$SWIFTBOX" rm -f --root "$WORK/sb" "$id" >/dev/null 2>&1 || true; done
  # The default network's bridge and nft table go with the root.
  "$SWIFTBOX" system prune --root "$WORK/sb" -f >/dev/null 2>&1 || true
  podman_stop
  rm -rf "$WORK"
}
. "$HERE/bench/lib/dockerd.sh"
. "$HERE/bench/lib/podman.sh"
trap 'dockerd_stop; cleanup' EXIT

"$HERE/rootfs-fixtures/busybox-image.sh" "$WORK/busybox" >/dev/null
"$SWIFTBOX" load -i "$WORK/busybox" --root "$WORK/sb" >/dev/null
# One untimed run each before the rounds, as podman and docker get theirs (the checks
# below that they can run the image): first runs pay for cold caches.
"$SWIFTBOX" run --root "$WORK/sb" --rm --network none busybox:latest true >/dev/null
podman_start "$WORK/podman" "$WORK/busybox" none
DOCKER_OK=0
dockerd_start "$WORK/docker"
if [ "$DOCKERD_OK" = 1 ]; then
  "$SWIFTBOX" save --root "$WORK/sb" -o "$WORK/busybox.tar" busybox:latest
  docker load -i "$WORK/busybox.tar" >/dev/null && docker run --rm --network none busybox:latest true >/dev/null 2>&1 && DOCKER_OK=1 \
    || echo "skip docker: it cannot run the image here: $(docker run --rm --network none busybox:latest true 2>&1 | tail -1)"
fi

# bash's own clock: no process is started to read it, so it adds nothing to a timing.
us() { local t=${EPOCHREALTIME/./}; echo "$t"; }
declare -A T
timeit() { local name=$1 s e; shift; s=$(us); "$@" >/dev/null 2>&1 || { echo "$name failed" >&2; return 1; }; e=$(us); T[$name]+="$(( e - s )) "; }
# The default network (bridge on all three) exists before timing, as docker0 does.
"$SWIFTBOX" run --root "$WORK/sb" --rm busybox:latest true >/dev/null
[ $PODMAN_OK = 1 ] && { pod run --rm "$PODIMG" true >/dev/null 2>&1 || echo "podman: its default network fails here"; }
[ $DOCKER_OK = 1 ] && { docker run --rm busybox:latest true >/dev/null 2>&1 || echo "docker: its default network fails here"; }
# One round: each engine, each mode (MODE is empty for the default network).
round() {
  local mode=$1 label=${1:-default} net=()
  [ -n "$mode" ] && net=(--network "$mode")
  timeit "swiftbox $label" "$SWIFTBOX" run --root "$WORK/sb" --rm "${net[@]}" busybox:latest true
  [ $PODMAN_OK = 1 ] && timeit "podman $label" pod run --rm "${net[@]}" "$PODIMG" true
  [ $DOCKER_OK = 1 ] && timeit "docker $label" docker run --rm "${net[@]}" busybox:latest true
  return 0
}
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 )); then round ""; round none; else round none; round ""; fi
done

rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
"$SWIFTBOX" run -d --root "$WORK/sb" --name idle busybox:latest sleep 60 >/dev/null
# Idle means idle: a monitor gives back its start-up pages after 1 s with nothing to do.
sleep 2
id=$("$SWIFTBOX" ps -q --no-trunc --root "$WORK/sb" | head -1)
MON=$(python3 -c "import json; print(json.load(open('$WORK/sb/containers/$id/state.json'))['monitorPid'])")
SB_RSS=$(rss "$MON")
CONMON_RSS=
if [ $PODMAN_OK = 1 ]; then
  pod run -d --network none --name idle "$PODIMG" sleep 60 >/dev/null
  sleep 2
  CONMON_RSS=$(rss "$(pgrep -f "conmon.*-n idle" | head -1)")
fi

SHIM_RSS=
if [ $DOCKER_OK = 1 ]; then
  cid=$(docker run -d --network none busybox:latest sleep 60)
  sleep 2
  SHIM_RSS=$(rss "$(pgrep -f "containerd-shim.*-id $cid" | head -1)")
fi

python3 - "$ROUNDS" "$SB_RSS" "${CONMON_RSS:-}" "${SHIM_RSS:-}" <<PY
import statistics, sys
rows = {$(for k in "${!T[@]}"; do printf '"%s": [%s], ' "$k" "$(echo ${T[$k]} | tr ' ' ',')"; done)}
print("%s rounds of run --rm [--network none] IMAGE true (default: each engine's default network, bridge)" % sys.argv[1])
print("%-18s %10s %10s" % ("engine network", "median_ms", "ratio"))
for mode in ("default", "none"):
    b = statistics.median(rows["swiftbox " + mode]) / 1000
    for k in sorted(k for k in rows if k.endswith(" " + mode)):
        m = statistics.median(rows[k]) / 1000
        print("%-18s %10.1f %10.2f" % (k, m, m / b))
print("idle supervisor RSS: swiftbox monitor %s kB%s%s" % (sys.argv[2], (", podman conmon %s kB" % sys.argv[3]) if sys.argv[3] else "",
      (", docker containerd-shim-runc-v2 %s kB" % sys.argv[4]) if sys.argv[4] else ""))
PY
