#!/usr/bin/env bash
# Builds newsdedup and scores its default configuration on every labelled set
# and the seeds, at both levels (scripts/evaluate.py).
# Usage: scripts/evaluate.sh [--check | --record]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
exec python3 "$here/scripts/evaluate.py" "$@"
