from typing import List

def run_json(records: List[str]) -> List[str]:
    """Runs the pipeline on JSON article objects; returns articles.jsonl rows as JSON."""
    ...
