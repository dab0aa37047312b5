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

def line_counts(articles: bytes) -> bytes:
    """The line counts of one chunk of articles (an Arrow IPC stream), in id order."""
    ...

def boilerplate_model(chunks: List[bytes]) -> bytes:
    """The boilerplate model of consecutive chunks' line counts, merged in order."""
    ...

def analyze(articles: bytes, model: bytes) -> bytes:
    """Each article's analysis (an Arrow IPC stream), with the batch's boilerplate model."""
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

def run_analyzed(articles: List[bytes], analyses: List[bytes], model: bytes) -> Run:
    """Runs the stages after analysis from articles and their analyses (Arrow IPC streams)."""
    ...

def write_rejects_file(path: str, notices: List[bytes]) -> int:
    """Writes the rejected records of notices tables to `path`; returns how many."""
    ...
