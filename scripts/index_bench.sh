#!/usr/bin/env bash
# The persistent index's benchmark (docs/index.md, "Measured"): builds an
# index of the first N articles of a bench corpus in adds of BUILD
# articles (kept in WORK/base-N, and built again only when missing), then
# times adding the next ADD articles to a copy of it (wall time and peak
# memory, each step with -v), prints the index's bytes per article by
# table, and exports twice to check that the exports are byte-identical.
#
#   scripts/index_bench.sh CORPUS N [BUILD] [ADD] [WORK]
#
# CORPUS is a JSONL bench corpus (scripts/bench.sh or
# ../shared/bench/make_corpus.py makes one; it must hold N + ADD articles).
# Defaults: BUILD 50000, ADD 10000, WORK /tmp/newsdedup-index-bench.
# The binary is copied into WORK first, so the tree may be rebuilt while
# the benchmark runs.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:?usage: index_bench.sh CORPUS N [BUILD] [ADD] [WORK]}
n=${2:?usage: index_bench.sh CORPUS N [BUILD] [ADD] [WORK]}
build=${3:-50000}
add=${4:-10000}
work=${5:-/tmp/newsdedup-index-bench}
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
mkdir -p "$work"
bin="$work/newsdedup"
cp "$here/target/release/newsdedup" "$bin"
base="$work/base-$n"
if [ ! -s "$base/built" ]; then
  rm -rf "$base" "$work/batches" && mkdir -p "$work/batches"
  head -n "$n" "$corpus" | split -l "$build" -d -a 4 --additional-suffix=.jsonl - "$work/batches/build"
  "$bin" index create "$base" 2> /dev/null
  echo "build: $n articles in adds of $build"
  for batch in "$work"/batches/build*.jsonl; do
    /usr/bin/time -f "%e %M" -o "$work/time" "$bin" index add --index "$base" "$batch" --delta /dev/null -q
    read -r seconds kib < "$work/time"
    echo "  $(basename "$batch"): ${seconds} s, peak $((kib / 1024)) MiB"
  done
  rm -rf "$work/batches"
  date > "$base/built"
fi
head -n $((n + add)) "$corpus" | tail -n "$add" > "$work/added.jsonl"
rm -rf "$work/index" && cp -r "$base" "$work/index"
echo "add: $add articles to the index of $n"
/usr/bin/time -f "%e %M" -o "$work/time" "$bin" index add --index "$work/index" "$work/added.jsonl" \
  --delta "$work/delta.jsonl" -v 2>&1 | grep -v '^newsdedup: skipped'
read -r seconds kib < "$work/time"
echo "  wall ${seconds} s, peak $((kib / 1024)) MiB, $(wc -l < "$work/delta.jsonl") rows in the delta"
"$bin" index stats --index "$work/index"
python3 - "$work/index/index.sqlite" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
sizes = db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
total = sum(size for _, size in sizes)
texts = sum(size for name, size in sizes if name == "texts")
print(f"bytes per article: {total / articles:.0f} in all, {(total - texts) / articles:.0f} without the texts")
for name, size in sizes:
    print(f"  {name}: {size / articles:.1f}")
EOF
for attempt in 1 2; do
  "$bin" index export --index "$work/index" --out "$work/export$attempt" 2> /dev/null
done
if cmp -s "$work/export1/articles.jsonl" "$work/export2/articles.jsonl" \
  && cmp -s "$work/export1/clusters.jsonl" "$work/export2/clusters.jsonl"; then
  echo "two exports: byte-identical"
else
  echo "two exports differ" && exit 1
fi
rm -rf "$work/export1" "$work/export2"
