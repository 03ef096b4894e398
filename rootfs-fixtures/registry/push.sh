#!/usr/bin/env bash
# Push an image into a registry started by registry.sh, with skopeo.
#
# Usage: push.sh DIR PORT MODE [--all] SOURCE DEST_REPO:TAG
#
#   SOURCE  any skopeo source, e.g. oci:/tmp/x:latest
#   --all   copy every image of a multi-platform index (skopeo copy --all),
#           e.g. an OCI layout made by make-multiarch.py
#
# basic and token modes push with --dest-creds swiftbox:s3cret (skopeo does
# the token dance itself in token mode). Prints the pushed manifest digest.
# Uses its own signature policy (DIR/policy.json, accept anything), so the
# host's /etc/containers/policy.json does not matter.
set -euo pipefail

die() { echo "push.sh: $*" >&2; exit 1; }
usage() {
    echo "usage: $0 DIR PORT anon|basic|token|tls [--all] SOURCE DEST_REPO:TAG" >&2
    exit 2
}

[ $# -ge 5 ] || usage
dir=$1 port=$2 mode=$3
shift 3
all=()
pos=()
for a in "$@"; do
    case $a in
    --all) all=(--all) ;;
    -*)    die "unknown option '$a'" ;;
    *)     pos+=("$a") ;;
    esac
done
[ ${#pos[@]} -eq 2 ] || usage
src=${pos[0]} dest=${pos[1]}

case $mode in anon|basic|token|tls) ;; *) die "MODE must be anon, basic, token or tls, not '$mode'" ;; esac
[[ $port =~ ^[0-9]+$ ]] || die "PORT must be a number, not '$port'"
command -v skopeo >/dev/null || die "skopeo not found (apt-get install skopeo)"
[ -d "$dir" ] || die "$dir does not exist (run registry.sh start first)"
if [ -f "$dir/state" ] && [ "$(cat "$dir/state")" != "$port $mode" ]; then
    die "$dir runs '$(cat "$dir/state")', not '$port $mode'"
fi
[[ $dest == *:* || $dest == *@* ]] || dest=$dest:latest

creds=()
[ "$mode" = anon ] || creds=(--dest-creds swiftbox:s3cret)

cat > "$dir/policy.json" <<'EOF'
{"default": [{"type": "insecureAcceptAnything"}]}
EOF

digestfile=$(mktemp)
trap 'rm -f -- "$digestfile"' EXIT
# --dest-tls-verify=false lets skopeo talk plain HTTP to 127.0.0.1.
skopeo --policy "$dir/policy.json" copy --quiet \
    --dest-tls-verify=false "${creds[@]}" "${all[@]}" \
    --digestfile "$digestfile" \
    "$src" "docker://127.0.0.1:$port/$dest"
echo "pushed $src -> 127.0.0.1:$port/$dest ($(cat "$digestfile"))"
