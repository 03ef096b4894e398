#!/usr/bin/env bash
# Build all image-test fixtures into OUTDIR.
#
# Usage: make-test-images.sh OUTDIR
#
#   1. make-test-images.py OUTDIR: layered/ (OCI layout, 3 layers),
#      layered*.expected.json, hostile/ (tars + OCI layouts + README.md).
#   2. With skopeo (apt-get install skopeo):
#        OUTDIR/layered-docker-archive.tar   swiftbox/layered:latest
#        OUTDIR/layered-oci-archive.tar      ref "layered"
#        OUTDIR/busybox-docker-archive.tar   swiftbox/busybox:latest, from the
#                                            OCI layout OUTDIR/busybox/ built by
#                                            busybox-image.sh (needs
#                                            busybox-static and jq)
#      Each skopeo step is skipped with a printed reason if a tool is missing.
#
# Only the paths named above are replaced; the rest of OUTDIR is left alone.
# Compare an unpacked tree with check-tree.py EXPECTED.json DIR.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
out=$1
here=$(cd "$(dirname "$0")" && pwd)
umask 022

python3 "$here/make-test-images.py" "$out"

if ! command -v skopeo >/dev/null; then
    echo "skipping docker-archive/oci-archive fixtures: skopeo not installed (apt-get install skopeo)"
    exit 0
fi

# --insecure-policy: no /etc/containers/policy.json needed for local copies.
copy() {
    skopeo --insecure-policy copy --quiet "$1" "$2"
}

rm -f -- "$out/layered-docker-archive.tar" "$out/layered-oci-archive.tar" \
         "$out/busybox-docker-archive.tar"
copy "oci:$out/layered:layered" \
     "docker-archive:$out/layered-docker-archive.tar:swiftbox/layered:latest"
copy "oci:$out/layered:layered" "oci-archive:$out/layered-oci-archive.tar:layered"
# skopeo tars up a temp dir with the current mtimes; pin them (and owners)
# so the archive is reproducible. Same entries, same order.
python3 - "$out/layered-oci-archive.tar" <<'EOF'
import io, sys, tarfile
path = sys.argv[1]
out = io.BytesIO()
with tarfile.open(path) as src, \
        tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as dst:
    for m in src.getmembers():
        m.mtime, m.uid, m.gid, m.uname, m.gname = 0, 0, 0, "", ""
        m.pax_headers = {}
        dst.addfile(m, src.extractfile(m) if m.isfile() else None)
with open(path, "wb") as f:
    f.write(out.getvalue())
EOF
echo "wrote $out/layered-docker-archive.tar $out/layered-oci-archive.tar"

if [ ! -x "${BUSYBOX:-/bin/busybox}" ] || ! command -v jq >/dev/null; then
    echo "skipping busybox-docker-archive.tar: needs ${BUSYBOX:-/bin/busybox} (busybox-static) and jq"
    exit 0
fi
"$here/busybox-image.sh" "$out/busybox"
copy "oci:$out/busybox:latest" \
     "docker-archive:$out/busybox-docker-archive.tar:swiftbox/busybox:latest"
echo "wrote $out/busybox-docker-archive.tar"
