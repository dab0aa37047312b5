//! `newsdedup._core`: the Rust library's functions for Python. Records
//! cross as JSON text, one object each, in the schema of `articles.jsonl`;
//! the pipeline runs with the GIL released. The Python package
//! (`newsdedup/__init__.py`) adapts lists of dicts, pandas and pyarrow.

use newsdedup::columns::Columns;
use newsdedup::ingest::article_from_json;
use newsdedup::output::article_records;
use newsdedup::{Pipeline, PipelineParams};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// Runs the pipeline with default parameters on articles given as JSON
/// objects (`id`, `text`, and optionally `title`, `url`, `source`,
/// `published_at`, `lang`, or their aliases) and returns the rows of
/// `articles.jsonl`, as JSON objects, in id order. A record that cannot be
/// read raises `ValueError` naming its position and what is wrong.
#[pyfunction]
fn run_json(py: Python<'_>, records: Vec<String>) -> PyResult<Vec<String>> {
    py.allow_threads(|| {
        let keys = Columns::default().keys();
        let articles = records
            .iter()
            .enumerate()
            .map(|(i, json)| article_from_json(json, &keys).map_err(|e| format!("record {i}: {e}")))
            .collect::<Result<Vec<_>, String>>()?;
        let params = PipelineParams::new().check().map_err(|e| e.to_string())?;
        let result = Pipeline::new(params).run(articles).map_err(|e| e.to_string())?;
        article_records(&result)
            .iter()
            .map(|r| serde_json::to_string(r).map_err(|e| e.to_string()))
            .collect::<Result<Vec<String>, String>>()
    })
    .map_err(PyValueError::new_err)
}

/// The module.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run_json, m)?)?;
    Ok(())
}
