//! `index add`: a batch matched against the stories the index holds
//! (docs/index.md, "What an add does").
//!
//! The stages are the Spark job's cuts with the index standing where the
//! engine stands: the new articles are analyzed and signed with the
//! index's document frequencies plus their own; their keys' stored
//! posting lists, with the new postings, go through
//! [`key_groups::shared_keys`] and [`key_groups::proposals`]; the pairs
//! with a new article are verified ([`key_groups::verify_proposed`]), a
//! stored article's side made again from its stored text. The components
//! of the verified graph that a new pair touches, with the new articles,
//! are the add's region: it is grouped and its roles decided by the
//! stages after verification ([`Pipeline::run_from_candidates`]) from the
//! region's stored verdicts and the new ones, and its rows replace the
//! stored ones. Everything is written in the one transaction of the add.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::codec;
use super::ids::{stable_ids, GroupId, Number};
use super::postings::Posted;
use super::store::{database, IndexError, Reader, StoredArticle, Writer};
use super::Store;
use crate::article::{Article, DocId};
use crate::candidates::{order_in, CandidateStats};
use crate::cluster::Clustering;
use crate::grouping::components;
use crate::key_groups::{self, Candidates, KeyKind, NumberedPosting, Verdict, Verified};
use crate::output::article_records;
use crate::pipeline::{fit_boilerplate, Analysis, Pipeline, RunResult};
use crate::signature::{BatchStats, Signature};
use crate::tokenize::TermHash;

/// Meta counters: the next article number, story id and family id, and
/// the articles the document frequencies count.
const NEXT_NUMBER: &str = "next_number";
const NEXT_STORY: &str = "next_story";
const NEXT_FAMILY: &str = "next_family";
const COUNTED_DOCS: &str = "counted_docs";

/// The `doc_freq` table's kinds.
const TERMS: i32 = 0;
const ANCHORS: i32 = 1;

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

/// An article of the add, new or stored, as the stages read it.
struct Member {
    number: Number,
    article: Article,
    analysis: Analysis,
    signature: Option<Signature>,
    /// Stored: its component, family and story, and its row (JSON).
    stored: Option<(Number, GroupId, GroupId, String)>,
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
    let mut frequencies = Frequencies::new(&reader, &batch_stats)?;
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
        let Some(body) = body_of(&m.analysis) else { continue };
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
    let mut shared = key_groups::shared_keys_where(numbered, params.max_postings(), |_, b| b >= first);
    shared.retain(|row| row.kind == KeyKind::Wording || row.doc >= first);
    let proposed = key_groups::proposals(&shared, params);
    drop(shared);
    clock.lap("candidates", &mut added);

    // Verify, each stored partner analyzed again from its text.
    let partners: Vec<Number> = {
        let mut n: Vec<Number> = proposed.iter().flat_map(|p| [p.a, p.b]).filter(|&n| n < first).collect();
        n.sort_unstable();
        n.dedup();
        n
    };
    let stored = load(&dir, pipeline, &partners)?;
    let at_new = members.len();
    members.extend(stored);
    frequencies.fetch(&dir, members[at_new..].iter().map(|m| &m.analysis))?;
    sign(pipeline, &frequencies.union, &mut members);
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
    let loaded: FxHashMap<Number, usize> = members.iter().enumerate().map(|(i, m)| (m.number, i)).collect();
    let mut component_of = Vec::with_capacity(touched.len());
    for n in &touched {
        let component = match loaded.get(n) {
            Some(&i) => members[i].stored.as_ref().map(|s| s.0),
            None => reader.article(*n)?.map(|a| a.component),
        };
        component_of.push(component.ok_or_else(|| database(&dir, format!("article number {n} is not in the index")))?);
    }
    component_of.sort_unstable();
    component_of.dedup();
    let region_stored = reader.members_of(&component_of)?;
    let missing: Vec<Number> = region_stored.iter().copied().filter(|n| !loaded.contains_key(n)).collect();
    let more = load(&dir, pipeline, &missing)?;
    let at_more = members.len();
    members.extend(more);
    frequencies.fetch(&dir, members[at_more..].iter().map(|m| &m.analysis))?;
    sign(pipeline, &frequencies.union, &mut members);
    added.analyzed_again = members.len() - at_new;
    let in_region: FxHashSet<Number> = region_stored.iter().copied().collect();
    members.retain(|m| m.number >= first || in_region.contains(&m.number));
    added.regrouped = region_stored.len();
    let mut region_verdicts = Vec::new();
    for (a, b, bytes) in reader.pairs_of(&region_stored)? {
        region_verdicts.push(codec::decode_verdict(a, b, &bytes).map_err(|e| database(&dir, e))?);
    }
    region_verdicts.extend(joined.iter().copied());
    clock.lap("load the touched components", &mut added);

    // Group the region and decide its roles, as one run would.
    members.sort_by(|a, b| a.article.id.cmp(&b.article.id));
    let place: FxHashMap<Number, u64> = members.iter().enumerate().map(|(i, m)| (m.number, i as u64)).collect();
    let at = |n: Number| {
        place
            .get(&n)
            .copied()
            .ok_or_else(|| database(&dir, format!("a stored pair names article {n}, outside its component")))
    };
    let verdicts = region_verdicts.iter().map(|v| in_places(v, at(v.a)?, at(v.b)?)).collect::<Result<Vec<_>, _>>()?;
    let verified =
        Verified { numbers: (0..members.len() as u64).collect(), verdicts, stats: CandidateStats::default() };
    let (mut articles, mut analyzed, mut signatures, mut kept) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for m in &mut members {
        let signature = m.signature.take().expect("every member is signed");
        kept.push((m.number, m.stored.take()));
        signatures.push((m.article.id.clone(), signature));
        analyzed.push(m.analysis.analyzed.clone());
        articles.push(m.article.clone());
    }
    drop(members);
    let result = pipeline.run_from_candidates(
        articles,
        boilerplate,
        analyzed,
        signatures,
        &frequencies.union,
        Candidates::Verified(verified),
    )?;
    clock.lap("group and decide roles", &mut added);

    // Ids, components and rows; the writes.
    let numbers: Vec<Number> = kept.iter().map(|(n, _)| *n).collect();
    let old = |pick: fn(&(Number, GroupId, GroupId, String)) -> GroupId| -> FxHashMap<Number, GroupId> {
        kept.iter().filter_map(|(n, s)| s.as_ref().map(|s| (*n, pick(s)))).collect()
    };
    let mut next_story = reader.counter(NEXT_STORY)?;
    let mut next_family = reader.counter(NEXT_FAMILY)?;
    let story_ids = group_ids(&result.clustering, &numbers, &old(|s| s.2), &mut next_story);
    let family_ids = group_ids(&result.families, &numbers, &old(|s| s.1), &mut next_family);
    let component_ids = component_ids(&result, &numbers);
    let records = article_records(&result);
    for (place, mut record) in records.into_iter().enumerate() {
        let narrow =
            |id: GroupId| u32::try_from(id).map_err(|_| database(&dir, "more than 4,294,967,295 stories or families"));
        record.cluster = narrow(story_ids[place])?;
        record.family = narrow(family_ids[place])?;
        let row = serde_json::to_string(&record).map_err(|e| database(&dir, e))?;
        let number = numbers[place];
        let (component, family, story) = (component_ids[place], family_ids[place], story_ids[place]);
        let packed = codec::compress(row.as_bytes()).map_err(|e| database(&dir, e))?;
        match &kept[place].1 {
            Some((c, f, s, old_row)) => {
                if (*c, *f, *s) != (component, family, story) || *old_row != row {
                    writer.regroup(number, component, family, story, &packed)?;
                }
                if *old_row != row {
                    added.delta.push(row);
                }
            }
            None => {
                let article = &result.articles[place];
                let body = body_of_analyzed(&result.analyzed[place]);
                let record = codec::encode_article(article).map_err(|e| database(&dir, e))?;
                writer.put_article(&StoredArticle {
                    number,
                    id: article.id.clone(),
                    batch,
                    published_day: article.published_day().map(f64::from),
                    body,
                    component,
                    family,
                    story,
                    row: packed,
                    record,
                })?;
                added.delta.push(row);
                added.added += 1;
            }
        }
    }
    write_rest(&writer, &lists, &joined, &batch_stats, &dir)?;
    writer.set_counter(NEXT_NUMBER, first + added.added as u64)?;
    writer.set_counter(NEXT_STORY, next_story)?;
    writer.set_counter(NEXT_FAMILY, next_family)?;
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
    let mut latent = |kind: KeyKind, vector: &crate::tfidf::SparseVec, keys: &[TermHash]| {
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

/// The postings, the new pairs' verdicts, the document frequencies and
/// their count of articles.
fn write_rest(
    writer: &Writer,
    lists: &BTreeMap<(KeyKind, u64), Vec<Posted>>,
    joined: &[Verdict],
    batch: &BatchStats,
    dir: &std::path::Path,
) -> Result<(), IndexError> {
    for ((kind, key), list) in lists {
        writer.put_postings(kind.code(), *key, list)?;
    }
    for v in joined {
        writer.put_pair(v.a, v.b, &codec::encode_verdict(v).map_err(|e| database(dir, e))?)?;
    }
    for (kind, df) in [(TERMS, &batch.terms), (ANCHORS, &batch.anchors)] {
        let mut deltas: Vec<(u64, i64)> = df.counts().map(|(t, n)| (t, i64::from(n))).collect();
        deltas.sort_unstable();
        writer.add_doc_freq(kind, &deltas)?;
    }
    let counted = writer.reader().counter(COUNTED_DOCS)?;
    writer.set_counter(COUNTED_DOCS, counted + u64::from(batch.terms.docs))
}

/// `verdict` with its ends at places `a` and `b`, the smaller first (a
/// flipped pair's containments swap with its ends).
fn in_places(verdict: &Verdict, a: u64, b: u64) -> Result<Verdict, IndexError> {
    let edge =
        verdict.edge.map(|e| if a < b { e } else { crate::verify::Edge { a_in_b: e.b_in_a, b_in_a: e.a_in_b, ..e } });
    Ok(Verdict { a: a.min(b), b: a.max(b), edge, link: verdict.link })
}

/// The body hash of an analysis, for finding exact repeats (none for a body without terms).
fn body_of(analysis: &Analysis) -> Option<u64> {
    body_of_analyzed(&analysis.analyzed)
}

fn body_of_analyzed(analyzed: &crate::pipeline::Analyzed) -> Option<u64> {
    (analyzed.body.term_count > 0).then_some(analyzed.body.hash)
}

/// Signs the members not yet signed, with the add's statistics.
fn sign(pipeline: &Pipeline, stats: &BatchStats, members: &mut [Member]) {
    let stop_words = pipeline.stop_words(members.iter().map(|m| &*m.analysis.analyzed.lang));
    let signer = pipeline.signer(stats, &stop_words);
    members.par_iter_mut().filter(|m| m.signature.is_none()).for_each(|m| {
        let a = &m.analysis;
        m.signature = Some(signer.sign(&a.terms, &a.anchors, &a.analyzed.lang));
    });
}

/// The verdicts of the `proposed` pairs that are candidates.
fn verify(
    pipeline: &Pipeline,
    stats: &BatchStats,
    members: &[Member],
    proposed: &[crate::candidates::ProposedPair<u64>],
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

/// Stored rows read from one piece of a list at a time.
const READ_PIECE: usize = 1024;

/// `read` of each piece of `items`, the pieces read in parallel, each
/// through its own connection to the index's last committed state (what
/// an add reads was committed before it: the stored articles, lists and
/// statistics); the results in `items`' order.
fn read_in_parallel<T: Sync, R: Send>(
    dir: &Path,
    items: &[T],
    read: impl Fn(&Reader, &[T]) -> Result<Vec<R>, IndexError> + Sync,
) -> Result<Vec<R>, IndexError> {
    let pieces: Vec<Vec<R>> = items
        .par_chunks(READ_PIECE)
        .map(|piece| {
            let store = Store::read_only(dir)?;
            read(&store.reader(), piece)
        })
        .collect::<Result<_, _>>()?;
    Ok(pieces.into_iter().flatten().collect())
}

/// What a stored row tells of its article's analysis.
#[derive(serde::Deserialize)]
struct RowLanguage {
    lang: String,
}

/// The stored articles `numbers`, read and analyzed again with their
/// batches' models and the language their analysis told.
fn load(dir: &Path, pipeline: &Pipeline, numbers: &[Number]) -> Result<Vec<Member>, IndexError> {
    read_in_parallel(dir, numbers, |reader, piece| {
        let mut models: FxHashMap<i64, crate::clean::BoilerplateModel> = FxHashMap::default();
        let mut loaded = Vec::with_capacity(piece.len());
        for &n in piece {
            let stored = reader.article(n)?.ok_or_else(|| database(dir, format!("article number {n} is missing")))?;
            if let std::collections::hash_map::Entry::Vacant(slot) = models.entry(stored.batch) {
                let bytes = reader.boilerplate(stored.batch)?;
                slot.insert(codec::decode_boilerplate(&bytes).map_err(|e| database(dir, e))?);
            }
            let malformed = || database(dir, format!("the stored row of {} is malformed", stored.id));
            let mut article = codec::decode_article(&stored.id, &stored.record).map_err(|e| database(dir, e))?;
            let row = codec::decompress(&stored.row).ok().and_then(|bytes| String::from_utf8(bytes).ok());
            let row = row.ok_or_else(malformed)?;
            // The language its analysis told: not detected again.
            article.lang = Some(serde_json::from_str::<RowLanguage>(&row).map_err(|_| malformed())?.lang);
            let analysis = pipeline.analyze(&article, &models[&stored.batch])?;
            let kept = (stored.component, stored.family, stored.story, row);
            loaded.push(Member { number: n, article, analysis, signature: None, stored: Some(kept) });
        }
        Ok(loaded)
    })
}

/// Each place's stable id of its group in `groups` (places by `numbers`).
fn group_ids(
    groups: &Clustering,
    numbers: &[Number],
    old: &FxHashMap<Number, GroupId>,
    next: &mut GroupId,
) -> Vec<GroupId> {
    let lists: Vec<Vec<Number>> =
        groups.clusters.iter().map(|members| members.iter().map(|&d| numbers[d as usize]).collect()).collect();
    let ids = stable_ids(old, &lists, next);
    groups.assignment.iter().map(|&g| ids[g as usize]).collect()
}

/// Each place's component of the region's verified graph, by its smallest number.
fn component_ids(result: &RunResult, numbers: &[Number]) -> Vec<Number> {
    let pairs: Vec<(DocId, DocId)> =
        result.edges.iter().map(|e| (e.a, e.b)).chain(result.links.iter().map(|l| (l.a, l.b))).collect();
    let mut component: Vec<Number> = numbers.to_vec();
    let labelled = components(&pairs);
    let mut smallest: FxHashMap<DocId, Number> = FxHashMap::default();
    for &(doc, label) in &labelled {
        let n = smallest.entry(label).or_insert(Number::MAX);
        *n = (*n).min(numbers[doc as usize]);
    }
    for (doc, label) in labelled {
        component[doc as usize] = smallest[&label];
    }
    component
}

/// Document frequencies for an add: the index's, read term by term as the
/// add meets them, plus the batch's.
struct Frequencies<'b> {
    batch: &'b BatchStats,
    union: BatchStats,
    known: [FxHashSet<TermHash>; 2],
}

impl<'b> Frequencies<'b> {
    fn new(reader: &Reader, batch: &'b BatchStats) -> Result<Frequencies<'b>, IndexError> {
        let docs = u32::try_from(reader.counter(COUNTED_DOCS)? + u64::from(batch.terms.docs))
            .map_err(|_| database(reader.dir(), "more than 4,294,967,295 articles"))?;
        let mut union = BatchStats::default();
        union.terms.add_counted(docs, std::iter::empty());
        union.anchors.add_counted(docs, std::iter::empty());
        Ok(Frequencies { batch, union, known: Default::default() })
    }

    /// Reads the counts of the terms and anchors of `analyses` not read yet.
    fn fetch<'a>(&mut self, dir: &Path, analyses: impl IntoIterator<Item = &'a Analysis>) -> Result<(), IndexError> {
        let mut own = BatchStats::default();
        for a in analyses {
            own.add(&a.terms, &a.anchors, &a.analyzed.lang);
        }
        for (kind, counted, union, batch) in [
            (TERMS, &own.terms, &mut self.union.terms, &self.batch.terms),
            (ANCHORS, &own.anchors, &mut self.union.anchors, &self.batch.anchors),
        ] {
            let known = &mut self.known[kind as usize];
            let mut missing: Vec<TermHash> = counted.counts().map(|(t, _)| t).filter(|t| known.insert(*t)).collect();
            missing.sort_unstable();
            let stored = read_in_parallel(dir, &missing, |reader, piece| reader.doc_freq(kind, piece))?;
            union.add_counted(0, missing.iter().zip(stored).map(|(&t, n)| (t, n as u32 + batch.get(t))));
        }
        Ok(())
    }
}

/// Times the add's steps.
struct Clock(Instant);

impl Clock {
    fn lap(&mut self, step: &str, added: &mut Added) {
        added.seconds.push((step.to_string(), self.0.elapsed().as_secs_f64()));
        self.0 = Instant::now();
    }
}
