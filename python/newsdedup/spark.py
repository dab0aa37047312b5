"""newsdedup on Apache Spark.

Run it with ``spark-submit`` (``scripts/spark.sh`` does, with a local
master)::

    spark-submit newsdedup/spark.py INPUT... --out DIR [--partitions N]

or call :func:`run` with a ``SparkSession``. The work is the Rust core's,
called once per Arrow batch with the GIL released; Spark reads the files,
sorts, groups and moves the batches, and Python touches batches only, never
rows:

1. read: JSONL (plain or gzip) is cut into line ranges by Spark's text
   source, each line numbered as in its file; any other file (WARC,
   Parquet, CSV, JSON, .txt, zstd) goes whole to the Rust reader. Either
   way the Rust reader gives the articles and the records it rejected, with
   their reasons, from any filesystem Spark reads;
2. boilerplate: each partition counts the lines of its articles, and the
   driver merges the counts (in any order) and broadcasts the model;
3. analyze: each article is cleaned, its language told and its text split
   into terms, numbers and names;
4. the stages after analysis (document frequencies, vectors, candidates,
   verification, families and stories, roles) run on the driver, from the
   analyses.

The output is the command line's, row for row: ``articles.jsonl`` (one file,
sorted by id), ``clusters.jsonl``, ``report.html`` and ``rejects.jsonl``.
"""

import argparse
import os
import re
import sys
import time

import pyarrow as pa

from newsdedup import _core

__all__ = ["run", "main", "Result"]

#: What reading a file gives: a notice's kind and reason (null for an
#: article), then the article's fields and where it was read.
READ_SCHEMA = (
    "kind string, reason string, id string, text string, title string, url string, source string, "
    "published_at string, lang string, warc_record_id string, path string, line long"
)

#: An article with what analysis made of it (``newsdedup::exchange::analyzed_schema``).
ANALYZED_SCHEMA = (
    "id string, text string, title string, url string, source string, published_at string, lang string, "
    "warc_record_id string, path string, line long, analyzed_lang string, body_hash long, chars int, "
    "boilerplate_share float, removed_lines int, story_text long, term_count int, years array<int>, "
    "terms array<long>, anchors array<long>"
)


class InputError(Exception):
    """The input cannot be read as a whole (no such path, a repeated id, no articles)."""


class Result:
    """A finished run: the outputs to write, and what reading skipped."""

    def __init__(self, run, notices, seconds):
        self._run = run
        #: Seconds per step, in order: ``[(step, seconds), ...]``.
        self.seconds = seconds
        self._notices = notices
        rows = list(zip(notices.column("kind").to_pylist(), _notice_rows(notices)))
        #: Records not read, as ``(path, line, reason)``.
        self.rejects = [row for kind, row in rows if kind == "reject"]
        #: Records read with a repair, and publication times not read as dates.
        self.warnings = [row for kind, row in rows if kind != "reject"]

    def __len__(self):
        return len(self._run)

    def records(self):
        """The rows of ``articles.jsonl``, as JSON texts, in id order."""
        return self._run.records()

    def write(self, out, format="jsonl"):
        """Writes ``articles.<format>``, ``clusters.jsonl``, ``report.html`` and
        ``rejects.jsonl`` (when records were rejected) into the local
        directory ``out``."""
        self._run.write(out, format)
        _core.write_rejects_file(os.path.join(out, "rejects.jsonl"), [_ipc(self._notices)])


def run(spark, inputs, partitions=None, input_format=None):
    """Runs newsdedup on the files and directories ``inputs`` (any URI that
    Spark reads) and returns a :class:`Result`. ``partitions`` sets how many
    pieces the articles are cut into (default: Spark's default parallelism).
    Raises :class:`InputError` when the input cannot be read."""
    clock = _Clock()
    partitions = partitions or spark.sparkContext.defaultParallelism
    # The settings this run changes are the session's: they are put back after it.
    changed = ("spark.sql.shuffle.partitions", "spark.sql.files.maxPartitionBytes", "spark.sql.files.openCostInBytes")
    before = {key: spark.conf.get(key, None) for key in changed}
    cached = []
    try:
        spark.conf.set("spark.sql.shuffle.partitions", str(partitions))
        articles, notices = _read(spark, inputs, partitions, input_format, cached)
        clock.lap("read")
        counts = articles.mapInArrow(_line_counter, "counts binary").collect()
        model = _core.boilerplate_model([bytes(row["counts"]) for row in counts])
        clock.lap("boilerplate")
        shared_model = spark.sparkContext.broadcast(model)
        analyzed = articles.mapInArrow(_analyzer(shared_model), ANALYZED_SCHEMA).toArrow()
        shared_model.destroy()
        clock.lap("analyze")
        result = _core.run_analyzed([_ipc(analyzed)], model)
        clock.lap("driver stages")
    finally:
        for frame in cached:
            frame.unpersist()
        for key, value in before.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)
    return Result(result, notices, clock.laps)


class _Clock:
    def __init__(self):
        self.laps, self._start = [], time.perf_counter()

    def lap(self, step):
        now = time.perf_counter()
        self.laps.append((step, now - self._start))
        self._start = now


def _expand(spark, inputs):
    """The files of ``inputs`` with their sizes in bytes, ``[(uri, size)]``:
    a file as given, a directory's article files (recursively, sorted by
    path), as the command line walks them."""
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    files = []
    for given in inputs:
        path = jvm.org.apache.hadoop.fs.Path(given)
        fs = path.getFileSystem(conf)
        if not fs.exists(path):
            raise InputError(f"{given}: no such file or directory")
        status = fs.getFileStatus(path)
        if not status.isDirectory():
            files.append((fs.makeQualified(path).toString(), status.getLen()))
            continue
        found = []
        walk = fs.listFiles(path, True)
        while walk.hasNext():
            status = walk.next()
            name = status.getPath().toString()
            if _core.is_article_file(name):
                found.append((name, status.getLen()))
        if not found:
            raise InputError(
                f"{given}: directory holds no article files (.txt, .jsonl, .csv, .warc, .parquet)"
            )
        files.extend(sorted(found))
    return files


def _read(spark, inputs, partitions, input_format, cached):
    """The articles of ``inputs`` (cut into ``partitions``, kept in memory)
    and the notices of reading them (an Arrow table); the frames kept are
    added to ``cached``."""
    from pyspark import StorageLevel

    sized = _expand(spark, inputs)
    files = [uri for uri, _ in sized]
    by_lines = [(uri, size) for uri, size in sized if _splittable_jsonl(uri, input_format)]
    whole = [uri for uri, _ in sized if not _splittable_jsonl(uri, input_format)]
    parts = []
    if by_lines:
        parts.append(_read_jsonl_lines(spark, by_lines, partitions))
    if whole:
        files_read = spark.read.format("binaryFile").load(whole)
        parts.append(files_read.mapInArrow(_reader(input_format), READ_SCHEMA))
    reading = parts[0] if len(parts) == 1 else parts[0].unionByName(parts[1])
    reading = reading.persist(StorageLevel.MEMORY_AND_DISK)
    cached.append(reading)
    notices = reading.filter("kind IS NOT NULL").select("kind", "path", "line", "reason").toArrow()
    # The articles are read from the kept reading table; only spread out
    # (a file read whole is one partition's work) are they kept again.
    articles = reading.filter("kind IS NULL").drop("kind", "reason")
    if whole or articles.rdd.getNumPartitions() < partitions:
        articles = articles.repartition(partitions).persist(StorageLevel.MEMORY_AND_DISK)
        cached.append(articles)
    if articles.isEmpty():
        rejected = notices.column("kind").to_pylist().count("reject")
        skipped = f"{rejected} record{'' if rejected == 1 else 's'} skipped" if rejected else "they hold none"
        raise InputError(f"no readable articles in {', '.join(inputs)} ({skipped})")
    _check_unique_ids(articles, files)
    return articles, notices


def _splittable_jsonl(uri, input_format):
    """Is ``uri`` JSONL that Spark's text source can cut into line ranges
    (plain or gzip; zstd is read whole, by the Rust reader)?"""
    name = uri.lower()
    if name.endswith(".gz"):
        name = name[: -len(".gz")]
    elif input_format == "jsonl" and not name.endswith(".zst"):
        return True
    return input_format in (None, "jsonl") and name.endswith((".jsonl", ".ndjson"))


def _read_jsonl_lines(spark, sized, partitions):
    """The reading table of JSONL files (``[(uri, size)]``) cut into line ranges across tasks,
    each line numbered as in its file: the lines of each range are counted
    first (the texts are not kept), then each line's number is the lines
    of the ranges before it in its file plus its place in its range."""
    from pyspark.sql import functions as F

    # As many line ranges as partitions (a multiple of the cores, so no core
    # waits on a last range), and the ranges of a file never tiny.
    files = [uri for uri, _ in sized]
    total = sum(size for _, size in sized)
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(max(-(-total // partitions), 1 << 20)))
    spark.conf.set("spark.sql.files.openCostInBytes", "0")
    lines = (
        spark.read.option("lineSep", "\n")
        .text(files)
        .select(
            F.input_file_name().alias("path"),
            F.input_file_block_start().alias("block"),
            F.monotonically_increasing_id().alias("position"),
            F.col("value").cast("binary").alias("bytes"),
        )
    )
    ranges = lines.groupBy("path", "block").agg(F.count("*").alias("n"), F.min("position").alias("first"))
    starts, before, last_path = [], 0, None
    for row in sorted(ranges.collect(), key=lambda r: (r["path"], r["block"])):
        before = 0 if row["path"] != last_path else before
        starts.append((row["path"], row["block"], before - row["first"] + 1))
        before, last_path = before + row["n"], row["path"]
    starts = spark.createDataFrame(starts, "path string, block long, shift long")
    numbered = lines.join(F.broadcast(starts), ["path", "block"]).select(
        "path", (F.col("position") + F.col("shift")).alias("line"), "bytes"
    )
    return numbered.mapInArrow(_line_reader, READ_SCHEMA)


def _line_reader(batches):
    import pyarrow.compute as pc

    for batch in batches:
        paths = pc.replace_substring_regex(batch.column("path"), _LOCAL_SCHEME, "")
        batch = pa.record_batch([paths, batch.column("line"), batch.column("bytes")], names=["path", "line", "bytes"])
        yield from pa.ipc.open_stream(_core.read_lines(_ipc(batch)))


def _reader(input_format):
    def read(batches):
        for batch in batches:
            paths, contents = batch.column("path"), batch.column("content")
            for path, content in zip(paths.to_pylist(), contents.to_pylist()):
                stream = _core.read_file(_shown(path), content, input_format)
                yield from pa.ipc.open_stream(stream)

    return read


#: The scheme of a local file's URI (``file:/x`` or ``file:///x``).
_LOCAL_SCHEME = "^file:(//)?"


def _shown(uri):
    """A local file's path without its ``file:`` scheme, as messages name it."""
    return re.sub(_LOCAL_SCHEME, "", uri)


def _check_unique_ids(articles, files):
    """Fails on an id that two records carry, naming both places, as the
    command line does."""
    from pyspark.sql import functions as F

    repeated = articles.groupBy("id").count().filter("count > 1").orderBy("id").limit(1).collect()
    if not repeated:
        return
    key = repeated[0]["id"]
    order = {_shown(f): i for i, f in enumerate(files)}
    places = sorted(
        (order.get(row["path"], len(order)), row["line"], row["path"])
        for row in articles.filter(F.col("id") == key).select("path", "line").collect()
    )
    first, second = (_place(path, line) for _, line, path in places[:2])
    raise InputError(f"duplicate article id {key!r}: first at {first}, again at {second}")


def _place(path, line):
    return path if line == 0 else f"{path}:{line}"


def _line_counter(batches):
    """The line counts of a partition's articles (they merge in any order)."""
    for batch in batches:
        counts = _core.line_counts(_ipc(batch))
        yield pa.record_batch({"counts": pa.array([counts], pa.binary())})


def _analyzer(shared_model):
    def analyze(batches):
        model = shared_model.value
        for batch in batches:
            yield from pa.ipc.open_stream(_core.analyze(_ipc(batch), model))

    return analyze


def _ipc(data):
    """A table or record batch as an Arrow IPC stream."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, data.schema) as writer:
        writer.write(data)
    return sink.getvalue().to_pybytes()


def _notice_rows(notices):
    return zip(
        notices.column("path").to_pylist(),
        notices.column("line").to_pylist(),
        notices.column("reason").to_pylist(),
    )


def main(argv=None):
    """``spark-submit spark.py INPUT... --out DIR``: the command line's run on Spark."""
    parser = argparse.ArgumentParser(
        prog="newsdedup-spark",
        description="Groups news articles that tell the same story, on Apache Spark. Reads the "
        "files and directories given (JSONL, JSON, CSV, WARC, Parquet, .txt; local paths or any "
        "URI Spark reads) and writes the command line's outputs into DIR.",
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="files or directories of articles")
    parser.add_argument("--out", required=True, metavar="DIR", help="local directory for the outputs")
    parser.add_argument(
        "--partitions", type=int, metavar="N", help="pieces the articles are cut into (default: the cores Spark has)"
    )
    parser.add_argument(
        "--format", choices=["jsonl", "csv", "parquet"], default="jsonl", help="format of the per-article table"
    )
    parser.add_argument(
        "--input-format",
        choices=["txt", "jsonl", "json", "csv", "warc", "parquet"],
        help="read every input in this format (default: told by each file's extension)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="print the seconds each step took")
    args = parser.parse_args(argv)
    if args.partitions is not None and args.partitions < 1:
        parser.error("--partitions must be at least 1")

    from pyspark.sql import SparkSession

    started = time.perf_counter()
    spark = SparkSession.builder.appName("newsdedup").getOrCreate()
    if args.verbose:
        print(f"newsdedup: Spark session start: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    try:
        result = run(spark, args.inputs, args.partitions, args.input_format)
        for path, line, reason in result.rejects:
            print(f"newsdedup: skipped {_place(path, line)}: {reason}", file=sys.stderr)
        for path, line, reason in result.warnings:
            print(f"newsdedup: warning: {_place(path, line)}: {reason}", file=sys.stderr)
        os.makedirs(args.out, exist_ok=True)
        written = time.perf_counter()
        result.write(args.out, args.format)
        result.seconds.append(("write", time.perf_counter() - written))
    except InputError as error:
        print(f"newsdedup: {error}", file=sys.stderr)
        return 3
    finally:
        spark.stop()
    if args.verbose:
        for step, seconds in result.seconds:
            print(f"newsdedup: {step}: {seconds:.1f} s", file=sys.stderr)
    out = args.out
    print(f"newsdedup: {len(result)} articles; wrote {out}/articles.{args.format}, {out}/clusters.jsonl and {out}/report.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
