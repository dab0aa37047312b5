#!/usr/bin/env bash
# Builds the Python package (python/, PyO3 + maturin) into a virtualenv with
# the pinned packages of python/requirements.txt, then runs its pytest suite.
# The first run makes the virtualenv (target/python-venv); later runs reuse it.
# Usage: scripts/python_test.sh [PYTEST ARGS...]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
venv="$here/target/python-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/python/requirements.txt"
fi
# The tests compare with the command-line binary.
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" \
  "$venv/bin/maturin" develop --release --quiet --manifest-path "$here/python/Cargo.toml"
cd "$here/python"
exec "$venv/bin/python" -m pytest -q tests "$@"
