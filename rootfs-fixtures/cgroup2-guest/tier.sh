#!/bin/bash
# The `make test-cgroup2` tier, as it runs INSIDE the cgroup v2 guest (run.sh boots
# the guest and runs this from the repository's top directory).
#
#   tier.sh TESTS   TESTS: XCTest names, comma-separated (Module.Class[/method])
#
# It runs the already-built test bundle directly rather than `swift test
# --skip-build`: SwiftPM would first load (and compile) the package manifest, which
# costs ~90 s under qemu TCG against ~3 s for the bundle itself. Then the same leak
# check `make test` runs natively, plus one for this hierarchy: no container cgroup
# may be left under /sys/fs/cgroup/swiftbox.
set -u
tests=${1:?usage: tier.sh TESTS}
bundle=.build/debug/swiftboxPackageTests.xctest
[ -x "$bundle" ] || { echo "tier.sh: no test bundle at $bundle: run 'swift build --build-tests' on the host first"; exit 125; }

grep -q ' - cgroup ' /proc/self/mountinfo && { echo "tier.sh: a cgroup v1 hierarchy is mounted: not a pure v2 guest"; exit 125; }
echo "tier.sh: cgroup2 at /sys/fs/cgroup with: $(cat /sys/fs/cgroup/cgroup.controllers)"

"$bundle" "$tests"
rc=$?
Tests/leak-check.sh || rc=1
left=$(find /sys/fs/cgroup/swiftbox -mindepth 1 -type d 2>/dev/null)
if [ -n "$left" ]; then
    echo "leak: cgroup directories left under /sys/fs/cgroup/swiftbox:"
    echo "$left"
    rc=1
fi
exit $rc
