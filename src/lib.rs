//! newsdedup (work in progress)
pub mod article;
pub mod clean;
pub mod error;
pub mod ingest;
pub mod language;
pub mod tokenize;
pub mod params { #[derive(Debug, thiserror::Error)] #[error("x")] pub struct ParamsError; }
