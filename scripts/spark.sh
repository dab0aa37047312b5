#!/usr/bin/env bash
# Runs newsdedup on Apache Spark (python/newsdedup/spark.py) with spark-submit.
#
#   scripts/spark.sh INPUT... --out DIR [--partitions N] [--master URL] [--format F] [-v]
#                    [--conf KEY=VALUE]...
#
# The first run builds what it needs: a virtualenv with the pinned packages
# of python/requirements.txt (pyspark among them) in target/python-venv, and
# the Rust core as a Python extension (maturin). Spark needs a Java runtime
# (17 or later): on Debian, `apt-get install openjdk-17-jre-headless`.
# The master is local[2] unless --master names another (spark://HOST:7077);
# each --conf goes to spark-submit (spark.executor.memory=4g, say).
# Leaves DIR/articles.jsonl (one file, sorted by id, the command line's
# schema), DIR/clusters.jsonl, DIR/report.html and, when records were
# skipped, DIR/rejects.jsonl.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
venv="$here/target/python-venv"

master="local[2]"
args=() submit=() java_options=
while [ $# -gt 0 ]; do
  case "$1" in
    --master) master="${2:?--master needs a URL}"; shift 2 ;;
    --master=*) master="${1#--master=}"; shift ;;
    --conf)
      case "${2:?--conf needs KEY=VALUE}" in spark.driver.extraJavaOptions=*) java_options=given ;; esac
      submit+=(--conf "$2"); shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
# A local master runs the whole job in this one JVM, for seconds to
# minutes: the JIT's quick tier alone starts sooner and, measured at 100k
# articles, loses nothing after (docs/distributed.md). Any
# --conf spark.driver.extraJavaOptions=... given replaces it.
case "$master" in
  local*) [ -n "$java_options" ] || submit+=(--conf "spark.driver.extraJavaOptions=-XX:TieredStopAtLevel=1") ;;
esac

if ! command -v java > /dev/null; then
  echo "spark.sh: Spark needs a Java runtime (17 or later) on PATH; on Debian: apt-get install openjdk-17-jre-headless" >&2
  exit 2
fi
"$here/scripts/python_env.sh"

export SPARK_CONF_DIR="$here/python/spark-conf"
# This machine's name may resolve to an address other processes cannot
# reach (or none, offline): Spark binds to loopback for a local master.
case "$master" in local*) export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}" ;; esac
export PYSPARK_PYTHON="$venv/bin/python"
export PYSPARK_DRIVER_PYTHON="$venv/bin/python"
# The driver runs here and its heap holds the analyzed articles collected
# for the stages that run on it (and, with a local master, each input file
# read whole).
exec "$venv/bin/spark-submit" --master "$master" --driver-memory "${SPARK_DRIVER_MEMORY:-8g}" "${submit[@]}" \
  --conf spark.ui.showConsoleProgress=false --conf spark.driver.maxResultSize=0 \
  "$here/python/newsdedup/spark.py" "${args[@]}"
