from typing import List, Optional, Tuple, Union

import pyarrow as pa

#: A table handed to the core: a pyarrow Table, RecordBatch or
#: RecordBatchReader (through the Arrow C stream interface, without a copy;
#: any object with ``__arrow_c_stream__`` will do), or the bytes of an Arrow
#: IPC stream.
Tables = Union[pa.Table, pa.RecordBatch, pa.RecordBatchReader, bytes]

def run_json(records: List[str]) -> List[str]:
    """Runs the pipeline on JSON article objects; returns articles.jsonl rows as JSON."""
    ...

def is_article_file(name: str) -> bool:
    """Whether a directory walk reads the file `name` as articles."""
    ...

def read_file(
    name: str,
    data: bytes,
    format: Optional[str] = None,
    columns: Optional[str] = None,
    invalid_utf8: Optional[str] = None,
) -> bytes:
    """Reads one input file from its bytes (with the command line's --input-format, --columns and
    --invalid-utf8); an Arrow IPC stream of its articles, then its notices."""
    ...

def boilerplate_model(parts: List[bytes]) -> bytes:
    """The boilerplate model of the line counts of a batch's parts, in any order."""
    ...

class Survey:
    """The first pass over a task's share of the input: notices of reading, and line counts;
    with places, each article's id and place too (kind "id", the id as the reason)."""

    def __init__(self, columns: Optional[str] = None, invalid_utf8: Optional[str] = None, places: bool = False) -> None: ...
    def lines(self, lines: Tables) -> bytes:
        """Reads JSONL lines (a table of path, line, bytes); the notices of reading them (an Arrow IPC stream)."""
        ...
    def file(self, name: str, data: bytes, format: Optional[str] = None) -> bytes:
        """Reads one whole input file from its bytes; the notices of reading it."""
        ...
    @property
    def articles(self) -> int:
        """Articles read so far."""
        ...
    def counts(self) -> bytes:
        """The line counts of every article read so far; they merge in any order."""
        ...

class Analyzer:
    """Analyzes articles with a batch's boilerplate model (boilerplate_model's bytes), leaving out
    the records at the places skip, (path, line)."""

    def __init__(
        self,
        model: bytes,
        columns: Optional[str] = None,
        invalid_utf8: Optional[str] = None,
        skip: List[Tuple[str, int]] = ...,
    ) -> None: ...
    def articles(self, articles: Tables) -> bytes:
        """The articles (an Arrow IPC stream) with their analyses, as an Arrow IPC stream."""
        ...
    def lines(self, lines: Tables) -> bytes:
        """Reads JSONL lines (path, line, bytes) and analyzes their articles."""
        ...

class Statistics:
    """Counts the batch statistics (document frequencies) of a task's analyzed articles."""

    def __init__(self) -> None: ...
    def add(self, analyzed: Tables) -> None:
        """Counts analyzed articles (an Arrow IPC stream of an analyzed articles table)."""
        ...
    def to_bytes(self) -> bytes:
        """The counts so far; they merge in any order (merge_statistics)."""
        ...

def merge_statistics(parts: List[bytes]) -> bytes:
    """The statistics of a batch from those of its parts, in any order."""
    ...

class Signer:
    """Signs analyzed articles with the statistics of their whole batch (merge_statistics' bytes)."""

    def __init__(self, stats: bytes) -> None: ...
    def sign(self, analyzed: Tables, sides: bool = False) -> bytes:
        """The signatures table (id, signature) of analyzed articles, as an Arrow IPC stream; with
        `sides`, also what verification reads of each (side)."""
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

def run_analyzed(analyzed: List[Tables], model: bytes) -> Run:
    """Runs the stages after analysis from analyzed articles tables (Arrow IPC streams)."""
    ...

def notices(parts: List[Tables], files: List[str]) -> List[Tuple[str, str, int, str]]:
    """The notices of reading a batch in parts, as (kind, path, line, message), in the command line's order."""
    ...

def repeated_ids(places: List[Tables], files: List[str]) -> List[Tuple[str, int, str]]:
    """The records --dedupe-ids skips, as (path, line, reason): every record of an id after the
    first read (places from Survey with places=True, read in the order of files)."""
    ...

def run_signed(articles: List[Tables], signatures: List[Tables], model: bytes, stats: bytes) -> Run:
    """Runs the stages after vectorize from analyzed articles tables and their signatures tables."""
    ...

def run_candidates(
    articles: List[Tables],
    signatures: List[Tables],
    model: bytes,
    stats: bytes,
    numbers: List[Tables],
    keys: int,
    pruned_keys: int,
    pairs: Optional[List[Tables]] = None,
    verdicts: Optional[List[Tables]] = None,
) -> Run:
    """run_signed with what an engine made of the candidate stage: `numbers` are tables numbering every
    article in id order (`doc`); either `pairs`, proposed pairs tables (a, b, by_terms, wording_shared)
    for the driver to verify, or `verdicts`, tables of (a, b, edge, cosine, a_in_b, b_in_a, link), a
    row per candidate pair verified."""
    ...

def components(pairs: List[Tables]) -> bytes:
    """The components of several articles of the graph of the pairs (a, b: articles by place), by
    the library's union-find: a components table (doc, component: its smallest member) as an Arrow
    IPC stream."""
    ...

def group_components(rows: List[Tables]) -> bytes:
    """Families and stories of components of the verified graph, from component rows (each a member:
    component, doc, id, analyzed_lang, term_count, text_bytes, duplicate_of; or a verdict of one of
    its pairs, with component), holding every member of each component and its pairs' verdicts. A
    component groups table (id, doc, story, family, alone, several, counts) as an Arrow IPC stream."""
    ...

def finish_apart(
    articles: List[Tables],
    model: bytes,
    stats: bytes,
    keys: int,
    pruned_keys: int,
    pairs: int,
    groups: List[Tables],
    decided: List[Tables],
) -> Run:
    """Finishes the run of a batch grouped component by component (groups: every member of every
    component of several articles once) whose stories' roles were decided apart (decided: every
    story of several articles once)."""
    ...

def decide_stories(rows: List[Tables]) -> bytes:
    """The roles of stories of several articles, from rows holding every member of each: the
    component groups' columns, the analyzed articles' columns but the terms, and signature and side
    (Signer.sign with sides). A decided roles table (doc, assignment, source, credit) as an Arrow
    IPC stream."""
    ...

def verify_pairs(rows: List[Tables]) -> bytes:
    """The verdicts table of rows that are each a proposed pair (a, b, by_terms, wording_shared) or an
    article's side (doc, side), holding every pair once and the sides of their articles."""
    ...

def postings(signatures: Tables) -> bytes:
    """The postings table (kind, key, order, id, keys) of a signatures table, as an Arrow IPC stream."""
    ...

def shared_keys(postings: List[Tables]) -> bytes:
    """The shared keys table (kind, doc, other, shared, doc_keys, other_keys) of numbered postings tables
    (kind, key, order, doc, keys) that hold every posting of each of their keys."""
    ...

def proposals(shared: List[Tables]) -> bytes:
    """The proposed pairs table (a, b, by_terms, wording_shared) of shared keys tables that hold every
    row of each of their articles."""
    ...

def max_postings() -> int:
    """The longest posting list that is tallied."""
    ...

def write_rejects_file(path: str, rejects: List[Tuple[str, int, str]]) -> None:
    """Writes rejected records, (path, line, reason), to `path` as rejects.jsonl (no file when there are none)."""
    ...
