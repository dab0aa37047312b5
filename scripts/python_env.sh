#!/usr/bin/env bash
# Makes the Python environment of the package and the Spark job: a
# virtualenv (target/python-venv) with the pinned packages of
# python/requirements.txt, and the Rust core built into it as an extension
# (maturin, release). The virtualenv is made once; the extension is rebuilt
# when the Rust code changed (a hash of the sources, so that a run that
# changed nothing does not pay maturin's packaging of the wheel).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
venv="$here/target/python-venv"
stamp="$venv/.requirements"
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$here/python/requirements.txt" "$stamp"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/python/requirements.txt"
  cp "$here/python/requirements.txt" "$stamp"
fi
built="$venv/.extension"
sources=$(cd "$here" && find Cargo.toml Cargo.lock src python/Cargo.toml python/pyproject.toml python/src models \
  -type f 2> /dev/null | LC_ALL=C sort | xargs cat | sha256sum)
if [ ! -f "$built" ] || [ "$(cat "$built")" != "$sources" ] || ! ls "$here"/python/newsdedup/_core*.so > /dev/null 2>&1; then
  VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" \
    "$venv/bin/maturin" develop --release --quiet --manifest-path "$here/python/Cargo.toml" >&2
  echo "$sources" > "$built"
fi
