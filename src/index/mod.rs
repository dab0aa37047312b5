//! The persistent story index: the stories already seen, kept between
//! runs so that each new batch is matched against them (docs/index.md).
//!
//! Built so far: the store ([`store`]: its tables, format version, one
//! transaction per change, the write lock, the reads and writes an add
//! makes), the stable ids of regrouped
//! stories and families ([`ids`]) and the packed posting lists
//! ([`postings`]).

pub mod add;
pub mod codec;
pub mod evict;
pub mod export;
pub mod ids;
pub mod postings;
mod region;
pub mod store;

pub use add::{add, Added};
pub use evict::{evict, Evicted};
pub use export::{export, Exported};
pub use store::{IndexError, Reader, Store, StoreStats, StoredArticle, Writer};

use std::path::Path;

use crate::pair_model::PairModel;
use crate::params::{PipelineParams, ValidParams};

/// What an index records of the pipeline it was made for (its parameters
/// and its pair model): an add with another would mix two ways of judging
/// pairs in one index.
pub fn identity(params: &ValidParams, model: &PairModel) -> String {
    let params = serde_json::to_string(params).unwrap_or_default();
    let model = serde_json::to_vec(model).unwrap_or_default();
    format!("params {params}; pair model {:016x}", xxhash_rust::xxh3::xxh3_64(&model))
}

/// Opens the index in `dir` for a change, with the parameters it was made
/// with (checked again) and this build's pair model, which must be the
/// one it was made with.
pub fn open_for_change(dir: &Path) -> Result<(Store, ValidParams), IndexError> {
    let json = Store::open(dir, None)?.params()?;
    let params = serde_json::from_str::<PipelineParams>(&json)
        .map_err(|e| e.to_string())
        .and_then(|p| p.check().map_err(|e| e.to_string()))
        .map_err(|reason| IndexError::Database {
            path: dir.to_path_buf(),
            reason: format!("the parameters it records: {reason}"),
        })?;
    let store = Store::open(dir, Some(&identity(&params, PairModel::embedded())))?;
    Ok((store, params))
}
