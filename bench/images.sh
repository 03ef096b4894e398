#!/usr/bin/env bash
# Image benchmarks, interleaved rounds, medians and ratios:
#   unpack: one ~50 MB gzip layer — swiftbox (image snapshot after load) vs GNU tar -xzf
#           vs umoci unpack;
#   pull:   the same image from a local registry — swiftbox pull vs skopeo copy to dir:.
# Needs root, python3, skopeo, umoci and Debian's docker-registry (make deps).
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
# Absolute: some steps run in a project directory (make bench passes a relative path).
SWIFTBOX=$(realpath "${SWIFTBOX:-$HERE/.build/release/swiftbox}")
ROUNDS=${ROUNDS:-7}
PORT=${PORT:-5091}
WORK=$(mktemp -d /tmp/swiftbox-bench-images.XXXXXX)
cleanup() { "$HERE/rootfs-fixtures/registry/registry.sh" stop "$WORK/reg" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT

# A ~50 MB layer: 1500 files of 32 KiB (half random, half text) in nested dirs.
python3 - "$WORK/layout" <<'PY'
import gzip, hashlib, io, json, os, random, sys, tarfile
out = sys.argv[1]
random.seed(7)
raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
    for i in range(1500):
        data = os.urandom(16384) + (("line %d of some text\n" % i) * 800).encode()[:16384]
        ti = tarfile.TarInfo("data/d%02d/f%04d" % (i % 40, i)); ti.size = len(data); ti.mtime = 0
        t.addfile(ti, io.BytesIO(data))
tar = raw.getvalue()
gz = gzip.compress(tar, compresslevel=6, mtime=0)
os.makedirs(out + "/blobs/sha256", exist_ok=True)
def blob(b):
    d = hashlib.sha256(b).hexdigest(); open(out + "/blobs/sha256/" + d, "wb").write(b); return d
layer = blob(gz)
cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["sh"]},
                  "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(tar).hexdigest()]}}).encode()
c = blob(cfg)
man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                  "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + c, "size": len(cfg)},
                  "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + layer, "size": len(gz)}]}).encode()
m = blob(man)
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + m,
           "size": len(man), "annotations": {"org.opencontainers.image.ref.name": "big"}}]}, open(out + "/index.json", "w"))
open(out + "/oci-layout", "w").write('{"imageLayoutVersion": "1.0.0"}')
open(out + "/layer.tar.gz", "wb").write(gz)
print("layer: %.1f MB uncompressed, %.1f MB gzip" % (len(tar) / 1e6, len(gz) / 1e6))
PY

"$HERE/rootfs-fixtures/registry/registry.sh" start "$WORK/reg" "$PORT" anon >/dev/null
"$HERE/rootfs-fixtures/registry/push.sh" "$WORK/reg" "$PORT" anon "oci:$WORK/layout:big" bench/big:1 >/dev/null

ms() { python3 -c 'import time; print(time.monotonic_ns())'; }
declare -A T
run() {  # name command...
  local name=$1; shift
  local s e; s=$(ms); "$@" >/dev/null 2>&1 || { echo "$name failed" >&2; return 1; }; e=$(ms)
  T[$name]+="$(( (e - s) / 1000 )) "
}
# Nothing is deleted while the rounds run: on ext4, creating files right after many
# deletions in the same block group is slowed by the inode allocator (it skips
# recently deleted inodes) — whichever tool ran after an `rm -rf` paid for it (measured:
# the same unpack took 0.5 s or 1.0 s depending on its position). Every round and tool
# gets fresh directories; all are removed at the end. The order rotates each round.
tools=(unpack-swiftbox unpack-gnu-tar unpack-umoci pull-swiftbox pull-skopeo)
for r in $(seq 1 "$ROUNDS"); do
  R="$WORK/r$r"; mkdir -p "$R/tar"
  "$SWIFTBOX" load -i "$WORK/layout" --root "$R/sb" >/dev/null
  for k in $(seq 0 4); do
    case ${tools[$(( (k + r) % 5 ))]} in
      unpack-swiftbox) run unpack-swiftbox "$SWIFTBOX" image snapshot layout:big --root "$R/sb" ;;
      unpack-gnu-tar) run unpack-gnu-tar tar -xzf "$WORK/layout/layer.tar.gz" -C "$R/tar" ;;
      unpack-umoci) run unpack-umoci umoci unpack --image "$WORK/layout:big" "$R/umoci" ;;
      pull-swiftbox) run pull-swiftbox "$SWIFTBOX" pull -q "127.0.0.1:$PORT/bench/big:1" --root "$R/sbpull" ;;
      pull-skopeo) run pull-skopeo skopeo copy -q --src-tls-verify=false "docker://127.0.0.1:$PORT/bench/big:1" "dir:$R/skopeo" ;;
    esac
  done
done
python3 - "$ROUNDS" <<PY
import statistics, sys
rows = {$(for k in "${!T[@]}"; do printf '"%s": [%s], ' "$k" "$(echo ${T[$k]} | tr ' ' ',')"; done)}
print("%d rounds, ~50 MB layer (1500 files)" % int(sys.argv[1]))
print("%-16s %10s %10s" % ("case", "median_ms", "ratio"))
for group, base in (("unpack", "unpack-swiftbox"), ("pull", "pull-swiftbox")):
    b = statistics.median(rows[base]) / 1000
    for k in sorted(x for x in rows if x.startswith(group)):
        m = statistics.median(rows[k]) / 1000
        print("%-16s %10.1f %10.2f" % (k, m, m / b))
PY
