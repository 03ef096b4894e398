#!/usr/bin/env bash
# Run by `make test` after the suite: nothing the tests made may be left on the host —
# no live container process or engine daemon, no mount, no cgroup directory of a test
# container, no bridge or nft table of a test root, no network namespace of a test.
set -uo pipefail
fail=0
procs=$(ps -eo pid=,stat=,args= | awk '$2 !~ /^Z/' | grep -E "swiftbox-test-|swiftbox oci --root /tmp/swiftbox-test" | grep -v -E "grep|leak-check" || true)
if [ -n "$procs" ]; then echo "leak: live processes of test containers:"; echo "$procs"; fail=1; fi
mounts=$(grep -E "swiftbox-test-" /proc/self/mountinfo || true)
if [ -n "$mounts" ]; then echo "leak: mounts:"; echo "$mounts"; fail=1; fi
for h in /sys/fs/cgroup/*/swiftbox /sys/fs/cgroup/swiftbox; do
  [ -d "$h" ] || continue
  left=$(find "$h" -mindepth 1 -maxdepth 1 -type d \( -name 'c-*' -o -name 'net-*' -o -name 'dup-*' \) 2>/dev/null)
  if [ -n "$left" ]; then echo "leak: cgroups:"; echo "$left"; fail=1; fi
done
# Test roots are not /var/lib/swiftbox: their default bridge is sbr<hash of the root>
# and their nft table swiftbox-<hash> (the host's own root uses swiftbox0 and swiftbox).
links=$(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E '^sbr[0-9a-f]{10}$' || true)
if [ -n "$links" ]; then echo "leak: default bridges of test roots:"; echo "$links"; fail=1; fi
tables=$(nft list tables 2>/dev/null | grep -E '^table ip swiftbox-[0-9a-f]{10}$' || true)
if [ -n "$tables" ]; then echo "leak: nft tables of test roots:"; echo "$tables"; fail=1; fi
# The private dockerd/containerd of the engine tests (PrivateEngine): their cgroup
# parents and ctr namespaces, and their network namespaces, are named swiftbox-test-*.
left=$(find /sys/fs/cgroup /sys/fs/cgroup/* -mindepth 1 -maxdepth 1 -type d -name 'swiftbox-test-*' 2>/dev/null)
if [ -n "$left" ]; then echo "leak: cgroups of the engine tests:"; echo "$left"; fail=1; fi
left=$(ls /run/netns 2>/dev/null | grep '^swiftbox-test-' || true)
if [ -n "$left" ]; then echo "leak: network namespaces:"; echo "$left"; fail=1; fi
if [ "$fail" = 0 ]; then echo "leak check: no container processes, mounts, cgroups, bridges, nft tables or network namespaces left behind"; fi
exit $fail
