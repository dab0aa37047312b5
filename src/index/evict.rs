//! `index evict`: the articles older than the index's window leave it,
//! with their postings, pairs, statistics and texts; the stories they
//! leave are settled again like those an add touches (docs/index.md,
//! "Time window and retention").

use std::time::Instant;

use rustc_hash::FxHashSet;

use super::ids::Number;
use super::region::{self, load, sign, Frequencies};
use super::store::IndexError;
use super::Store;
use crate::pipeline::Pipeline;
use crate::signature::BatchStats;

/// What an eviction did.
#[derive(Debug, Default)]
pub struct Evicted {
    /// The ids of the articles that left, in id order.
    pub evicted: Vec<String>,
    /// The changed rows of the articles that stay (JSON), in id order.
    pub delta: Vec<String>,
    /// Articles that stay whose components lost an article (settled again).
    pub regrouped: usize,
    /// Seconds the eviction took.
    pub seconds: f64,
}

/// Removes, in one transaction, the articles published before `day`
/// (days since 1970) and those without a publication time added before
/// `added` (Unix seconds), and settles again the components they leave.
pub fn evict(store: &mut Store, pipeline: &Pipeline, day: f64, added: i64) -> Result<Evicted, IndexError> {
    let started = Instant::now();
    let dir = store.dir().to_path_buf();
    let writer = store.writer()?;
    let reader = writer.reader();
    let mut evicted = Evicted::default();
    let gone = reader.older_than(day, added)?;
    if gone.is_empty() {
        return Ok(evicted);
    }
    // What they counted in the document frequencies, from their analyses.
    let leaving = load(&dir, pipeline, &gone)?;
    let mut change = BatchStats::default();
    for m in &leaving {
        change.add(&m.analysis.terms, &m.analysis.anchors, &m.analysis.analyzed.lang);
    }
    evicted.evicted = leaving.iter().map(|m| m.article.id.clone()).collect();
    evicted.evicted.sort_unstable();

    let gone_set: FxHashSet<Number> = gone.iter().copied().collect();
    let staying: Vec<Number> =
        region::components_of(&reader, &gone, &leaving)?.into_iter().filter(|n| !gone_set.contains(n)).collect();
    drop(leaving);
    let verdicts: Vec<_> = region::verdicts_of(&reader, &staying)?
        .into_iter()
        .filter(|v| !gone_set.contains(&v.a) && !gone_set.contains(&v.b))
        .collect();
    let mut members = load(&dir, pipeline, &staying)?;
    let mut frequencies = Frequencies::new(&reader, &change, true)?;
    frequencies.fetch(&dir, members.iter().map(|m| &m.analysis))?;
    sign(pipeline, &frequencies.union, &mut members);
    evicted.regrouped = members.len();

    writer.remove(&gone)?;
    // The verdicts that stay, without the pairs with an evicted article.
    for &n in &staying {
        writer.put_partners(n, None)?;
    }
    region::write_verdicts(&writer, &verdicts, false)?;
    region::write_frequencies(&writer, &change, true)?;
    // No article is new: the batch number is not read.
    let settled = region::settle(&writer, pipeline, members, &verdicts, &frequencies.union, 0)?;
    evicted.delta = settled.delta;
    writer.commit()?;
    evicted.seconds = started.elapsed().as_secs_f64();
    Ok(evicted)
}
