"""The connected components of the candidate graph: the pairs the Spark
job's executors propose (``--handover pairs``) on a corpus, joined by
union-find. Tells whether verification could be cut into independent parts
by component (docs/distributed.md). A measurement, not a test; run it with
the Spark environment that scripts/spark.sh sets up:

    SPARK_CONF_DIR=python/spark-conf SPARK_LOCAL_IP=127.0.0.1 \\
    PYSPARK_PYTHON=target/python-venv/bin/python PYSPARK_DRIVER_PYTHON=target/python-venv/bin/python \\
    target/python-venv/bin/spark-submit --master 'local[2]' --driver-memory 8g \\
        scripts/spark_components.py CORPUS.jsonl
"""

import sys

import numpy as np
from pyspark import StorageLevel
from pyspark.sql import SparkSession

from newsdedup import _core
from newsdedup import spark as job


def components(n, a, b):
    """The sizes of the connected components of ``n`` nodes joined by the
    edges ``a[i]``–``b[i]``, largest first."""
    parent = np.arange(n)

    def root(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for x, y in zip(a.tolist(), b.tolist()):
        rx, ry = root(x), root(y)
        if rx != ry:
            parent[max(rx, ry)] = min(rx, ry)
    sizes = np.bincount([root(x) for x in range(n)])
    return np.sort(sizes[sizes > 0])[::-1]


def main(corpus):
    spark = SparkSession.builder.appName("newsdedup-components").getOrCreate()
    partitions = spark.sparkContext.defaultParallelism
    spark.conf.set("spark.sql.shuffle.partitions", str(partitions))
    source = job._Source(spark, [corpus], partitions, None)
    _, counts = source.survey()
    model = _core.boilerplate_model(counts)
    analyzed = source.analyzed(model).persist(StorageLevel.MEMORY_AND_DISK)
    analyses = analyzed.drop(*job._ARTICLE_ONLY)
    stats = _core.merge_statistics(analyses.mapInArrow(job._counter, "stats binary").toArrow().column(0).to_pylist())
    shared = spark.sparkContext.broadcast(stats)
    signatures = analyses.mapInArrow(job._signer(shared), job.SIGNATURE_SCHEMA).persist(StorageLevel.MEMORY_AND_DISK)
    docs, proposed, keys, pruned = job._proposed(analyzed, signatures, [])
    numbers = np.sort(docs.select("doc").toArrow().column("doc").to_numpy())
    pairs = proposed.toArrow()
    a = np.searchsorted(numbers, pairs.column("a").to_numpy())
    b = np.searchsorted(numbers, pairs.column("b").to_numpy())
    sizes = components(len(numbers), a, b)
    print(f"articles {len(numbers)}; keys {keys}, pruned {pruned}; proposed pair rows {pairs.num_rows}")
    print(f"components {len(sizes)}, of one article {int((sizes == 1).sum())}, largest {sizes[:10].tolist()}")
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1])
