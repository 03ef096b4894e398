#!/usr/bin/env bash
# Compose benchmark: `up -d` then `down` of a 5-service busybox project (one service
# gated on another's healthcheck) and of a 50-service project; swiftbox compose vs
# podman-compose (PyPI, driving podman with runc and its own storage) vs Debian's
# docker-compose 1.29.2 against a private dockerd (bench/lib/dockerd.sh: its own network
# namespace and state, removed afterwards), interleaved rounds, medians and ratios.
# The healthcheck probes every 100 ms during its start period (start_interval), so the
# gate costs at most ~0.1 s of waiting in every engine that honours start_interval.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
# Absolute: some steps run in a project directory (make bench passes a relative path).
SWIFTBOX=$(realpath "${SWIFTBOX:-$HERE/.build/release/swiftbox}")
ROUNDS=${ROUNDS:-5}
ROUNDS50=${ROUNDS50:-3}
WORK=/tmp/swiftbox-bench-compose-$$
mkdir -p "$WORK/p5" "$WORK/p50" "$WORK/podman/p5" "$WORK/podman/p50" "$WORK/dc/p5" "$WORK/dc/p50"
. "$HERE/bench/lib/dockerd.sh"
DC_OK=0
PODMAN_OK=0
# runc cannot raise nofile above the hard limit this session has (as in bench/engine.sh).
printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n' > "$WORK/podman/containers.conf"
export CONTAINERS_CONF=$WORK/podman/containers.conf
cat > "$WORK/podman-wrapper" <<SH
#!/bin/sh
exec podman --root "$WORK/podman/storage" --runroot "$WORK/podman/run" --runtime runc --cgroup-manager cgroupfs --events-backend none "\$@"
SH
chmod +x "$WORK/podman-wrapper"
pc() { podman-compose --podman-path "$WORK/podman-wrapper" "$@"; }
sbc() { "$SWIFTBOX" compose "$1" --root "$WORK/sb" "${@:2}"; }
cleanup() {
  set +e   # remove everything even when one step fails
  (cd "$WORK/p5" && sbc down -t 0 -v) >/dev/null 2>&1
  (cd "$WORK/p50" && sbc down -t 0 -v) >/dev/null 2>&1
  "$SWIFTBOX" system prune --root "$WORK/sb" -f >/dev/null 2>&1
  if [ "$PODMAN_OK" = 1 ] || [ -d "$WORK/podman/storage" ]; then
    (cd "$WORK/podman/p5" && pc down -t 0) >/dev/null 2>&1
    (cd "$WORK/podman/p50" && pc down -t 0) >/dev/null 2>&1
    "$WORK/podman-wrapper" rm -af -t 0 >/dev/null 2>&1
    "$WORK/podman-wrapper" network prune -f >/dev/null 2>&1
    "$WORK/podman-wrapper" system reset -f >/dev/null 2>&1
  fi
  if [ "$DC_OK" = 1 ]; then
    (cd "$WORK/dc/p5" && docker-compose down -t 0) >/dev/null 2>&1
    (cd "$WORK/dc/p50" && docker-compose down -t 0) >/dev/null 2>&1
  fi
  dockerd_stop
  grep -o " $WORK[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT

"$HERE/rootfs-fixtures/busybox-image.sh" "$WORK/busybox" >/dev/null
"$SWIFTBOX" load -i "$WORK/busybox" --root "$WORK/sb" >/dev/null
IMG=busybox:latest
# PID 1 that exits on SIGTERM, so `down` measures the engine, not a 10 s stop timeout.
CMD='["sh", "-c", "trap \"exit 0\" TERM; sleep 1000 & wait"]'
{
  echo "services:"
  echo "  db:"
  echo "    image: $IMG"
  echo "    command: $CMD"
  echo "    healthcheck: {test: [\"CMD\", \"true\"], interval: 30s, start_period: 30s, start_interval: 100ms}"
  echo "  web:"
  echo "    image: $IMG"
  echo "    command: $CMD"
  echo "    depends_on: {db: {condition: service_healthy}}"
  for s in cache worker proxy; do echo "  $s:"; echo "    image: $IMG"; echo "    command: $CMD"; done
} > "$WORK/p5/compose.yaml"
{
  echo "services:"
  for i in $(seq 1 50); do echo "  s$i:"; echo "    image: $IMG"; echo "    command: $CMD"; done
} > "$WORK/p50/compose.yaml"
# podman 4.3 knows neither start_interval (--health-startup-interval) nor waiting for
# "healthy"; podman-compose warns and skips the gate, so its file keeps the check without
# start_interval (the same work for podman, minus the wait).
sed 's/, start_period: 30s, start_interval: 100ms//' "$WORK/p5/compose.yaml" > "$WORK/podman/p5/compose.yaml"
cp "$WORK/p50/compose.yaml" "$WORK/podman/p50/compose.yaml"
# Docker 20.10 has no start_interval either, but waits for healthy: its check probes every
# 100 ms instead, the same gate.
sed 's/interval: 30s, start_period: 30s, start_interval: 100ms/interval: 100ms/' "$WORK/p5/compose.yaml" > "$WORK/dc/p5/compose.yaml"
cp "$WORK/p50/compose.yaml" "$WORK/dc/p50/compose.yaml"

# podman-compose comes from PyPI (Debian 12 has no package for it).
command -v podman-compose >/dev/null || python3 -m pip install -q podman-compose >/dev/null 2>&1 || true
hash -r
if command -v podman-compose >/dev/null && command -v podman >/dev/null && command -v runc >/dev/null; then
  PODIMG=$("$WORK/podman-wrapper" load -i "$WORK/busybox" 2>/dev/null | sed -n 's/^Loaded image: //p' | head -1)
  [ -n "$PODIMG" ] && "$WORK/podman-wrapper" tag "$PODIMG" docker.io/library/busybox:latest >/dev/null 2>&1 || true
  if (cd "$WORK/podman/p5" && timeout 60 podman-compose --podman-path "$WORK/podman-wrapper" up -d >/dev/null 2>&1 &&
      timeout 60 podman-compose --podman-path "$WORK/podman-wrapper" down -t 0 >/dev/null 2>&1); then
    PODMAN_OK=1
  else
    echo "skip podman-compose: it could not bring the project up here: $(cd "$WORK/podman/p5" && timeout 60 podman-compose --podman-path "$WORK/podman-wrapper" up -d 2>&1 | tail -1)"
    (cd "$WORK/podman/p5" && pc down -t 0 >/dev/null 2>&1) || true
  fi
else
  echo "skip podman-compose: not installed (pip install podman-compose; needs podman and runc)"
fi
if command -v docker-compose >/dev/null; then
  dockerd_start "$WORK/docker"
  if [ "$DOCKERD_OK" = 1 ]; then
    "$SWIFTBOX" save --root "$WORK/sb" -o "$WORK/busybox.tar" busybox:latest
    docker load -i "$WORK/busybox.tar" >/dev/null 2>&1 || true
    if (cd "$WORK/dc/p5" && timeout 120 docker-compose up -d >/dev/null 2>&1 && timeout 60 docker-compose down -t 0 >/dev/null 2>&1); then
      DC_OK=1
    else
      echo "skip docker-compose: it could not bring the project up: $(cd "$WORK/dc/p5" && timeout 120 docker-compose up -d 2>&1 | tail -1)"
      (cd "$WORK/dc/p5" && docker-compose down -t 0 >/dev/null 2>&1) || true
    fi
  fi
else
  echo "skip docker-compose: not installed (make deps installs Debian's docker-compose)"
fi

us() { local t=${EPOCHREALTIME/./}; echo "$t"; }
declare -A T
# A failed step is reported with its last line and left out of the medians; the run goes on.
timeit() {
  local name=$1 dir=$2 s e; shift 2; s=$(us)
  if ! (cd "$dir" && "$@") >"$WORK/step.log" 2>&1; then echo "$name failed: $(tail -1 "$WORK/step.log")" >&2; return 0; fi
  e=$(us); T[$name]+="$(( e - s )) "
}
round() {   # project rounds
  local p=$1 n=$2 r
  for r in $(seq 1 "$n"); do
    for who in $( (( r % 2 )) && echo "sb pc dc" || echo "dc pc sb"); do
      if [ "$who" = sb ]; then
        timeit "swiftbox $p up" "$WORK/$p" sbc up -d
        timeit "swiftbox $p down" "$WORK/$p" sbc down -t 10
      elif [ "$who" = pc ] && [ "$PODMAN_OK" = 1 ]; then
        timeit "podman-compose $p up" "$WORK/podman/$p" pc up -d
        timeit "podman-compose $p down" "$WORK/podman/$p" pc down -t 10
      elif [ "$who" = dc ] && [ "$DC_OK" = 1 ]; then
        timeit "docker-compose $p up" "$WORK/dc/$p" docker-compose up -d
        timeit "docker-compose $p down" "$WORK/dc/$p" docker-compose down -t 10
      fi
    done
  done
}
round p5 "$ROUNDS"
round p50 "$ROUNDS50"

python3 - <<PY
import statistics
rows = {$(for k in "${!T[@]}"; do printf '"%s": [%s], ' "$k" "$(echo ${T[$k]} | tr ' ' ',')"; done)}
print("compose up -d / down: medians (ms); p5 = 5 services with a healthcheck-gated dependency, p50 = 50 services")
print("%-28s %10s %10s" % ("what", "median_ms", "vs swiftbox"))
for p in ("p5", "p50"):
    for step in ("up", "down"):
        base = rows.get("swiftbox %s %s" % (p, step))
        if not base: continue
        b = statistics.median(base) / 1000
        for tool in ("swiftbox", "podman-compose", "docker-compose"):
            k = "%s %s %s" % (tool, p, step)
            if k in rows:
                m = statistics.median(rows[k]) / 1000
                print("%-28s %10.1f %10.2f" % (k, m, m / b))
PY
