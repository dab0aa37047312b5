//! `newsdedup._core`: the Rust library's functions for Python, with the GIL
//! released while they work. Two kinds:
//!
//! - `run_json` runs the whole pipeline on JSON records, in the schema of
//!   `articles.jsonl` (the package's `newsdedup.run` adapts lists of dicts,
//!   pandas and pyarrow);
//! - the stages apart, for an engine that runs them on many machines
//!   (`newsdedup.spark`): tables cross as Arrow IPC streams in the schemas of
//!   `newsdedup::exchange`, batch statistics as bytes.

use std::path::Path;

use newsdedup::clean::{BoilerplateModel, LineStats};
use newsdedup::columns::Columns;
use newsdedup::exchange;
use newsdedup::ingest::{article_from_json, read_file_bytes, IngestOptions, InputFormat};
use newsdedup::output::{article_records, write_dir, write_rejects, OutputOptions, TableFormat};
use newsdedup::pipeline::{boilerplate_of, line_stats};
use newsdedup::{Article, Pipeline, PipelineParams, RunResult};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// Any error of the library, as Python's `ValueError`.
fn value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

fn pipeline() -> PyResult<Pipeline> {
    Ok(Pipeline::new(PipelineParams::new().check().map_err(value_error)?))
}

/// The articles of Arrow IPC streams of articles tables.
fn articles_of(streams: &[&[u8]]) -> newsdedup::Result<Vec<Article>> {
    let mut articles = Vec::new();
    for stream in streams {
        for batch in exchange::read_ipc(stream)? {
            articles.extend(exchange::articles_from_batch(&batch)?);
        }
    }
    Ok(articles)
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
#[pyo3(signature = (name, data, format=None))]
fn read_file<'py>(py: Python<'py>, name: &str, data: &[u8], format: Option<&str>) -> PyResult<Bound<'py, PyBytes>> {
    let format = match format {
        None => None,
        Some(f) => Some(InputFormat::named(f).ok_or_else(|| value_error(format!("unknown input format {f:?}")))?),
    };
    let options = IngestOptions { format, ..Default::default() };
    let stream = py
        .allow_threads(|| {
            exchange::write_ipc(&exchange::read_to_batch(&read_file_bytes(name, data.to_vec(), &options)?)?)
        })
        .map_err(value_error)?;
    Ok(PyBytes::new(py, &stream))
}

/// Reads JSONL lines handed over as an Arrow IPC stream of a table with
/// columns `path`, `line` (its number in the file) and `bytes`; returns an
/// Arrow IPC stream of the reading table, as `read_file` does.
#[pyfunction]
fn read_lines<'py>(py: Python<'py>, lines: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    let stream = py
        .allow_threads(|| {
            let mut read = newsdedup::ingest::Ingested::default();
            for batch in exchange::read_ipc(lines)? {
                read.append(exchange::read_jsonl_batch(&batch, &IngestOptions::default())?);
            }
            exchange::write_ipc(&exchange::read_to_batch(&read)?)
        })
        .map_err(value_error)?;
    Ok(PyBytes::new(py, &stream))
}

/// The line counts of some articles of a batch (an Arrow IPC stream of an
/// articles table); the counts of a batch's parts merge in any order.
#[pyfunction]
fn line_counts<'py>(py: Python<'py>, articles: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    let bytes =
        py.allow_threads(|| exchange::to_bytes(&line_stats(&articles_of(&[articles])?)?)).map_err(value_error)?;
    Ok(PyBytes::new(py, &bytes))
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

/// Analyzes articles (an Arrow IPC stream of an articles table) with the
/// batch's boilerplate model; returns an Arrow IPC stream of the articles
/// with their analyses (the analyzed articles table).
#[pyfunction]
fn analyze<'py>(py: Python<'py>, articles: &[u8], model: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    let pipeline = pipeline()?;
    let bytes = py
        .allow_threads(|| {
            let articles = articles_of(&[articles])?;
            let model: BoilerplateModel = exchange::from_bytes(model, "boilerplate model")?;
            let analyses =
                articles.iter().map(|a| pipeline.analyze(a, &model)).collect::<newsdedup::Result<Vec<_>>>()?;
            exchange::write_ipc(&exchange::analyzed_to_batch(&articles, &analyses)?)
        })
        .map_err(value_error)?;
    Ok(PyBytes::new(py, &bytes))
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

/// Runs the stages after analysis on the driver: `analyzed` are Arrow IPC
/// streams of analyzed articles tables (any order), `model` the
/// boilerplate model they were analyzed with.
#[pyfunction]
fn run_analyzed(py: Python<'_>, analyzed: Vec<Bound<'_, PyBytes>>, model: &[u8]) -> PyResult<Run> {
    let pipeline = pipeline()?;
    let analyzed = bytes_of(&analyzed);
    let result = py
        .allow_threads(|| {
            let (mut articles, mut analyses) = (Vec::new(), Vec::new());
            for stream in &analyzed {
                for batch in exchange::read_ipc(stream)? {
                    let (read, made) = exchange::analyzed_from_batch(&batch)?;
                    articles.extend(read);
                    analyses.extend(made);
                }
            }
            let model: BoilerplateModel = exchange::from_bytes(model, "boilerplate model")?;
            pipeline.run_from_analyses(articles, model, analyses)
        })
        .map_err(value_error)?;
    Ok(Run { result })
}

/// Writes the rejected records of notices tables (Arrow IPC streams) to
/// `path` as the command line writes `rejects.jsonl` (no file when there
/// are none); returns how many there were.
#[pyfunction]
fn write_rejects_file(py: Python<'_>, path: &str, notices: Vec<Bound<'_, PyBytes>>) -> PyResult<usize> {
    let notices = bytes_of(&notices);
    py.allow_threads(|| {
        let mut rejects = Vec::new();
        for stream in &notices {
            for batch in exchange::read_ipc(stream)? {
                rejects.extend(exchange::rejects_from_batch(&batch)?);
            }
        }
        write_rejects(Path::new(path), &rejects)?;
        Ok::<_, newsdedup::Error>(rejects.len())
    })
    .map_err(value_error)
}

/// The module.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run_json, m)?)?;
    m.add_function(wrap_pyfunction!(is_article_file, m)?)?;
    m.add_function(wrap_pyfunction!(read_file, m)?)?;
    m.add_function(wrap_pyfunction!(read_lines, m)?)?;
    m.add_function(wrap_pyfunction!(line_counts, m)?)?;
    m.add_function(wrap_pyfunction!(boilerplate_model, m)?)?;
    m.add_function(wrap_pyfunction!(analyze, m)?)?;
    m.add_function(wrap_pyfunction!(run_analyzed, m)?)?;
    m.add_function(wrap_pyfunction!(write_rejects_file, m)?)?;
    m.add_class::<Run>()?;
    Ok(())
}
