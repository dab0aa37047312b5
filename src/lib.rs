//! # newsdedup
//!
//! Groups news articles that tell the same story (wire copies, edits,
//! excerpts, rewrites) and marks in each group the canonical source and the
//! syndicated copies, with the evidence for each decision.
//!
//! ## The pipeline
//!
//! One module per stage, in order; [`pipeline::Pipeline`] runs them:
//!
//! 1. [`ingest`]: files → [`article::Article`]s (bad records reported, never dropped silently);
//! 2. [`clean`]: strip page furniture (phrase rules and lines repeated across unrelated articles);
//! 3. [`language`]: detect the language;
//! 4. [`tokenize`]: `tokenizers` normalizers and pre-tokenizers, script-aware terms;
//! 5. [`tfidf`]: sublinear TF-IDF, batch IDF blended with shipped tables;
//! 6. [`candidates`]: inverted index over each article's heaviest terms;
//! 7. [`verify`]: cosine and shingle containment ([`sketch`]) accept or reject each pair;
//! 8. [`cluster`]: connected components of verified edges;
//! 9. [`roles`]: canonical, syndicated (with kind and source) or independent, from [`provenance`] signals;
//! 10. [`output`] and [`report`]: JSONL files and a human summary; [`eval`] scores a run against labels.
//!
//! For an engine that runs the stages on many machines: [`signature`]
//! (per-article state made with the batch's statistics), [`key_groups`]
//! (the candidate and verify stages cut at their shuffles) and
//! [`exchange`] (the state as Arrow tables).
//!
//! ## Example
//!
//! ```
//! use newsdedup::{Article, Pipeline, PipelineParams};
//!
//! let text = "Flights between Benghazi and Minsk rose from two in May to five in June, \
//!             EU officials said, raising fears of a new migrant crisis on the border.";
//! let articles = vec![
//!     Article::new("a", text),
//!     Article::new("b", format!("{text} The airline did not comment.")),
//!     Article::new("c", "The central bank left interest rates unchanged on Thursday."),
//! ];
//! let pipeline = Pipeline::new(PipelineParams::default().check()?);
//! let result = pipeline.run(articles)?;
//! assert_eq!(result.clustering.assignment[0], result.clustering.assignment[1]);
//! assert_ne!(result.clustering.assignment[0], result.clustering.assignment[2]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

pub mod article;
pub mod error;
pub mod params;
pub mod text;

pub mod anchors;
pub mod candidates;
pub mod clean;
pub mod cluster;
pub mod columns;
pub mod eval;
pub mod exchange;
pub mod grouping;
pub mod index;
pub mod ingest;
pub mod key_groups;
pub mod language;
pub mod memory;
pub mod output;
pub mod pair_model;
pub mod pipeline;
pub mod progress;
pub mod provenance;
pub mod report;
pub mod report_html;
pub mod roles;
pub mod signature;
pub mod sketch;
pub mod spill;
pub mod story_groups;
pub mod tfidf;
pub mod tokenize;
pub mod usage;
pub mod vectorize;
pub mod verify;

pub use article::{Article, DocId};
pub use error::{Error, Result};
pub use params::{PipelineParams, ValidParams};
pub use pipeline::{Pipeline, RunResult};

#[cfg(test)]
mod testing {
    /// A sketch of `values`, each standing for a shingle hash whose high
    /// half (which the sketch keeps) and low half (which the opening keeps)
    /// are both the value, so that small numbers can play hashes.
    pub fn sketch(values: Vec<u64>, k: usize) -> crate::sketch::ShingleSketch {
        let hashes: Vec<u64> = values.into_iter().map(|v| v << 32 | (v & 0xffff_ffff)).collect();
        crate::sketch::ShingleSketch::new(&hashes, k)
    }

    /// A xorshift generator of pseudo-random `u64`s from a non-zero seed,
    /// for tests that need reproducible noise.
    pub fn xorshift(seed: u64) -> impl FnMut() -> u64 {
        let mut state = seed;
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }
}
