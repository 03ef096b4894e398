#!/usr/bin/env bash
# Build an OCI image layout holding the busybox rootfs of busybox-bundle.sh.
#
# Usage: busybox-image.sh OUTDIR
#
# Result (OCI image-spec 1.0 layout, tag "latest"):
#   OUTDIR/oci-layout
#   OUTDIR/index.json            -> manifest, annotated ref.name=latest
#   OUTDIR/blobs/sha256/<digest> one gzip layer, the image config, the manifest
#
# The output is reproducible: owners, mtimes and entry order are pinned in the
# tar, gzip stores no name or time, and the JSON is printed by jq with fixed
# content, so the same busybox binary always gives the same manifest digest.
# Re-running replaces OUTDIR.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
out=$1
here=$(cd "$(dirname "$0")" && pwd)
umask 022
export LC_ALL=C   # stable sort order for tar and ls

# OCI uses Go's GOARCH names.
case "$(uname -m)" in
    x86_64)  arch=amd64 ;;
    aarch64) arch=arm64 ;;
    *)       arch=$(uname -m) ;;
esac

work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT

# 1. The root filesystem, exactly as the runtime bundle has it.
"$here/busybox-bundle.sh" "$work/bundle" sh >/dev/null
rootfs=$work/bundle/rootfs

rm -rf -- "$out"
mkdir -p -- "$out/blobs/sha256"
blobs=$out/blobs/sha256

sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }
# Move a file into blobs/ under its own digest; print the digest.
add_blob() {
    local d
    d=$(sha "$1")
    mv -f -- "$1" "$blobs/$d"
    echo "$d"
}

# 2. The layer. Top-level names are passed in sorted order without a "./"
# prefix; --sort=name orders everything below them. GNU format avoids the
# per-file atime/ctime that pax headers would record.
(cd "$rootfs" &&
    find . -mindepth 1 -maxdepth 1 -printf '%P\n' | sort |
    tar --format=gnu --numeric-owner --owner=0 --group=0 \
        --sort=name --mtime=@0 -cf "$work/layer.tar" --verbatim-files-from -T -)
diff_id=$(sha "$work/layer.tar")
gzip -n -9 < "$work/layer.tar" > "$work/layer.tar.gz"
layer_size=$(size "$work/layer.tar.gz")
layer_digest=$(add_blob "$work/layer.tar.gz")

# 3. The image config: what to run and which uncompressed layers make the
# rootfs (diff_ids are digests of the *uncompressed* tars).
jq -n --arg arch "$arch" --arg diff "sha256:$diff_id" '{
    created: "1970-01-01T00:00:00Z",
    architecture: $arch,
    os: "linux",
    config: {
        Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        Cmd: ["sh"],
        WorkingDir: "/"
    },
    rootfs: { type: "layers", diff_ids: [$diff] },
    history: [ { created: "1970-01-01T00:00:00Z",
                 created_by: "swiftbox rootfs-fixtures/busybox-image.sh" } ]
}' > "$work/config.json"
config_size=$(size "$work/config.json")
config_digest=$(add_blob "$work/config.json")

# 4. The manifest pointing at config and layer.
jq -n --arg cd "sha256:$config_digest" --argjson cs "$config_size" \
      --arg ld "sha256:$layer_digest" --argjson ls "$layer_size" '{
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json",
              digest: $cd, size: $cs },
    layers: [ { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
                digest: $ld, size: $ls } ]
}' > "$work/manifest.json"
manifest_size=$(size "$work/manifest.json")
manifest_digest=$(add_blob "$work/manifest.json")

# 5. index.json and oci-layout at the top of the layout.
jq -n --arg md "sha256:$manifest_digest" --argjson ms "$manifest_size" \
      --arg arch "$arch" '{
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [ { mediaType: "application/vnd.oci.image.manifest.v1+json",
                   digest: $md, size: $ms,
                   platform: { architecture: $arch, os: "linux" },
                   annotations: { "org.opencontainers.image.ref.name": "latest" } } ]
}' > "$out/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' > "$out/oci-layout"

echo "image ready: $out (manifest sha256:$manifest_digest)"
