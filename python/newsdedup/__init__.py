"""newsdedup for Python: groups news articles that tell the same story and
marks the canonical source, its copies and the independent reports.

The work is done by the Rust library (``newsdedup._core``); this module only
converts between Python's tables and JSON records.
"""

import json

from . import _core

__all__ = ["run"]


def run(records):
    """Runs newsdedup on articles and returns the rows of ``articles.jsonl``.

    ``records`` is a list of dicts (``id``, ``text``, and optionally
    ``title``, ``url``, ``source``, ``published_at``, ``lang``), a pandas
    DataFrame or a pyarrow Table with those columns. The rows come back in
    the same form, one per article, sorted by id. A record that cannot be
    read raises ``ValueError``.
    """
    kind = type(records).__module__.split(".")[0]
    if kind == "pandas":
        rows = _run_dicts(records.to_dict("records"))
        import pandas

        return pandas.DataFrame(rows)
    if kind == "pyarrow":
        rows = _run_dicts(records.to_pylist())
        import pyarrow

        return pyarrow.Table.from_pylist(rows)
    return _run_dicts(list(records))


def _run_dicts(records):
    lines = [json.dumps(_present(record), default=str) for record in records]
    return [json.loads(row) for row in _core.run_json(lines)]


def _present(record):
    """The record without its missing values (None, NaN, pandas.NA): a
    table's empty cell is an absent field, not the text "nan"."""
    out = {}
    for key, value in record.items():
        try:
            if value is None or value != value:
                continue
        except TypeError:  # pandas.NA has no truth value
            continue
        out[key] = value
    return out
