#!/bin/bash
# Run a command inside a qemu guest whose kernel has a pure cgroup v2 hierarchy, and
# exit with the command's exit status.
#
#   rootfs-fixtures/cgroup2-guest/run.sh [--timeout SECONDS] -- COMMAND [ARG…]
#
# Why a guest: our machines (and CI) boot with hybrid cgroups — v1 controllers plus a
# cgroup2 mount holding only hugetlb — and that cannot be changed without rebooting
# the host, while most users run pure v2. /dev/kvm here cannot boot a stock kernel,
# but qemu in software mode (TCG) boots Debian's kernel in seconds.
#
# What it does:
#   1. installs qemu-system-x86 if it is missing (the only reason to skip: it cannot);
#   2. fetches Debian's kernel package (the one linux-image-amd64 depends on) with
#      `apt-get download`, unpacks it with dpkg-deb -x into the cache — never installs
#      it — and indexes its modules with busybox depmod;
#   3. packs an initramfs: busybox-static, ./init, and the modules a 9p root needs
#      (Debian builds virtio_pci, 9pnet_virtio and 9p as modules, not built in);
#   4. boots it with the host's / shared read-only over virtio-9p, the repository and
#      a scratch "out" directory shared writable, cgroup_no_v1=all; init switches root
#      to the host's /, mounts cgroup2 at /sys/fs/cgroup and runs COMMAND in the
#      current directory (which must be visible in the guest: not under /tmp, /run
#      or /var unless it is inside the repository);
#   5. reads the exit status back from out/status; a guest that hangs is killed at
#      the time limit (default 1200 s) with a message saying so.
#
# Environment: SWIFTBOX_FIXTURE_CACHE (default /var/cache/swiftbox-fixtures),
# CGROUP2_GUEST_MEMORY (default 2G), CGROUP2_GUEST_CPUS (default 2).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
timeout=1200
while [ $# -gt 0 ]; do
    case "$1" in
        --timeout) timeout=$2; shift 2 ;;
        --) shift; break ;;
        *) break ;;
    esac
done
[ $# -gt 0 ] || { echo "usage: $0 [--timeout SECONDS] -- COMMAND [ARG…]" >&2; exit 2; }

say() { echo "cgroup2-guest: $*" >&2; }
t0=$(date +%s.%N)
elapsed() { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# 1. qemu ---------------------------------------------------------------------------
apt_install() {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2 ||
        { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2; }
}
if ! command -v qemu-system-x86_64 >/dev/null; then
    say "installing qemu-system-x86"
    apt_install qemu-system-x86 || true
fi
if ! command -v qemu-system-x86_64 >/dev/null; then
    echo "##########################################################################" >&2
    echo "## SKIPPED: the cgroup v2 guest tier did NOT run.                        ##" >&2
    echo "## qemu-system-x86_64 is missing and 'apt-get install qemu-system-x86'  ##" >&2
    echo "## failed (see above). Nothing was tested under pure cgroup v2.         ##" >&2
    echo "##########################################################################" >&2
    exit 0
fi
/bin/busybox --list 2>/dev/null | grep -x depmod >/dev/null || apt_install busybox-static
file_is_static() { ! grep -q "ld-linux" <(head -c 4096 "$1" | tr -c '[:print:]' '\n'); }
file_is_static /bin/busybox || { say "/bin/busybox is not static: install busybox-static"; exit 1; }

# 2. the kernel, unpacked into the cache --------------------------------------------
cache=${SWIFTBOX_FIXTURE_CACHE:-/var/cache/swiftbox-fixtures}/cgroup2-guest
mkdir -p "$cache"
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }' || true)
if [ -z "$kpkg" ]; then
    apt-get update -q >&2 || true
    kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }' || true)
fi
if [ -z "$kpkg" ]; then
    # No package lists: use a kernel unpacked earlier, if any.
    kpkg=$(ls -1 "$cache" 2>/dev/null | grep '^linux-image-' | sort -V | tail -1 || true)
    [ -n "$kpkg" ] || { say "cannot find Debian's kernel package (apt-cache depends linux-image-amd64)"; exit 1; }
fi
kdir=$cache/$kpkg
# One fetch at a time: two tiers starting together on a fresh machine share the cache.
exec 9>"$cache/.lock"
flock 9
if [ ! -f "$kdir/vmlinuz" ] || [ ! -f "$kdir/modules/modules.dep" ]; then
    say "fetching $kpkg (apt-get download; unpacked, not installed)"
    tmp=$(mktemp -d "$cache/.fetch-XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && apt-get download "$kpkg" >&2) ||
        (apt-get update -q >&2 && cd "$tmp" && apt-get download "$kpkg" >&2)
    dpkg-deb -x "$tmp"/"$kpkg"_*.deb "$tmp/x"
    kver=$(ls -1 "$tmp/x/lib/modules" | head -1)
    /bin/busybox depmod -b "$tmp/x" "$kver"
    rm -rf "$kdir.new" && mkdir -p "$kdir.new"
    mv "$tmp/x/boot/vmlinuz-$kver" "$kdir.new/vmlinuz"
    mv "$tmp/x/lib/modules/$kver" "$kdir.new/modules"
    echo "$kver" >"$kdir.new/version"
    rm -rf "$kdir" && mv "$kdir.new" "$kdir"   # complete or absent, never half
    rm -rf "$tmp"; trap - EXIT
fi
flock -u 9; exec 9>&-

# 3. the initramfs ------------------------------------------------------------------
out=$(mktemp -d /tmp/swiftbox-cgroup2-guest.XXXXXX)
keep_out=1
cleanup() { [ "$keep_out" = 1 ] || rm -rf "$out"; }
trap cleanup EXIT
stage=$out/initramfs
mkdir -p "$stage/bin" "$stage/modules"
cp /bin/busybox "$stage/bin/busybox"
cp "$here/init" "$stage/init"
chmod 0755 "$stage/init"
echo "$here/init" >"$stage/init.path"   # stage 2 runs the same script from the host's /
# Modules in dependency order, from modules.dep ("path: dep dep…").
declare -A seen=()
order=()
want() { # module name or path relative to the module tree
    local path=$1 line dep
    case "$path" in
        */*) ;;
        *) path=$(awk -F: -v m="$1" '{ n = $1; sub(/.*\//, "", n); sub(/\.ko(\..*)?$/, "", n); gsub(/-/, "_", n) }
                                  n == m { print $1; exit }' "$kdir/modules/modules.dep") ;;
    esac
    [ -n "$path" ] || { say "module $1 not found in $kdir/modules"; exit 1; }
    [ -z "${seen[$path]:-}" ] || return 0
    seen[$path]=1
    line=$(grep -m1 "^$path:" "$kdir/modules/modules.dep")
    for dep in ${line#*:}; do want "$dep"; done
    order+=("$path")
}
for m in virtio_pci 9pnet_virtio 9p; do want "$m"; done
for path in "${order[@]}"; do
    name=$(basename "$path")
    case "$name" in
        *.ko.xz) xz -dc "$kdir/modules/$path" >"$stage/modules/${name%.xz}"; name=${name%.xz} ;;
        *.ko.zst) zstd -qdc "$kdir/modules/$path" >"$stage/modules/${name%.zst}"; name=${name%.zst} ;;
        *) cp "$kdir/modules/$path" "$stage/modules/$name" ;;
    esac
    echo "$name" >>"$stage/modules/order"
done
(cd "$stage" && find . | /bin/busybox cpio -o -H newc 2>/dev/null) | gzip -1 >"$out/initramfs.gz"
rm -rf "$stage"

# 4. the command, and the boot ------------------------------------------------------
{
    echo "#!/bin/bash"
    # The host's PATH (the Swift toolchain may live in /opt) and the test knobs.
    printf 'export PATH=%q\n' "$PATH"
    for v in SWIFTBOX_BIN SWIFT; do [ -z "${!v:-}" ] || printf 'export %s=%q\n' "$v" "${!v}"; done
    printf 'cd %q || exit 125\n' "$PWD"
    printf '%q ' "$@"; echo
} >"$out/command"
chmod 0755 "$out/command"

say "booting $kpkg ($(cat "$kdir/version")) under qemu TCG, $(nproc) host cores; running: $*"
set +e
timeout -k 10 "$timeout" qemu-system-x86_64 -accel tcg -cpu max \
    -m "${CGROUP2_GUEST_MEMORY:-2G}" -smp "${CGROUP2_GUEST_CPUS:-2}" \
    -nodefaults -display none -no-reboot \
    -chardev stdio,id=console,signal=off -serial chardev:console \
    -kernel "$kdir/vmlinuz" -initrd "$out/initramfs.gz" \
    -append "console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init systemd.unified_cgroup_hierarchy=1 cgroup_no_v1=all cgroup_disable=misc swiftbox.out=$out swiftbox.repo=$repo swiftbox.modules=$kdir/modules" \
    -virtfs "local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap" \
    -virtfs "local,path=$repo,mount_tag=repo,security_model=passthrough,multidevs=remap" \
    -virtfs "local,path=$out,mount_tag=out,security_model=passthrough" \
    </dev/null 2>"$out/qemu.err" | sed -u 's/\r$//' | tee "$out/console.log"
qemu_rc=${PIPESTATUS[0]}
set -e

# 5. the verdict --------------------------------------------------------------------
if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
    say "TIMED OUT: the guest did not finish within $timeout s and was killed (console: $out/console.log)"
    exit 124
fi
if [ ! -f "$out/status" ]; then
    say "the guest stopped without reporting a status (qemu exit $qemu_rc; console: $out/console.log)"
    cat "$out/qemu.err" >&2
    exit 1
fi
rc=$(cat "$out/status")
say "guest command exited $rc after $(elapsed) s in total"
[ "$rc" = 0 ] && keep_out=0
exit "$rc"
