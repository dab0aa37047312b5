#!/usr/bin/env bash
# Runs newsdedup with its default configuration on every task in ../shared/eval
# and prints a markdown table (one row per task; ntrex-syndication per language).
# Usage: scripts/evaluate.sh [extra newsdedup eval flags]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
eval_dir=${EVAL_DIR:-$here/../shared/eval}
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin=$here/target/release/newsdedup
echo "| task | BCubed P | BCubed R | BCubed F1 | pairwise F1 | ARI | pred / true multi-member clusters | largest pred cluster | canonical acc | derived_from acc | kind acc |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
tasks="ecbplus ntrex-rewrites ntrex-crosslingual"
for l in "$eval_dir"/ntrex-syndication/*/; do tasks="$tasks ntrex-syndication/$(basename "$l")"; done
for t in $tasks; do
  "$bin" eval "$eval_dir/$t" --json "$@" | python3 -c "
import json, sys
d = json.load(sys.stdin)
f = lambda k: ('%.3f' % d[k]) if k in d else '-'
print('| $t | %s | %s | %s | %s | %s | %d / %d | %d | %s | %s | %s |' % (f('bcubed_precision'), f('bcubed_recall'), f('bcubed_f1'), f('pairwise_f1'), f('ari'),
      d['multi_clusters_pred'], d['multi_clusters_true'], d['largest_cluster_pred'], f('canonical_accuracy'), f('derived_from_accuracy'), f('kind_accuracy')))"
done
