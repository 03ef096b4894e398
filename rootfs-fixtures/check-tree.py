#!/usr/bin/env python3
"""Compare a directory tree with an expected-tree JSON file.

Usage: check-tree.py [options] EXPECTED.json DIR

EXPECTED.json is written by make-test-images.py (see its "format" key):
  {"entries": {"rel/path": {"type": "file|dir|symlink|char|fifo",
                            "mode": "0644", "uid": 0, "gid": 0,
                            "xattrs": {"name": "<hex>"}, "size": N,
                            "sha256": "...", "link_group": "first/path",
                            "target": "...", "major": 1, "minor": 3,
                            "sparse": {...}, "whiteout": true}, ...}}

Every entry below DIR (DIR itself excluded) must be in the file and vice
versa. Missing keys are not checked. Regular files that share an inode must
have the same link_group, and every link_group must be one inode.

Options:
  --no-owner          do not compare uid/gid (rootless unpack)
  --no-xattrs         do not compare xattrs
  --ignore-xattr NAME ignore this xattr (repeatable; security.selinux always)
  --check-sparse      require files with "sparse" to occupy fewer blocks
                      than their size (holes preserved)
  -q                  print only differences

Prints one line per difference; exit 0 if none, 1 if any, 2 on usage error.
"""

import argparse
import hashlib
import json
import os
import stat
import sys

TYPES = {
    stat.S_IFREG: "file", stat.S_IFDIR: "dir", stat.S_IFLNK: "symlink",
    stat.S_IFCHR: "char", stat.S_IFBLK: "block", stat.S_IFIFO: "fifo",
    stat.S_IFSOCK: "socket",
}


def file_sha256(path):
    h = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def read_xattrs(path, ignore):
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError:
        return {}
    out = {}
    for n in names:
        if n in ignore:
            continue
        try:
            out[n] = os.getxattr(path, n, follow_symlinks=False).hex()
        except OSError as e:
            out[n] = "<error %s>" % e.strerror
    return out


def show_x(d):
    def one(v):
        try:
            b = bytes.fromhex(v)
            if all(32 <= c < 127 for c in b):
                return repr(b.decode())
        except ValueError:
            pass
        return v
    return "{%s}" % ", ".join("%s=%s" % (k, one(v)) for k, v in sorted(d.items()))


def scan(root):
    found = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in sorted(dirnames + filenames):
            p = os.path.join(dirpath, name)
            found[os.path.relpath(p, root)] = p
    return found


def main():
    ap = argparse.ArgumentParser(
        description="Compare a directory tree with an expected-tree JSON file.")
    ap.add_argument("expected")
    ap.add_argument("dir")
    ap.add_argument("--no-owner", action="store_true")
    ap.add_argument("--no-xattrs", action="store_true")
    ap.add_argument("--ignore-xattr", action="append", default=[])
    ap.add_argument("--check-sparse", action="store_true")
    ap.add_argument("-q", action="store_true")
    a = ap.parse_args()

    with open(a.expected) as f:
        exp = json.load(f)["entries"]
    if not os.path.isdir(a.dir):
        print("check-tree: %s: not a directory" % a.dir, file=sys.stderr)
        return 2
    ignore = set(a.ignore_xattr) | {"security.selinux"}
    found = scan(a.dir)
    diffs = []

    def diff(path, msg):
        diffs.append("%s: %s" % (path, msg))

    inodes = {}      # (dev, ino) -> [paths]
    for rel in sorted(set(exp) | set(found)):
        if rel not in found:
            diff(rel, "missing (expected %s)" % exp[rel].get("type"))
            continue
        if rel not in exp:
            st = os.lstat(found[rel])
            diff(rel, "unexpected %s" % TYPES.get(stat.S_IFMT(st.st_mode), "?"))
            continue
        e, p = exp[rel], found[rel]
        st = os.lstat(p)
        t = TYPES.get(stat.S_IFMT(st.st_mode), "?")
        if e.get("type") and t != e["type"]:
            diff(rel, "type %s, expected %s" % (t, e["type"]))
            continue
        if "mode" in e and stat.S_IMODE(st.st_mode) != int(e["mode"], 8):
            diff(rel, "mode %04o, expected %s" % (stat.S_IMODE(st.st_mode), e["mode"]))
        if not a.no_owner:
            for k, v in (("uid", st.st_uid), ("gid", st.st_gid)):
                if k in e and v != e[k]:
                    diff(rel, "%s %d, expected %d" % (k, v, e[k]))
        if not a.no_xattrs and "xattrs" in e:
            want = {k: v for k, v in e["xattrs"].items() if k not in ignore}
            got = read_xattrs(p, ignore)
            if got != want:
                diff(rel, "xattrs %s, expected %s" % (show_x(got), show_x(want)))
        if t == "file":
            inodes.setdefault((st.st_dev, st.st_ino), []).append(rel)
            if "size" in e and st.st_size != e["size"]:
                diff(rel, "size %d, expected %d" % (st.st_size, e["size"]))
            if "sha256" in e:
                h = file_sha256(p)
                if h != e["sha256"]:
                    diff(rel, "sha256 %s, expected %s" % (h, e["sha256"]))
            if a.check_sparse and "sparse" in e and st.st_blocks * 512 >= st.st_size:
                diff(rel, "not sparse (%d blocks of 512 for %d bytes)"
                     % (st.st_blocks, st.st_size))
        elif t == "symlink":
            target = os.readlink(p)
            if "target" in e and target != e["target"]:
                diff(rel, "symlink target %r, expected %r" % (target, e["target"]))
        elif t in ("char", "block"):
            mm = (os.major(st.st_rdev), os.minor(st.st_rdev))
            if "major" in e and mm != (e["major"], e.get("minor", 0)):
                diff(rel, "device %d:%d, expected %d:%d"
                     % (mm + (e["major"], e.get("minor", 0))))

    # Hard links: same inode <=> same link_group.
    groups = {}
    for rel, e in exp.items():
        if "link_group" in e:
            groups.setdefault(e["link_group"], []).append(rel)
    for key, paths in inodes.items():
        gs = {exp.get(r, {}).get("link_group") for r in paths}
        if len(paths) > 1 and (len(gs) > 1 or None in gs):
            diff(", ".join(sorted(paths)), "share one inode but are not "
                 "expected to be hard links")
    ino_of = {r: k for k, ps in inodes.items() for r in ps}
    for g, paths in sorted(groups.items()):
        present = [r for r in paths if r in ino_of]
        if len({ino_of[r] for r in present}) > 1:
            diff(", ".join(sorted(present)), "expected hard links (one inode), "
                 "got %d inodes" % len({ino_of[r] for r in present}))

    for d in diffs:
        print(d)
    if not a.q:
        print("check-tree: %s vs %s: %d entries, %s" % (
            a.expected, a.dir, len(found),
            "%d difference(s)" % len(diffs) if diffs else "match"),
            file=sys.stderr)
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
