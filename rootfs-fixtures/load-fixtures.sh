#!/usr/bin/env bash
# Load the fixture images into a swiftbox store under the names a Docker user types,
# so `swiftbox run -it alpine sh` works offline, as `docker run -it alpine sh` would
# with the image pulled:
#   busybox-image:latest      → busybox:latest          (docker.io/library/busybox:latest)
#   alpine-image:3.23         → alpine:3.23, alpine:latest
#   debian-image:bookworm-web → debian:bookworm         (when `make fixtures-debian` ran)
# The fixture names stay too (the tests and the demo use them).
#
# Usage: load-fixtures.sh SWIFTBOX FIXTURES_DIR [ROOT]
#   ROOT: the state root (default: swiftbox's own, /var/lib/swiftbox or $SWIFTBOX_ROOT).
# Loading is idempotent: the blobs are content-addressed, a second load only re-tags.
set -euo pipefail
BIN=${1:?usage: load-fixtures.sh SWIFTBOX FIXTURES_DIR [ROOT]}
FIX=${2:?usage: load-fixtures.sh SWIFTBOX FIXTURES_DIR [ROOT]}
root=()
[ -n "${3:-}" ] && root=(--root "$3")

# layout directory, the name it loads as, the Docker names it gets
images=(
  "busybox-image busybox-image:latest busybox:latest"
  "alpine-image alpine-image:3.23 alpine:3.23 alpine:latest"
  "debian-image debian-image:bookworm-web debian:bookworm"
)
loaded=0
for entry in "${images[@]}"; do
  read -r dir name tags <<< "$entry"
  [ -d "$FIX/$dir" ] || continue
  "$BIN" load "${root[@]}" -q -i "$FIX/$dir" >/dev/null
  for t in $tags; do "$BIN" tag "${root[@]}" "$name" "$t"; done
  echo "loaded $FIX/$dir as $name, tagged $tags"
  loaded=$((loaded + 1))
done
[ "$loaded" -gt 0 ] || { echo "load-fixtures.sh: no fixture images in $FIX (run make fixtures)" >&2; exit 1; }
