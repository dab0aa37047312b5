//! The library's error type.
//!
//! Every fallible public function returns [`Result`]. Messages are lowercase,
//! carry the offending value (file, line, parameter) and say what to change.

use std::path::PathBuf;

use crate::params::ParamsError;

/// Everything that can go wrong inside the newsdedup library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A parameter was out of range; raised before any input is read.
    #[error("invalid parameters: {0}")]
    InvalidParams(#[from] ParamsError),

    /// A file or directory could not be opened, read or written.
    #[error("{path}: {error}")]
    Io {
        /// The path that failed.
        path: PathBuf,
        /// The underlying I/O error (already in the message, so not a `source`).
        error: std::io::Error,
    },

    /// A record in an input file could not be turned into an article.
    #[error("{path}:{line}: {reason}")]
    BadRecord {
        /// The input file.
        path: PathBuf,
        /// 1-based line number of the record.
        line: u64,
        /// What is wrong with it, and what was expected.
        reason: String,
    },

    /// Two input records carry the same article id.
    #[error("duplicate article id {id:?}: first at {first}, again at {second}")]
    DuplicateId {
        /// The repeated id.
        id: String,
        /// Where it was seen first (`file:line`).
        first: String,
        /// Where it was seen again (`file:line`).
        second: String,
    },

    /// An input path names neither a readable file nor a directory with articles.
    #[error("{path}: {reason}")]
    BadInput {
        /// The path given by the user.
        path: PathBuf,
        /// Why it cannot be used.
        reason: String,
    },

    /// A model file in `models/` is missing or malformed.
    #[error("model {path}: {reason}")]
    Model {
        /// The model file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// Labels and predictions do not describe the same set of articles.
    #[error("evaluation: {0}")]
    Eval(String),

    /// State handed between the stages by an engine is malformed or does
    /// not fit together (Arrow batches, merged statistics).
    #[error("exchange: {0}")]
    Exchange(String),

    /// The run was cancelled (Ctrl-C or a termination signal) before it finished.
    #[error("interrupted before the run finished; no output was written")]
    Interrupted,

    /// A stage of an external library failed (tokenizers, linfa).
    #[error("{stage}: {reason}")]
    Stage {
        /// The pipeline stage that failed.
        stage: &'static str,
        /// The library's message.
        reason: String,
    },
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), error: source }
    }
}

/// `Result` with the library's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
