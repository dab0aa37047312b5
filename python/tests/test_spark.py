"""The Spark job against the command line: the same rows on the seeds and
on the labelled sets, with 1, 2 and 7 partitions, on a local master."""

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEEDS = ROOT / "data" / "seeds"
EVAL = ROOT.parent / "shared" / "eval"
BINARY = ROOT / "target" / "release" / "newsdedup"
# The fields of the parity target, and every other field of the rows too.
KEY = ("id", "family", "cluster", "role", "derived_from")


def need(condition, why):
    """Skips a test that cannot run here; under CI, where .ci/run installs
    what the tests need, fails instead."""
    if not condition:
        if os.environ.get("CI") == "true":
            pytest.fail(why)
        pytest.skip(why)


@pytest.fixture(scope="module")
def spark():
    need(shutil.which("java"), "Spark needs a Java runtime on PATH (apt-get install openjdk-17-jre-headless)")
    os.environ.setdefault("SPARK_CONF_DIR", str(ROOT / "python" / "spark-conf"))
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # The workers run this interpreter, which has the package and pyarrow.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("newsdedup-tests")
        .config("spark.ui.enabled", "false")
        # One session runs every test: the status store keeps what it
        # retains of each job and query (plans included) for the session's
        # life, which by default outgrows the default heap of a long run.
        .config("spark.sql.ui.retainedExecutions", "50")
        .config("spark.ui.retainedJobs", "100")
        .config("spark.ui.retainedStages", "100")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    yield session
    session.stop()


def cli_rows(inputs, out):
    need(BINARY.exists(), f"{BINARY} is missing (cargo build --release)")
    subprocess.run([str(BINARY), "run", *map(str, inputs), "--out", str(out), "-q"], check=True)
    return (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()


def labelled_set(name):
    path = EVAL / name / "articles.jsonl"
    need(path.exists(), f"{path} is missing (../shared beside the repository)")
    return path


def parity_sets(sets=("seeds", "ecbplus", "ntrex-rewrites", "ntrex-crosslingual")):
    """The sets a parity test runs: by default the seeds and four labelled
    sets (one over 2,048 articles); with NEWSDEDUP_ALL_SETS=1 every labelled
    set, each language of ntrex-syndication apart (scripts/spark_parity.sh)."""
    sets = list(sets)
    if os.environ.get("NEWSDEDUP_ALL_SETS") == "1":
        sets = ["seeds", "ecbplus", "ntrex-rewrites", "ntrex-crosslingual"]
        sets += sorted(f"ntrex-syndication/{p.name}" for p in (EVAL / "ntrex-syndication").iterdir() if p.is_dir())
    return sets


@pytest.mark.parametrize("inputs", parity_sets())
def test_spark_gives_the_command_line_rows(spark, tmp_path, inputs):
    from newsdedup.spark import run

    files = [SEEDS] if inputs == "seeds" else [labelled_set(inputs)]
    expected = cli_rows(files, tmp_path / "cli")
    for partitions in (1, 2, 7):
        rows = run(spark, [str(f) for f in files], partitions=partitions).records()
        assert len(rows) == len(expected), f"{partitions} partitions"
        key = lambda row: tuple(json.loads(row).get(k) for k in KEY)  # noqa: E731
        assert [key(r) for r in rows] == [key(r) for r in expected], f"{partitions} partitions"
        assert rows == expected, f"{partitions} partitions: a field besides {KEY} differs"


@pytest.mark.parametrize("inputs", parity_sets(["seeds", "ntrex-crosslingual"]))
@pytest.mark.parametrize("handover", ["signatures", "pairs", "edges", "roles"])
def test_signed_on_the_executors_gives_the_command_line_rows(spark, tmp_path, inputs, handover):
    """Signed on the executors, with ``pairs`` the candidate pairs proposed
    there by grouping keys in shuffles, and with ``edges`` verified there."""
    from newsdedup.spark import run

    files = [SEEDS] if inputs == "seeds" else [labelled_set(inputs)]
    expected = cli_rows(files, tmp_path / "cli")
    for partitions in (1, 2, 7):
        rows = run(spark, [str(f) for f in files], partitions=partitions, handover=handover).records()
        assert rows == expected, f"{partitions} partitions"


@pytest.mark.parametrize("inputs", parity_sets(["seeds", "ntrex-crosslingual"]))
def test_components_joined_on_the_executors_give_the_command_line_rows(spark, tmp_path, inputs):
    """With no edge budget, the components of the verified graph are found
    in large-star/small-star joins rather than by the driver's union-find."""
    from newsdedup.spark import run

    files = [SEEDS] if inputs == "seeds" else [labelled_set(inputs)]
    expected = cli_rows(files, tmp_path / "cli")
    for partitions in (1, 2, 7):
        rows = run(spark, [str(f) for f in files], partitions=partitions, handover="roles", edge_budget=0).records()
        assert rows == expected, f"{partitions} partitions"


@pytest.mark.parametrize("handover", ["analyses", "roles"])
def test_rejected_records_are_counted_and_written(spark, tmp_path, handover):
    from newsdedup.spark import run

    broken = ROOT / "data" / "examples" / "feed-broken.jsonl"
    result = run(spark, [str(broken)], partitions=2, handover=handover)
    cli_rows([broken], tmp_path / "cli")
    expected = [json.loads(line) for line in (tmp_path / "cli" / "rejects.jsonl").read_text().splitlines()]
    assert [(line, reason) for _, line, reason in result.rejects] == [(r["line"], r["reason"]) for r in expected]
    result.write(str(tmp_path / "spark"))
    written = [json.loads(line) for line in (tmp_path / "spark" / "rejects.jsonl").read_text().splitlines()]
    assert [(r["line"], r["reason"]) for r in written] == [(r["line"], r["reason"]) for r in expected]
    assert len(result) == len((tmp_path / "cli" / "articles.jsonl").read_text().splitlines())


def test_warnings_of_a_file_cut_into_ranges_are_the_command_lines(spark, tmp_path):
    from newsdedup.spark import run

    # About 4 MB, so that each of 3 partitions reads a line range of its own;
    # publication times that are not dates in every range.
    feed = tmp_path / "feed.jsonl"
    with feed.open("w", encoding="utf-8") as out:
        for i in range(3000):
            when = "2025-01-02" if i % 7 else f"day {i}"
            out.write(json.dumps({"id": f"a{i:05d}", "text": f"story {i} " * 150, "published_at": when}) + "\n")
    need(BINARY.exists(), f"{BINARY} is missing (cargo build --release)")
    done = subprocess.run(
        [str(BINARY), "run", str(feed), "--out", str(tmp_path / "cli"), "-q"], capture_output=True, text=True, check=True
    )
    expected = [line for line in done.stderr.splitlines() if line.startswith("newsdedup: warning: ")]
    assert len(expected) == 1 and "429 publication times" in expected[0], expected
    result = run(spark, [str(feed)], partitions=3)
    assert [f"newsdedup: warning: {path}:{line}: {message}" for path, line, message in result.warnings] == expected


def reading_options_feed(tmp_path):
    """A JSONL file of about 4 MB (a line range per partition) and a CSV
    file, their fields under names no alias covers, with repeated ids (in
    one range, across ranges, across files), a line that is not UTF-8, and
    one that is not JSON."""
    feed, table = tmp_path / "feed.jsonl", tmp_path / "more.csv"
    lines = []
    for i in range(3000):
        key = f"a{i % 2900:05d}"  # the last 100 repeat ids from the first ranges
        lines.append(json.dumps({"key": key, "story_body": f"report {i} on {i % 40} " * 120}).encode())
    lines[10] = b'{"key": "bad-utf8", "story_body": "caf\xe9 ' + b"x " * 50 + b'"}'
    lines[20] = b'{"key": "broken", '
    lines[30] = lines[31]  # a repeat inside one range
    feed.write_bytes(b"\n".join(lines) + b"\n")
    table.write_text("key,story_body\na00005,seen before in feed.jsonl\nc00001,a story of its own told here\n")
    return [feed, table]


@pytest.mark.parametrize("handover", ["analyses", "roles"])
def test_reading_options_are_the_command_lines(spark, tmp_path, handover):
    from newsdedup.spark import run

    inputs = reading_options_feed(tmp_path)
    options = ["--columns", "id=key,text=story_body", "--dedupe-ids", "--invalid-utf8", "reject"]
    need(BINARY.exists(), f"{BINARY} is missing (cargo build --release)")
    cli = [str(BINARY), "run", *map(str, inputs), "--out", str(tmp_path / "cli"), "-q", "--min-cluster-size", "3"]
    subprocess.run([*cli, *options], check=True)
    result = run(
        spark,
        [str(f) for f in inputs],
        partitions=3,
        handover=handover,
        columns="id=key,text=story_body",
        invalid_utf8="reject",
        dedupe_ids=True,
    )
    result.write(str(tmp_path / "spark"), min_cluster_size=3)
    for name in ("articles.jsonl", "clusters.jsonl", "rejects.jsonl"):
        expected = (tmp_path / "cli" / name).read_text(encoding="utf-8")
        assert (tmp_path / "spark" / name).read_text(encoding="utf-8") == expected, name
    rejects = [json.loads(line)["reason"] for line in (tmp_path / "cli" / "rejects.jsonl").read_text().splitlines()]
    # 100 ids read again at the end, less the three whose first line is gone
    # (not UTF-8, not JSON, overwritten), plus the one repeated inside a
    # range and the one the CSV file repeats; and the two unreadable lines.
    assert sum("duplicate id" in r for r in rejects) == 99 and len(rejects) == 101, rejects[:3]


def test_strict_stops_at_the_first_unreadable_record_as_the_command_line(spark, tmp_path):
    from newsdedup.spark import InputError, run

    inputs = reading_options_feed(tmp_path)
    need(BINARY.exists(), f"{BINARY} is missing (cargo build --release)")
    done = subprocess.run(
        [str(BINARY), "run", *map(str, inputs), "--out", str(tmp_path / "cli"), "--strict", "--columns", "id=key,text=story_body"],
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    with pytest.raises(InputError) as error:
        run(spark, [str(f) for f in inputs], partitions=3, columns="id=key,text=story_body", strict=True)
    assert f"newsdedup: {error.value}" == done.stderr.strip().splitlines()[-1]
    with pytest.raises(ValueError, match="unknown field"):
        run(spark, [str(f) for f in inputs], columns="identifier=key")


def test_the_outputs_go_to_a_uri_through_spark(spark, tmp_path):
    from newsdedup.spark import run

    broken = ROOT / "data" / "examples" / "feed-broken.jsonl"
    result = run(spark, [str(broken)], partitions=2)
    result.write(str(tmp_path / "local"))
    result.write((tmp_path / "remote" / "out").as_uri(), spark=spark)
    local = sorted(p.name for p in (tmp_path / "local").iterdir())
    assert local == ["articles.jsonl", "clusters.jsonl", "rejects.jsonl", "report.html"]
    for name in local:
        assert (tmp_path / "remote" / "out" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    assert sorted(p.name for p in (tmp_path / "remote" / "out").iterdir()) == local, "no side files"
    with pytest.raises(ValueError, match="needs the Spark session"):
        result.write((tmp_path / "other").as_uri())


@pytest.mark.parametrize("handover", ["analyses", "edges"])
def test_a_repeated_id_names_both_places(spark, tmp_path, handover):
    from newsdedup.spark import InputError, run

    (tmp_path / "a.jsonl").write_text('{"id": "x", "text": "one text"}\n{"id": "y", "text": "two"}\n')
    (tmp_path / "b.jsonl").write_text('{"id": "z", "text": "three"}\n{"id": "x", "text": "four"}\n')
    with pytest.raises(InputError, match=r"duplicate article id 'x': first at .*a\.jsonl:1, again at .*b\.jsonl:2"):
        run(spark, [str(tmp_path)], partitions=2, handover=handover)


def test_missing_and_empty_inputs_are_errors(spark, tmp_path):
    from newsdedup.spark import InputError, run

    with pytest.raises(InputError, match="no such file or directory"):
        run(spark, [str(tmp_path / "absent.jsonl")])
    (tmp_path / "notes.md").write_text("not articles")
    with pytest.raises(InputError, match="holds no article files"):
        run(spark, [str(tmp_path)])
    (tmp_path / "bad.jsonl").write_text("{not json\n")
    with pytest.raises(InputError, match=r"no readable articles .*\(1 record skipped\)"):
        run(spark, [str(tmp_path / "bad.jsonl")])


def test_the_command_writes_the_command_line_files(tmp_path):
    need(shutil.which("java"), "Spark needs a Java runtime on PATH")
    expected = cli_rows([SEEDS], tmp_path / "cli")
    out = tmp_path / "spark"
    done = subprocess.run(
        [str(ROOT / "scripts" / "spark.sh"), str(SEEDS), "--out", str(out), "--partitions", "3"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert (out / "articles.jsonl").read_text(encoding="utf-8").splitlines() == expected
    for name in ("clusters.jsonl", "report.html"):
        assert (out / name).exists(), name
    assert (out / "clusters.jsonl").read_text() == (tmp_path / "cli" / "clusters.jsonl").read_text()
