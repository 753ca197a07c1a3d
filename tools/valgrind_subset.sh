#!/usr/bin/env bash
# Run a small subset of the tests under valgrind memcheck and report its
# ERROR SUMMARY; exits non-zero on any memcheck error (99) or test failure.
#
#   tools/valgrind_subset.sh [PYTHON] [-- extra pytest args]
#
# PYTHON: an interpreter with numext (and pytest, hypothesis) installed;
# default $PYTHON, else python3. The subset is tests/test_bad_input.py -k small
# (every small-array case: bad dtypes, bad out=, misaligned and byte-swapped
# buffers, axes, thread counts; the thread-count rows also run a call large
# enough to use the pool); NUMEXT_VALGRIND_K replaces the -k expression and
# NUMEXT_VALGRIND_TESTS the test files. About 75 s on the 2-core dev machine.
#
# Runs outside the checkout (so the installed numext is imported) with
# PYTHONMALLOC=malloc, so memcheck sees every Python allocation. Leak checking
# is off (the interpreter keeps memory until exit by design). Suppressed, as
# noise outside numext: the Python suppression file if one is found, the
# dynamic loader's and glibc's vectorised string functions reading whole words
# past a string's end, and CPython 3.11's maybe_small_long reading the unset
# digit of a zero-length int (every later use of that value in libpython is
# flagged too, so uninitialised-value reports whose top frame is in libpython
# are suppressed; reports in numext's own code are not).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-python3}
if [[ $# -gt 0 && $1 != "--" ]]; then
    py=$1
    shift
fi
[[ $# -gt 0 && $1 == "--" ]] && shift
kexpr=${NUMEXT_VALGRIND_K:-small}
tests=${NUMEXT_VALGRIND_TESTS:-tests/test_bad_input.py}

if ! command -v valgrind >/dev/null; then
    echo "valgrind_subset: valgrind is not installed" >&2
    exit 2
fi
py=$(command -v "$py") || { echo "valgrind_subset: no interpreter $py" >&2; exit 2; }
# Absolute (the run below changes directory), symlinks kept (a venv's python).
[[ $py == /* ]] || py=$PWD/$py

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/noise.supp" <<'EOF'
{
   ld.so: is_dst compares whole words past the end of an rpath string
   Memcheck:Addr8
   fun:strncmp
   fun:is_dst
}
{
   glibc vectorised string/memory functions read aligned blocks past the end (avx2)
   Memcheck:Addr32
   fun:__*_avx2*
}
{
   glibc vectorised string/memory functions read aligned blocks past the end (avx2, 16)
   Memcheck:Addr16
   fun:__*_avx2*
}
{
   glibc vectorised string/memory functions read aligned blocks past the end (evex)
   Memcheck:Addr32
   fun:__*_evex*
}
{
   glibc vectorised string/memory functions read aligned blocks past the end (sse2)
   Memcheck:Addr16
   fun:__*_sse2*
}
{
   CPython 3.11: maybe_small_long reads the digit of a zero-length int
   Memcheck:Cond
   fun:maybe_small_long
}
{
   CPython 3.11: that undefined digit, propagated into libpython (shared)
   Memcheck:Value8
   obj:*libpython3*
}
{
   CPython 3.11: that undefined digit, propagated into libpython (shared, cond)
   Memcheck:Cond
   obj:*libpython3*
   fun:_PyEval_EvalFrameDefault
}
{
   CPython 3.11: that undefined digit, propagated (static interpreter)
   Memcheck:Value8
   obj:*/bin/python3*
}
EOF

supps=(--suppressions="$work/noise.supp")
pysupp_dirs=$("$py" -c 'import sysconfig as s; print(s.get_config_var("srcdir") or ""); print(s.get_config_var("prefix") or "")' 2>/dev/null || true)
for cand in \
    $(for d in $pysupp_dirs; do echo "$d/Misc/valgrind-python.supp" "$d/lib/valgrind/python3.supp"; done) \
    /usr/lib/valgrind/python3.supp /usr/lib/valgrind/python.supp; do
    if [[ -f $cand ]]; then
        supps+=(--suppressions="$cand")
        echo "valgrind_subset: Python suppressions: $cand"
        break
    fi
done

log="$work/valgrind.log"
start=$(date +%s)
set +e
(
    cd "$work"
    PYTHONMALLOC=malloc OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 PYTHONDONTWRITEBYTECODE=1 \
        valgrind --tool=memcheck --error-exitcode=99 --leak-check=no --num-callers=40 \
        --log-file="$log" "${supps[@]}" \
        "$py" -m pytest --rootdir "$root" -c "$root/pyproject.toml" -p no:cacheprovider -q \
        $(for t in $tests; do echo "$root/$t"; done) -k "$kexpr" "$@"
)
rc=$?
set -e
elapsed=$(($(date +%s) - start))

# (|| true: under pipefail a log without the line would end the script here,
# silently; it is reported below instead.)
summary=$(grep -h "ERROR SUMMARY" "$log" 2>/dev/null | tail -1 | sed 's/^==[0-9]*== //' || true)
numext_errors=$(grep -c -E "_numext\.|numext_pool|parallel_for|parallel_sum\.c|double_pixels\.c|module\.c" "$log" 2>/dev/null || true)
if [[ -z $summary ]]; then
    # valgrind did not get as far as its summary (it could not start the
    # interpreter, or was killed): never a pass.
    summary="no ERROR SUMMARY in the valgrind log"
    [[ $rc -ne 0 ]] || rc=98
fi
echo "valgrind_subset: $summary"
echo "valgrind_subset: stack frames in numext among the errors: $numext_errors"
echo "valgrind_subset: exit $rc after ${elapsed}s"
if [[ $rc -ne 0 ]]; then
    # Show the reports (everything between the banner and the summary).
    # (|| true: head closing the pipe early must not turn rc into SIGPIPE's.)
    grep -v -E "^==[0-9]+== (Memcheck|Copyright|Using Valgrind|Command|Parent PID|$)" "$log" 2>/dev/null | head -300 >&2 || true
fi
exit $rc
