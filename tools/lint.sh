#!/usr/bin/env bash
# The linters CI runs (.ci/run): ruff check over the Python code (settings in
# pyproject.toml [tool.ruff]) and clang-format --dry-run --Werror over the C
# code (settings in .clang-format). RUFF and CLANG_FORMAT name the commands
# (default: ruff, clang-format on PATH). Without clang-format the C check is
# skipped, saying so, and the script exits 3 after the Python check passes.
set -euo pipefail
cd "$(dirname "$0")/.."

ruff=${RUFF:-ruff}
clang_format=${CLANG_FORMAT:-clang-format}

# C files written before .clang-format and being rewritten by work in
# progress (the kernels as include-templates, issue 9): checked once that work
# has formatted them. Remove a name here when its file passes.
not_yet_formatted=(
    src/double_pixels.c
    src/double_pixels_kernels.h
    src/simd_clones.h
    src/module.c
)

echo "== $("$ruff" --version): ruff check"
"$ruff" check .

if ! command -v "$clang_format" >/dev/null; then
    echo "== SKIPPED: $clang_format is not installed (Debian package clang-format): C style not checked"
    exit 3
fi
c_files=()
for f in src/*.c src/*.h tests/c/*.c tests/c/*.h; do
    [[ " ${not_yet_formatted[*]} " == *" $f "* ]] || c_files+=("$f")
done
echo "== $("$clang_format" --version): ${#c_files[@]} C files (${#not_yet_formatted[@]} not yet formatted)"
"$clang_format" --dry-run --Werror "${c_files[@]}"
echo "== lint passed"
