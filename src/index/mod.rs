//! The persistent story index: the stories already seen, kept between
//! runs so that each new batch is matched against them (docs/index.md).
//!
//! Built so far: the store ([`store`]: its tables, format version, one
//! transaction per change, the write lock, the reads and writes an add
//! makes), the stable ids of regrouped
//! stories and families ([`ids`]) and the packed posting lists
//! ([`postings`]).

pub mod ids;
pub mod postings;
pub mod store;

pub use store::{IndexError, Reader, Store, StoreStats, StoredArticle, Writer};

use crate::pair_model::PairModel;
use crate::params::ValidParams;

/// What an index records of the pipeline it was made for (its parameters
/// and its pair model): an add with another would mix two ways of judging
/// pairs in one index.
pub fn identity(params: &ValidParams, model: &PairModel) -> String {
    let params = serde_json::to_string(params).unwrap_or_default();
    let model = serde_json::to_vec(model).unwrap_or_default();
    format!("params {params}; pair model {:016x}", xxhash_rust::xxh3::xxh3_64(&model))
}
