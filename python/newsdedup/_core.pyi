from typing import List, Optional

def run_json(records: List[str]) -> List[str]:
    """Runs the pipeline on JSON article objects; returns articles.jsonl rows as JSON."""
    ...

def is_article_file(name: str) -> bool:
    """Whether a directory walk reads the file `name` as articles."""
    ...

def read_file(name: str, data: bytes, format: Optional[str] = None) -> bytes:
    """Reads one input file from its bytes; an Arrow IPC stream of its articles, then its notices."""
    ...

def read_lines(lines: bytes) -> bytes:
    """Reads JSONL lines (an Arrow IPC stream of path, line, bytes); the reading table, as read_file gives."""
    ...

def line_counts(articles: bytes) -> bytes:
    """The line counts of some articles of a batch (an Arrow IPC stream); they merge in any order."""
    ...

def boilerplate_model(parts: List[bytes]) -> bytes:
    """The boilerplate model of the line counts of a batch's parts, in any order."""
    ...

def analyze(articles: bytes, model: bytes) -> bytes:
    """The articles with their analyses (an Arrow IPC stream), with the batch's boilerplate model."""
    ...

class Run:
    """A finished run, ready to be written."""

    def write(self, out: str, format: str = "jsonl", min_cluster_size: int = 2) -> None:
        """Writes articles.<format>, clusters.jsonl and report.html into `out`."""
        ...
    def records(self) -> List[str]:
        """The rows of articles.jsonl, as JSON objects, in id order."""
        ...
    def __len__(self) -> int: ...

def run_analyzed(analyzed: List[bytes], model: bytes) -> Run:
    """Runs the stages after analysis from analyzed articles tables (Arrow IPC streams)."""
    ...

def write_rejects_file(path: str, notices: List[bytes]) -> int:
    """Writes the rejected records of notices tables to `path`; returns how many."""
    ...
