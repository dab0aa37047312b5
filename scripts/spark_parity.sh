#!/usr/bin/env bash
# The Spark job's parity with the command line on every labelled set of
# ../shared/eval (each ntrex-syndication language apart) and the seeds, at
# 1, 2 and 7 partitions on local[2], with every handover to the driver
# (newsdedup.spark.HANDOVERS), and with `roles` and the components found in
# large-star/small-star joins; CI runs some of the sets
# (python/tests/test_spark.py). Needs a Java runtime.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
NEWSDEDUP_ALL_SETS=1 exec "$here/scripts/python_test.sh" -k "test_spark_gives_the_command_line_rows or test_signed_on_the_executors or test_components_joined" "$@"
