"""The Python package against the Rust binary's own output."""

import json
import os
import pathlib
import subprocess

import pytest

import newsdedup

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEEDS = ROOT / "data" / "seeds"


def seed_records():
    return [{"id": p.stem, "text": p.read_text(encoding="utf-8")} for p in sorted(SEEDS.glob("*.txt"))]


def test_seeds_keep_their_gold():
    rows = newsdedup.run(seed_records())
    assert [r["id"] for r in rows] == sorted(r["id"] for r in seed_records())
    by_id = {r["id"]: r for r in rows}
    story = {by_id[i]["cluster"] for i in ("000_5f97ec60a494b16d", "001_d7953fad1e213ce3", "002_016c80076eb90be0")}
    assert len(story) == 1
    assert by_id["002_016c80076eb90be0"]["role"] == "canonical"
    assert by_id["003_1ce87198c77fd6fd"]["role"] == "unique"
    assert by_id["004_afea1828c0acbd92"]["cluster"] not in story


def test_rows_are_the_cli_rows(tmp_path):
    feed = tmp_path / "feed.jsonl"
    records = [json.loads(line) for line in (ROOT / "data" / "examples" / "feed.jsonl").read_text().splitlines()]
    feed.write_text("".join(json.dumps(r) + "\n" for r in records))
    binary = ROOT / "target" / "release" / "newsdedup"
    if not binary.exists():
        # Under CI (scripts/python_test.sh builds it) a missing binary is a failure, not a skip.
        if os.environ.get("CI") == "true":
            pytest.fail(f"{binary} is missing")
        pytest.skip("build the binary first (cargo build --release)")
    out = subprocess.run([str(binary), "run", str(feed), "--out", "-", "-q"], check=True, capture_output=True, text=True)
    cli = [json.loads(line) for line in out.stdout.splitlines()]
    assert newsdedup.run(records) == cli


def test_a_bad_record_names_its_position():
    with pytest.raises(ValueError, match="record 1: .*missing field \"text\""):
        newsdedup.run([{"id": "a", "text": "one"}, {"id": "b"}])


def test_pandas_and_pyarrow_come_back_in_kind():
    records = seed_records()
    # pandas and pyarrow are pinned in python/requirements.txt; a missing one fails under CI.
    if os.environ.get("CI") == "true":
        import pandas, pyarrow  # noqa: E401,F401
    pandas = pytest.importorskip("pandas")
    frame = newsdedup.run(pandas.DataFrame(records))
    assert isinstance(frame, pandas.DataFrame) and len(frame) == 5 and "family" in frame.columns
    # An empty cell is an absent field.
    with_gaps = pandas.DataFrame([dict(r, title=None) if i % 2 else dict(r, title="T") for i, r in enumerate(records)])
    assert len(newsdedup.run(with_gaps)) == 5
    pyarrow = pytest.importorskip("pyarrow")
    table = newsdedup.run(pyarrow.Table.from_pylist(records))
    assert isinstance(table, pyarrow.Table) and table.num_rows == 5


def test_tables_cross_as_arrow_streams_or_ipc_bytes():
    """The core takes a table through the Arrow C stream interface (no copy)
    or as Arrow IPC bytes, alike; anything else is a TypeError."""
    import pyarrow as pa

    from newsdedup import _core

    lines = [json.dumps({"id": r["id"], "text": r["text"]}).encode() for r in seed_records()]
    lines.append(b'{"id": "broken", "text": ')
    table = pa.table({"path": ["feed.jsonl"] * len(lines), "line": list(range(1, len(lines) + 1)), "bytes": lines})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    ipc = sink.getvalue().to_pybytes()

    def notices(data):
        survey = _core.Survey()
        read = pa.ipc.open_stream(survey.lines(data)).read_all()
        return survey.articles, read.to_pylist()

    by_stream = notices(table)
    assert by_stream == notices(ipc) == notices(table.to_batches()[0])
    assert by_stream[0] == len(lines) - 1
    assert [(n["kind"], n["line"]) for n in by_stream[1]] == [("reject", len(lines))]
    with pytest.raises(TypeError, match="expected an Arrow table"):
        _core.Survey().lines(42)
