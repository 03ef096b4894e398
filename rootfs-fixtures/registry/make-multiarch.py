#!/usr/bin/env python3
"""Build a tiny multi-platform OCI image layout for platform-selection tests.

Usage: make-multiarch.py OUT [--tag latest]

OUT becomes an OCI image layout (image-spec 1.0):

  OUT/oci-layout
  OUT/index.json   -> one entry, the image index below, ref.name=TAG
  OUT/blobs/sha256/
      image index (application/vnd.oci.image.index.v1+json) with
        linux/amd64        manifest -> config (architecture amd64)
        linux/arm64 (v8)   manifest -> config (architecture arm64, variant v8)
      each manifest has one gzip layer holding the single file /platform
      whose content is the architecture name and a newline ("amd64\\n").

Push it with:  push.sh DIR PORT MODE --all oci:OUT:latest REPO:TAG
The output is reproducible (fixed mtimes, owners and JSON key order), so the
digests are the same on every run. Re-running replaces OUT.
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile

PLATFORMS = [
    {"architecture": "amd64", "os": "linux"},
    {"architecture": "arm64", "os": "linux", "variant": "v8"},
]

MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
EPOCH = "1970-01-01T00:00:00Z"


class Layout:
    def __init__(self, out):
        self.blobs = os.path.join(out, "blobs", "sha256")
        os.makedirs(self.blobs)

    def add(self, data: bytes, media_type: str, **extra) -> dict:
        digest = hashlib.sha256(data).hexdigest()
        with open(os.path.join(self.blobs, digest), "wb") as f:
            f.write(data)
        desc = {"mediaType": media_type, "digest": "sha256:" + digest,
                "size": len(data)}
        desc.update(extra)
        return desc


def dump(obj) -> bytes:
    return json.dumps(obj, indent=2, sort_keys=False).encode() + b"\n"


def layer_tar(content: bytes) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        info = tarfile.TarInfo("platform")
        info.size = len(content)
        info.mode = 0o644
        info.mtime = 0
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        tar.addfile(info, io.BytesIO(content))
    return buf.getvalue()


def gzip_bytes(data: bytes) -> bytes:
    buf = io.BytesIO()
    # mtime=0 and no file name: reproducible output.
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0,
                       filename="") as gz:
        gz.write(data)
    return buf.getvalue()


def build(out: str, tag: str):
    if os.path.lexists(out):
        shutil.rmtree(out)
    layout = Layout(out)
    entries = []
    for plat in PLATFORMS:
        arch = plat["architecture"]
        tar = layer_tar((arch + "\n").encode())
        layer = layout.add(gzip_bytes(tar), MT_LAYER)
        config = {"created": EPOCH, "architecture": arch, "os": "linux"}
        if "variant" in plat:
            config["variant"] = plat["variant"]
        config.update({
            "config": {
                "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:"
                        "/usr/bin:/sbin:/bin"],
                "WorkingDir": "/",
                "Labels": {"org.swiftbox.test.platform": arch},
            },
            "rootfs": {"type": "layers",
                       "diff_ids": ["sha256:" + hashlib.sha256(tar).hexdigest()]},
            "history": [{"created": EPOCH,
                         "created_by": "swiftbox rootfs-fixtures/registry/"
                                       "make-multiarch.py"}],
        })
        config_desc = layout.add(dump(config), MT_CONFIG)
        manifest = {
            "schemaVersion": 2,
            "mediaType": MT_MANIFEST,
            "config": config_desc,
            "layers": [layer],
        }
        entries.append(layout.add(dump(manifest), MT_MANIFEST,
                                  platform=dict(plat)))
    image_index = {
        "schemaVersion": 2,
        "mediaType": MT_INDEX,
        "manifests": entries,
    }
    index_desc = layout.add(
        dump(image_index), MT_INDEX,
        annotations={"org.opencontainers.image.ref.name": tag})
    with open(os.path.join(out, "index.json"), "wb") as f:
        f.write(dump({"schemaVersion": 2, "mediaType": MT_INDEX,
                      "manifests": [index_desc]}))
    with open(os.path.join(out, "oci-layout"), "wb") as f:
        f.write(b'{"imageLayoutVersion":"1.0.0"}\n')
    return index_desc, entries


def main():
    ap = argparse.ArgumentParser(
        description="Make a two-platform (linux/amd64, linux/arm64) OCI "
                    "image layout.")
    ap.add_argument("out")
    ap.add_argument("--tag", default="latest")
    args = ap.parse_args()
    index_desc, entries = build(args.out, args.tag)
    print(f"multi-arch layout ready: {args.out}:{args.tag} "
          f"(index {index_desc['digest']})")
    for e in entries:
        p = e["platform"]
        name = p["os"] + "/" + p["architecture"]
        if "variant" in p:
            name += "/" + p["variant"]
        print(f"  {name:16} {e['digest']}")


if __name__ == "__main__":
    sys.exit(main())
