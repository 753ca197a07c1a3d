#!/usr/bin/env bash
# NumPy's own tests of reductions, ufuncs, masked arrays and matrices with
# np.sum replaced by numext.sum (tests/numpy_suite/numext_sum_plugin.py):
#     tools/run_numpy_tests_with_numext_sum.sh [python] [extra pytest args]
# python: an interpreter with numext, numpy, pytest and hypothesis installed
# (default .venv/bin/python). NUMEXT_SUM_SWAP=0 runs the same tests without
# the swap (the baseline: what fails here fails without numext too). Every
# test must pass; nothing is deselected (see the plugin for what cannot be swapped).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=${1:-$root/.venv/bin/python}
shift || true
python=$(cd "$(dirname "$python")" && pwd)/$(basename "$python")
np_dir=$("$python" -P -c "import numpy, os; print(os.path.dirname(numpy.__file__))")
modules=(
    _core/tests/test_ufunc.py
    _core/tests/test_einsum.py
    _core/tests/test_nditer.py
    lib/tests/test_function_base.py
    ma/tests/test_core.py
    matrixlib/tests/test_defmatrix.py
)
paths=()
for m in "${modules[@]}"; do
    [[ -f $np_dir/$m ]] || { echo "NumPy's $m is not installed at $np_dir" >&2; exit 1; }
    paths+=("$np_dir/$m")
done
# Address space capped (NUMEXT_NUMPY_TESTS_VMEM_KB, default 8 GiB; 0: no cap):
# NumPy's two tests that want far more (test_identityless_reduction_huge_array,
# test_arbitrary_number_of_ops_error, neither about np.sum) then xfail on
# MemoryError, as NumPy marks them, instead of taking 16+ GiB and minutes.
vmem=${NUMEXT_NUMPY_TESTS_VMEM_KB:-8388608}
if [[ $vmem != 0 ]]; then ulimit -v "$vmem"; fi
# Run from an empty folder: nothing of the checkout on sys.path, no cache
# written into site-packages; NumPy's conftest.py applies as in its own runs.
work=$(mktemp -d "${TMPDIR:-/tmp}/numext-numpy-tests.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
PYTHONPATH="$root/tests/numpy_suite${PYTHONPATH:+:$PYTHONPATH}" \
    "$python" -m pytest -q -p no:cacheprovider -p numext_sum_plugin \
    --rootdir="$np_dir" -o addopts= "${paths[@]}" "$@"
