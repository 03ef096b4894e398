# Sourced by the image fixture scripts: packs a root filesystem directory as a
# one-layer OCI image layout, reproducibly (sorted names, numeric owners, mtime 0,
# gzip -n, fixed created dates).
#
# pack_oci_layout ROOTFS WORK OUT REF ARCH GZIP_LEVEL CMD_JSON CREATED_BY TITLE VERSION
#   ROOTFS  the tree to pack          WORK  scratch directory (layer.tar etc.)
#   OUT     the layout directory to fill (blobs/sha256 must exist)
#   CMD_JSON  e.g. '["/bin/sh"]'
# Sets: layer_size, manifest_digest.

pack_oci_layout() {
    local rootfs=$1 work=$2 out=$3 ref=$4 arch=$5 level=$6 cmd=$7 by=$8 title=$9 version=${10}
    local blobs=$out/blobs/sha256
    _sha() { sha256sum "$1" | cut -d' ' -f1; }
    _size() { stat -c %s "$1"; }
    _add_blob() { local d; d=$(_sha "$1"); mv -f -- "$1" "$blobs/$d"; echo "$d"; }

    # Top-level names sorted without "./"; --sort=name orders the rest. GNU format
    # records no atime/ctime.
    (cd "$rootfs" &&
        find . -mindepth 1 -maxdepth 1 -printf '%P\n' | sort |
        tar --format=gnu --numeric-owner --sort=name --mtime=@0 \
            -cf "$work/layer.tar" --verbatim-files-from -T -)
    local diff_id
    diff_id=$(_sha "$work/layer.tar")
    gzip -n "-$level" < "$work/layer.tar" > "$work/layer.tar.gz"
    rm -f -- "$work/layer.tar"
    layer_size=$(_size "$work/layer.tar.gz")
    local layer_digest config_size config_digest manifest_size
    layer_digest=$(_add_blob "$work/layer.tar.gz")

    jq -n --arg arch "$arch" --arg diff "sha256:$diff_id" --arg by "$by" --argjson cmd "$cmd" '{
        created: "1970-01-01T00:00:00Z",
        architecture: $arch,
        os: "linux",
        config: {
            Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            Cmd: $cmd,
            WorkingDir: "/"
        },
        rootfs: { type: "layers", diff_ids: [$diff] },
        history: [ { created: "1970-01-01T00:00:00Z", created_by: $by } ]
    }' > "$work/config.json"
    config_size=$(_size "$work/config.json")
    config_digest=$(_add_blob "$work/config.json")

    jq -n --arg cd "sha256:$config_digest" --argjson cs "$config_size" \
          --arg ld "sha256:$layer_digest" --argjson ls "$layer_size" \
          --arg rel "$version" --arg title "$title" '{
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs },
        layers: [ { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $ld, size: $ls } ],
        annotations: { "org.opencontainers.image.version": $rel, "org.opencontainers.image.title": $title }
    }' > "$work/manifest.json"
    manifest_size=$(_size "$work/manifest.json")
    manifest_digest=$(_add_blob "$work/manifest.json")

    jq -n --arg md "sha256:$manifest_digest" --argjson ms "$manifest_size" --arg arch "$arch" --arg ref "$ref" '{
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.index.v1+json",
        manifests: [ { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $md, size: $ms,
                       platform: { architecture: $arch, os: "linux" },
                       annotations: { "org.opencontainers.image.ref.name": $ref } } ]
    }' > "$out/index.json"
    echo '{"imageLayoutVersion":"1.0.0"}' > "$out/oci-layout"
}
