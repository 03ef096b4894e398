#!/usr/bin/env bash
# Build benchmarks, interleaved rounds, medians and ratios: a 3-stage Dockerfile of 12
# steps (RUN, COPY, COPY --from, WORKDIR) over a ~20 MB context of 2000 files, on the
# Debian fixture (make fixtures-debian; else the Alpine one), built by
#   swiftbox build (layers stored as tars, its default; and gzip-compressed as written:
#   the "sb-gzip" column), podman build (buildah, runc, its own storage) and docker build
#   (BuildKit, on a private dockerd: bench/lib/dockerd.sh)
# three ways:
#   cold      --no-cache (the base image present, no step cached)
#   rebuild   nothing changed (every step from the cache)
#   one-file  one file of the context changed (the steps from the COPY that reads it on)
# docker is Debian's own client (/usr/bin/docker, 20.10): it drives BuildKit with
# DOCKER_BUILDKIT=1, where a newer client on PATH would want the buildx plugin.
# Every RUN uses --network none on all three: the steps need none, and it keeps network
# set-up out of the comparison.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
SWIFTBOX=$(realpath "${SWIFTBOX:-$HERE/.build/release/swiftbox}")
ROUNDS=${ROUNDS:-5}
DOCKER=${DOCKER:-/usr/bin/docker}
WORK=/tmp/swiftbox-bench-build-$$
mkdir -p "$WORK"
. "$HERE/bench/lib/dockerd.sh"
. "$HERE/bench/lib/podman.sh"
cleanup() {
  "$SWIFTBOX" system prune --root "$WORK/sb" -af >/dev/null 2>&1 || true
  "$SWIFTBOX" system prune --root "$WORK/sbgz" -af >/dev/null 2>&1 || true
  podman_stop
  rm -rf "$WORK"
}
trap 'dockerd_stop; cleanup' EXIT

if [ -f "$HERE/fixtures-out/debian-image/index.json" ]; then LAYOUT=$HERE/fixtures-out/debian-image; BASE_NAME=debian
else "$HERE/rootfs-fixtures/alpine-image.sh" "$WORK/alpine" >/dev/null; LAYOUT=$WORK/alpine; BASE_NAME=alpine; fi
BASE=$("$SWIFTBOX" load --root "$WORK/sb" -i "$LAYOUT" | sed -n 's/^Loaded image: //p' | head -1)
"$SWIFTBOX" tag --root "$WORK/sb" "$BASE" bench-base:latest
# The same builder with its layers gzip-compressed as they are written (the design
# choice docs/build.md records), in a root of its own.
"$SWIFTBOX" load --root "$WORK/sbgz" -i "$LAYOUT" >/dev/null
"$SWIFTBOX" tag --root "$WORK/sbgz" "$BASE" bench-base:latest

# The context: 2000 files of 10 KiB in 40 directories (~20 MB), a requirements list
# and a config directory.
python3 - "$WORK/ctx" <<'PY'
import os, random, sys
root = sys.argv[1]
random.seed(11)
for i in range(2000):
    d = os.path.join(root, "src", "pkg%02d" % (i % 40))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%04d.txt" % i), "wb") as f:
        f.write(random.randbytes(5120) + (("line %d\n" % i) * 1000).encode()[:5120])
os.makedirs(os.path.join(root, "config"), exist_ok=True)
open(os.path.join(root, "config", "app.conf"), "w").write("mode = bench\n")
open(os.path.join(root, "requirements.txt"), "w").write("".join("dep%d==1.0\n" % i for i in range(30)))
PY
cat > "$WORK/ctx/Dockerfile" <<'EOF'
FROM bench-base:latest AS deps
WORKDIR /src
COPY requirements.txt .
RUN mkdir -p /deps && for i in $(seq 1 50); do echo "dep $i" > /deps/d$i; done
RUN cat requirements.txt > /deps/list

FROM bench-base:latest AS build
WORKDIR /src
COPY --from=deps /deps /deps
COPY src/ ./src/
RUN find src -type f | wc -l > /count && tar -cf /app.tar src
RUN sha256sum /app.tar > /app.sum

FROM bench-base:latest
COPY --from=build /app.tar /app.sum /count /opt/app/
COPY config/ /etc/app/
RUN echo ready > /opt/app/ready
CMD ["cat", "/opt/app/count"]
EOF

# Peers: the base image under the same name, loaded from swiftbox's own save.
"$SWIFTBOX" save --root "$WORK/sb" -o "$WORK/base.tar" bench-base:latest
podman_start "$WORK/podman" "$LAYOUT" none
[ "$PODMAN_OK" = 1 ] && pod load -i "$WORK/base.tar" >/dev/null
DOCKER_OK=0
dockerd_start "$WORK/docker"
if [ "$DOCKERD_OK" = 1 ]; then
  if $DOCKER load -i "$WORK/base.tar" >/dev/null && DOCKER_BUILDKIT=1 $DOCKER build -q --network none -t bench-out:warm "$WORK/ctx" >/dev/null 2>&1; then DOCKER_OK=1
  else echo "skip docker: $(DOCKER_BUILDKIT=1 $DOCKER build --network none "$WORK/ctx" 2>&1 | tail -2)"; fi
fi

sb_build() { "$SWIFTBOX" build --root "$WORK/sb" --network none -q -t bench-out:1 "$@" "$WORK/ctx"; }
gz_build() { SWIFTBOX_LAYER_COMPRESSION=gzip "$SWIFTBOX" build --root "$WORK/sbgz" --network none -q -t bench-out:1 "$@" "$WORK/ctx"; }
pod_build() { pod build --network none --layers -q -t bench-out:1 "$@" "$WORK/ctx"; }
dk_build() { DOCKER_BUILDKIT=1 $DOCKER build --network none -q -t bench-out:1 "$@" "$WORK/ctx"; }
# Warm-up: each builder once, so the rebuild rounds have a cache to hit.
sb_build >/dev/null
gz_build >/dev/null
[ "$PODMAN_OK" = 1 ] && { pod_build >/dev/null 2>&1 || { echo "skip podman: $(pod_build 2>&1 | tail -1)"; PODMAN_OK=0; }; }
[ "$DOCKER_OK" = 1 ] && dk_build >/dev/null 2>&1

us() { local t=${EPOCHREALTIME/./}; echo "$t"; }
declare -A T
timeit() { local name=$1 s e; shift; s=$(us); "$@" >/dev/null 2>&1 || { echo "$name failed" >&2; return 1; }; e=$(us); T[$name]+="$(( e - s )) "; }
touch_one() { printf 'changed %s\n' "$1" >> "$WORK/ctx/src/pkg07/f0007.txt"; }
for r in $(seq 1 "$ROUNDS"); do
  timeit "swiftbox cold" sb_build --no-cache
  timeit "sb-gzip cold" gz_build --no-cache
  [ "$PODMAN_OK" = 1 ] && timeit "podman cold" pod_build --no-cache
  [ "$DOCKER_OK" = 1 ] && timeit "docker cold" dk_build --no-cache
  timeit "swiftbox rebuild" sb_build
  timeit "sb-gzip rebuild" gz_build
  [ "$PODMAN_OK" = 1 ] && timeit "podman rebuild" pod_build
  [ "$DOCKER_OK" = 1 ] && timeit "docker rebuild" dk_build
  # One file changed: each builder sees the same change (and its rebuild after it).
  touch_one "$r-sb"; timeit "swiftbox one-file" sb_build
  touch_one "$r-gz"; timeit "sb-gzip one-file" gz_build
  [ "$PODMAN_OK" = 1 ] && { touch_one "$r-pod"; timeit "podman one-file" pod_build; }
  [ "$DOCKER_OK" = 1 ] && { touch_one "$r-dk"; timeit "docker one-file" dk_build; }
done

python3 - "$ROUNDS" "$BASE_NAME" <<PY
import statistics, sys
rows = {$(for k in "${!T[@]}"; do printf '"%s": [%s], ' "$k" "$(echo ${T[$k]} | tr ' ' ',')"; done)}
print("%s rounds: 3-stage, 12-step build of a 20 MB / 2000-file context on %s; median seconds" % (sys.argv[1], sys.argv[2]))
engines = ("swiftbox", "sb-gzip", "podman", "docker")
print("%-10s %10s %10s %10s %10s %12s" % ("", *engines, "sb/fastest"))
for mode in ("cold", "rebuild", "one-file"):
    m = {e: statistics.median(rows[e + " " + mode]) / 1e6 for e in engines if (e + " " + mode) in rows}
    peers = [v for e, v in m.items() if e in ("podman", "docker")]
    ratio = ("%.2f" % (m["swiftbox"] / min(peers))) if peers else "n/a"
    print("%-10s %10s %10s %10s %10s %12s" % (mode, *("%.3f" % m[e] if e in m else "-" for e in engines), ratio))
PY
