#!/usr/bin/env bash
# Builds the Python package (python/, PyO3 + maturin) into a virtualenv with
# the pinned packages of python/requirements.txt (scripts/python_env.sh),
# then runs its pytest suite, the Spark job's tests among them (local
# masters; they need a Java runtime).
# Usage: scripts/python_test.sh [PYTEST ARGS...]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
venv="$here/target/python-venv"
"$here/scripts/python_env.sh"
# The tests compare with the command-line binary.
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
cd "$here/python"
exec "$venv/bin/python" -m pytest -q tests "$@"
