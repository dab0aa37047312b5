//! `index export`: the index's current state written as `run` writes a
//! batch's, `articles.jsonl` and `clusters.jsonl` in the same schema,
//! with the index's stable story and family ids.

use std::io::Write;
use std::path::Path;

use serde::Deserialize;

use super::codec;
use super::store::{database, IndexError, Store};
use crate::output::{clusters_of_rows, write_atomic, write_jsonl, RowGroups};
use crate::roles::{CopyKind, Role};

/// What an export wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exported {
    /// Rows of `articles.jsonl`.
    pub articles: usize,
    /// Lines of `clusters.jsonl`.
    pub stories: usize,
}

/// What `clusters.jsonl` reads of a stored row.
#[derive(Deserialize)]
struct Row {
    id: String,
    cluster: u32,
    family: u32,
    role: Role,
    kind: Option<CopyKind>,
    derived_from: Option<String>,
    similarity: Option<f32>,
}

/// Writes `articles.jsonl` (every article, in id order) and
/// `clusters.jsonl` (stories of at least `min_cluster_size` articles) of
/// the index's last committed state into `out` (created if missing).
pub fn export(store: &Store, out: &Path, min_cluster_size: usize) -> Result<Exported, IndexError> {
    std::fs::create_dir_all(out).map_err(|e| crate::Error::io(out, e))?;
    let mut rows: Vec<Row> = Vec::new();
    let mut failed = None;
    write_atomic(&out.join("articles.jsonl"), |w| {
        let read = store.reader().for_each_row(|id, packed| {
            let json = codec::decompress(packed).map_err(|e| database(store.dir(), format!("the row of {id}: {e}")))?;
            let row: Row = serde_json::from_slice(&json)
                .map_err(|e| database(store.dir(), format!("the row of {id} is malformed: {e}")))?;
            rows.push(row);
            w.write_all(&json).and_then(|_| w.write_all(b"\n")).map_err(|e| IndexError::Run(crate::Error::io(out, e)))
        });
        read.map_err(|e| {
            let message = e.to_string();
            failed = Some(e);
            std::io::Error::other(message)
        })
    })
    .map_err(|e| failed.take().unwrap_or(IndexError::Run(e)))?;
    let groups: Vec<RowGroups> = rows
        .iter()
        .map(|r| RowGroups {
            id: &r.id,
            cluster: r.cluster,
            family: r.family,
            role: r.role,
            kind: r.kind,
            derived_from: r.derived_from.as_deref(),
            similarity: r.similarity,
        })
        .collect();
    let clusters = clusters_of_rows(&groups, min_cluster_size);
    write_atomic(&out.join("clusters.jsonl"), |w| write_jsonl(w, &clusters))?;
    Ok(Exported { articles: rows.len(), stories: clusters.len() })
}
