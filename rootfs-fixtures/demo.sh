#!/usr/bin/env bash
# The demo `make demo` runs: fixture images loaded into a throw-away swiftbox root under
# Docker's names (busybox, alpine), containers run the Docker way (run, -d, ps, logs,
# exec, stop, rm) on the default bridge network, a user network with a published port and
# a volume, an image built from a Dockerfile, a compose project, and the OCI runtime underneath (its kernel steps with
# --dry-run, and the create/start lifecycle). (`make demo` then loads the same images
# into swiftbox's own store, so the commands it prints at the end work as typed.)
set -euo pipefail
# Absolute: the compose step runs in the project's directory.
BIN=$(realpath "${1:-.build/release/swiftbox}")
FIX=$(realpath "${2:-fixtures-out}")
WORK=$(mktemp -d /tmp/swiftbox-demo.XXXXXX)
ROOT=$WORK/root
sb() { "$BIN" "$1" --root "$ROOT" "${@:2}"; }
cleanup() {
  (cd "$HERE/demo-compose" && SWIFTBOX_ROOT=$ROOT "$BIN" compose down -v >/dev/null 2>&1) || true
  for id in $("$BIN" ps -aq --root "$ROOT" 2>/dev/null); do "$BIN" rm -f --root "$ROOT" "$id" >/dev/null 2>&1 || true; done
  # Unused networks, the default bridge included (its Linux bridge and nft table).
  "$BIN" system prune --root "$ROOT" -f >/dev/null 2>&1 || true
  for v in $("$BIN" volume ls -q --root "$ROOT" 2>/dev/null); do "$BIN" volume rm --root "$ROOT" "$v" >/dev/null 2>&1 || true; done
  rm -rf "$WORK"
}
HERE=$(cd "$(dirname "$0")" && pwd)
trap cleanup EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "load the fixture images under Docker's names (busybox from Debian's busybox-static; Alpine 3.23 built offline)"
"$HERE/load-fixtures.sh" "$BIN" "$FIX" "$ROOT"
sb images

if [ -d "$FIX/alpine-image" ]; then
  step "swiftbox run --rm alpine …"
  sb run --rm alpine sh -c 'echo "Alpine $(cat /etc/alpine-release) in container $(hostname), pid $$"; apk --version'
fi

step "a container that names no network is on the default network bridge, as on Docker"
sb run --rm busybox sh -c 'ip -4 -o addr show eth0; gw=$(ip route | awk "/^default/ {print \$3}"); echo "default route via $gw"; ping -c1 -W2 "$gw" | grep "bytes from"'
sb run --rm --network none busybox sh -c 'echo "--network none: only lo, and it is up:"; ip -4 -o addr'

step "a background container, its logs, an exec into it, stop and rm"
sb run -d --name ticker busybox sh -c 'i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 0.2; done'
sleep 1
sb ps
sb logs --tail 3 ticker
sb exec ticker sh -c 'echo "exec sees: $(cat /proc/1/cmdline | tr "\0" " ")"'
sb stop -t 1 ticker
sb ps -a
sb rm ticker

step "a user network, a published port and a named volume"
"$BIN" network create --root "$ROOT" demo-net
"$BIN" volume create --root "$ROOT" demo-data
sb run -d --name web --network demo-net -p 127.0.0.1:18081:80 -v demo-data:/www busybox \
  sh -c 'echo "served from a volume by $(hostname)" > /www/index.html; exec httpd -f -p 80 -h /www'
for _ in $(seq 50); do curl -sf http://127.0.0.1:18081/ && break; sleep 0.1; done
sb run --rm --network demo-net busybox sh -c 'echo "another container, by name: $(wget -q -O - http://web/)"'
sb rm -f web >/dev/null
"$BIN" network rm --root "$ROOT" demo-net >/dev/null

step "swiftbox build: an image from a Dockerfile, its RUN steps as containers; built again, every step CACHED"
mkdir -p "$WORK/build-ctx"
printf 'hello from a built image\n' > "$WORK/build-ctx/hello.txt"
cat > "$WORK/build-ctx/Dockerfile" <<'DOCKERFILE'
FROM busybox AS build
ARG GREETING=hi
RUN echo "$GREETING, built on $(uname -m)" > /greeting
FROM busybox
COPY --from=build /greeting /srv/
COPY hello.txt /srv/
CMD ["cat", "/srv/greeting", "/srv/hello.txt"]
DOCKERFILE
sb build --progress plain -t demo-app:1 "$WORK/build-ctx" 2>&1 | grep -E '^#[0-9]+ (\[|DONE|CACHED|[0-9])' | head -20
sb build --progress plain -t demo-app:1 "$WORK/build-ctx" 2>&1 | grep -c CACHED | sed 's/^/steps CACHED the second time: /'
sb run --rm demo-app:1

step "swiftbox compose up -d: health-gated depends_on, service names, a published port, a volume"
(cd "$HERE/demo-compose" && export SWIFTBOX_ROOT=$ROOT
 "$BIN" compose up -d
 "$BIN" compose ps
 curl -s http://127.0.0.1:18080/
 for _ in $(seq 50); do grep -q "worker saw web" <<< "$("$BIN" compose logs worker)" && break; sleep 0.1; done
 "$BIN" compose logs worker
 "$BIN" compose down -v)

step "the OCI runtime underneath: the kernel operations of a start, in order (first 14 lines)"
BUNDLE=$WORK/bundle
"$(dirname "$0")/busybox-bundle.sh" "$BUNDLE" sh -c 'echo "hello from pid $$ in $(hostname)"' >/dev/null
# Through a file, not a pipe into head: head leaving early would end the writer with
# SIGPIPE, and pipefail would end the demo.
"$BIN" oci --root "$WORK/oci" run --dry-run --bundle "$BUNDLE" demo > "$WORK/plan.txt"
head -14 "$WORK/plan.txt"
echo "   …"
"$BIN" oci --root "$WORK/oci" run --bundle "$BUNDLE" demo
step "done (docs/status.md says what works and what is next)"
