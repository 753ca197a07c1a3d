#!/usr/bin/env bash
# Build the pool's C tests (tests/c/: numext_pool and parallel_for driven
# directly, no Python) and run them three ways:
#   1. -O2, as the extension is built;
#   2. under ThreadSanitizer (-fsanitize=thread -g -O1): any report fails;
#   3. -DNUMEXT_POOL_NO_AFFINITY: the portable CPU count (sysconf) that
#      non-Linux systems build, compiled and run here.
# Each build uses -std=c11 -Wall -Wextra -Werror -pthread.
# Usage: tools/run_c_tests.sh [test names...]   (CC picks the compiler; gcc)
set -euo pipefail
cd "$(dirname "$0")/.."

cc=${CC:-gcc}
out=$(mktemp -d "${TMPDIR:-/tmp}/numext-ctests.XXXXXX")
trap 'rm -rf "$out"' EXIT
sources=(tests/c/*.c src/numext_pool.c src/numext_pool_workers.c src/numext_pool_testing.c
         src/parallel_for.c)
flags=(-std=c11 -Wall -Wextra -Werror -pthread -Isrc -Itests/c)

build() {
    local name=$1
    shift
    echo "== build $name: $cc $*"
    "$cc" "${flags[@]}" "$@" "${sources[@]}" -lm -o "$out/$name"
}

# A deadlocked test dies by the runner's own alarm (60 s a test); this is the
# backstop for a hang outside a test.
run() {
    echo "== run $*"
    timeout --kill-after=10 600 "$@"
}

build plain -O2
run "$out/plain" "$@"

build portable -O2 -DNUMEXT_POOL_NO_AFFINITY
run "$out/portable" "$@"

# ThreadSanitizer. halt_on_error: the first report fails the run.
# die_after_fork=0: the fork tests start threads in a child of a threaded
# parent, which TSan otherwise refuses outright; the child's own threads are
# still checked. Some kernels give mmap more random bits than TSan's shadow
# memory layout allows ("unexpected memory mapping"): then run it again with
# address-space randomisation off for this process only (setarch -R), which
# needs no root, unlike lowering vm.mmap_rnd_bits.
build tsan -fsanitize=thread -g -O1
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 die_after_fork=0 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
tsan_log=$out/tsan.log
rc=0
run "$out/tsan" "$@" 2>&1 | tee "$tsan_log" || rc=${PIPESTATUS[0]}
if [[ $rc -ne 0 ]] && grep -q -E "unexpected memory mapping|FATAL: ThreadSanitizer" "$tsan_log"; then
    echo "== ThreadSanitizer could not map its shadow memory: again with setarch -R"
    rc=0
    run setarch "$(uname -m)" -R "$out/tsan" "$@" 2>&1 | tee "$tsan_log" || rc=${PIPESTATUS[0]}
fi
if grep -q "WARNING: ThreadSanitizer" "$tsan_log"; then
    echo "ThreadSanitizer reported a problem (above)" >&2
    [[ $rc -ne 0 ]] || rc=1
fi
[[ $rc -eq 0 ]] || { echo "C tests under ThreadSanitizer failed (exit $rc)" >&2; exit "$rc"; }
echo "== C pool tests passed: plain, portable, ThreadSanitizer"
