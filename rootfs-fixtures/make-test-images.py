#!/usr/bin/env python3
"""Write the image fixtures for swiftbox's image tests (DESIGN.md 3.4).

Usage: make-test-images.py OUTDIR

Writes, replacing only these paths under OUTDIR:

  OUTDIR/layered/                 OCI image layout, ref.name "layered", 3 gzip layers
  OUTDIR/layered.expected.json    the merged filesystem after applying all layers
  OUTDIR/layered.layer1.expected.json  \
  OUTDIR/layered.layer2.expected.json   } each layer unpacked alone as an overlay
  OUTDIR/layered.layer3.expected.json  /  snapshot (whiteout = char 0/0, opaque =
                                          trusted.overlay.opaque="y")
  OUTDIR/hostile/<case>.tar       one single-layer tar per path-escape case
  OUTDIR/hostile/hostile-<case>/  the same tar as an OCI layout, ref.name "hostile-<case>"
  OUTDIR/hostile/README.md        the cases and what a safe unpacker must do

The expected-tree JSON files are read by check-tree.py (same directory).
Python 3 standard library only. The output is byte-for-byte reproducible:
fixed mtimes, a fixed entry order, empty uname/gname, gzip without name or
time, JSON with sorted keys.
"""

import gzip
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile

MTIME = 946684800  # 2000-01-01T00:00:00Z, every entry
CREATED = "2000-01-01T00:00:00Z"

# Unique, searchable part of every hostile marker name.
MARKER_BASE = "sbxfixture7c1e"
# Enough "../" to reach / from any unpack root the runtime could use
# (extra ".." at / stay at /).
UP = "../" * 16

# struct vfs_cap_data, VFS_CAP_REVISION_2, cap_net_bind_service (bit 10) in
# permitted, effective flag set: magic_etc = 0x02000001 (LE), permitted[0] =
# 0x00000400, inheritable = 0, permitted[1] = inheritable[1] = 0.
CAP_NET_BIND_SERVICE = bytes.fromhex("0100000200040000000000000000000000000000")
assert len(CAP_NET_BIND_SERVICE) == 20

SPARSE_SIZE = 1024 * 1024
SPARSE_OFFSET = 512 * 1024
SPARSE_DATA = (b"swiftbox sparse data block\n" * 160)[:4096]


# --------------------------------------------------------------------------
# Entry description

def ent(path, kind, mode=None, uid=0, gid=0, data=b"", target=None,
        dev=(0, 0), xattrs=None):
    """kind: dir file symlink hardlink char fifo sparse whiteout opaque"""
    if mode is None:
        mode = {"dir": 0o755, "symlink": 0o777, "char": 0o666}.get(kind, 0o644)
    return {"path": path, "kind": kind, "mode": mode, "uid": uid, "gid": gid,
            "data": data, "target": target, "dev": dev,
            "xattrs": dict(xattrs or {})}


def pax_str(value):
    """A pax header value as tarfile wants it (str). Bytes that are not
    UTF-8 become surrogates, which tarfile writes back as the raw bytes
    (with hdrcharset=BINARY)."""
    return value.decode("utf-8", "surrogateescape")


def sparse_payload():
    """GNU tar PAX sparse format 1.0: a decimal map (entry count, then
    offset/size pairs) padded to a block, followed by the data chunks.
    Same map GNU tar 1.34 writes for this file, including the trailing
    zero-length chunk at the end of the final hole."""
    chunks = [(SPARSE_OFFSET, len(SPARSE_DATA)), (SPARSE_SIZE, 0)]
    text = "%d\n" % len(chunks) + "".join("%d\n%d\n" % c for c in chunks)
    m = text.encode("ascii")
    m += b"\0" * (-len(m) % 512)
    return m + SPARSE_DATA


def sparse_content():
    return (b"\0" * SPARSE_OFFSET + SPARSE_DATA +
            b"\0" * (SPARSE_SIZE - SPARSE_OFFSET - len(SPARSE_DATA)))


def make_tar(entries):
    """Uncompressed tar (pax) of entries, in the given order."""
    buf = io.BytesIO()
    tf = tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT)
    for e in entries:
        ti = tarfile.TarInfo(e["path"])
        ti.mode = e["mode"]
        ti.uid, ti.gid = e["uid"], e["gid"]
        ti.uname = ti.gname = ""
        ti.mtime = MTIME
        payload = None
        k = e["kind"]
        if k == "dir":
            ti.type = tarfile.DIRTYPE
        elif k in ("file", "whiteout", "opaque"):
            ti.type = tarfile.REGTYPE
            payload = e["data"]
        elif k == "symlink":
            ti.type = tarfile.SYMTYPE
            ti.linkname = e["target"]
        elif k == "hardlink":
            ti.type = tarfile.LNKTYPE
            ti.linkname = e["target"]
        elif k == "char":
            ti.type = tarfile.CHRTYPE
            ti.devmajor, ti.devminor = e["dev"]
        elif k == "fifo":
            ti.type = tarfile.FIFOTYPE
        elif k == "sparse":
            # Written the way `tar --sparse --format=pax` (GNU 1.0) does it:
            # the real name lives in GNU.sparse.name, the ustar name is a
            # placeholder, the member data is map + chunks.
            ti.name = "./GNUSparseFile.0/" + os.path.basename(e["path"])
            ti.type = tarfile.REGTYPE
            ti.pax_headers = {
                "GNU.sparse.major": "1",
                "GNU.sparse.minor": "0",
                "GNU.sparse.name": e["path"],
                "GNU.sparse.realsize": str(SPARSE_SIZE),
            }
            payload = sparse_payload()
        else:
            raise ValueError(k)
        if e["xattrs"]:
            ti.pax_headers = dict(ti.pax_headers)
            for name in sorted(e["xattrs"]):
                ti.pax_headers["SCHILY.xattr." + name] = pax_str(e["xattrs"][name])
        if payload is not None:
            ti.size = len(payload)
            tf.addfile(ti, io.BytesIO(payload))
        else:
            tf.addfile(ti)
    tf.close()
    return buf.getvalue()


def gz(data):
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0,
                       compresslevel=9) as g:
        g.write(data)
    return out.getvalue()


def sha256(b):
    return hashlib.sha256(b).hexdigest()


def jbytes(obj):
    return (json.dumps(obj, sort_keys=True, indent=2) + "\n").encode()


# --------------------------------------------------------------------------
# OCI layout

def write_oci_layout(outdir, ref, layer_tars, history):
    blobs = os.path.join(outdir, "blobs", "sha256")
    os.makedirs(blobs)

    def blob(data):
        d = sha256(data)
        with open(os.path.join(blobs, d), "wb") as f:
            f.write(data)
        return {"digest": "sha256:" + d, "size": len(data)}

    layers = []
    for t in layer_tars:
        layers.append(dict(blob(gz(t)),
                           mediaType="application/vnd.oci.image.layer.v1.tar+gzip"))
    config = {
        "created": CREATED,
        "architecture": "amd64",
        "os": "linux",
        "config": {
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Cmd": ["/bin/sh"],
            "WorkingDir": "/",
        },
        "rootfs": {"type": "layers",
                   "diff_ids": ["sha256:" + sha256(t) for t in layer_tars]},
        "history": [{"created": CREATED, "created_by": h} for h in history],
    }
    cfg = dict(blob(jbytes(config)),
               mediaType="application/vnd.oci.image.config.v1+json")
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": cfg,
        "layers": layers,
    }
    man = blob(jbytes(manifest))
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [dict(man,
                           mediaType="application/vnd.oci.image.manifest.v1+json",
                           platform={"architecture": "amd64", "os": "linux"},
                           annotations={"org.opencontainers.image.ref.name": ref})],
    }
    with open(os.path.join(outdir, "index.json"), "wb") as f:
        f.write(jbytes(index))
    with open(os.path.join(outdir, "oci-layout"), "wb") as f:
        f.write(jbytes({"imageLayoutVersion": "1.0.0"}))
    return man["digest"]


# --------------------------------------------------------------------------
# The layered image

def layered_layers():
    l1 = [
        ent("a", "dir"),
        ent("a/keep", "dir"),
        ent("a/keep/k", "file", data=b"k"),
        ent("a/one", "file", data=b"one"),
        ent("b", "dir"),
        ent("b/two", "file", data=b"two"),
        # A hard link must follow its target in the stream.
        ent("b/hard", "hardlink", target="b/two"),
        ent("bin", "dir"),
        ent("bin/netbind", "file", mode=0o755, data=b"#!/bin/sh\necho netbind\n",
            xattrs={"security.capability": CAP_NET_BIND_SERVICE}),
        ent("bin/suid", "file", mode=0o4755, uid=1000, gid=1000,
            data=b"#!/bin/sh\necho suid\n"),
        ent("c", "dir"),
        ent("c/three", "file", data=b"three"),
        ent("dev", "dir"),
        ent("dev/fifo", "fifo"),
        ent("dev/null", "char", dev=(1, 3)),
        # A hard link pair that survives the merge (b/hard does not, see
        # layer 3).
        ent("h", "dir"),
        ent("h/orig", "file", data=b"hardlinked survivor\n"),
        ent("h/link", "hardlink", target="h/orig"),
        ent("link", "symlink", target="a/one"),
        ent("sparse", "sparse"),
        ent("xattr-user", "file", data=b"has user.test\n",
            xattrs={"user.test": b"hello"}),
    ]
    l2 = [
        ent("a", "dir"),
        ent("a/.wh.one", "whiteout"),
        ent("a/two", "file", data=b"a/two"),
        ent("c", "dir"),
        # c/new comes BEFORE the opaque marker: the marker hides only lower
        # layers' entries, so c/new must survive.
        ent("c/new", "file", data=b"new"),
        ent("c/.wh..wh..opq", "opaque"),
    ]
    l3 = [
        ent("a", "dir"),
        ent("a/.wh.keep", "whiteout"),
        ent("b", "dir"),
        # A new regular file over b/two: a new inode. b/hard (linked to the
        # old b/two in layer 1) keeps the old content "two".
        ent("b/two", "file", data=b"two v2"),
        ent("d", "dir"),
        ent("d/deep", "dir"),
        ent("d/deep/file", "file", data=b"deep"),
    ]
    return [l1, l2, l3]


LAYER_HISTORY = [
    "layer 1: dirs, files, symlink, hardlinks, suid, char device, fifo, xattrs, sparse",
    "layer 2: whiteout a/.wh.one, c/new then opaque c/.wh..wh..opq, new a/two",
    "layer 3: b/two rewritten (breaks hardlink b/hard), whiteout dir a/.wh.keep, d/deep/file",
]


class Node:
    """One inode of the model filesystem."""
    def __init__(self, e):
        self.kind = {"sparse": "file"}.get(e["kind"], e["kind"])
        self.mode, self.uid, self.gid = e["mode"], e["uid"], e["gid"]
        self.xattrs = dict(e["xattrs"])
        self.target = e["target"]
        self.dev = e["dev"]
        self.sparse = e["kind"] == "sparse"
        self.data = sparse_content() if self.sparse else e["data"]


def parent_and_base(path):
    d, _, b = path.rpartition("/")
    return d, b


def is_under(path, d):
    return d == "" or path.startswith(d + "/")


def apply_layer(state, layer):
    """Apply one layer to state (path -> Node) with OCI semantics:
    whiteouts and opaque markers apply to lower layers only, whatever their
    position in the stream; any other entry replaces what is at its path
    (a new inode, except directories over directories, whose metadata is
    updated and children kept); a hard link shares the inode of its target
    as it is at that point of the stream."""
    lower = set(state)
    for e in layer:
        d, b = parent_and_base(e["path"])
        if e["kind"] == "opaque":
            for p in list(state):
                if p in lower and is_under(p, d) and p != d:
                    del state[p]
        elif e["kind"] == "whiteout":
            victim = (d + "/" if d else "") + b[len(".wh."):]
            for p in list(state):
                if p in lower and (p == victim or is_under(p, victim)):
                    del state[p]
    for e in layer:
        p, k = e["path"], e["kind"]
        if k in ("opaque", "whiteout"):
            continue
        old = state.get(p)
        if k == "dir" and old is not None and old.kind == "dir":
            old.mode, old.uid, old.gid = e["mode"], e["uid"], e["gid"]
            old.xattrs = dict(e["xattrs"])
            continue
        if old is not None and old.kind == "dir":
            for q in list(state):
                if is_under(q, p):
                    del state[q]
        if k == "hardlink":
            state[p] = state[e["target"]]
        else:
            state[p] = Node(e)


def snapshot_state(layer):
    """A layer unpacked alone into an overlay upper dir."""
    state = {}
    for e in layer:
        if e["kind"] in ("opaque", "whiteout"):
            continue
        if e["kind"] == "hardlink":
            state[e["path"]] = state[e["target"]]
        else:
            state[e["path"]] = Node(e)
    for e in layer:
        d, b = parent_and_base(e["path"])
        if e["kind"] == "opaque":
            if d not in state:
                state[d] = Node(ent(d, "dir"))
            state[d].xattrs["trusted.overlay.opaque"] = b"y"
        elif e["kind"] == "whiteout":
            victim = (d + "/" if d else "") + b[len(".wh."):]
            n = Node(ent(victim, "char", dev=(0, 0)))
            n.whiteout = True
            state[victim] = n
    return state


def expected_json(state, description, notes):
    groups = {}
    for p in sorted(state):
        groups.setdefault(id(state[p]), []).append(p)
    entries = {}
    for p in sorted(state):
        n = state[p]
        o = {"type": n.kind}
        if getattr(n, "whiteout", False):
            o["whiteout"] = True  # overlay whiteout: mode/owner not checked
        else:
            o["mode"] = "%04o" % n.mode if n.kind != "symlink" else None
            o["uid"], o["gid"] = n.uid, n.gid
            if o["mode"] is None:
                del o["mode"]
        if n.kind != "symlink":
            o["xattrs"] = {k: v.hex() for k, v in sorted(n.xattrs.items())}
        if n.kind == "file":
            o["size"] = len(n.data)
            o["sha256"] = sha256(n.data)
            g = groups[id(n)]
            if len(g) > 1:
                o["link_group"] = g[0]
            if n.sparse:
                o["sparse"] = {"data": [[SPARSE_OFFSET, len(SPARSE_DATA)]]}
        elif n.kind == "symlink":
            o["target"] = n.target
        elif n.kind == "char":
            o["major"], o["minor"] = n.dev
        entries[p] = o
    return {
        "description": description,
        "format": "paths relative to the root, no leading '/' or './'; mode is "
                  "the octal permission bits incl. setuid/setgid/sticky "
                  "(absent for symlinks); xattrs maps name -> hex of the raw "
                  "value and lists ALL xattrs expected (check-tree ignores "
                  "security.selinux); files with the same link_group must be "
                  "one inode, and no other files may share an inode; sparse "
                  "lists the data extents (holes are checked only with "
                  "check-tree --check-sparse); whiteout: true marks an overlay "
                  "whiteout (char 0/0, mode/owner not checked)",
        "notes": notes,
        "hardlinks": sorted(g for g in groups.values()
                            if len(g) > 1 and state[g[0]].kind == "file"),
        "entries": entries,
    }


def write_layered(out):
    layers = layered_layers()
    tars = [make_tar(l) for l in layers]
    write_oci_layout(os.path.join(out, "layered"), "layered", tars, LAYER_HISTORY)

    state = {}
    for l in layers:
        apply_layer(state, l)
    notes = [
        "a/one deleted by whiteout a/.wh.one (layer 2); link -> a/one is left dangling",
        "a/keep (a directory with a/keep/k) deleted by whiteout a/.wh.keep (layer 3)",
        "c/three hidden by opaque c/.wh..wh..opq (layer 2); c/new from the same "
        "layer precedes the marker in the stream and must survive",
        "b/hard and b/two are one inode in layer 1; layer 3 writes a NEW b/two, "
        "so in the merged tree b/two is 'two v2' and b/hard is still 'two', "
        "and they are NOT hard links any more (an unpacker that truncates and "
        "rewrites the existing b/two inode in place gets b/hard wrong)",
        "h/link and h/orig stay hard links",
        "bin/suid is mode 4755 owned by 1000:1000 (chown after chmod clears the "
        "setuid bit)",
        "bin/netbind carries security.capability = cap_net_bind_service+ep "
        "(VFS_CAP_REVISION_2)",
        "sparse is 1 MiB with 4 KiB of data at 512 KiB, stored as a GNU PAX "
        "1.0 sparse member (ustar name ./GNUSparseFile.0/sparse, real name in "
        "GNU.sparse.name)",
    ]
    with open(os.path.join(out, "layered.expected.json"), "wb") as f:
        f.write(jbytes(expected_json(
            state, "layered image: merged tree after layers 1..3 (e.g. "
                   "umoci unpack rootfs, or the overlay mount)", notes)))
    for i, l in enumerate(layers, 1):
        with open(os.path.join(out, "layered.layer%d.expected.json" % i), "wb") as f:
            f.write(jbytes(expected_json(
                snapshot_state(l),
                "layered image: layer %d unpacked alone as an overlayfs "
                "upper dir (whiteout -> char 0/0, opaque marker -> xattr "
                "trusted.overlay.opaque=y on the directory)" % i,
                [LAYER_HISTORY[i - 1]])))


# --------------------------------------------------------------------------
# Hostile tarballs

def marker(case):
    return MARKER_BASE + "-" + case


def hostile_cases():
    """case -> (entries, what a naive unpacker would do)"""
    c = {}
    m = marker("abs-path")
    c["abs-path"] = (
        [ent("/tmp/swiftbox-hostile-abs-" + m, "file", data=b"escaped\n")],
        "creates /tmp/swiftbox-hostile-abs-%s on the host" % m)
    m = marker("dotdot")
    c["dotdot"] = (
        [ent(UP + "tmp/swiftbox-hostile-dotdot-" + m, "file", data=b"escaped\n")],
        "creates /tmp/swiftbox-hostile-dotdot-%s on the host" % m)
    m = marker("symlink-escape")
    c["symlink-escape"] = (
        [ent("evil", "symlink", target="/tmp"),
         ent("evil/swiftbox-hostile-symlink-" + m, "file", data=b"escaped\n")],
        "follows evil -> /tmp and creates /tmp/swiftbox-hostile-symlink-%s" % m)
    m = marker("symlink-escape-rel")
    c["symlink-escape-rel"] = (
        [ent("evil2", "symlink", target=UP + "tmp"),
         ent("evil2/swiftbox-hostile-symlink2-" + m, "file", data=b"escaped\n")],
        "follows evil2 -> ../../(...)/tmp and creates "
        "/tmp/swiftbox-hostile-symlink2-%s" % m)
    c["hardlink-escape"] = (
        [ent("passwd-link", "hardlink", target=UP + "etc/passwd")],
        "links passwd-link to the host's /etc/passwd (its link count goes up; "
        "the container can then read/write the host file)")
    c["hardlink-escape-abs"] = (
        [ent("passwd-link", "hardlink", target="/etc/passwd")],
        "links passwd-link to the host's /etc/passwd")
    m = marker("hardlink-write")
    victim = "/tmp/swiftbox-victim-" + m
    c["hardlink-write"] = (
        [ent("victim-link", "hardlink", target=UP + victim.lstrip("/")),
         ent("victim-link", "file", data=b"overwritten\n")],
        "links victim-link to %s, then the regular-file entry of the same name "
        "truncates and rewrites the host file through the link (the test must "
        "create the victim first, content 'original\\n')" % victim)
    m = marker("whiteout-escape")
    c["whiteout-escape"] = (
        [ent(UP + "tmp/.wh.swiftbox-victim-" + m, "whiteout")],
        "deletes /tmp/swiftbox-victim-%s on the host (the test must create it "
        "first)" % m)
    return c


def write_hostile(out):
    hd = os.path.join(out, "hostile")
    os.makedirs(hd)
    cases = hostile_cases()
    rows = []
    for case in sorted(cases):
        entries, naive = cases[case]
        t = make_tar(entries)
        with open(os.path.join(hd, case + ".tar"), "wb") as f:
            f.write(t)
        write_oci_layout(os.path.join(hd, "hostile-" + case), "hostile-" + case,
                         [t], ["hostile layer: " + case])
        lines = []
        for e in entries:
            s = e["path"]
            if e["kind"] == "symlink":
                s += " -> " + e["target"]
            elif e["kind"] == "hardlink":
                s += " link to " + e["target"]
            lines.append("`%s` (%s)" % (s, e["kind"]))
        rows.append((case, lines, naive))

    md = ["# Hostile layer fixtures", "",
          "Written by `rootfs-fixtures/make-test-images.py`. Each case is a "
          "single-layer tar (`<case>.tar`) and the same layer as an OCI image "
          "layout (`hostile-<case>/`, ref.name `hostile-<case>`, e.g. "
          "`oci:hostile/hostile-dotdot:hostile-dotdot`).", "",
          "Every name the cases would create or delete on the host contains "
          "the string `%s` (the marker is `%s-<case>`), so after a test run "
          "`find / -xdev -name '*%s*'` must find nothing outside the "
          "unpack root." % (MARKER_BASE, MARKER_BASE, MARKER_BASE), "",
          "Relative escapes use %d `../` components so they reach `/` from "
          "any unpack root depth (`..` at `/` stays at `/`)." % UP.count("../"), "",
          "## Cases", ""]
    for case, lines, naive in rows:
        md.append("### `%s`" % case)
        md.append("")
        md.append("Entries, in order:")
        md.append("")
        for l in lines:
            md.append("- " + l)
        md.append("")
        md.append("A naive unpacker: " + naive + ".")
        md.append("")
    md += ["## What a safe unpacker must do", "",
           "Nothing outside the unpack root may be created, changed or deleted, "
           "and nothing outside may become reachable from inside it:", "",
           "- Resolve every entry name, hard-link target and whiteout target "
           "inside the root (openat2 `RESOLVE_IN_ROOT`, or an `O_PATH` walk "
           "that never follows a symlink out of the root). Either clamp the "
           "path to the root (`/tmp/x` and `../../tmp/x` land at `ROOT/tmp/x`, "
           "like a chroot would) or reject the entry/layer with an error that "
           "names it. Both are acceptable; writing outside is not.",
           "- Symlinks themselves may point anywhere (`evil -> /tmp` is a valid "
           "symlink inside the container); what must never happen is that a "
           "later entry is written *through* one to the host.",
           "- A hard link whose target resolves outside the root must not be "
           "created to the host file: after the unpack `/etc/passwd` has its "
           "old link count and no file in the root shares its inode (st_dev, "
           "st_ino).",
           "- Replacing an existing path (the second `victim-link` entry in "
           "`hardlink-write`) must unlink and create, not open and truncate "
           "the existing inode; the victim keeps its content either way.",
           "- A whiteout may only delete inside the root; the victim file "
           "must still exist.",
           "",
           "A test: create `/tmp/swiftbox-victim-%s-whiteout-escape` and "
           "`/tmp/swiftbox-victim-%s-hardlink-write` (content `original\\n`), "
           "record `stat /etc/passwd`, unpack each case into a fresh root, "
           "then check: no `/tmp/swiftbox-hostile-*%s*` exists, both victims "
           "exist with content `original\\n`, `/etc/passwd` has the same "
           "nlink/size/mtime and no inode under the root equals it."
           % (MARKER_BASE, MARKER_BASE, MARKER_BASE),
           ""]
    with open(os.path.join(hd, "README.md"), "w") as f:
        f.write("\n".join(md))


def main():
    if len(sys.argv) != 2:
        print("usage: %s OUTDIR" % sys.argv[0], file=sys.stderr)
        return 2
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name in ("layered", "hostile"):
        shutil.rmtree(os.path.join(out, name), ignore_errors=True)
    write_layered(out)
    write_hostile(out)
    print("test images written to %s" % out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
