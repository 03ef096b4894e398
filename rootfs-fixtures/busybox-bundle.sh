#!/usr/bin/env bash
# Build an OCI runtime bundle around Debian's statically linked busybox.
#
# Usage: busybox-bundle.sh OUTDIR [ARG...]
#
#   OUTDIR/rootfs       minimal root filesystem: /bin/busybox plus one symlink
#                       per applet, the usual empty top-level dirs, and an
#                       /etc/passwd + /etc/group holding root and nobody.
#   OUTDIR/config.json  OCI runtime spec 1.0.2 config modelled on the defaults
#                       `runc spec` writes (non-terminal, read-only root,
#                       hostname "swiftbox"). process.args is ARG... or "sh".
#
# Env: BUSYBOX=path of the static busybox binary (default /bin/busybox,
#      from the busybox-static package).
#
# Re-running is safe: OUTDIR is removed and rebuilt from scratch.
set -euo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 OUTDIR [ARG...]" >&2
    exit 2
fi
out=$1
shift
if [ $# -eq 0 ]; then
    set -- sh
fi

busybox=${BUSYBOX:-/bin/busybox}
if [ ! -x "$busybox" ]; then
    echo "$0: $busybox not found (apt-get install busybox-static)" >&2
    exit 1
fi
# A dynamically linked busybox would need its libraries inside the rootfs.
# (ldd lists "=>" library lines only for dynamic executables.)
if command -v ldd >/dev/null && ldd "$busybox" 2>&1 | grep -q '=>'; then
    echo "$0: $busybox is dynamically linked; install busybox-static" >&2
    exit 1
fi
command -v jq >/dev/null || { echo "$0: jq is required" >&2; exit 1; }

# Fixed umask so directory and file modes do not depend on the caller
# (busybox-image.sh tars this rootfs and wants identical bytes every time).
umask 022

# Start from an empty directory every time (idempotent rebuild).
rm -rf -- "$out"
mkdir -p -- "$out/rootfs"
rootfs=$(cd "$out/rootfs" && pwd)

# --- root filesystem -------------------------------------------------------
mkdir -p "$rootfs"/{bin,proc,sys,dev,tmp,etc,root}
chmod 1777 "$rootfs/tmp"
chmod 700 "$rootfs/root"
install -m 0755 "$busybox" "$rootfs/bin/busybox"

# `busybox --list` prints bare applet names; put every link in /bin so that
# the default PATH finds them. Relative targets keep the rootfs relocatable.
# One perl process makes all ~400 links: a fork+exec of ln per applet costs
# ~0.1 s each under qemu TCG (the cgroup v2 guest tier), 50 s in all.
"$busybox" --list | grep -vx busybox |
    perl -e 'chdir $ARGV[0] or die "$ARGV[0]: $!"; while (<STDIN>) { chomp; unlink; symlink("busybox", $_) or die "$_: $!" }' "$rootfs/bin"

cat > "$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > "$rootfs/etc/group" <<'GROUP'
root:x:0:
nogroup:x:65534:
GROUP
chmod 0644 "$rootfs/etc/passwd" "$rootfs/etc/group"

# --- config.json -----------------------------------------------------------
# Written by hand after the shape of `runc spec`, with these differences:
# terminal false, no TERM in env, no ambient capabilities, a cgroup
# namespace, hostname "swiftbox". process.args is patched in with jq so
# arbitrary arguments are JSON-escaped correctly.
cat > "$out/config.json.tmp" <<'JSON'
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": { "uid": 0, "gid": 0 },
    "args": [ "sh" ],
    "env": [
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    ],
    "cwd": "/",
    "capabilities": {
      "bounding":  [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
      "effective": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
      "permitted": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ]
    },
    "rlimits": [
      { "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 }
    ],
    "noNewPrivileges": true
  },
  "root": { "path": "rootfs", "readonly": true },
  "hostname": "swiftbox",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
      "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
    { "destination": "/dev/pts", "type": "devpts", "source": "devpts",
      "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666",
                   "mode=0620", "gid=5" ] },
    { "destination": "/dev/shm", "type": "tmpfs", "source": "shm",
      "options": [ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" ] },
    { "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
      "options": [ "nosuid", "noexec", "nodev" ] },
    { "destination": "/sys", "type": "sysfs", "source": "sysfs",
      "options": [ "nosuid", "noexec", "nodev", "ro" ] },
    { "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
      "options": [ "nosuid", "noexec", "nodev", "relatime", "ro" ] }
  ],
  "linux": {
    "resources": {
      "devices": [ { "allow": false, "access": "rwm" } ]
    },
    "namespaces": [
      { "type": "pid" },
      { "type": "network" },
      { "type": "ipc" },
      { "type": "uts" },
      { "type": "mount" },
      { "type": "cgroup" }
    ],
    "maskedPaths": [
      "/proc/acpi",
      "/proc/asound",
      "/proc/kcore",
      "/proc/keys",
      "/proc/latency_stats",
      "/proc/timer_list",
      "/proc/timer_stats",
      "/proc/sched_debug",
      "/sys/firmware",
      "/proc/scsi"
    ],
    "readonlyPaths": [
      "/proc/bus",
      "/proc/fs",
      "/proc/irq",
      "/proc/sys",
      "/proc/sysrq-trigger"
    ]
  }
}
JSON

# Build the JSON array one element at a time with --arg, which takes its
# value literally (jq 1.6's --args would eat words like "-c" as options).
args_json='[]'
for a in "$@"; do
    args_json=$(jq -c --arg a "$a" '. + [$a]' <<<"$args_json")
done
jq --argjson args "$args_json" '.process.args = $args' \
    < "$out/config.json.tmp" > "$out/config.json"
rm -f "$out/config.json.tmp"

echo "bundle ready: $out (args: $*)"
