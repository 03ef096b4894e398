# Source this from a benchmark: a private dockerd to compare with, started for the run
# and removed after it, that changes nothing on the host.
#   dockerd_start DIR   start dockerd (Debian's docker.io) with its state under DIR, in a
#                       network namespace of its own: docker0, its iptables rules and
#                       its sysctls live and die with that namespace. Sets DOCKERD_OK=1
#                       and exports DOCKER_HOST, or prints why docker is skipped.
#   dockerd_stop        remove its containers, stop it, remove the cgroup parent its
#                       containers lived under, unmount and delete DIR, delete the namespace.
# nsenter --net, not `ip netns exec`: the latter also remounts /sys, which hides the
# cgroup mounts dockerd needs ("Devices cgroup isn't mounted").
DOCKERD_OK=0
DOCKERD_DIR=
DOCKERD_NETNS=
dockerd_start() {
  DOCKERD_DIR=$1
  if ! command -v dockerd >/dev/null; then echo "skip docker: dockerd not installed (make deps installs docker.io)"; return 0; fi
  if docker info >/dev/null 2>&1; then
    echo "docker: using the dockerd already running here"; DOCKERD_OK=1; DOCKERD_DIR=; return 0
  fi
  DOCKERD_NETNS=swiftbox-bench-docker-$$
  ip netns add "$DOCKERD_NETNS"
  ip netns exec "$DOCKERD_NETNS" ip link set lo up
  mkdir -p "$DOCKERD_DIR"
  nsenter --net="/run/netns/$DOCKERD_NETNS" dockerd --data-root "$DOCKERD_DIR/data" --exec-root "$DOCKERD_DIR/exec" \
    --pidfile "$DOCKERD_DIR/dockerd.pid" -H "unix://$DOCKERD_DIR/docker.sock" --cgroup-parent "/$DOCKERD_NETNS" \
    >"$DOCKERD_DIR/dockerd.log" 2>&1 &
  export DOCKER_HOST=unix://$DOCKERD_DIR/docker.sock
  for _ in $(seq 60); do docker version >/dev/null 2>&1 && { DOCKERD_OK=1; return 0; }; sleep 0.5; done
  echo "skip docker: dockerd did not start: $(grep -E 'level=(fatal|error)|failed to start' "$DOCKERD_DIR/dockerd.log" | tail -1)"
  dockerd_stop
}
dockerd_stop() {
  [ -n "$DOCKERD_DIR" ] || return 0
  if [ "$DOCKERD_OK" = 1 ]; then
    docker ps -aq | xargs -r docker rm -f >/dev/null 2>&1 || true
  fi
  if [ -f "$DOCKERD_DIR/dockerd.pid" ]; then
    pid=$(cat "$DOCKERD_DIR/dockerd.pid"); kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  # Its containers' cgroups, under the parent it was given (deepest first).
  for h in /sys/fs/cgroup/*/"$DOCKERD_NETNS" /sys/fs/cgroup/"$DOCKERD_NETNS"; do
    [ -d "$h" ] && find "$h" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  # `|| true`: under the callers' pipefail a grep without matches would end this
  # function (and the EXIT trap) before the namespace and the directory are removed.
  { grep -o " $DOCKERD_DIR[^ ]*" /proc/self/mountinfo || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$DOCKERD_DIR"
  [ -n "$DOCKERD_NETNS" ] && ip netns del "$DOCKERD_NETNS" 2>/dev/null || true
  unset DOCKER_HOST
  DOCKERD_OK=0 DOCKERD_DIR= DOCKERD_NETNS=
}
