//! `index add`: a batch matched against the stories the index holds
//! (docs/index.md, "What an add does").
//!
//! The stages are the Spark job's cuts with the index standing where the
//! engine stands: the new articles are analyzed and signed with the
//! index's document frequencies plus their own; their keys' stored
//! posting lists, with the new postings, go through
//! [`key_groups::shared_keys_from`] and [`key_groups::proposals`]; the
//! pairs with a new article are verified ([`key_groups::verify_proposed`]),
//! a stored article's side made again from its stored text. The
//! components of the verified graph that a new pair touches, with the new
//! articles, are the add's region, settled as one run would settle them
//! ([`super::region::settle`]). Everything is written in the one
//! transaction of the add.

use std::collections::BTreeMap;
use std::time::Instant;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::codec;
use super::ids::Number;
use super::postings::Posted;
use super::region::{self, body_of, load, read_in_parallel, sign, Frequencies, Member};
use super::store::{database, IndexError, Writer};
use super::Store;
use crate::article::Article;
use crate::candidates::{order_in, ProposedPair};
use crate::key_groups::{self, KeyKind, NumberedPosting, Verdict};
use crate::pipeline::{fit_boilerplate, Analysis, Pipeline};
use crate::signature::{BatchStats, Signature};
use crate::tfidf::SparseVec;
use crate::tokenize::TermHash;

/// Meta counter: the next article number.
const NEXT_NUMBER: &str = "next_number";

/// What an add did.
#[derive(Debug, Default)]
pub struct Added {
    /// Articles added.
    pub added: usize,
    /// Ids of the batch that the index already held (left as they were).
    pub already_held: Vec<String>,
    /// The new and changed rows, in `articles.jsonl`'s schema, in id order.
    pub delta: Vec<String>,
    /// Stored articles whose component a new pair touched (regrouped).
    pub regrouped: usize,
    /// Stored articles analyzed again (partners and regrouped members).
    pub analyzed_again: usize,
    /// Candidate pairs with a new article that were verified.
    pub verified: usize,
    /// Of those, family edges or story links.
    pub joined: usize,
    /// Seconds per step, in order.
    pub seconds: Vec<(String, f64)>,
}

/// Adds `articles` (added at `added_at`, Unix seconds) to the index in
/// one transaction, with the pipeline the index was made for.
pub fn add(
    store: &mut Store,
    pipeline: &Pipeline,
    mut articles: Vec<Article>,
    added_at: i64,
) -> Result<Added, IndexError> {
    let dir = store.dir().to_path_buf();
    let writer = store.writer()?;
    let reader = writer.reader();
    let params = pipeline.params();
    let mut clock = Clock(Instant::now());
    let mut added = Added::default();

    articles.sort_by(|a, b| a.id.cmp(&b.id));
    let mut fresh = Vec::with_capacity(articles.len());
    for article in articles {
        match reader.number_of(&article.id)? {
            Some(_) => added.already_held.push(article.id),
            None => fresh.push(article),
        }
    }
    if fresh.is_empty() {
        return Ok(added);
    }
    let first = reader.counter(NEXT_NUMBER)?;
    let boilerplate = fit_boilerplate(&fresh)?;
    let stored_model = codec::encode_boilerplate(&boilerplate).map_err(|e| database(&dir, e))?;
    let batch = writer.new_batch(added_at, fresh.len() as u64, &stored_model)?;
    let analyses: Vec<Analysis> =
        fresh.par_iter().map(|a| pipeline.analyze(a, &boilerplate)).collect::<crate::Result<_>>()?;
    let mut batch_stats = BatchStats::default();
    for a in &analyses {
        batch_stats.add(&a.terms, &a.anchors, &a.analyzed.lang);
    }
    let mut frequencies = Frequencies::new(&reader, &batch_stats, false)?;
    frequencies.fetch(&dir, &analyses)?;
    let mut members: Vec<Member> = fresh
        .into_iter()
        .zip(analyses)
        .enumerate()
        .map(|(i, (article, analysis))| Member {
            number: first + i as Number,
            article,
            analysis,
            signature: None,
            stored: None,
        })
        .collect();
    sign(pipeline, &frequencies.union, &mut members);
    clock.lap("analyze and sign the batch", &mut added);

    // Exact repeats (of a stored article or an earlier new one) stay out
    // of the posting lists; their first copy's component is touched.
    let mut repeats: Vec<(Number, Number)> = Vec::new();
    let mut first_copy: FxHashMap<u64, Number> = FxHashMap::default();
    for m in &members {
        let Some(body) = body_of(&m.analysis.analyzed) else { continue };
        let earlier = match reader.first_with_body(body)? {
            Some(stored) => Some(stored),
            None => first_copy.get(&body).copied(),
        };
        match earlier {
            Some(copy) => repeats.push((copy, m.number)),
            None => {
                first_copy.insert(body, m.number);
            }
        }
    }
    let repeated: FxHashSet<Number> = repeats.iter().map(|&(_, copy)| copy).collect();

    // Candidates: the new postings with the stored lists of their keys.
    let mut lists: BTreeMap<(KeyKind, u64), Vec<Posted>> = BTreeMap::new();
    for m in members.iter().filter(|m| !repeated.contains(&m.number)) {
        let signature = m.signature.as_ref().expect("new articles are signed");
        for p in postings(signature, params) {
            lists.entry((p.kind, p.key)).or_default().push(Posted { number: m.number, order: p.order, keys: p.keys });
        }
    }
    let keys: Vec<(KeyKind, u64)> = lists.keys().copied().collect();
    let stored_lists = read_in_parallel(&dir, &keys, |reader, piece| {
        piece.iter().map(|(kind, key)| reader.postings(kind.code(), *key)).collect()
    })?;
    clock.lap("read the posting lists", &mut added);
    let mut numbered = Vec::new();
    for (((kind, key), new), mut list) in lists.iter_mut().zip(stored_lists) {
        list.append(new);
        numbered.extend(list.iter().map(|p| NumberedPosting {
            kind: *kind,
            key: *key,
            order: p.order,
            doc: p.number,
            keys: p.keys,
        }));
        *new = list;
    }
    // Pairs with a new article, each kept when the new article keeps the
    // stored one among its closest partners (its bar is exact: every list
    // of its keys is here) or by the wording index (docs/index.md,
    // "Candidates").
    let mut shared = key_groups::shared_keys_from(numbered, params.max_postings(), first);
    shared.retain(|row| row.kind == KeyKind::Wording || row.doc >= first);
    let mut proposed = key_groups::proposals(&shared, params);
    drop(shared);
    // A pair only the wording index proposed is verified only when it
    // shares enough wording keys: those it cannot be are not read.
    let wording_keys: FxHashMap<Number, usize> = lists
        .iter()
        .filter(|((kind, _), _)| *kind == KeyKind::Wording)
        .flat_map(|(_, list)| list.iter().map(|p| (p.number, p.keys as usize)))
        .collect();
    let keys_of = |n: Number| wording_keys.get(&n).copied().unwrap_or(0);
    proposed.retain(|p| p.may_be_candidate(keys_of(p.a), keys_of(p.b)));
    clock.lap("candidates", &mut added);

    // Verify, each stored partner analyzed again from its text.
    let mut partners: Vec<Number> = proposed.iter().flat_map(|p| [p.a, p.b]).filter(|&n| n < first).collect();
    partners.sort_unstable();
    partners.dedup();
    let at_new = members.len();
    members.extend(load(&dir, pipeline, &partners)?);
    frequencies.fetch(&dir, members[at_new..].iter().map(|m| &m.analysis))?;
    sign(pipeline, &frequencies.union, &mut members);
    clock.lap("read and analyze the partners again", &mut added);
    let verdicts = verify(pipeline, &frequencies.union, &members, &proposed)?;
    added.verified = verdicts.len();
    let joined: Vec<Verdict> = verdicts.into_iter().filter(|v| v.edge.is_some() || v.link.is_some()).collect();
    added.joined = joined.len();
    clock.lap("verify", &mut added);

    // The region: the touched components whole, and the new articles.
    let mut touched: Vec<Number> = joined
        .iter()
        .flat_map(|v| [v.a, v.b])
        .chain(repeats.iter().map(|&(copy, _)| copy))
        .filter(|&n| n < first)
        .collect();
    touched.sort_unstable();
    touched.dedup();
    let region_stored = region::components_of(&reader, &touched, &members)?;
    let loaded: FxHashSet<Number> = members.iter().map(|m| m.number).collect();
    let missing: Vec<Number> = region_stored.iter().copied().filter(|n| !loaded.contains(n)).collect();
    let at_more = members.len();
    members.extend(load(&dir, pipeline, &missing)?);
    frequencies.fetch(&dir, members[at_more..].iter().map(|m| &m.analysis))?;
    sign(pipeline, &frequencies.union, &mut members);
    added.analyzed_again = members.len() - at_new;
    let in_region: FxHashSet<Number> = region_stored.iter().copied().collect();
    members.retain(|m| m.number >= first || in_region.contains(&m.number));
    added.regrouped = region_stored.len();
    let mut region_verdicts = region::verdicts_of(&reader, &region_stored)?;
    region_verdicts.extend(joined.iter().copied());
    clock.lap("load the touched components", &mut added);

    let settled = region::settle(&writer, pipeline, members, &region_verdicts, &frequencies.union, batch)?;
    (added.added, added.delta) = (settled.added, settled.delta);
    clock.lap("group and decide roles", &mut added);

    write_rest(&writer, &lists, &joined, &batch_stats)?;
    writer.set_counter(NEXT_NUMBER, first + added.added as u64)?;
    writer.commit()?;
    clock.lap("write", &mut added);
    Ok(added)
}

/// The postings an article leaves in the index: its keys
/// ([`key_groups::postings`]), and the heaviest of its terms (and anchors)
/// that no other article has yet, which one run over the articles to come
/// could make keys ("latent" keys; docs/index.md, "Candidates"). An
/// article posts no more than twice `keys_per_doc` of each.
fn postings(signature: &Signature, params: &crate::params::ValidParams) -> Vec<key_groups::Posting> {
    let mut posted = key_groups::postings(signature, params.cross_language());
    let mut latent = |kind: KeyKind, vector: &SparseVec, keys: &[TermHash]| {
        for t in vector.top_terms(params.keys_per_doc()).into_iter().filter(|t| !keys.contains(t)) {
            let (order, keys_held) = (order_in(keys, t), keys.len() as u32);
            posted.push(key_groups::Posting { kind, key: t, order, keys: keys_held });
        }
    };
    latent(KeyKind::Terms, &signature.vector, &signature.keys);
    if params.cross_language() {
        latent(KeyKind::Anchors, &signature.anchor_vector, &signature.anchor_keys);
    }
    posted
}

/// The postings, the new pairs' verdicts, and the document frequencies
/// with their count of articles.
fn write_rest(
    writer: &Writer,
    lists: &BTreeMap<(KeyKind, u64), Vec<Posted>>,
    joined: &[Verdict],
    batch: &BatchStats,
) -> Result<(), IndexError> {
    for ((kind, key), list) in lists {
        writer.put_postings(kind.code(), *key, list)?;
    }
    region::write_verdicts(writer, joined, true)?;
    region::write_frequencies(writer, batch, false)
}

/// The verdicts of the `proposed` pairs that are candidates.
fn verify(
    pipeline: &Pipeline,
    stats: &BatchStats,
    members: &[Member],
    proposed: &[ProposedPair<u64>],
) -> Result<Vec<Verdict>, IndexError> {
    let stop_words = pipeline.stop_words(members.iter().map(|m| &*m.analysis.analyzed.lang));
    let signer = pipeline.signer(stats, &stop_words);
    let named: FxHashSet<Number> = proposed.iter().flat_map(|p| [p.a, p.b]).collect();
    let sides = members
        .iter()
        .filter(|m| named.contains(&m.number))
        .map(|m| {
            let signature = m.signature.as_ref().expect("every member is signed");
            let facts = m.analysis.analyzed.pair_facts(m.article.published_day());
            (m.number, signer.side(signature, &m.analysis.analyzed.lang, facts))
        })
        .collect();
    Ok(key_groups::verify_proposed(proposed, sides, pipeline.params(), pipeline.pair_model())?)
}

/// Times the add's steps.
struct Clock(Instant);

impl Clock {
    fn lap(&mut self, step: &str, added: &mut Added) {
        added.seconds.push((step.to_string(), self.0.elapsed().as_secs_f64()));
        self.0 = Instant::now();
    }
}
