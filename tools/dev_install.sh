#!/usr/bin/env bash
# Build and install the working tree into a virtual environment without
# touching the checkout (no build/ or egg-info left behind), so several
# builds can run side by side:  tools/dev_install.sh /tmp/venv-x [pip args]
set -euo pipefail
venv=$1; shift || true
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -C "$src" --exclude=./build --exclude='./.venv*' --exclude=./.git --exclude='*.egg-info' -cf - . | tar -C "$tmp" -xf -
"$venv/bin/pip" install -q --no-build-isolation --no-deps --force-reinstall "$@" "$tmp"
