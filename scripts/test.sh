#!/usr/bin/env bash
# The test suite (`npm test` runs it after the typecheck), in two lanes side by side:
#   vm:    the tests that build the runner image and boot it under qemu, one after another
#          (the boot test builds the image the end-to-end test then takes from the cache);
#   other: every other test file, one after another.
# The VM lane is mostly one qemu TCG process on one core, so the other lane runs on the
# second core meanwhile instead of after it. Each lane's lines carry its name; the suite
# fails if either lane fails.
set -euo pipefail
cd "$(dirname "$0")/.."

vm_tests=(test/build-image.test.ts test/boot.test.ts test/e2e.test.ts)
mapfile -t other_tests < <(find test -name '*.test.ts' -not -path '*/node_modules/*' | sort | grep -vxF -f <(printf '%s\n' "${vm_tests[@]}"))

run_lane() {
    local name=$1
    shift
    # A lane's own output is line-buffered through sed so the two lanes interleave by line.
    node --import tsx --test --test-concurrency=1 --test-timeout=900000 "$@" 2>&1 | sed -u "s/^/[$name] /"
    return "${PIPESTATUS[0]}"
}

run_lane vm "${vm_tests[@]}" &
vm_pid=$!
other_status=0
run_lane other "${other_tests[@]}" || other_status=$?
vm_status=0
wait "$vm_pid" || vm_status=$?

echo "test lanes: vm exit ${vm_status}, other exit ${other_status}"
[ "$vm_status" -eq 0 ] && [ "$other_status" -eq 0 ]
