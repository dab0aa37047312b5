#!/usr/bin/env bash
# The Spark job against the command line on the same corpus (a benchmark,
# not a test): local[2] with each handover to the driver, then a
# standalone cluster on 127.0.0.1 with one and with two workers of one core
# each. Prints a markdown table: wall time with and without the Spark
# session's start, throughput against the command line's, peak memory, and
# whether the rows are the command line's.
#
#   scripts/spark_bench.sh [CORPUS.jsonl]     # default: the 100k bench corpus
#
# The corpus defaults to $BENCH_DIR/corpus-100000.jsonl, which
# scripts/bench.sh makes (../shared/bench/make_corpus.py, seed 1).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${BENCH_DIR:-${TMPDIR:-/tmp}/newsdedup-bench}
corpus=${1:-$work/corpus-100000.jsonl}
[ -s "$corpus" ] || { echo "spark_bench.sh: $corpus is missing (scripts/bench.sh 100000 makes it)" >&2; exit 2; }
out=$work/spark-bench
rm -rf "$out" && mkdir -p "$out"
venv="$here/target/python-venv"
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
"$here/scripts/python_env.sh" 2> /dev/null
articles=$(wc -l < "$corpus")

# Seconds and peak resident KiB of a command, from GNU time.
timed() {
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$out/$name.time" "$@" > "$out/$name.log" 2>&1
}

# The machine's speed drifts (other tenants: up to half the time stolen):
# the command line runs again just before each Spark run, and each row
# compares with that run.
cli() {  # name of the Spark run it comes before
  timed "cli-$1" "$here/target/release/newsdedup" run "$corpus" --out "$out/cli" --quiet
}

row() {  # name, its output dir
  local name=$1 dir=$2 wall kib start job same cli_s cli_kib
  read -r wall kib < "$out/$name.time"
  read -r cli_s cli_kib < "$out/cli-$name.time"
  start=$(sed -n 's/^newsdedup: Spark session start: \([0-9.]*\) s$/\1/p' "$out/$name.log")
  # The job's steps: every step but the session's start and the write.
  job=$(sed -n 's/^newsdedup: \([a-z ,]*\): \([0-9.]*\) s$/\1:\2/p' "$out/$name.log" | grep -v '^write:' \
    | awk -F: '{ s += $2 } END { printf "%.1f", s }')
  steps=$(sed -n 's/^newsdedup: \([a-z ,]*\): \([0-9.]*\) s$/\1 \2/p' "$out/$name.log" | paste -sd';' | sed 's/;/; /g')
  if cmp -s "$dir/articles.jsonl" "$out/cli/articles.jsonl"; then same=yes; else same=**no**; fi
  awk -v n="$name" -v w="$wall" -v st="$start" -v j="$job" -v c="$cli_s" -v m="$((kib / 1024))" -v s="$same" \
    -v steps="$steps" 'BEGIN { printf "| %s | %s | %s | %s | %s | %.0f%% | %.0f%% | %s | %s | %s |\n", n, c, w, st, j, 100 * c / w, 100 * c / j, m, s, steps }'
}

spark() {  # name, master, extra spark.sh arguments
  local name=$1 master=$2; shift 2
  cli "$name"
  timed "$name" "$here/scripts/spark.sh" "$corpus" --out "$out/$name" --master "$master" -v "$@"
}

spark local2 "local[2]"
# The same with the JVM's full JIT (spark.sh gives a local master the quick tier alone).
spark local2-full-jit "local[2]" --conf spark.driver.extraJavaOptions=
spark local2-again "local[2]"
spark local2-signed "local[2]" --handover signatures
spark local2-pairs "local[2]" --handover pairs
spark local2-edges "local[2]" --handover edges
spark local2-roles "local[2]" --handover roles
# The components found in large-star/small-star joins instead of the driver's union-find.
spark local2-roles-joins "local[2]" --handover roles --edge-budget 0

# A standalone cluster on loopback: a master, then one and two workers of
# one core each (the driver runs here, in client mode).
export SPARK_HOME="$venv/lib/python3.11/site-packages/pyspark" SPARK_LOCAL_IP=127.0.0.1
export PYSPARK_PYTHON="$venv/bin/python"
cluster=()
stop_cluster() { for pid in "${cluster[@]}"; do kill "$pid" 2> /dev/null || true; done; cluster=(); }
trap stop_cluster EXIT
# The daemons log at Spark's default level: their registration is waited for in their logs.
start_worker() {
  env -u SPARK_CONF_DIR "$venv/bin/spark-class" org.apache.spark.deploy.worker.Worker --cores 1 --memory 6g \
    --host 127.0.0.1 spark://127.0.0.1:7077 > "$out/worker-$1.log" 2>&1 &
  cluster+=($!)
}
cluster_start=$(date +%s%N)
env -u SPARK_CONF_DIR "$venv/bin/spark-class" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 7077 \
  --webui-port 8090 > "$out/master.log" 2>&1 &
cluster+=($!)
start_worker 1
until grep -q "Successfully registered with master" "$out/worker-1.log" 2> /dev/null; do sleep 0.2; done
cluster_up=$(( ($(date +%s%N) - cluster_start) / 1000000 ))
spark standalone-1-worker "spark://127.0.0.1:7077" --partitions 2 --conf spark.executor.memory=5g
start_worker 2
until grep -q "Successfully registered with master" "$out/worker-2.log" 2> /dev/null; do sleep 0.2; done
spark standalone-2-workers "spark://127.0.0.1:7077" --partitions 2 --conf spark.executor.memory=5g
spark standalone-2-workers-signed "spark://127.0.0.1:7077" --partitions 2 --conf spark.executor.memory=5g \
  --handover signatures
spark standalone-2-workers-pairs "spark://127.0.0.1:7077" --partitions 2 --conf spark.executor.memory=5g \
  --handover pairs
stop_cluster

echo "corpus: $corpus ($articles articles)"
echo "standalone master and first worker up in $cluster_up ms"
echo
echo "| run | CLI just before, s | wall s | session start s | job s | throughput vs CLI, wall | vs CLI, job only | peak RSS MiB (driver) | rows = CLI's | steps, s |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for name in local2 local2-full-jit local2-again local2-signed local2-pairs local2-edges local2-roles local2-roles-joins standalone-1-worker standalone-2-workers \
  standalone-2-workers-signed standalone-2-workers-pairs; do
  row "$name" "$out/$name"
done
