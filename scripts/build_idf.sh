#!/usr/bin/env bash
# Rebuilds models/idf/*.tsv.gz from the wordfreq PyPI package, in a private virtualenv.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv=${VENV:-${TMPDIR:-/tmp}/newsdedup-wordfreq-venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" -q install "wordfreq==3.1.1"
"$venv/bin/python" "$here/build_idf.py" "$@"
