#!/usr/bin/env bash
# Network benchmarks, interleaved rounds, medians and ratios:
#   bridge: `run --rm --network bridge IMAGE true` — swiftbox vs podman (netavark, its
#           default bridge) — the cost of a namespace, a veth pair, an address and a route;
#   start:  from `run -d -p 127.0.0.1:PORT:80 IMAGE httpd` to the first byte of an HTTP
#           answer through the published port (curl polling every ~5 ms);
#   ttfb:   one HTTP request through the published port of a running server
#           (curl's time_starttransfer; DNAT, no proxy process in the path for either).
# docker: a private dockerd in its own network namespace (bench/lib/dockerd.sh), for the
# bridge run only — its published ports live in that namespace, out of curl's reach here.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
# Absolute: some steps run in a project directory (make bench passes a relative path).
SWIFTBOX=$(realpath "${SWIFTBOX:-$HERE/.build/release/swiftbox}")
ROUNDS=${ROUNDS:-15}
WORK=/tmp/swiftbox-bench-network-$$
mkdir -p "$WORK"
sb() { local cmd=$1; shift; "$SWIFTBOX" "$cmd" --root "$WORK/sb" "$@"; }
cleanup() {
  for id in $(sb ps -aq 2>/dev/null); do sb rm -f "$id" >/dev/null 2>&1 || true; done
  "$SWIFTBOX" system prune --root "$WORK/sb" -f >/dev/null 2>&1 || true
  podman_stop
  rm -rf "$WORK"
}
. "$HERE/bench/lib/dockerd.sh"
. "$HERE/bench/lib/podman.sh"
trap 'dockerd_stop || true; cleanup' EXIT

"$HERE/rootfs-fixtures/busybox-image.sh" "$WORK/busybox" >/dev/null
sb load -i "$WORK/busybox" >/dev/null
# Untimed, as podman's and docker's checks below that they can run the image.
sb run --rm --network bridge busybox:latest true >/dev/null
podman_start "$WORK/podman" "$WORK/busybox" bridge
DOCKER_OK=0
dockerd_start "$WORK/docker"
if [ "$DOCKERD_OK" = 1 ]; then
  "$SWIFTBOX" save --root "$WORK/sb" -o "$WORK/busybox.tar" busybox:latest
  docker load -i "$WORK/busybox.tar" >/dev/null && docker run --rm --network bridge busybox:latest true >/dev/null 2>&1 && DOCKER_OK=1 \
    || echo "skip docker: it cannot run the image here: $(docker run --rm --network bridge busybox:latest true 2>&1 | tail -1)"
fi
sb run --rm --network bridge busybox:latest true >/dev/null   # the default network exists before timing

us() { local t=${EPOCHREALTIME/./}; echo "$t"; }
declare -A T
timeit() { local name=$1 s e; shift; s=$(us); "$@" >/dev/null 2>&1 || { echo "$name failed" >&2; return 1; }; e=$(us); T[$name]+="$(( e - s )) "; }
WEB='mkdir -p /www && echo hi > /www/index.html && exec httpd -f -p 80 -h /www'
# Start a web server publishing 127.0.0.1:$2 and wait for its first byte.
first_byte() {
  local engine=$1 port=$2 s e
  s=$(us)
  if [ "$engine" = swiftbox ]; then sb run -d --name "w$port" --network bridge -p "127.0.0.1:$port:80" busybox:latest sh -c "$WEB" >/dev/null
  else pod run -d --name "w$port" --network bridge -p "127.0.0.1:$port:80" "$PODIMG" sh -c "$WEB" >/dev/null; fi
  until curl -s -m 1 -o /dev/null "http://127.0.0.1:$port/"; do sleep 0.005; done
  e=$(us)
  T[start-$engine]+="$(( e - s )) "
  curl -s -o /dev/null "http://127.0.0.1:$port/"   # warm: neighbour and conntrack entries exist
  for i in 1 2 3 4 5; do T[ttfb-$engine]+="$(curl -s -o /dev/null -w '%{time_starttransfer}' "http://127.0.0.1:$port/" | awk '{printf "%d", $1 * 1000000}') "; done
  if [ "$engine" = swiftbox ]; then sb rm -f "w$port" >/dev/null; else pod rm -f -t 0 "w$port" >/dev/null; fi
}
for r in $(seq 1 "$ROUNDS"); do
  port=$((20000 + r))
  if (( r % 2 )); then
    timeit bridge-swiftbox sb run --rm --network bridge busybox:latest true
    [ $PODMAN_OK = 1 ] && timeit bridge-podman pod run --rm --network bridge "$PODIMG" true
    [ $DOCKER_OK = 1 ] && timeit bridge-docker docker run --rm --network bridge busybox:latest true
    first_byte swiftbox $port
    [ $PODMAN_OK = 1 ] && first_byte podman $((port + 100))
  else
    [ $DOCKER_OK = 1 ] && timeit bridge-docker docker run --rm --network bridge busybox:latest true
    [ $PODMAN_OK = 1 ] && timeit bridge-podman pod run --rm --network bridge "$PODIMG" true
    timeit bridge-swiftbox sb run --rm --network bridge busybox:latest true
    [ $PODMAN_OK = 1 ] && first_byte podman $((port + 100))
    first_byte swiftbox $port
  fi
done

python3 - "$ROUNDS" <<PY
import statistics, sys
rows = {$(for k in "${!T[@]}"; do printf '"%s": [%s], ' "$k" "$(echo ${T[$k]} | tr ' ' ',')"; done)}
print("%s rounds; medians in ms; ratio = podman / swiftbox" % sys.argv[1])
d = rows.get("bridge-docker")
if d:
    s = statistics.median(rows["bridge-swiftbox"]) / 1000
    print("docker run --rm --network bridge true: %.2f ms, ratio docker / swiftbox %.2f" % (statistics.median(d) / 1000, statistics.median(d) / 1000 / s))
print("%-34s %10s %10s %8s" % ("measure", "swiftbox", "podman", "ratio"))
labels = {"bridge": "run --rm --network bridge true", "start": "run -d -p … to first HTTP byte", "ttfb": "HTTP via published port (TTFB)"}
for key in ("bridge", "start", "ttfb"):
    s = statistics.median(rows["%s-swiftbox" % key]) / 1000
    p = rows.get("%s-podman" % key)
    if p:
        p = statistics.median(p) / 1000
        print("%-34s %10.2f %10.2f %8.2f" % (labels[key], s, p, p / s))
    else:
        print("%-34s %10.2f %10s %8s" % (labels[key], s, "-", "-"))
PY
