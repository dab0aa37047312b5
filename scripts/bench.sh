#!/usr/bin/env bash
# One-command benchmark: newsdedup and its peers on the same synthetic
# wire-copy corpus, at each size given (default: 10000 100000).
#
#   scripts/bench.sh                 # 10k and 100k articles
#   scripts/bench.sh 10000           # one size
#   PEERS="gaoya datasketch" scripts/bench.sh 100000
#   PEERS= STRICT_RUN=0 scripts/bench.sh 1000000   # newsdedup alone, once
#   SEED=4242 STRICT_RUN=0 PEERS=gaoya scripts/bench.sh --verbose 100000
#
# --verbose prints newsdedup's time, CPU time (µs per article, over all
# threads) and peak memory after each stage. The
# corpus seed is SEED (default 1); each seed's corpora are kept apart.
# After the table come newsdedup's ratios to gaoya's, size by size, from
# the same run: its speed over gaoya's, and its peak memory over gaoya's.
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
talk=--quiet
if [ "${1:-}" = --verbose ]; then talk=--verbose; shift; fi
sizes=${*:-10000 100000}
seed=${SEED:-1}
mkdir -p "$work"

cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin=$here/target/release/newsdedup
export PY=$(bash "$bench/setup.sh")
[ -s "$work/pool.jsonl" ] || python3 "$bench/pool.py" "$work/pool.jsonl" >&2

rows=$work/rows.jsonl
: > "$rows"
for n in $sizes; do
  tag=$n
  [ "$seed" = 1 ] || tag=$n-seed$seed
  corpus=$work/corpus-$tag.jsonl truth=$work/truth-$tag.jsonl out=$work/run-$tag
  [ -s "$corpus" ] || python3 "$bench/make_corpus.py" --paragraphs "$work/pool.jsonl" --n-docs "$n" \
      --out "$corpus" --truth "$truth" --seed "$seed" >&2
  rm -rf "$out" && mkdir -p "$out"
  echo "== newsdedup, $n articles (corpus seed $seed)" >&2
  /usr/bin/time -v "$bin" run "$corpus" --out "$out/newsdedup" "$talk" 2> "$out/newsdedup.time"
  if [ "$talk" = --verbose ]; then grep -E '^(time|cpu|peak memory)' "$out/newsdedup.time" >&2 || true; fi
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
python3 "$here/scripts/bench_row.py" --ratios "$rows"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB" 
