#!/usr/bin/env bash
# One-command benchmark: newsdedup and its peers on the same synthetic
# wire-copy corpus, at each size given (default: 10000 100000).
#
#   scripts/bench.sh                 # 10k and 100k articles
#   scripts/bench.sh 10000           # one size
#   PEERS="gaoya datasketch" scripts/bench.sh 100000
#   PEERS= STRICT_RUN=0 scripts/bench.sh 1000000   # newsdedup alone, once
#
# Uses ../shared/bench: its paragraph pool (from ../shared/eval), its corpus
# generator (seed 1, deterministic) and its peer runners, installed from PyPI
# into a private virtualenv by its setup.sh. Every system is scored by
# `newsdedup eval` against the corpus truth. scikit-learn TF-IDF + DBSCAN is
# quadratic: it runs at 100k only with SKLEARN_100K=1 (over 10 minutes).
# Prints a markdown table; raw outputs stay in $BENCH_DIR.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bench=${SHARED_BENCH:-$here/../shared/bench}
work=${BENCH_DIR:-${TMPDIR:-/tmp}/newsdedup-bench}
sizes=${*:-10000 100000}
mkdir -p "$work"

cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin=$here/target/release/newsdedup
export PY=$(bash "$bench/setup.sh")
[ -s "$work/pool.jsonl" ] || python3 "$bench/pool.py" "$work/pool.jsonl" >&2

rows=$work/rows.jsonl
: > "$rows"
for n in $sizes; do
  corpus=$work/corpus-$n.jsonl truth=$work/truth-$n.jsonl out=$work/run-$n
  [ -s "$corpus" ] || python3 "$bench/make_corpus.py" --paragraphs "$work/pool.jsonl" --n-docs "$n" \
      --out "$corpus" --truth "$truth" --seed 1 >&2
  rm -rf "$out" && mkdir -p "$out"
  echo "== newsdedup, $n articles" >&2
  /usr/bin/time -v "$bin" run "$corpus" --out "$out/newsdedup" --quiet 2> "$out/newsdedup.time"
  python3 "$here/scripts/bench_row.py" newsdedup "$n" "$out/newsdedup.time" "$truth" "$out/newsdedup/articles.jsonl" "$bin" >> "$rows"
  # The same with stricter thresholds (STRICT_ARGS; by default those for
  # copies alone): this corpus builds different stories from shared
  # paragraphs, which the defaults (tuned on real news, rewrites included)
  # link. It suits this corpus as DBSCAN's eps 0.3 suits it for scikit-learn.
  if [ "${STRICT_RUN:-1}" != 0 ]; then
    strict=${STRICT_ARGS:---story-threshold 0.9}
    # shellcheck disable=SC2086 # the arguments are meant to split
    /usr/bin/time -v "$bin" run "$corpus" --out "$out/newsdedup-strict" --quiet $strict 2> "$out/newsdedup-strict.time"
    python3 "$here/scripts/bench_row.py" "newsdedup $strict" "$n" "$out/newsdedup-strict.time" "$truth" "$out/newsdedup-strict/articles.jsonl" "$bin" >> "$rows"
  fi
  peers=${PEERS-gaoya datasketch sk-dbscan}
  if [ "$n" -gt 20000 ] && [ -z "${SKLEARN_100K:-}" ]; then peers=${peers//sk-dbscan/}; fi
  for p in $peers; do
    bash "$bench/run_bench.sh" "$corpus" "$truth" "$out" "$p" > /dev/null 2>&1 || true
    if [ -s "$out/$p.clusters.jsonl" ]; then
      python3 "$here/scripts/bench_row.py" "$p" "$n" "$out/$p.time" "$truth" "$out/$p.clusters.jsonl" "$bin" >> "$rows"
    else
      echo "{\"system\": \"$p\", \"docs\": $n, \"failed\": true}" >> "$rows"
    fi
  done
done
python3 "$here/scripts/bench_row.py" --table "$rows"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB" 
