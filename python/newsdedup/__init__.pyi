from typing import Any, Dict, List, TypeVar

Records = TypeVar("Records")

def run(records: Records) -> Records:
    """Runs newsdedup on articles (a list of dicts, a pandas DataFrame or a
    pyarrow Table) and returns the rows of ``articles.jsonl`` in the same form."""
    ...
