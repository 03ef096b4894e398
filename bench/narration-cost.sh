#!/usr/bin/env bash
# What narration costs on the start path (docs/narration.md): interleaved rounds of
# `run --rm --network none IMAGE true` with two binaries (BEFORE: a build without
# narration; AFTER: this one, tracing off), and AFTER with --trace; medians in ms.
#   BEFORE=/path/to/old/swiftbox ROUNDS=41 bench/narration-cost.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
AFTER=$(realpath "${AFTER:-$HERE/.build/release/swiftbox}")
BEFORE=$(realpath "${BEFORE:?set BEFORE to a swiftbox binary built without narration}")
ROUNDS=${ROUNDS:-31}
WORK=/tmp/swiftbox-bench-narration-$$
mkdir -p "$WORK"
trap 'rm -rf "$WORK"' EXIT
"$HERE/rootfs-fixtures/busybox-image.sh" "$WORK/busybox" >/dev/null
for b in before after; do
  bin=$BEFORE; [ $b = after ] && bin=$AFTER
  "$bin" load -i "$WORK/busybox" --root "$WORK/$b" >/dev/null
  "$bin" run --root "$WORK/$b" --rm --network none busybox:latest true >/dev/null   # warm caches
done
us() { local t=${EPOCHREALTIME/./}; echo "$t"; }
declare -A T
timeit() { local name=$1 s e; shift; s=$(us); "$@" >/dev/null 2>&1 || { echo "$name failed" >&2; return 1; }; e=$(us); T[$name]+="$(( e - s )) "; }
for r in $(seq 1 "$ROUNDS"); do
  # Both orders, alternately: neither binary always runs second.
  if (( r % 2 )); then
    timeit before "$BEFORE" run --root "$WORK/before" --rm --network none busybox:latest true
    timeit after "$AFTER" run --root "$WORK/after" --rm --network none busybox:latest true
  else
    timeit after "$AFTER" run --root "$WORK/after" --rm --network none busybox:latest true
    timeit before "$BEFORE" run --root "$WORK/before" --rm --network none busybox:latest true
  fi
  timeit traced "$AFTER" run --root "$WORK/after" --rm --network none --trace busybox:latest true
done
median() { tr " " "\n" | grep . | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f (q1 %.2f, q3 %.2f)", m/1000, a[int(NR/4)+1]/1000, a[int(3*NR/4)]/1000}'; }
b=$(echo "${T[before]}" | median); a=$(echo "${T[after]}" | median); t=$(echo "${T[traced]}" | median)
echo "run --rm --network none, $ROUNDS interleaved rounds, medians: before $b ms, after (tracing off) $a ms, after with --trace $t ms"
