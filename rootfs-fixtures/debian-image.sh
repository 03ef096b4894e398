#!/usr/bin/env bash
# Build an OCI image layout of a minimal Debian 12 (bookworm) with nginx and
# redis-server, for tests that want realistic services.
#
# Usage: debian-image.sh OUTDIR
#
# Result (OCI image-spec 1.0 layout, tag "bookworm-web"):
#   OUTDIR/oci-layout
#   OUTDIR/index.json            -> manifest, annotated ref.name=bookworm-web
#   OUTDIR/blobs/sha256/<digest> one gzip layer, the image config, the manifest
#
# How: `debootstrap --variant=minbase --include=nginx,redis-server bookworm`
# from the Debian mirror apt already uses on this machine (the package
# registry is the only thing reachable), then apt lists, caches, logs and
# /dev are emptied and the tree is packed like busybox-image.sh does. Takes a
# few minutes; the downloaded .debs are kept in the cache so later runs only
# unpack.
#
# Environment:
#   SWIFTBOX_FIXTURE_CACHE  cache root (default /var/cache/swiftbox-fixtures);
#                           .debs go to $SWIFTBOX_FIXTURE_CACHE/debootstrap-bookworm-ARCH
#   DEBIAN_MIRROR           mirror URL (default: the one apt uses for bookworm,
#                           else http://deb.debian.org/debian)
#
# Owners, mtimes and entry order are pinned in the tar, but a debootstrap is
# not bit-for-bit reproducible (package versions move; dates in /etc/shadow),
# so two runs may give different digests. Re-running replaces OUTDIR.
set -euo pipefail

prog=$(basename "$0")
die() { echo "$prog: error: $*" >&2; exit 1; }
say() { echo "$prog: $*" >&2; }

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
out=$1
ref=bookworm-web
suite=bookworm
cache=${SWIFTBOX_FIXTURE_CACHE:-/var/cache/swiftbox-fixtures}
umask 022
export LC_ALL=C

[ "$(id -u)" = 0 ] || die "debootstrap needs root"
case "$out" in /|/*/..|..|.) die "refusing OUTDIR '$out'" ;; esac
if [ -e "$out" ]; then
    [ -d "$out" ] || die "$out exists and is not a directory"
    if [ -n "$(ls -A -- "$out")" ] && [ ! -f "$out/oci-layout" ]; then
        die "$out exists, is not empty and is not an OCI layout; not replacing it"
    fi
fi

# ---------------------------------------------------------------- tools
need=(debootstrap:debootstrap jq:jq gzip:gzip tar:tar sha256sum:coreutils)
missing=()
for pair in "${need[@]}"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || missing+=(debian-archive-keyring)
if [ ${#missing[@]} -gt 0 ]; then
    command -v apt-get >/dev/null 2>&1 ||
        die "missing tools and no apt-get; install: ${missing[*]}"
    say "installing with apt-get: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; then
        apt-get update -q >&2
        apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 ||
            die "apt-get install ${missing[*]} failed"
    fi
fi

arch=$(dpkg --print-architecture 2>/dev/null) || die "dpkg --print-architecture failed"

# The mirror apt uses for "bookworm" (deb822 .sources or one-line .list).
apt_mirror() {
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        # deb822 stanzas are separated by blank lines.
        awk -v s="$suite" '
            function flush() { if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " s " ") && uris != "") { split(uris, u, " "); print u[1]; found = 1; exit } types = suites = uris = "" }
            /^[ \t]*$/ { flush(); next }
            /^[ \t]*#/ { next }
            tolower($1) == "types:"  { $1 = ""; types = $0 }
            tolower($1) == "suites:" { $1 = ""; suites = $0 }
            tolower($1) == "uris:"   { $1 = ""; uris = $0 }
            END { if (!found) flush() }' "$f"
    done
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
        sed -e 's/#.*//' -e 's/\[[^]]*\]//' |
        awk -v s="$suite" '$1 == "deb" && $3 == s { print $2 }'
}
mirror=${DEBIAN_MIRROR:-$(apt_mirror | grep -m1 . || true)}
mirror=${mirror:-http://deb.debian.org/debian}
mirror=${mirror%/}

work=$(mktemp -d "${TMPDIR:-/tmp}/debian-image.XXXXXX")
root=$work/root
# debootstrap mounts /proc and /sys (and maybe /dev) inside the target and
# leaves them mounted when it fails: unmount before deleting anything.
unmount_root() {
    local m
    [ -d "$root" ] || return 0
    awk -v r="$root" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/self/mounts |
        sort -r | while read -r m; do
            umount "$m" 2>/dev/null || umount -l "$m" || true
        done
}
cleanup() {
    unmount_root
    if awk -v r="$root" '$2 == r || index($2, r "/") == 1 { f = 1 } END { exit !f }' /proc/self/mounts; then
        echo "$prog: warning: mounts left under $root; not deleting $work" >&2
    else
        rm -rf --one-file-system -- "$work"
    fi
    rm -rf -- "$out.tmp.$$"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- 1. bootstrap
debcache=$cache/debootstrap-$suite-$arch
mkdir -p -- "$debcache" || die "cannot create cache dir $debcache"
say "debootstrap $suite ($arch) from $mirror (debs cached in $debcache)"
if ! debootstrap --variant=minbase --include=nginx,redis-server --arch="$arch" \
        --cache-dir="$debcache" \
        --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
        "$suite" "$root" "$mirror" > "$work/debootstrap.log" 2>&1; then
    tail -25 "$work/debootstrap.log" >&2
    [ -f "$root/debootstrap/debootstrap.log" ] && tail -25 "$root/debootstrap/debootstrap.log" >&2
    die "debootstrap failed (log above)"
fi
unmount_root
[ -x "$root/usr/sbin/nginx" ] && [ -x "$root/usr/bin/redis-server" ] ||
    die "debootstrap finished but nginx or redis-server is missing"

# ---------------------------------------------------------------- 2. clean
rm -rf -- "$root/debootstrap"
rm -rf -- "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* \
          "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old \
          "$root"/var/cache/ldconfig/aux-cache "$root"/var/log/apt/eipp.log.xz \
          "$root"/tmp/* "$root"/var/tmp/* "$root"/root/.cache
mkdir -p -- "$root/var/lib/apt/lists/partial" "$root/var/cache/apt/archives/partial"
# Logs hold build dates; keep the files (services expect them), empty them.
find "$root/var/log" -type f -exec truncate -s 0 {} +
find "$root/dev" -mindepth 1 -delete
# A container gets these from the runtime.
[ ! -e "$root/etc/machine-id" ] || : > "$root/etc/machine-id"
: > "$root/etc/hostname"
# nginx creates its temp dirs (and chowns them to www-data) on first start,
# which needs CAP_CHOWN; have them in the image so fewer capabilities do.
www=$(awk -F: '$1 == "www-data" { print $3 ":" $4 }' "$root/etc/passwd")
[ -n "$www" ] || die "no www-data user in the image"
for d in body fastcgi proxy scgi uwsgi; do
    mkdir -p -- "$root/var/lib/nginx/$d"
    chown -- "$www" "$root/var/lib/nginx/$d"
    chmod 0700 -- "$root/var/lib/nginx/$d"
done
# Keep apt usable inside the image, pointing at the same mirror.
printf 'deb %s %s main\n' "$mirror" "$suite" > "$root/etc/apt/sources.list"
nginx_v=$(sed -n 's/^Version: //p' < <(awk '/^Package: nginx$/,/^$/' "$root/var/lib/dpkg/status") | head -1)
redis_v=$(sed -n 's/^Version: //p' < <(awk '/^Package: redis-server$/,/^$/' "$root/var/lib/dpkg/status") | head -1)
debian_v=$(cat "$root/etc/debian_version")

# ---------------------------------------------------------------- 3. layout
tmpout=$out.tmp.$$
rm -rf -- "$tmpout"
mkdir -p -- "$tmpout/blobs/sha256"

# shellcheck source=rootfs-fixtures/lib/oci-layout.sh
. "$(dirname "$0")/lib/oci-layout.sh"
# gzip -6: -9 takes 3x as long (about 13 s more here) for a 0.4% smaller layer.
pack_oci_layout "$root" "$work" "$tmpout" "$ref" "$arch" 6 '["/bin/bash"]' \
    "swiftbox rootfs-fixtures/debian-image.sh: debootstrap --variant=minbase --include=nginx,redis-server $suite (Debian $debian_v, nginx $nginx_v, redis $redis_v)" \
    "Debian bookworm minbase + nginx + redis-server" "$debian_v"
rm -rf --one-file-system -- "$root"

rm -rf -- "$out"
mv -- "$tmpout" "$out"
echo "image ready: $out:$ref (Debian $debian_v, nginx $nginx_v, redis $redis_v, layer $layer_size bytes, manifest sha256:$manifest_digest)"
