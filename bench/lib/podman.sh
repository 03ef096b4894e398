# Source this from a benchmark: podman as a peer, with storage of its own under a
# directory the run removes (runc; cgroupfs; no events), and the busybox image loaded.
#   podman_start DIR LAYOUT NETWORK  storage under DIR, the OCI layout LAYOUT loaded;
#                                    sets PODIMG and, if `run --network NETWORK` works,
#                                    PODMAN_OK=1 (else prints why podman is skipped)
#   pod ARGS…                        podman with that storage
#   podman_stop                      remove its containers, images and storage
# The nofile/nproc defaults must not exceed this host's limits, or podman refuses to
# start containers.
PODMAN_OK=0
PODMAN_DIR=
PODIMG=
pod() { podman --root "$PODMAN_DIR/storage" --runroot "$PODMAN_DIR/run" --runtime runc --cgroup-manager cgroupfs \
        --events-backend none "$@"; }
podman_start() {
  PODMAN_DIR=$1
  mkdir -p "$PODMAN_DIR"
  printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n' > "$PODMAN_DIR/containers.conf"
  export CONTAINERS_CONF=$PODMAN_DIR/containers.conf
  if command -v podman >/dev/null && command -v runc >/dev/null; then
    PODIMG=$(pod load -i "$2" 2>/dev/null | sed -n 's/^Loaded image: //p' | head -1)
  fi
  if [ -n "$PODIMG" ] && pod run --rm --network "$3" "$PODIMG" true >/dev/null 2>&1; then
    PODMAN_OK=1
  else
    echo "skip podman: not installed, or it cannot run the image here: $(pod run --rm --network "$3" "$PODIMG" true 2>&1 | tail -1)"
  fi
}
podman_stop() {
  [ -n "$PODMAN_DIR" ] || return 0
  if [ "$PODMAN_OK" = 1 ]; then pod rm -af -t 0 >/dev/null 2>&1 || true; pod rmi -af >/dev/null 2>&1 || true
    pod system reset -f >/dev/null 2>&1 || true; fi
  umount -R "$PODMAN_DIR/storage/overlay" 2>/dev/null || true
}
