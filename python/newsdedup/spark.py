"""newsdedup on Apache Spark.

Run it with ``spark-submit`` (``scripts/spark.sh`` does, with a local
master)::

    spark-submit newsdedup/spark.py INPUT... --out DIR [--partitions N]

or call :func:`run` with a ``SparkSession``. The work is the Rust core's,
called once per Arrow batch with the GIL released; Spark reads the files,
sorts, groups and moves the batches, and Python touches batches only, never
rows:

1. read, first pass: JSONL (plain or gzip) is cut into line ranges by
   Spark's text source; any other file (WARC, Parquet, CSV, JSON, .txt,
   zstd) goes whole to the Rust reader, from any filesystem Spark reads.
   Each task gives back only the records it skipped or repaired, with their
   reasons, how many lines each range has (so that the driver numbers every
   line as in its file) and the line counts of its articles;
2. boilerplate: the driver merges the line counts (in any order) and
   broadcasts the model;
3. read again and analyze: each article is cleaned, its language told and
   its text split into terms, numbers and names;
4. with the ``analyses`` handover (the default), the driver runs the stages
   after analysis; with ``signatures``, the executors count the document
   frequencies, the driver sums and broadcasts them, and the executors make
   each article's vector, keys, sketch and shingles before the driver runs
   the stages after vectorize; with ``pairs``, the executors also propose
   the candidate pairs, grouping the articles' keys in DataFrame shuffles
   (``newsdedup::key_groups``), and the driver verifies them and runs the
   stages after; with ``edges``, the executors verify the pairs too, each
   joined to what verification reads of its two articles, and the driver
   runs the stages after verify from the family edges and story links;
   with ``roles``, the driver only groups the families and stories from
   them, and the executors decide the roles story by story
   (``newsdedup::story_groups``).

The output is the command line's, row for row: ``articles.jsonl`` (one file,
sorted by id), ``clusters.jsonl``, ``report.html`` and ``rejects.jsonl``.
"""

import argparse
import os
import pathlib
import re
import sys
import tempfile
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyspark import StorageLevel

from newsdedup import _core

__all__ = ["run", "main", "Result"]

#: An article as read, and where (``newsdedup::exchange::article_schema``).
ARTICLE_SCHEMA = (
    "id string, text string, title string, url string, source string, published_at string, lang string, "
    "warc_record_id string, path string, line long"
)

#: An article with what analysis made of it (``newsdedup::exchange::analyzed_schema``).
ANALYZED_SCHEMA = (
    "id string, text string, title string, url string, source string, published_at string, lang string, "
    "warc_record_id string, path string, line long, analyzed_lang string, body_hash long, chars int, "
    "boilerplate_share float, removed_lines int, story_text long, term_count int, years array<int>, "
    "terms binary, anchors binary, vocabulary binary"
)

#: An article's id and its signature (``newsdedup::exchange::signature_schema``).
SIGNATURE_SCHEMA = "id string, signature binary"

#: An article's id, signature and what verification reads of it (``newsdedup::exchange::signed_sides_schema``).
SIGNED_SIDES_SCHEMA = "id string, signature binary, side binary"

#: A candidate pair verified (``newsdedup::exchange::verdicts_schema``).
VERDICTS_SCHEMA = "a long, b long, edge boolean, cosine float, a_in_b float, b_in_a float, link float"

#: An article's groups in its component (``newsdedup::exchange::component_groups_schema``).
COMPONENT_GROUPS_SCHEMA = (
    "id string, doc long, story long, family long, alone binary, several boolean, counts binary"
)

#: A story's role decided, or a credit that joined families (``newsdedup::exchange::decided_schema``).
DECIDED_SCHEMA = "doc long, assignment binary, source long, credit string"

#: One candidate key of one article (``newsdedup::exchange::postings_schema``).
POSTINGS_SCHEMA = "kind int, key long, `order` long, id string, keys int"

#: The keys two articles share in one index (``newsdedup::exchange::shared_keys_schema``).
SHARED_KEYS_SCHEMA = "kind int, doc long, other long, shared int, doc_keys int, other_keys int"

#: A candidate pair proposed (``newsdedup::exchange::proposed_schema``).
PROPOSED_SCHEMA = "a long, b long, by_terms boolean, wording_shared int"

#: The columns of an analyzed article that only the driver's stages read.
_ARTICLE_ONLY = ("text", "title", "url", "source", "published_at", "lang", "warc_record_id", "path", "line")


class InputError(Exception):
    """The input cannot be read as a whole (no such path, a repeated id, no articles)."""


class Result:
    """A finished run: the outputs to write, and what reading skipped."""

    def __init__(self, run, notices, seconds):
        self._run = run
        #: Seconds per step, in order: ``[(step, seconds), ...]``.
        self.seconds = seconds
        #: Records not read, as ``(path, line, reason)``, in file and line order.
        self.rejects = [(path, line, reason) for kind, path, line, reason in notices if kind == "reject"]
        #: Records read with a repair, and one warning per file whose
        #: publication times are not dates, as ``(path, line, message)``.
        self.warnings = [(path, line, reason) for kind, path, line, reason in notices if kind != "reject"]

    def __len__(self):
        return len(self._run)

    def records(self):
        """The rows of ``articles.jsonl``, as JSON texts, in id order."""
        return self._run.records()

    def write(self, out, format="jsonl", spark=None, min_cluster_size=2):
        """Writes ``articles.<format>``, ``clusters.jsonl`` and ``report.html``
        (stories of at least ``min_cluster_size`` articles) and
        ``rejects.jsonl`` (when records were rejected) into the directory
        ``out``: a local path, or with ``spark`` any URI its Hadoop
        filesystems reach (``hdfs://``, ``s3a://``, ``gs://``, ``file:``),
        where the files are written locally first and then copied."""
        if not _SCHEME.match(out):
            os.makedirs(out, exist_ok=True)
            self._run.write(out, format, min_cluster_size)
            _core.write_rejects_file(os.path.join(out, "rejects.jsonl"), self.rejects)
            return
        if spark is None:
            raise ValueError(f"{out}: writing to a URI needs the Spark session (write(out, format, spark))")
        with tempfile.TemporaryDirectory(prefix="newsdedup-") as local:
            self.write(local, format, min_cluster_size=min_cluster_size)
            _copy_out(spark, local, out)


#: Where the executors hand the articles over to the driver: analyzed (the
#: driver signs them and runs every later stage), signed (the document
#: frequencies are summed from the executors' counts and broadcast, and the
#: executors make each article's vector, keys, sketch and shingles), or
#: signed with the candidate pairs the executors proposed by grouping keys,
#: or signed with the edges and links of the pairs the executors verified,
#: or that and the roles the executors decided story by story once the
#: driver grouped the families and stories from the verdicts.
HANDOVERS = ("analyses", "signatures", "pairs", "edges", "roles")

#: Pairs of the verified graph up to which the driver finds its components
#: (the library's union-find; 16 bytes a pair collected); above, the
#: executors do, in large-star/small-star joins.
EDGE_BUDGET = 10_000_000


def run(
    spark,
    inputs,
    partitions=None,
    input_format=None,
    handover="analyses",
    columns=None,
    invalid_utf8="lossy",
    strict=False,
    dedupe_ids=False,
    edge_budget=EDGE_BUDGET,
):
    """Runs newsdedup on the files and directories ``inputs`` (any URI that
    Spark reads) and returns a :class:`Result`. ``partitions`` sets how many
    pieces the articles are cut into (default: Spark's default parallelism);
    ``handover`` where the driver takes over (:data:`HANDOVERS`). Reading
    takes the command line's options: ``input_format``, ``columns``
    (``"id=guid,text=body"``), ``invalid_utf8`` (``"lossy"`` or
    ``"reject"``), ``strict`` (the first unreadable record is an error)
    and ``dedupe_ids`` (the first record of a repeated id is kept, the
    others rejected). With the ``roles`` handover, the components of the
    verified graph are found on the driver up to ``edge_budget`` pairs, on
    the executors above it. Raises :class:`InputError` when the input cannot be
    read."""
    if handover not in HANDOVERS:
        raise ValueError(f"handover {handover!r}: one of {', '.join(HANDOVERS)}")
    clock = _Clock()
    partitions = partitions or spark.sparkContext.defaultParallelism
    # The settings this run changes are the session's: they are put back after it.
    changed = ("spark.sql.shuffle.partitions", "spark.sql.files.maxPartitionBytes", "spark.sql.files.openCostInBytes")
    before = {key: spark.conf.get(key, None) for key in changed}
    cached = []
    try:
        spark.conf.set("spark.sql.shuffle.partitions", str(partitions))
        reading = _Reading(input_format, columns, invalid_utf8, strict, dedupe_ids)
        source = _Source(spark, inputs, partitions, reading)
        notices, counts = source.survey()
        clock.lap("read")
        model = _core.boilerplate_model(counts)
        clock.lap("boilerplate")
        analyzed = source.analyzed(model)
        if handover == "analyses":
            analyzed = analyzed.toArrow()
            _check_unique_ids(analyzed, source.shown_files)
            clock.lap("analyze")
            result = _core.run_analyzed([analyzed], model)
        else:
            result = _run_signed(spark, analyzed, model, source, clock, cached, handover, edge_budget)
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


def _run_signed(spark, analyzed, model, source, clock, cached, handover, edge_budget):
    """The run from the analyzed articles (a DataFrame) on, signed on the
    executors with the statistics of the whole batch; with the ``pairs``,
    ``edges`` and ``roles`` handovers, the candidate pairs proposed there
    too (:func:`_proposed`), with ``edges`` and ``roles`` verified there,
    and with ``roles`` the families, stories and roles decided there
    (:func:`_grouped_apart`)."""
    analyzed = analyzed.persist(StorageLevel.MEMORY_AND_DISK)
    cached.append(analyzed)
    # The passes over the kept analyses read the columns they need: no
    # texts (and the publication times only to verify).
    verify = handover in ("edges", "roles")
    analyses = analyzed.drop(*(c for c in _ARTICLE_ONLY if not (verify and c == "published_at")))
    parts = analyses.mapInArrow(_counter, "stats binary").toArrow().column(0).to_pylist()
    stats = _core.merge_statistics(parts)
    clock.lap("analyze")
    shared = spark.sparkContext.broadcast(stats)
    signatures = analyses.mapInArrow(_signer(shared, verify), SIGNED_SIDES_SCHEMA if verify else SIGNATURE_SCHEMA)
    if handover in ("pairs", "edges", "roles"):
        signatures = signatures.persist(StorageLevel.MEMORY_AND_DISK)
        cached.append(signatures)
        docs, proposed, keys, pruned = _proposed(spark, analyzed, signatures, cached)
        if verify:
            tasks = int(spark.conf.get("spark.sql.shuffle.partitions"))
            verdicts = _verified(docs, signatures, proposed, tasks, cached)
        if handover == "roles":
            counted = (keys, pruned)
            result = _grouped_apart(
                spark, analyzed, signatures, docs, verdicts, model, stats, counted, source, clock, cached, edge_budget
            )
            shared.destroy()
            return result
        numbers = docs.select("doc").toArrow()
        if verify:
            verdicts = verdicts.toArrow()
        else:
            pairs = proposed.toArrow()
        clock.lap("candidates" if not verify else "candidates, verify")
    signed = signatures.select("id", "signature").toArrow()
    shared.destroy()
    clock.lap("sign" if handover == "signatures" else "collect signatures")
    articles = analyzed.drop("terms", "anchors", "vocabulary").toArrow()
    _check_unique_ids(articles, source.shown_files)
    clock.lap("collect")
    if handover == "signatures":
        return _core.run_signed([articles], [signed], model, stats)
    handed = {"verdicts": [verdicts]} if verify else {"pairs": [pairs]}
    return _core.run_candidates([articles], [signed], model, stats, [numbers], keys, pruned, **handed)


def _grouped_apart(
    spark, analyzed, signatures, docs, verdicts, model, stats, counted, source, clock, cached, edge_budget
):
    """The run from the verdicts on, with the families and stories grouped
    on the executors component by component (``newsdedup::grouping``) and
    the roles of each story of several articles decided there, where its
    members' articles, texts and signatures are brought together
    (``newsdedup::story_groups``): the driver collects no signature and no
    verdict (under ``edge_budget``, the graph's pairs for its union-find),
    only each component member's groups and role."""
    from pyspark.sql import functions as F

    verdicts = verdicts.persist(StorageLevel.MEMORY_AND_DISK)
    cached.append(verdicts)
    pairs = verdicts.count()
    clock.lap("candidates, verify")
    # The verified graph: the edges and links, and each exact repeat linked to its first copy.
    linked = verdicts.filter(F.col("edge") | F.col("link").isNotNull())
    repeats = docs.filter(F.col("duplicate_of").isNotNull())
    repeats = repeats.select(F.col("duplicate_of").alias("a"), F.col("doc").alias("b"))
    graph = linked.select("a", "b").unionByName(repeats).persist(StorageLevel.MEMORY_AND_DISK)
    cached.append(graph)
    if graph.count() <= edge_budget:
        found = _core.components([graph.toArrow()])
        labelled = spark.createDataFrame(pa.ipc.open_stream(found).read_all())
    else:
        labelled = _star_components(graph, cached)
    labelled = labelled.persist(StorageLevel.MEMORY_AND_DISK)
    cached.append(labelled)
    clock.lap("components")
    # Every member of a component and every verdict of its pairs to one task.
    text_bytes = F.octet_length("text").cast("long").alias("text_bytes")
    facts = analyzed.select("id", "analyzed_lang", "term_count", text_bytes)
    members = labelled.join(docs.select("id", "doc", "duplicate_of"), "doc").join(facts, "id")
    theirs = linked.join(labelled.select(F.col("doc").alias("a"), "component"), "a")
    rows = _union_of_shapes([members, theirs], _COMPONENT_COLUMNS)
    groups = rows.repartition("component").mapInArrow(_component_grouper, COMPONENT_GROUPS_SCHEMA)
    groups = groups.persist(StorageLevel.MEMORY_AND_DISK)
    cached.append(groups)
    grouped = groups.toArrow()
    clock.lap("families, stories")
    articles = analyzed.drop("terms", "anchors", "vocabulary")
    decided = []
    if pc.any(grouped.column("several")).as_py():
        # Every member of a story in one task, with its article and signature.
        shared = groups.filter("several").select("id", "doc", "story", "family", "alone")
        rows = shared.join(articles, "id").join(signatures, "id")
        decided = [rows.repartition("story").mapInArrow(_story_decider, DECIDED_SCHEMA).toArrow()]
    clock.lap("roles")
    collected = articles.toArrow()
    _check_unique_ids(collected, source.shown_files)
    clock.lap("collect")
    keys, pruned = counted
    return _core.finish_apart([collected], model, stats, keys, pruned, pairs, [grouped], decided)


#: The rows of a grouping task: a member of a component, or a verdict of one of its pairs.
_COMPONENT_COLUMNS = (
    ("component", "long"),
    ("doc", "long"),
    ("id", "string"),
    ("analyzed_lang", "string"),
    ("term_count", "int"),
    ("text_bytes", "long"),
    ("duplicate_of", "long"),
    ("a", "long"),
    ("b", "long"),
    ("edge", "boolean"),
    ("cosine", "float"),
    ("a_in_b", "float"),
    ("b_in_a", "float"),
    ("link", "float"),
)


def _star_components(graph, cached):
    """The components of several articles of the graph of pairs ``graph``
    (``a``, ``b``), each article labelled with its component's smallest
    member (``doc``, ``component``), found by alternating large-star and
    small-star joins (Kiveris et al., "Connected Components in MapReduce and
    Beyond", SoCC 2014) until every article hangs from the smallest member
    of its component: the labels :func:`_core.components` gives."""
    from pyspark.sql import functions as F

    def oriented(frame):
        return frame.select(F.greatest("a", "b").alias("a"), F.least("a", "b").alias("b")).filter("a != b")

    edges = oriented(graph).distinct()
    rounds = 0
    while True:
        rounds += 1
        # Large star: each article's larger neighbours hang from the smallest of its neighbourhood.
        both = edges.unionByName(edges.select(F.col("b").alias("a"), F.col("a").alias("b")))
        smallest = both.groupBy("a").agg(F.min("b").alias("m")).select("a", F.least("a", "m").alias("m"))
        large = both.join(smallest, "a").filter(F.col("b") > F.col("a"))
        large = large.select(F.col("b").alias("a"), F.col("m").alias("b"))
        # Small star: each article and its smaller neighbours hang from the smallest of them.
        large = oriented(large)
        smallest = large.groupBy("a").agg(F.min("b").alias("m"))
        small = large.join(smallest, "a").select(F.col("b").alias("a"), "m").unionByName(smallest.select("a", "m"))
        small = small.filter(F.col("a") != F.col("m")).select("a", F.col("m").alias("b")).distinct()
        # Checkpointed on the executors' disks: the plan is cut (each round
        # reads the last twice, so uncut plans double), and no round's pairs
        # stay on the heap.
        small = small.localCheckpoint(eager=True, storageLevel=StorageLevel.DISK_ONLY)
        hanging = small.count()
        # Done when the graph is stars: each article hangs from one other, which hangs from none.
        parents = small.select(F.col("a").alias("b"))
        if small.select("a").distinct().count() == hanging and small.join(parents, "b", "left_semi").isEmpty():
            break
        edges = small
        if rounds > 100:
            raise RuntimeError("connected components: no convergence in 100 rounds of large and small stars")
    roots = small.select(F.col("b").alias("doc"), F.col("b").alias("component")).distinct()
    return small.select(F.col("a").alias("doc"), F.col("b").alias("component")).unionByName(roots)


def _component_grouper(batches):
    """The families and stories of the components of a task, all of whose
    members and verdicts it holds (:data:`COMPONENT_GROUPS_SCHEMA`)."""
    yield from pa.ipc.open_stream(_core.group_components(list(batches)))


def _story_decider(batches):
    """The roles of the stories of a task, all of whose members it holds (:data:`DECIDED_SCHEMA`)."""
    yield from pa.ipc.open_stream(_core.decide_stories(list(batches)))


def _verified(docs, signatures, proposed, tasks, cached):
    """The verdicts of the proposed pairs (:data:`VERDICTS_SCHEMA`), each
    pair once, in ``tasks`` tasks: each pair goes to the task of its first
    article, with the side of each article of its task's pairs (what
    verification reads of it) once, not once per pair."""
    from pyspark.sql import functions as F

    pairs = proposed.groupBy("a", "b").agg(
        F.max("by_terms").alias("by_terms"), F.max("wording_shared").alias("wording_shared")
    )
    # Kept: the pairs feed both the tasks and the sides each task needs.
    pairs = pairs.withColumn("task", F.pmod(F.xxhash64("a"), F.lit(tasks))).persist(StorageLevel.MEMORY_AND_DISK)
    cached.append(pairs)
    needed = pairs.select("task", F.col("a").alias("doc")).union(pairs.select("task", F.col("b").alias("doc")))
    sides = signatures.join(docs, "id").select("doc", "side")
    shipped = needed.distinct().join(sides.hint("shuffle_hash"), "doc")
    rows = _union_of_shapes([pairs, shipped], _VERIFICATION_COLUMNS)
    # Every row of a task in one partition (ranges of `task`; a partition
    # may hold more than one task, whose kernel verifies them together).
    return rows.repartitionByRange(tasks, "task").mapInArrow(_verifier, VERDICTS_SCHEMA)


def _union_of_shapes(frames, columns):
    """The rows of ``frames`` of different shapes in one table of
    ``columns`` (name, type): each frame's own columns, the others null."""
    from pyspark.sql import functions as F

    def shaped(frame):
        return frame.select(
            *(F.col(name) if name in frame.columns else F.lit(None).cast(kind).alias(name) for name, kind in columns)
        )

    rows = shaped(frames[0])
    for frame in frames[1:]:
        rows = rows.unionByName(shaped(frame))
    return rows


#: The rows of a verification task: a pair, or the side of an article of its pairs.
_VERIFICATION_COLUMNS = (
    ("task", "long"),
    ("a", "long"),
    ("b", "long"),
    ("by_terms", "boolean"),
    ("wording_shared", "int"),
    ("doc", "long"),
    ("side", "binary"),
)


def _proposed(spark, analyzed, signatures, cached):
    """The candidate pairs, proposed by grouping the signatures' keys in two
    DataFrame shuffles (``newsdedup::key_groups``): the articles' ids and
    places (``id``, ``doc``: numbered from 0 in id order, ``active``: not
    an exact duplicate, ``duplicate_of``: the first article whose body an
    exact duplicate repeats), the pairs (:data:`PROPOSED_SCHEMA`; a pair
    that several tasks propose repeats), the keys indexed and the posting
    lists left out for their length."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    # Numbered in id order (increasing numbers over a sort), so that ties in
    # the posting lists fall as in one process; then from 0, one apart (each
    # partition's numbers start at its partition number times 2^33), so that
    # a number is the article's place in the batch.
    body = F.when(F.col("term_count") > 0, F.col("body_hash"))
    docs = analyzed.select("id", body.alias("body")).orderBy("id").withColumn("number", F.monotonically_increasing_id())
    docs = docs.withColumn("part", F.shiftright("number", 33)).persist(StorageLevel.MEMORY_AND_DISK)
    cached.append(docs)
    sizes = sorted(tuple(row) for row in docs.groupBy("part").count().collect())
    starts, before = [], 0
    for part, size in sizes:
        starts.append((part, before - (part << 33)))
        before += size
    shifts = spark.createDataFrame(starts, "part long, shift long")
    docs = docs.join(F.broadcast(shifts), "part").select("id", "body", (F.col("number") + F.col("shift")).alias("doc"))
    # An exact duplicate (a later article, by id, with the same body) stays
    # out of the indexes.
    first = F.min("doc").over(Window.partitionBy("body"))
    repeat = F.col("body").isNotNull() & (F.col("doc") != first)
    docs = docs.select("id", "doc", F.when(repeat, first).alias("duplicate_of"))
    docs = docs.withColumn("active", F.col("duplicate_of").isNull()).persist(StorageLevel.MEMORY_AND_DISK)
    cached.append(docs)
    postings = signatures.mapInArrow(_postings, POSTINGS_SCHEMA).join(docs.filter("active"), "id")
    # Every posting of a key in one task, kept: the keys are counted over
    # it, and then its lists tallied.
    keyed = postings.select("kind", "key", "order", "doc", "keys").repartition("kind", "key")
    keyed = keyed.persist(StorageLevel.MEMORY_AND_DISK)
    cached.append(keyed)
    counted = keyed.mapInArrow(_key_counter(_core.max_postings()), "keys long, pruned long").toArrow()
    keys, pruned = (pc.sum(counted.column(name)).as_py() or 0 for name in ("keys", "pruned"))
    # Then every row of an article in one task, where its partners are ranked.
    shared = keyed.mapInArrow(_key_sharer, SHARED_KEYS_SCHEMA).repartition("doc")
    proposed = shared.mapInArrow(_proposer, PROPOSED_SCHEMA)
    return docs, proposed, keys, pruned


class _Clock:
    def __init__(self):
        self.laps, self._start = [], time.perf_counter()

    def lap(self, step):
        now = time.perf_counter()
        self.laps.append((step, now - self._start))
        self._start = now


#: What the first pass gives per task: the notices of reading (``kind``,
#: ``path``, ``block``, ``line`` in its block, ``reason``, ``count``:
#: ``newsdedup::exchange::notice_schema``), a ``lines`` row
#: per line range (how many lines it has, in ``line``), and one ``counts``
#: row (the line counts of the task's articles, and how many in ``line``).
SURVEY_SCHEMA = "kind string, path string, block long, line long, reason string, count long, counts binary"

#: The ``block`` of a file read whole, whose lines are numbered in full.
_WHOLE = -1


class _Reading:
    """How the input is read: the command line's reading options."""

    def __init__(self, format=None, columns=None, invalid_utf8="lossy", strict=False, dedupe_ids=False):
        self.format, self.columns, self.invalid_utf8 = format, columns, invalid_utf8
        self.strict, self.dedupe_ids = strict, dedupe_ids
        # Options the core refuses fail here, on the driver, not in a task.
        _core.Survey(**self.kernel())

    def kernel(self):
        """The options the core's readers take."""
        return {"columns": self.columns, "invalid_utf8": self.invalid_utf8}


class _Source:
    """The input, read twice: a first pass (:meth:`survey`) gives what
    reading skipped and the line counts of the boilerplate model, a second
    (:meth:`analyzed`) reads the articles again and analyzes them. Nothing
    as large as the texts is cached or moved between the two."""

    def __init__(self, spark, inputs, partitions, reading):
        sized = _expand(spark, inputs)
        self.inputs, self.partitions, self.reading = inputs, partitions, reading
        #: Every input file, as messages name it, in the command line's order.
        self.shown_files = [_shown(uri) for uri, _ in sized]
        by_lines = [(uri, size) for uri, size in sized if _splittable_jsonl(uri, reading.format)]
        whole = [uri for uri, _ in sized if not _splittable_jsonl(uri, reading.format)]
        self._lines = _jsonl_lines(spark, by_lines, partitions) if by_lines else None
        self._files = spark.read.format("binaryFile").load(whole) if whole else None
        #: The first line's number of each line range, less one: ``{(path, block): lines before}``.
        self._starts = {}
        #: The records left out, ``(path, line)``: the repeats of an id, with ``dedupe_ids``.
        self._skip = []

    def survey(self):
        """The first pass: the notices of reading, as ``(kind, path, line,
        message)`` in the command line's order, and the line counts of each
        task's articles. Raises :class:`InputError` when no article can be
        read."""
        parts, reading = [], self.reading
        if self._lines is not None:
            parts.append(self._lines.mapInArrow(_line_surveyor(reading), SURVEY_SCHEMA))
        if self._files is not None:
            parts.append(self._files.mapInArrow(_file_surveyor(reading), SURVEY_SCHEMA))
        rows = (parts[0] if len(parts) == 1 else parts[0].unionByName(parts[1])).toArrow()
        counted = rows.filter(pc.equal(rows.column("kind"), "counts"))
        counts = counted.column("counts").to_pylist()
        articles = pc.sum(counted.column("line")).as_py() or 0
        self._starts = _line_starts(rows.filter(pc.equal(rows.column("kind"), "lines")))
        notices = _core.notices([self._numbered(rows, ["reject", "warning", "time"])], self.shown_files)
        rejected = [(path, line, reason) for kind, path, line, reason in notices if kind == "reject"]
        if reading.strict and rejected:
            raise InputError("{}:{}: {}".format(*rejected[0]))
        if reading.dedupe_ids:
            # The repeats are rejected after what reading skipped, as the command line does.
            repeats = _core.repeated_ids([self._numbered(rows, ["id"])], self.shown_files)
            self._skip = [(path, line) for path, line, _ in repeats]
            notices[len(rejected) : len(rejected)] = [("reject", *repeat) for repeat in repeats]
        if articles == 0:
            rejected = sum(1 for kind, *_ in notices if kind == "reject")
            skipped = f"{rejected} record{'' if rejected == 1 else 's'} skipped" if rejected else "they hold none"
            raise InputError(f"no readable articles in {', '.join(self.inputs)} ({skipped})")
        return notices, counts

    def _numbered(self, rows, kinds):
        """The survey rows of ``kinds`` as a notices table, each line
        numbered in its file: the lines of the ranges before its own added."""
        found = rows.filter(pc.is_in(rows.column("kind"), pa.array(kinds)))
        shift = pa.array([self._starts.get(key, 0) for key in _keys(found)], pa.int64())
        found = found.set_column(3, "line", pc.add(found.column("line"), shift))
        return found.select(["kind", "path", "line", "reason", "count"])

    def analyzed(self, model):
        """The second pass: every article with its analysis
        (:data:`ANALYZED_SCHEMA`), but the repeats that ``dedupe_ids`` left out."""
        parts = []
        if self._lines is not None:
            analyzer = _line_analyzer(model, self._starts, self.reading, self._skip)
            parts.append(self._lines.mapInArrow(analyzer, ANALYZED_SCHEMA))
        if self._files is not None:
            articles = self._files.mapInArrow(_reader(self.reading), ARTICLE_SCHEMA)
            # A file read whole is one task's work: its articles are spread out.
            if articles.rdd.getNumPartitions() < self.partitions:
                articles = articles.repartition(self.partitions)
            parts.append(articles.mapInArrow(_article_analyzer(model, self._skip), ANALYZED_SCHEMA))
        return parts[0] if len(parts) == 1 else parts[0].unionByName(parts[1])


#: A URI's scheme (``hdfs://``, ``s3a://``, ``file:``); a local path has none.
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _copy_out(spark, local, out):
    """Copies the files of the local directory ``local`` into the directory
    ``out`` (a URI) through Spark's Hadoop filesystems, replacing files of
    the same names."""
    jvm = spark.sparkContext._jvm
    Path = jvm.org.apache.hadoop.fs.Path
    target = Path(out)
    fs = target.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    if not fs.mkdirs(target):
        raise OSError(f"{out}: cannot make the directory")
    for name in sorted(os.listdir(local)):
        source = Path(pathlib.Path(local, name).resolve().as_uri())
        fs.copyFromLocalFile(False, True, source, Path(target, name))


def _keys(rows):
    return zip(rows.column("path").to_pylist(), rows.column("block").to_pylist())


def _line_starts(ranges):
    """``{(path, block): lines before the range}`` from each line range's
    count of lines (in ``line``)."""
    starts, before, last = {}, 0, None
    for (path, block), n in sorted(zip(_keys(ranges), ranges.column("line").to_pylist())):
        before = 0 if path != last else before
        starts[(path, block)] = before
        before, last = before + n, path
    return starts


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


def _splittable_jsonl(uri, input_format):
    """Is ``uri`` JSONL that Spark's text source can cut into line ranges
    (plain or gzip; zstd is read whole, by the Rust reader)?"""
    name = uri.lower()
    if name.endswith(".gz"):
        name = name[: -len(".gz")]
    elif input_format == "jsonl" and not name.endswith(".zst"):
        return True
    return input_format in (None, "jsonl") and name.endswith((".jsonl", ".ndjson"))


def _jsonl_lines(spark, sized, partitions):
    """The lines of JSONL files (``[(uri, size)]``) cut into about
    ``partitions`` line ranges, each line with its file and the range's
    start in bytes (``block``): its number in the file is the lines of the
    ranges before, which the first pass counts, plus its place in its range."""
    from pyspark.sql import functions as F

    # As many line ranges as partitions (a multiple of the cores, so no core
    # waits on a last range), and the ranges of a file never tiny.
    files = [uri for uri, _ in sized]
    total = sum(size for _, size in sized)
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(max(-(-total // partitions), 1 << 20)))
    spark.conf.set("spark.sql.files.openCostInBytes", "0")
    return (
        spark.read.option("lineSep", "\n")
        .text(files)
        .select(
            F.input_file_name().alias("path"),
            F.input_file_block_start().alias("block"),
            F.col("value").cast("binary").alias("bytes"),
        )
    )


def _line_ranges(batches, starts):
    """The lines of a task's batches of ``(path, block, bytes)``, as
    ``(path, block, lines)``: ``lines`` a record batch of ``path`` (as
    messages name it), ``line`` and ``bytes`` whose lines are all of one
    range, numbered after the lines before the range in ``starts`` (from 1
    where it has none)."""
    seen = {}
    for batch in batches:
        n = batch.num_rows
        if n == 0:
            continue
        paths, blocks = batch.column("path"), batch.column("block")
        changed = pc.or_(
            pc.not_equal(paths.slice(1), paths.slice(0, n - 1)),
            pc.not_equal(blocks.slice(1), blocks.slice(0, n - 1)),
        )
        cuts = [0, *(np.flatnonzero(changed.to_numpy(zero_copy_only=False)) + 1).tolist(), n]
        shown = pc.replace_substring_regex(paths, _LOCAL_SCHEME, "")
        for begin, end in zip(cuts[:-1], cuts[1:]):
            key = (shown[begin].as_py(), blocks[begin].as_py())
            first = starts.get(key, 0) + seen.get(key, 0)
            seen[key] = seen.get(key, 0) + end - begin
            lines = pa.record_batch(
                [
                    shown.slice(begin, end - begin),
                    pa.array(np.arange(first + 1, first + 1 + end - begin, dtype=np.int64)),
                    batch.column("bytes").slice(begin, end - begin),
                ],
                names=["path", "line", "bytes"],
            )
            yield key[0], key[1], lines


def _line_surveyor(reading):
    """The first pass over a task's JSONL lines (:data:`SURVEY_SCHEMA`; with
    ``dedupe_ids``, also each article's id and place, kind ``id``)."""

    def survey(batches):
        counter, ranges = _core.Survey(**reading.kernel(), places=reading.dedupe_ids), {}
        for path, block, lines in _line_ranges(batches, {}):
            ranges[(path, block)] = ranges.get((path, block), 0) + lines.num_rows
            yield _survey_rows(counter.lines(lines), block)
        if ranges:
            keys = sorted(ranges)
            yield _survey_batch("lines", [p for p, _ in keys], [b for _, b in keys], [ranges[k] for k in keys])
        yield _survey_batch("counts", [None], [None], [counter.articles], [counter.counts()])

    return survey


def _file_surveyor(reading):
    """The first pass over a task's files read whole (as :func:`_line_surveyor`)."""

    def survey(batches):
        counter = _core.Survey(**reading.kernel(), places=reading.dedupe_ids)
        for batch in batches:
            for path, content in zip(batch.column("path").to_pylist(), batch.column("content").to_pylist()):
                yield _survey_rows(counter.file(_shown(path), content, reading.format), _WHOLE)
        yield _survey_batch("counts", [None], [None], [counter.articles], [counter.counts()])

    return survey


def _survey_rows(notices, block):
    """Survey rows of the notices of a line range (an Arrow IPC stream)."""
    table = pa.ipc.open_stream(notices).read_all()
    n = table.num_rows
    return pa.record_batch(
        [
            table.column("kind").combine_chunks(),
            table.column("path").combine_chunks(),
            pa.array(np.full(n, block, dtype=np.int64)),
            table.column("line").combine_chunks(),
            table.column("reason").combine_chunks(),
            table.column("count").combine_chunks(),
            pa.nulls(n, pa.binary()),
        ],
        names=_SURVEY_NAMES,
    )


def _survey_batch(kind, paths, blocks, lines, counts=None):
    n = len(lines)
    return pa.record_batch(
        [
            pa.array([kind] * n, pa.string()),
            pa.array(paths, pa.string()),
            pa.array(blocks, pa.int64()),
            pa.array(lines, pa.int64()),
            pa.nulls(n, pa.string()),
            pa.nulls(n, pa.int64()),
            pa.array(counts, pa.binary()) if counts else pa.nulls(n, pa.binary()),
        ],
        names=_SURVEY_NAMES,
    )


_SURVEY_NAMES = ["kind", "path", "block", "line", "reason", "count", "counts"]


def _line_analyzer(model, starts, reading, skip):
    """The second pass over a task's JSONL lines: their articles, analyzed
    (:data:`ANALYZED_SCHEMA`), but those at the places ``skip``."""

    def analyze(batches):
        analyzer = _core.Analyzer(model, **reading.kernel(), skip=skip)
        for _, _, lines in _line_ranges(batches, starts):
            yield from pa.ipc.open_stream(analyzer.lines(lines))

    return analyze


def _counter(batches):
    """The batch statistics of a task's analyzed articles (they merge in any order)."""
    counter = _core.Statistics()
    for batch in batches:
        counter.add(batch)
    yield pa.record_batch({"stats": pa.array([counter.to_bytes()], pa.binary())})


def _signer(shared_stats, sides=False):
    """Signs a task's analyzed articles with the batch's statistics
    (:data:`SIGNATURE_SCHEMA`; with ``sides``, :data:`SIGNED_SIDES_SCHEMA`)."""

    def sign(batches):
        signer = _core.Signer(shared_stats.value)
        for batch in batches:
            yield from pa.ipc.open_stream(signer.sign(batch, sides))

    return sign


def _postings(batches):
    """The candidate keys of a task's signed articles (:data:`POSTINGS_SCHEMA`)."""
    for batch in batches:
        yield from pa.ipc.open_stream(_core.postings(batch))


def _key_counter(max_postings):
    """The keys of a task's postings (every posting of each key) and the
    lists longer than ``max_postings``, left out."""

    def count(batches):
        batches = list(batches)
        keys = pruned = 0
        if batches:
            lists = pa.Table.from_batches(batches).group_by(["kind", "key"]).aggregate([([], "count_all")])
            keys = lists.num_rows
            pruned = pc.sum(pc.greater(lists.column("count_all"), max_postings)).as_py() or 0
        yield pa.record_batch({"keys": pa.array([keys], pa.int64()), "pruned": pa.array([pruned], pa.int64())})

    return count


def _verifier(batches):
    """The verdicts of a task's candidate pairs, all of whose sides it
    holds (:data:`VERDICTS_SCHEMA`)."""
    yield from pa.ipc.open_stream(_core.verify_pairs(list(batches)))


def _key_sharer(batches):
    """The keys pairs share in a task's posting lists, all of whose postings
    it holds (:data:`SHARED_KEYS_SCHEMA`)."""
    yield from pa.ipc.open_stream(_core.shared_keys(list(batches)))


def _proposer(batches):
    """The pairs proposed from a task's shared keys, all of whose articles'
    rows it holds (:data:`PROPOSED_SCHEMA`)."""
    yield from pa.ipc.open_stream(_core.proposals(list(batches)))


def _article_analyzer(model, skip):
    """The second pass over articles read from whole files
    (:data:`ANALYZED_SCHEMA`), but those at the places ``skip``."""

    def analyze(batches):
        analyzer = _core.Analyzer(model, skip=skip)
        for batch in batches:
            yield from pa.ipc.open_stream(analyzer.articles(batch))

    return analyze


def _reader(options):
    """The articles of a task's files read whole (:data:`ARTICLE_SCHEMA`)."""

    def read(batches):
        for batch in batches:
            for path, content in zip(batch.column("path").to_pylist(), batch.column("content").to_pylist()):
                stream = _core.read_file(_shown(path), content, options.format, **options.kernel())
                reading = pa.ipc.open_stream(stream).read_all()
                articles = reading.filter(pc.is_null(reading.column("kind"))).drop_columns(["kind", "reason"])
                yield from articles.to_batches()

    return read


#: The scheme of a local file's URI (``file:/x`` or ``file:///x``).
_LOCAL_SCHEME = "^file:(//)?"


def _shown(uri):
    """A local file's path without its ``file:`` scheme, as messages name it."""
    return re.sub(_LOCAL_SCHEME, "", uri)


def _check_unique_ids(analyzed, files):
    """Fails on an id that two records carry, naming both places (the
    first in file and line order), as the command line does."""
    counted = pc.value_counts(analyzed.column("id"))
    repeated = counted.filter(pc.greater(counted.field("counts"), 1)).field("values")
    if len(repeated) == 0:
        return
    key = pc.min(repeated).as_py()
    rows = analyzed.filter(pc.equal(analyzed.column("id"), key))
    order = {path: i for i, path in enumerate(files)}
    places = sorted(
        (order.get(path, len(order)), line, path)
        for path, line in zip(rows.column("path").to_pylist(), rows.column("line").to_pylist())
    )
    first, second = (_place(path, line) for _, line, path in places[:2])
    raise InputError(f"duplicate article id {key!r}: first at {first}, again at {second}")


def _place(path, line):
    return path if line == 0 else f"{path}:{line}"


def main(argv=None):
    """``spark-submit spark.py INPUT... --out DIR``: the command line's run on Spark."""
    parser = argparse.ArgumentParser(
        prog="newsdedup-spark",
        description="Groups news articles that tell the same story, on Apache Spark. Reads the "
        "files and directories given (JSONL, JSON, CSV, WARC, Parquet, .txt; local paths or any "
        "URI Spark reads) and writes the command line's outputs into DIR.",
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="files or directories of articles")
    parser.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="directory for the outputs: a local path, or a URI Spark writes to (hdfs://, s3a://, ...)",
    )
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
    parser.add_argument(
        "--handover",
        choices=HANDOVERS,
        default="analyses",
        help="where the driver takes over: analyzed articles (the default; the driver makes the vectors), "
        "signed ones (document frequencies summed on the executors and broadcast, vectors, keys and "
        "sketches made there: less work on the driver, more passes over the data), signed ones with "
        "the candidate pairs the executors proposed by grouping keys in shuffles (pairs), with the "
        "edges and links of the pairs they verified too (edges), or with the families, stories and "
        "roles they decided too, component by component and story by story (roles)",
    )
    parser.add_argument(
        "--columns",
        metavar="MAP",
        help='where fields are read from in CSV, Parquet and JSONL input, as field=column pairs: e.g. "id=guid,text=body" '
        "(fields: id, text, title, url, source, published_at, lang; as the command line's --columns)",
    )
    parser.add_argument(
        "--invalid-utf8",
        choices=["lossy", "reject"],
        default="lossy",
        help='bytes that are not UTF-8: "lossy" replaces them with U+FFFD and warns, "reject" skips the record',
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="stop at the first unreadable record instead of skipping it and listing it in rejects.jsonl",
    )
    parser.add_argument(
        "--dedupe-ids",
        action="store_true",
        help="keep the first record of a repeated id and skip the others "
        "(default: a repeated id is an error naming both places)",
    )
    parser.add_argument(
        "--min-cluster-size",
        type=int,
        default=2,
        metavar="N",
        help="leave stories with fewer articles than this out of clusters.jsonl and report.html "
        "(every article stays in the per-article table; default: 2)",
    )
    parser.add_argument(
        "--edge-budget",
        type=int,
        default=EDGE_BUDGET,
        metavar="N",
        help="with --handover roles: pairs of the verified graph up to which the driver finds its "
        "components with the library's union-find; above, the executors do, in large-star/small-star "
        f"joins (default: {EDGE_BUDGET:,})",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="print the seconds each step took")
    args = parser.parse_args(argv)
    if args.partitions is not None and args.partitions < 1:
        parser.error("--partitions must be at least 1")
    if args.min_cluster_size < 1:
        parser.error("--min-cluster-size must be at least 1")
    if args.edge_budget < 0:
        parser.error("--edge-budget must be at least 0")
    try:
        _Reading(columns=args.columns, invalid_utf8=args.invalid_utf8)
    except ValueError as error:
        parser.error(f"--{error}")

    from pyspark.sql import SparkSession

    started = time.perf_counter()
    spark = SparkSession.builder.appName("newsdedup").getOrCreate()
    if args.verbose:
        print(f"newsdedup: Spark session start: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    try:
        result = run(
            spark,
            args.inputs,
            args.partitions,
            args.input_format,
            args.handover,
            columns=args.columns,
            invalid_utf8=args.invalid_utf8,
            strict=args.strict,
            dedupe_ids=args.dedupe_ids,
            edge_budget=args.edge_budget,
        )
        for path, line, reason in result.rejects:
            print(f"newsdedup: skipped {_place(path, line)}: {reason}", file=sys.stderr)
        for path, line, reason in result.warnings:
            print(f"newsdedup: warning: {_place(path, line)}: {reason}", file=sys.stderr)
        written = time.perf_counter()
        result.write(args.out, args.format, spark, args.min_cluster_size)
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
