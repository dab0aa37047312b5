//! `newsdedup._core`: the Rust library's functions for Python, with the GIL
//! released while they work. Two kinds:
//!
//! - `run_json` runs the whole pipeline on JSON records, in the schema of
//!   `articles.jsonl` (the package's `newsdedup.run` adapts lists of dicts,
//!   pandas and pyarrow);
//! - the stages apart, for an engine that runs them on many machines
//!   (`newsdedup.spark`): tables cross in the schemas of
//!   `newsdedup::exchange`, in (pyarrow tables and batches, through the
//!   Arrow C stream interface without a copy, or Arrow IPC streams) and out
//!   (Arrow IPC streams); batch statistics cross as bytes.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use arrow_array::ffi_stream::{ArrowArrayStreamReader, FFI_ArrowArrayStream};
use newsdedup::candidates::CandidateStats;
use newsdedup::clean::{BoilerplateModel, LineStats};
use newsdedup::columns::Columns;
use newsdedup::exchange;
use newsdedup::grouping;
use newsdedup::ingest::{
    article_from_json, read_file_bytes, IngestOptions, Ingested, InputFormat, InvalidUtf8, Reject, UnparsedTimes,
};
use newsdedup::key_groups::{self, Candidates, Posting, Proposed, Verified};
use newsdedup::output::{article_records, write_dir, write_rejects, OutputOptions, TableFormat};
use newsdedup::pipeline::{boilerplate_of, line_stats, Analyzed, GroupedApart};
use newsdedup::signature::{BatchStats, Signature};
use newsdedup::{Article, Pipeline, PipelineParams, RunResult};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyCapsule};

/// Any error of the library, as Python's `ValueError`.
fn value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

fn pipeline() -> PyResult<Pipeline> {
    Ok(Pipeline::new(PipelineParams::new().check().map_err(value_error)?))
}

/// Arrow tables handed over from Python: each an object with the Arrow C
/// stream interface (`__arrow_c_stream__`: a pyarrow `Table`,
/// `RecordBatch` or `RecordBatchReader`), taken without a copy, or the
/// bytes of an Arrow IPC stream. Taken with the GIL held, read without it.
struct Tables<'a> {
    parts: Vec<Part<'a>>,
}

enum Part<'a> {
    Batches(Vec<exchange::RecordBatch>),
    Ipc(&'a [u8]),
}

impl<'a> Tables<'a> {
    /// The tables of `objects` (bytes are borrowed, not copied).
    fn of(objects: &'a [Bound<'_, PyAny>]) -> PyResult<Tables<'a>> {
        let parts = objects.iter().map(Part::of).collect::<PyResult<_>>()?;
        Ok(Tables { parts })
    }

    /// Every batch, in order.
    fn batches(&self) -> newsdedup::Result<Vec<exchange::RecordBatch>> {
        let mut batches = Vec::new();
        self.for_each(|batch| {
            batches.push(batch.clone());
            Ok(())
        })?;
        Ok(batches)
    }

    /// Calls `f` on every batch, in order.
    fn for_each(&self, mut f: impl FnMut(&exchange::RecordBatch) -> newsdedup::Result<()>) -> newsdedup::Result<()> {
        for part in &self.parts {
            match part {
                Part::Batches(batches) => batches.iter().try_for_each(&mut f)?,
                Part::Ipc(stream) => exchange::read_ipc(stream)?.iter().try_for_each(&mut f)?,
            }
        }
        Ok(())
    }

    /// The rows of every batch, each batch read with `read`.
    fn rows<T>(&self, read: fn(&exchange::RecordBatch) -> newsdedup::Result<Vec<T>>) -> newsdedup::Result<Vec<T>> {
        let mut rows = Vec::new();
        self.for_each(|batch| {
            rows.extend(read(batch)?);
            Ok(())
        })?;
        Ok(rows)
    }
}

impl<'a> Part<'a> {
    fn of(object: &'a Bound<'_, PyAny>) -> PyResult<Part<'a>> {
        if let Ok(bytes) = object.downcast::<PyBytes>() {
            return Ok(Part::Ipc(bytes.as_bytes()));
        }
        if !object.hasattr("__arrow_c_stream__")? {
            let kind = object.get_type().name()?;
            return Err(PyTypeError::new_err(format!(
                "expected an Arrow table (a pyarrow Table or RecordBatch) or Arrow IPC bytes, not {kind}"
            )));
        }
        let capsule = object.call_method0("__arrow_c_stream__")?;
        let capsule = capsule.downcast::<PyCapsule>()?;
        if capsule.name()? != Some(c"arrow_array_stream") {
            return Err(PyTypeError::new_err("__arrow_c_stream__ gave a capsule that is not an Arrow array stream"));
        }
        let stream = capsule.pointer().cast::<FFI_ArrowArrayStream>();
        // SAFETY: the capsule holds an ArrowArrayStream (the Arrow PyCapsule
        // interface, its name checked above); `from_raw` moves the stream out
        // and leaves a released one, which the capsule's destructor skips.
        let reader = unsafe { ArrowArrayStreamReader::from_raw(stream) }.map_err(value_error)?;
        Ok(Part::Batches(reader.collect::<Result<_, _>>().map_err(value_error)?))
    }
}

/// The articles of articles tables.
fn articles_of(tables: &Tables) -> newsdedup::Result<Vec<Article>> {
    tables.rows(exchange::articles_from_batch)
}

/// The articles and the facts of their analyses of analyzed articles
/// tables (whose terms may be left out).
fn facts_of(tables: &Tables) -> newsdedup::Result<(Vec<Article>, Vec<Analyzed>)> {
    let (mut read, mut analyzed) = (Vec::new(), Vec::new());
    tables.for_each(|batch| {
        let (these, facts) = exchange::facts_table_from_batch(batch)?;
        read.extend(these);
        analyzed.extend(facts);
        Ok(())
    })?;
    Ok((read, analyzed))
}

/// The bytes of each of `objects`, borrowed (no copy).
fn bytes_of<'a>(objects: &'a [Bound<'_, PyBytes>]) -> Vec<&'a [u8]> {
    objects.iter().map(|b| b.as_bytes()).collect()
}

/// Runs the pipeline with default parameters on articles given as JSON
/// objects (`id`, `text`, and optionally `title`, `url`, `source`,
/// `published_at`, `lang`, or their aliases) and returns the rows of
/// `articles.jsonl`, as JSON objects, in id order. A record that cannot be
/// read raises `ValueError` naming its position and what is wrong.
#[pyfunction]
fn run_json(py: Python<'_>, records: Vec<String>) -> PyResult<Vec<String>> {
    let pipeline = pipeline()?;
    py.allow_threads(|| {
        let keys = Columns::default().keys();
        let articles = records
            .iter()
            .enumerate()
            .map(|(i, json)| article_from_json(json, &keys).map_err(|e| format!("record {i}: {e}")))
            .collect::<Result<Vec<_>, String>>()?;
        let result = pipeline.run(articles).map_err(|e| e.to_string())?;
        article_records(&result)
            .iter()
            .map(|r| serde_json::to_string(r).map_err(|e| e.to_string()))
            .collect::<Result<Vec<String>, String>>()
    })
    .map_err(PyValueError::new_err)
}

/// Whether a directory walk reads the file `name` as articles (a known
/// extension, and not `labels.jsonl`).
#[pyfunction]
fn is_article_file(name: &str) -> bool {
    newsdedup::ingest::is_article_file(Path::new(name))
}

/// Reads one input file from its bytes: `name` tells its format (or
/// `format` names it: txt, jsonl, json, csv, warc, parquet). Returns an
/// Arrow IPC stream of the reading table: articles, then the rejected
/// records and warnings with their reasons. A file that cannot be read at
/// all raises `ValueError`.
#[pyfunction]
#[pyo3(signature = (name, data, format=None, columns=None, invalid_utf8=None))]
fn read_file<'py>(
    py: Python<'py>,
    name: &str,
    data: &[u8],
    format: Option<&str>,
    columns: Option<&str>,
    invalid_utf8: Option<&str>,
) -> PyResult<Bound<'py, PyBytes>> {
    let options = ingest_options(format, columns, invalid_utf8)?;
    let stream = py
        .allow_threads(|| {
            exchange::write_ipc(&exchange::read_to_batch(&read_file_bytes(name, data.to_vec(), &options)?)?)
        })
        .map_err(value_error)?;
    Ok(PyBytes::new(py, &stream))
}

/// What reading the JSONL lines of tables of `path`, `line`, `bytes` gives.
fn read_line_table(lines: &Tables, options: &IngestOptions) -> newsdedup::Result<Ingested> {
    let mut read = Ingested::default();
    lines.for_each(|batch| {
        read.append(exchange::read_jsonl_batch(batch, options)?);
        Ok(())
    })?;
    Ok(read)
}

/// The input format named `format` (None: told by each file's name).
fn input_format(format: Option<&str>) -> PyResult<Option<InputFormat>> {
    format.map(|f| InputFormat::named(f).ok_or_else(|| value_error(format!("unknown input format {f:?}")))).transpose()
}

/// Reading options as the command line takes them: `format` (as
/// `--input-format`), `columns` ("id=guid,text=body", as `--columns`) and
/// `invalid_utf8` ("lossy", the default, or "reject", as `--invalid-utf8`).
fn ingest_options(format: Option<&str>, columns: Option<&str>, invalid_utf8: Option<&str>) -> PyResult<IngestOptions> {
    let columns = columns.map(Columns::parse).transpose().map_err(|e| value_error(format!("columns: {e}")))?;
    let invalid_utf8 = match invalid_utf8.unwrap_or("lossy") {
        "lossy" => InvalidUtf8::Lossy,
        "reject" => InvalidUtf8::Reject,
        other => return Err(value_error(format!("invalid_utf8 {other:?}: \"lossy\" or \"reject\""))),
    };
    Ok(IngestOptions {
        format: input_format(format)?,
        columns: columns.unwrap_or_default(),
        invalid_utf8,
        ..Default::default()
    })
}

/// The first pass over a task's share of the input: reads it, counts the
/// lines of its articles for the boilerplate model, and gives back only
/// what reading skipped or repaired (the articles are read again, and
/// analyzed, in the second pass).
#[pyclass(module = "newsdedup._core")]
struct Survey {
    counts: LineStats,
    articles: usize,
    options: IngestOptions,
    /// Whether the notices also say where each article was read.
    places: bool,
}

#[pymethods]
impl Survey {
    /// A survey reading with the options of `ingest_options`; with
    /// `places`, the notices also give each article's id and place (kind
    /// `id`, the id as the reason), for `repeated_ids`.
    #[new]
    #[pyo3(signature = (columns=None, invalid_utf8=None, places=false))]
    fn new(columns: Option<&str>, invalid_utf8: Option<&str>, places: bool) -> PyResult<Survey> {
        let options = ingest_options(None, columns, invalid_utf8)?;
        Ok(Survey { counts: LineStats::default(), articles: 0, options, places })
    }

    /// Reads JSONL lines (a table of `path`, `line`, `bytes`); returns the
    /// notices of reading them (an Arrow IPC stream).
    fn lines<'py>(&mut self, py: Python<'py>, lines: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
        let lines = Tables::of(std::slice::from_ref(&lines))?;
        let stream = py.allow_threads(|| self.count(read_line_table(&lines, &self.options)?)).map_err(value_error)?;
        Ok(PyBytes::new(py, &stream))
    }

    /// Reads one whole input file from its bytes (as `read_file`); returns
    /// the notices of reading it.
    #[pyo3(signature = (name, data, format=None))]
    fn file<'py>(
        &mut self,
        py: Python<'py>,
        name: &str,
        data: &[u8],
        format: Option<&str>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let options = IngestOptions { format: input_format(format)?, ..self.options.clone() };
        let stream =
            py.allow_threads(|| self.count(read_file_bytes(name, data.to_vec(), &options)?)).map_err(value_error)?;
        Ok(PyBytes::new(py, &stream))
    }

    /// Articles read so far.
    #[getter]
    fn articles(&self) -> usize {
        self.articles
    }

    /// The line counts of every article read so far (they merge in any order).
    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, &exchange::to_bytes(&self.counts).map_err(value_error)?))
    }
}

impl Survey {
    fn count(&mut self, read: Ingested) -> newsdedup::Result<Vec<u8>> {
        self.counts.merge(line_stats(&read.articles)?);
        self.articles += read.articles.len();
        let notices = exchange::notices_to_batch(&read)?;
        if !self.places {
            return exchange::write_ipc(&notices);
        }
        exchange::write_ipc_batches(&[notices, exchange::places_to_batch(&read.articles)?])
    }
}

/// The records `--dedupe-ids` skips: `places` are tables of where each
/// article was read (`Survey` with `places`, each line numbered in its
/// file), read in the order of `files`; returns `(path, line, reason)` of
/// every record of an id after the first read, as the command line gives
/// them (in id order, then read order).
#[pyfunction]
fn repeated_ids(
    py: Python<'_>,
    places: Vec<Bound<'_, PyAny>>,
    files: Vec<String>,
) -> PyResult<Vec<(String, u64, String)>> {
    let places = Tables::of(&places)?;
    py.allow_threads(|| {
        let mut read = places.rows(exchange::places_from_batch)?;
        let order: HashMap<&str, usize> = files.iter().enumerate().map(|(i, f)| (f.as_str(), i)).collect();
        read.sort_by_key(|(_, at)| (order.get(&*at.path).copied().unwrap_or(usize::MAX), at.line));
        let rejects = newsdedup::ingest::repeated_ids(read.iter().map(|(id, at)| (id.as_str(), at)));
        Ok::<_, newsdedup::Error>(rejects.into_iter().map(|r| (r.path, r.line, r.reason)).collect())
    })
    .map_err(value_error)
}

/// The boilerplate model of the line counts of a batch's parts (any order).
#[pyfunction]
fn boilerplate_model<'py>(py: Python<'py>, parts: Vec<Bound<'py, PyBytes>>) -> PyResult<Bound<'py, PyBytes>> {
    let parts = bytes_of(&parts);
    let bytes = py
        .allow_threads(|| {
            let counts = parts
                .iter()
                .map(|c| exchange::from_bytes::<LineStats>(c, "line counts"))
                .collect::<newsdedup::Result<Vec<_>>>()?;
            exchange::to_bytes(&boilerplate_of(counts))
        })
        .map_err(value_error)?;
    Ok(PyBytes::new(py, &bytes))
}

/// Analyzes articles with the batch's boilerplate model, read once and
/// kept for every batch of a task.
#[pyclass(module = "newsdedup._core", frozen)]
struct Analyzer {
    pipeline: Pipeline,
    model: BoilerplateModel,
    options: IngestOptions,
    /// The records left out, by place: the repeats of an id (`repeated_ids`).
    skip: HashSet<(String, u64)>,
}

#[pymethods]
impl Analyzer {
    /// An analyzer with the boilerplate model `model` (`boilerplate_model`'s
    /// bytes), reading JSONL lines with the options of `ingest_options`,
    /// and leaving out the records at the places `skip` (`(path, line)`).
    #[new]
    #[pyo3(signature = (model, columns=None, invalid_utf8=None, skip=Vec::new()))]
    fn new(
        model: &[u8],
        columns: Option<&str>,
        invalid_utf8: Option<&str>,
        skip: Vec<(String, u64)>,
    ) -> PyResult<Analyzer> {
        let model = exchange::from_bytes(model, "boilerplate model").map_err(value_error)?;
        let options = ingest_options(None, columns, invalid_utf8)?;
        Ok(Analyzer { pipeline: pipeline()?, model, options, skip: skip.into_iter().collect() })
    }

    /// Analyzes articles (an articles table); returns an Arrow IPC stream
    /// of the articles with their analyses.
    fn articles<'py>(&self, py: Python<'py>, articles: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
        let articles = Tables::of(std::slice::from_ref(&articles))?;
        let stream = py.allow_threads(|| self.analyzed(&articles_of(&articles)?)).map_err(value_error)?;
        Ok(PyBytes::new(py, &stream))
    }

    /// Reads JSONL lines (a table of `path`, `line`, `bytes`) and analyzes
    /// their articles, as `articles` does; the records reading skips were
    /// reported by the first pass (`Survey.lines`).
    fn lines<'py>(&self, py: Python<'py>, lines: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
        let lines = Tables::of(std::slice::from_ref(&lines))?;
        let stream = py
            .allow_threads(|| self.analyzed(&read_line_table(&lines, &self.options)?.articles))
            .map_err(value_error)?;
        Ok(PyBytes::new(py, &stream))
    }
}

impl Analyzer {
    fn analyzed(&self, articles: &[Article]) -> newsdedup::Result<Vec<u8>> {
        let kept: Vec<Article>;
        let articles = if self.skip.is_empty() {
            articles
        } else {
            let skipped = |a: &Article| self.skip.contains(&(a.origin.path.to_string(), a.origin.line));
            kept = articles.iter().filter(|a| !skipped(a)).cloned().collect();
            &kept
        };
        let analyses =
            articles.iter().map(|a| self.pipeline.analyze(a, &self.model)).collect::<newsdedup::Result<Vec<_>>>()?;
        exchange::write_ipc(&exchange::analyzed_to_batch(articles, &analyses)?)
    }
}

/// Counts the batch statistics of a task's analyzed articles (document
/// frequencies of terms and anchors); the counts of the parts of a batch
/// merge in any order (`merge_statistics`).
#[pyclass(module = "newsdedup._core")]
#[derive(Default)]
struct Statistics {
    counts: BatchStats,
    /// A task's tables come in their rows' order; a table's terms may
    /// number into a vocabulary of an earlier one.
    reader: exchange::AnalysesReader,
}

#[pymethods]
impl Statistics {
    #[new]
    fn new() -> Statistics {
        Statistics::default()
    }

    /// Counts analyzed articles (an analyzed articles table).
    fn add(&mut self, py: Python<'_>, analyzed: Bound<'_, PyAny>) -> PyResult<()> {
        let analyzed = Tables::of(std::slice::from_ref(&analyzed))?;
        py.allow_threads(|| {
            analyzed.for_each(|batch| {
                for (_, a) in self.reader.read(batch)? {
                    self.counts.add(&a.terms, &a.anchors, &a.analyzed.lang);
                }
                Ok(())
            })
        })
        .map_err(value_error)
    }

    /// The counts so far, as bytes.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, &exchange::to_bytes(&self.counts).map_err(value_error)?))
    }
}

/// The statistics of a batch from those of its parts (`Statistics.to_bytes`, any order).
#[pyfunction]
fn merge_statistics<'py>(py: Python<'py>, parts: Vec<Bound<'py, PyBytes>>) -> PyResult<Bound<'py, PyBytes>> {
    let parts = bytes_of(&parts);
    let bytes = py
        .allow_threads(|| {
            let mut total = BatchStats::default();
            for part in &parts {
                total.merge(exchange::from_bytes(part, "batch statistics")?);
            }
            exchange::to_bytes(&total)
        })
        .map_err(value_error)?;
    Ok(PyBytes::new(py, &bytes))
}

/// Signs analyzed articles with the statistics of their whole batch, read
/// once and kept for every batch of a task.
#[pyclass(module = "newsdedup._core")]
struct Signer {
    pipeline: Pipeline,
    stats: BatchStats,
    /// As `Statistics`' reader: a task's tables come in their rows' order.
    reader: exchange::AnalysesReader,
}

#[pymethods]
impl Signer {
    /// A signer with the batch's statistics (`merge_statistics`' bytes).
    #[new]
    fn new(stats: &[u8]) -> PyResult<Signer> {
        let stats = exchange::from_bytes(stats, "batch statistics").map_err(value_error)?;
        Ok(Signer { pipeline: pipeline()?, stats, reader: exchange::AnalysesReader::default() })
    }

    /// Signs analyzed articles (an analyzed articles table, whose texts may
    /// be left out); returns an Arrow IPC stream of
    /// their signatures table, with `sides` also what verification reads
    /// of each article (a `side` column; the table's `published_at`, when
    /// it has one, gives the publication days).
    #[pyo3(signature = (analyzed, sides=false))]
    fn sign<'py>(
        &mut self,
        py: Python<'py>,
        analyzed: Bound<'py, PyAny>,
        sides: bool,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let analyzed = Tables::of(std::slice::from_ref(&analyzed))?;
        let stream = py
            .allow_threads(|| {
                let (mut analyses, mut days) = (Vec::new(), Vec::new());
                analyzed.for_each(|batch| {
                    analyses.extend(self.reader.read(batch)?);
                    days.extend(exchange::publication_days(batch)?);
                    Ok(())
                })?;
                let stop_words = self.pipeline.stop_words(analyses.iter().map(|(_, a)| &*a.analyzed.lang));
                let signer = self.pipeline.signer(&self.stats, &stop_words);
                let signatures: Vec<_> =
                    analyses.iter().map(|(_, a)| signer.sign(&a.terms, &a.anchors, &a.analyzed.lang)).collect();
                let ids = analyses.iter().map(|(id, _)| id.as_str());
                if !sides {
                    return exchange::write_ipc(&exchange::signatures_to_batch(ids.zip(&signatures))?);
                }
                let sides: Vec<_> = analyses
                    .iter()
                    .zip(&signatures)
                    .zip(days)
                    .map(|(((_, a), signature), day)| {
                        signer.side(signature, &a.analyzed.lang, a.analyzed.pair_facts(day))
                    })
                    .collect();
                let rows = ids.zip(&signatures).zip(&sides).map(|((id, signature), side)| (id, signature, side));
                exchange::write_ipc(&exchange::signed_sides_to_batch(rows)?)
            })
            .map_err(value_error)?;
        Ok(PyBytes::new(py, &stream))
    }
}

/// A finished run, ready to be written.
#[pyclass(module = "newsdedup._core", frozen)]
struct Run {
    result: RunResult,
}

#[pymethods]
impl Run {
    /// Writes `articles.<format>` (jsonl, csv or parquet), `clusters.jsonl`
    /// and `report.html` into `out`, as the command line does.
    #[pyo3(signature = (out, format="jsonl", min_cluster_size=2))]
    fn write(&self, py: Python<'_>, out: &str, format: &str, min_cluster_size: usize) -> PyResult<()> {
        let format = match format {
            "jsonl" => TableFormat::Jsonl,
            "csv" => TableFormat::Csv,
            "parquet" => TableFormat::Parquet,
            other => return Err(value_error(format!("unknown output format {other:?}: jsonl, csv or parquet"))),
        };
        py.allow_threads(|| write_dir(&self.result, Path::new(out), OutputOptions { format, min_cluster_size }))
            .map_err(value_error)
    }

    /// The rows of `articles.jsonl`, as JSON objects, in id order.
    fn records(&self) -> PyResult<Vec<String>> {
        article_records(&self.result).iter().map(|r| serde_json::to_string(r).map_err(value_error)).collect()
    }

    /// Articles in the run.
    fn __len__(&self) -> usize {
        self.result.articles.len()
    }
}

/// Runs the stages after vectorize on the driver: `articles` are Arrow IPC
/// streams of analyzed articles tables (whose terms and anchors may be left
/// out), `signatures` of their signatures tables (any order), `model` the
/// boilerplate model they were analyzed with, `stats` the batch statistics
/// they were signed with.
#[pyfunction]
fn run_signed(
    py: Python<'_>,
    articles: Vec<Bound<'_, PyAny>>,
    signatures: Vec<Bound<'_, PyAny>>,
    model: &[u8],
    stats: &[u8],
) -> PyResult<Run> {
    let pipeline = pipeline()?;
    let (articles, signatures) = (Tables::of(&articles)?, Tables::of(&signatures)?);
    let result = py
        .allow_threads(|| {
            let signed = Signed::read(&articles, &signatures, model, stats)?;
            pipeline.run_from_signatures(
                signed.articles,
                signed.model,
                signed.analyzed,
                signed.signatures,
                &signed.stats,
            )
        })
        .map_err(value_error)?;
    Ok(Run { result })
}

/// `run_signed` with what an engine made of the candidate stage: `numbers`
/// are Arrow IPC streams of tables whose `doc` column numbers every article
/// (in id order); `pairs`, of proposed pairs tables (`a`, `b`, `by_terms`,
/// `wording_shared`), for the driver to verify, or `verdicts`, of verdicts
/// tables (a row per candidate pair verified); `keys` and `pruned_keys`
/// count the keys indexed and the posting lists left out for their length.
#[pyfunction]
#[pyo3(signature = (articles, signatures, model, stats, numbers, keys, pruned_keys, pairs=None, verdicts=None))]
#[allow(clippy::too_many_arguments)]
fn run_candidates(
    py: Python<'_>,
    articles: Vec<Bound<'_, PyAny>>,
    signatures: Vec<Bound<'_, PyAny>>,
    model: &[u8],
    stats: &[u8],
    numbers: Vec<Bound<'_, PyAny>>,
    keys: usize,
    pruned_keys: usize,
    pairs: Option<Vec<Bound<'_, PyAny>>>,
    verdicts: Option<Vec<Bound<'_, PyAny>>>,
) -> PyResult<Run> {
    let pipeline = pipeline()?;
    let (articles, signatures, numbers) = (Tables::of(&articles)?, Tables::of(&signatures)?, Tables::of(&numbers)?);
    /// The tables of what the engine handed over.
    enum Handed<'a> {
        Pairs(Tables<'a>),
        Verdicts(Tables<'a>),
    }
    let handed = match (&pairs, &verdicts) {
        (Some(pairs), None) => Handed::Pairs(Tables::of(pairs)?),
        (None, Some(verdicts)) => Handed::Verdicts(Tables::of(verdicts)?),
        _ => return Err(value_error("run_candidates takes either `pairs` or `verdicts`")),
    };
    let result = py
        .allow_threads(|| {
            let Signed { articles, model, analyzed, signatures, stats } =
                Signed::read(&articles, &signatures, model, stats)?;
            let numbers = numbers.rows(exchange::numbers_from_batch)?;
            let counts = CandidateStats { keys, pruned_keys, pairs: 0 };
            let candidates = match handed {
                Handed::Pairs(pairs) => Candidates::Proposed(Proposed {
                    numbers,
                    pairs: pairs.rows(exchange::proposed_from_batch)?,
                    stats: counts,
                }),
                Handed::Verdicts(verdicts) => Candidates::Verified(Verified {
                    numbers,
                    verdicts: verdicts.rows(exchange::verdicts_from_batch)?,
                    stats: counts,
                }),
            };
            pipeline.run_from_candidates(articles, model, analyzed, signatures, &stats, candidates)
        })
        .map_err(value_error)?;
    Ok(Run { result })
}

/// The components of several articles of the verified graph: `pairs` are
/// tables whose `a` and `b` columns are its pairs (articles by place);
/// returns an Arrow IPC stream of a components table (`doc`, `component`:
/// its smallest member), found by the library's union-find.
#[pyfunction]
fn components<'py>(py: Python<'py>, pairs: Vec<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyBytes>> {
    let pairs = Tables::of(&pairs)?;
    let stream = py
        .allow_threads(|| {
            let pairs = pairs.rows(exchange::place_pairs_from_batch)?;
            exchange::write_ipc(&exchange::components_to_batch(&grouping::components(&pairs))?)
        })
        .map_err(value_error)?;
    Ok(PyBytes::new(py, &stream))
}

/// Groups components of the verified graph into families and stories:
/// `rows` are component rows tables (each row a member of a component or
/// a verdict of one of its pairs), holding every member of each component
/// and its pairs' verdicts; returns an Arrow IPC stream of a component
/// groups table (`id`, `doc`, `story`, `family`, `alone`, `several`,
/// `counts`).
#[pyfunction]
fn group_components<'py>(py: Python<'py>, rows: Vec<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyBytes>> {
    let pipeline = pipeline()?;
    let rows = Tables::of(&rows)?;
    let stream = py
        .allow_threads(|| {
            let (mut members, mut verdicts) = (Vec::new(), Vec::new());
            rows.for_each(|batch| {
                let (these, theirs) = exchange::component_rows_from_batch(batch)?;
                members.extend(these);
                verdicts.extend(theirs);
                Ok(())
            })?;
            let grouped = grouping::group_components(members, verdicts, pipeline.params())?;
            exchange::write_ipc(&exchange::component_groups_to_batch(&grouped)?)
        })
        .map_err(value_error)?;
    Ok(PyBytes::new(py, &stream))
}

/// Finishes the run of a batch an engine grouped component by component
/// and whose stories' roles it decided: `articles` are analyzed articles
/// tables without the terms, `groups` component groups tables (every
/// member of every component of several articles once), `decided` decided
/// roles tables (every story of several articles once); `model` and
/// `stats` as for `run_signed`; `keys`, `pruned_keys` and `pairs` count
/// the keys indexed, the posting lists left out and the pairs verified.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn finish_apart(
    py: Python<'_>,
    articles: Vec<Bound<'_, PyAny>>,
    model: &[u8],
    stats: &[u8],
    keys: usize,
    pruned_keys: usize,
    pairs: usize,
    groups: Vec<Bound<'_, PyAny>>,
    decided: Vec<Bound<'_, PyAny>>,
) -> PyResult<Run> {
    let pipeline = pipeline()?;
    let (articles, groups, decided) = (Tables::of(&articles)?, Tables::of(&groups)?, Tables::of(&decided)?);
    let result = py
        .allow_threads(|| {
            let (read, analyzed) = facts_of(&articles)?;
            let model: BoilerplateModel = exchange::from_bytes(model, "boilerplate model")?;
            let stats: BatchStats = exchange::from_bytes(stats, "batch statistics")?;
            let mut apart =
                GroupedApart { candidates: CandidateStats { keys, pruned_keys, pairs }, ..Default::default() };
            groups.for_each(|batch| {
                let (members, counts) = exchange::component_groups_from_batch(batch)?;
                apart.members.extend(members);
                apart.counts.merge(counts);
                Ok(())
            })?;
            decided.for_each(|batch| {
                let part = exchange::decided_from_batch(batch)?;
                apart.decided.assignments.extend(part.assignments);
                apart.decided.credited.extend(part.credited);
                Ok(())
            })?;
            pipeline.finish_apart(read, model, analyzed, &stats, apart)
        })
        .map_err(value_error)?;
    Ok(Run { result })
}

/// Decides the roles of stories of several articles: `rows` are tables
/// holding every member of each of their stories, with its story
/// (a component groups table's columns), its article and facts (an analyzed
/// articles table's columns but the terms) and its `signature` and `side`
/// (`Signer.sign` with sides); returns an Arrow IPC stream of a decided
/// roles table.
#[pyfunction]
fn decide_stories<'py>(py: Python<'py>, rows: Vec<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyBytes>> {
    let rows = Tables::of(&rows)?;
    let stream = py
        .allow_threads(|| {
            let members = rows.rows(exchange::story_rows_from_batch)?;
            exchange::write_ipc(&exchange::decided_to_batch(&newsdedup::story_groups::decide(members)?)?)
        })
        .map_err(value_error)?;
    Ok(PyBytes::new(py, &stream))
}

/// Verifies candidate pairs: `rows` are Arrow IPC streams of tables whose
/// rows are each a proposed pair or the side of an article (what
/// verification reads of it), holding every pair once and the sides of
/// their articles; returns an Arrow IPC stream of a verdicts table, a row
/// per candidate.
#[pyfunction]
fn verify_pairs<'py>(py: Python<'py>, rows: Vec<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyBytes>> {
    let pipeline = pipeline()?;
    let rows = Tables::of(&rows)?;
    let stream = py
        .allow_threads(|| {
            let (mut pairs, mut sides) = (Vec::new(), Vec::new());
            rows.for_each(|batch| {
                let (these, their_sides) = exchange::verification_rows_from_batch(batch)?;
                pairs.extend(these);
                sides.extend(their_sides);
                Ok(())
            })?;
            let verdicts = key_groups::verify_proposed(&pairs, sides, pipeline.params(), pipeline.pair_model())?;
            exchange::write_ipc(&exchange::verdicts_to_batch(&verdicts)?)
        })
        .map_err(value_error)?;
    Ok(PyBytes::new(py, &stream))
}

/// What the driver reads to run the stages after vectorize.
struct Signed {
    articles: Vec<Article>,
    analyzed: Vec<Analyzed>,
    signatures: Vec<(String, Signature)>,
    model: BoilerplateModel,
    stats: BatchStats,
}

impl Signed {
    /// Reads the streams and bytes that `run_signed` takes.
    fn read(articles: &Tables, signatures: &Tables, model: &[u8], stats: &[u8]) -> newsdedup::Result<Signed> {
        let (read, analyzed) = facts_of(articles)?;
        Ok(Signed {
            articles: read,
            analyzed,
            signatures: signatures.rows(exchange::signatures_from_batch)?,
            model: exchange::from_bytes(model, "boilerplate model")?,
            stats: exchange::from_bytes(stats, "batch statistics")?,
        })
    }
}

/// The candidate keys of signed articles (an Arrow IPC stream of a
/// signatures table, exact duplicates left out): an Arrow IPC stream of a
/// postings table, a row per article and key.
#[pyfunction]
fn postings<'py>(py: Python<'py>, signatures: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
    let cross_language = pipeline()?.params().cross_language();
    let signatures = Tables::of(std::slice::from_ref(&signatures))?;
    let stream = py
        .allow_threads(|| {
            let signed = signatures.rows(exchange::signatures_from_batch)?;
            let postings: Vec<Vec<Posting>> =
                signed.iter().map(|(_, signature)| key_groups::postings(signature, cross_language)).collect();
            let rows = signed.iter().map(|(id, _)| id.as_str()).zip(postings.iter().map(Vec::as_slice));
            exchange::write_ipc(&exchange::postings_to_batch(rows)?)
        })
        .map_err(value_error)?;
    Ok(PyBytes::new(py, &stream))
}

/// The keys that pairs share in posting lists: `postings` are Arrow IPC
/// streams of postings tables whose `doc` column numbers the articles (in
/// id order), holding every posting of each of their keys; returns an
/// Arrow IPC stream of a shared keys table.
#[pyfunction]
fn shared_keys<'py>(py: Python<'py>, postings: Vec<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyBytes>> {
    let max_postings = pipeline()?.params().max_postings();
    let postings = Tables::of(&postings)?;
    let stream = py
        .allow_threads(|| {
            let numbered = postings.rows(exchange::numbered_postings_from_batch)?;
            let rows = key_groups::shared_keys(numbered, max_postings);
            exchange::write_ipc(&exchange::shared_keys_to_batch(&rows)?)
        })
        .map_err(value_error)?;
    Ok(PyBytes::new(py, &stream))
}

/// The candidate pairs proposed from shared keys: `shared` are Arrow IPC
/// streams of shared keys tables holding every row of each of their
/// articles; returns an Arrow IPC stream of a proposed pairs table.
#[pyfunction]
fn proposals<'py>(py: Python<'py>, shared: Vec<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyBytes>> {
    let pipeline = pipeline()?;
    let shared = Tables::of(&shared)?;
    let stream = py
        .allow_threads(|| {
            let rows = shared.rows(exchange::shared_keys_from_batch)?;
            let pairs = key_groups::proposals(&rows, pipeline.params());
            exchange::write_ipc(&exchange::proposed_to_batch(&pairs)?)
        })
        .map_err(value_error)?;
    Ok(PyBytes::new(py, &stream))
}

/// The longest posting list that is tallied: a key more articles share is
/// a topic word, left out.
#[pyfunction]
fn max_postings() -> PyResult<usize> {
    Ok(pipeline()?.params().max_postings())
}

/// Runs the stages after analysis on the driver: `analyzed` are Arrow IPC
/// streams of analyzed articles tables (any order), `model` the
/// boilerplate model they were analyzed with.
#[pyfunction]
fn run_analyzed(py: Python<'_>, analyzed: Vec<Bound<'_, PyAny>>, model: &[u8]) -> PyResult<Run> {
    let pipeline = pipeline()?;
    let analyzed = Tables::of(&analyzed)?;
    let result = py
        .allow_threads(|| {
            let batches = analyzed.batches()?;
            let (articles, analyses) = exchange::analyzed_from_batches(&batches)?;
            drop(batches);
            let model: BoilerplateModel = exchange::from_bytes(model, "boilerplate model")?;
            pipeline.run_from_analyses(articles, model, analyses)
        })
        .map_err(value_error)?;
    Ok(Run { result })
}

/// The notices of reading a batch in parts (Arrow IPC streams of notices
/// tables, each line numbered in its file), as the command line gives them
/// when it reads `files` in order: `(kind, path, line, message)`, the
/// rejected records first, then the repaired ones, then one warning per file
/// whose publication times are not dates.
#[pyfunction]
fn notices(py: Python<'_>, parts: Vec<Bound<'_, PyAny>>, files: Vec<String>) -> PyResult<Vec<Notice>> {
    let parts = Tables::of(&parts)?;
    py.allow_threads(|| {
        let mut read = Vec::new();
        parts.for_each(|batch| {
            read.push(exchange::notices_from_batch(batch)?);
            Ok(())
        })?;
        let all = exchange::gather_notices(read, &files);
        let row = |kind: &'static str| move |n: Reject| (kind, n.path, n.line, n.reason);
        let mut rows: Vec<Notice> = all.rejects.into_iter().map(row("reject")).collect();
        rows.extend(all.warnings.into_iter().map(row("warning")));
        rows.extend(all.unparsed_times.iter().map(UnparsedTimes::notice).map(row("time")));
        Ok::<_, newsdedup::Error>(rows)
    })
    .map_err(value_error)
}

/// A notice of reading: its kind, file, line and message.
type Notice = (&'static str, String, u64, String);

/// Writes rejected records, `(path, line, reason)`, to `path` as the command
/// line writes `rejects.jsonl` (no file when there are none).
#[pyfunction]
fn write_rejects_file(py: Python<'_>, path: &str, rejects: Vec<(String, u64, String)>) -> PyResult<()> {
    let rejects: Vec<Reject> = rejects.into_iter().map(|(path, line, reason)| Reject { path, line, reason }).collect();
    py.allow_threads(|| write_rejects(Path::new(path), &rejects)).map_err(value_error)
}

/// The module.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run_json, m)?)?;
    m.add_function(wrap_pyfunction!(is_article_file, m)?)?;
    m.add_function(wrap_pyfunction!(read_file, m)?)?;
    m.add_function(wrap_pyfunction!(boilerplate_model, m)?)?;
    m.add_class::<Survey>()?;
    m.add_class::<Analyzer>()?;
    m.add_function(wrap_pyfunction!(run_analyzed, m)?)?;
    m.add_function(wrap_pyfunction!(merge_statistics, m)?)?;
    m.add_function(wrap_pyfunction!(run_signed, m)?)?;
    m.add_function(wrap_pyfunction!(run_candidates, m)?)?;
    m.add_function(wrap_pyfunction!(verify_pairs, m)?)?;
    m.add_function(wrap_pyfunction!(postings, m)?)?;
    m.add_function(wrap_pyfunction!(shared_keys, m)?)?;
    m.add_function(wrap_pyfunction!(proposals, m)?)?;
    m.add_function(wrap_pyfunction!(max_postings, m)?)?;
    m.add_class::<Statistics>()?;
    m.add_class::<Signer>()?;
    m.add_function(wrap_pyfunction!(notices, m)?)?;
    m.add_function(wrap_pyfunction!(repeated_ids, m)?)?;
    m.add_function(wrap_pyfunction!(components, m)?)?;
    m.add_function(wrap_pyfunction!(group_components, m)?)?;
    m.add_function(wrap_pyfunction!(finish_apart, m)?)?;
    m.add_function(wrap_pyfunction!(decide_stories, m)?)?;
    m.add_function(wrap_pyfunction!(write_rejects_file, m)?)?;
    m.add_class::<Run>()?;
    Ok(())
}
