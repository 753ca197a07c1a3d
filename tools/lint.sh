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

echo "== $("$ruff" --version): ruff check"
"$ruff" check .

if ! command -v "$clang_format" >/dev/null; then
    echo "== SKIPPED: $clang_format is not installed (Debian package clang-format): C style not checked"
    exit 3
fi
c_files=(src/*.c src/*.h tests/c/*.c tests/c/*.h)
echo "== $("$clang_format" --version): ${#c_files[@]} C files"
"$clang_format" --dry-run --Werror "${c_files[@]}"
echo "== lint passed"
