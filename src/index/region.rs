//! What an add and an eviction share: the stored articles read and
//! analyzed again, the document frequencies they are signed with, and the
//! settling of a region (whole components of the verified graph, with the
//! new articles): grouped and its roles decided by the stages after
//! verification ([`Pipeline::run_from_candidates`]), its ids kept stable,
//! its rows written.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::codec;
use super::ids::{stable_ids, GroupId, Number};
use super::store::{database, IndexError, Reader, StoredArticle, Writer};
use super::Store;
use crate::article::{Article, DocId};
use crate::candidates::CandidateStats;
use crate::clean::BoilerplateModel;
use crate::cluster::Clustering;
use crate::grouping::components;
use crate::key_groups::{Candidates, Verdict, Verified};
use crate::output::article_records;
use crate::pipeline::{Analysis, Analyzed, Pipeline, RunResult};
use crate::signature::{BatchStats, Signature};
use crate::tokenize::TermHash;

/// Meta counters: the next story and family ids, and the articles the
/// document frequencies count.
pub(super) const NEXT_STORY: &str = "next_story";
pub(super) const NEXT_FAMILY: &str = "next_family";
pub(super) const COUNTED_DOCS: &str = "counted_docs";

/// The `doc_freq` table's kinds.
pub(super) const TERMS: i32 = 0;
pub(super) const ANCHORS: i32 = 1;

/// Stored rows read from one piece of a list at a time.
const READ_PIECE: usize = 1024;

/// What a stored article's row says of its groups: its component, family,
/// story, and its row's hash (to tell a changed row).
pub(super) type Kept = (Number, GroupId, GroupId, u64);

/// An article of a change, new or stored, as the stages read it.
pub(super) struct Member {
    pub number: Number,
    pub article: Article,
    pub analysis: Analysis,
    pub signature: Option<Signature>,
    /// Stored: what its row says.
    pub stored: Option<Kept>,
}

/// `read` of each piece of `items`, the pieces read in parallel, each
/// through its own connection to the index's last committed state (what a
/// change reads was committed before it: the stored articles, lists and
/// statistics); the results in `items`' order.
pub(super) fn read_in_parallel<T: Sync, R: Send>(
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
pub(super) fn load(dir: &Path, pipeline: &Pipeline, numbers: &[Number]) -> Result<Vec<Member>, IndexError> {
    read_in_parallel(dir, numbers, |reader, piece| {
        let mut models: FxHashMap<i64, BoilerplateModel> = FxHashMap::default();
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
            let kept = (stored.component, stored.family, stored.story, row_hash(&row));
            loaded.push(Member { number: n, article, analysis, signature: None, stored: Some(kept) });
        }
        Ok(loaded)
    })
}

/// Every stored member of the components of the articles `touched`,
/// their components read from `loaded` (stored articles already read)
/// where it has them.
pub(super) fn components_of(reader: &Reader, touched: &[Number], loaded: &[Member]) -> Result<Vec<Number>, IndexError> {
    let known: FxHashMap<Number, Number> =
        loaded.iter().filter_map(|m| m.stored.as_ref().map(|s| (m.number, s.0))).collect();
    let mut components = Vec::with_capacity(touched.len());
    for &n in touched {
        let component = match known.get(&n) {
            Some(&c) => Some(c),
            None => reader.component_of(n)?,
        };
        components.push(component.ok_or_else(|| database(reader.dir(), format!("article number {n} is missing")))?);
    }
    components.sort_unstable();
    components.dedup();
    reader.members_of(&components)
}

/// The stored verdicts of the pairs of `members` (whole components: each
/// pair is stored with its earlier article, a member too).
pub(super) fn verdicts_of(reader: &Reader, members: &[Number]) -> Result<Vec<Verdict>, IndexError> {
    let mut verdicts = Vec::new();
    for (a, packed) in reader.partners_of(members)? {
        verdicts.extend(codec::decode_partners(a, &packed).map_err(|e| database(reader.dir(), e))?);
    }
    Ok(verdicts)
}

/// Stores `verdicts` with their earlier articles: added to what each
/// stored (`merge`), or in its place.
pub(super) fn write_verdicts(writer: &Writer, verdicts: &[Verdict], merge: bool) -> Result<(), IndexError> {
    let reader = writer.reader();
    let mut by_first: BTreeMap<Number, Vec<Verdict>> = BTreeMap::new();
    for v in verdicts {
        by_first.entry(v.a).or_default().push(*v);
    }
    for (a, mut list) in by_first {
        if merge {
            for (_, packed) in reader.partners_of(&[a])? {
                let stored = codec::decode_partners(a, &packed).map_err(|e| database(reader.dir(), e))?;
                let fresh: FxHashSet<Number> = list.iter().map(|v| v.b).collect();
                list.extend(stored.into_iter().filter(|s| !fresh.contains(&s.b)));
            }
        }
        let packed = codec::encode_partners(&list).map_err(|e| database(reader.dir(), e))?;
        writer.put_partners(a, Some(&packed))?;
    }
    Ok(())
}

/// The body hash of an analysis, for finding exact repeats (none for a body without terms).
pub(super) fn body_of(analyzed: &Analyzed) -> Option<u64> {
    (analyzed.body.term_count > 0).then_some(analyzed.body.hash)
}

/// Signs the members not yet signed, with the change's statistics.
pub(super) fn sign(pipeline: &Pipeline, stats: &BatchStats, members: &mut [Member]) {
    let stop_words = pipeline.stop_words(members.iter().map(|m| &*m.analysis.analyzed.lang));
    let signer = pipeline.signer(stats, &stop_words);
    members.par_iter_mut().filter(|m| m.signature.is_none()).for_each(|m| {
        let a = &mut m.analysis;
        m.signature = Some(signer.sign(&a.terms, &a.anchors, &a.analyzed.lang));
        // The signature holds what the stages after read of them.
        (a.terms, a.anchors) = (Vec::new(), Vec::new());
    });
}

/// Document frequencies for a change: the index's, read term by term as
/// the change meets them, with the change's own counts added (an add) or
/// taken away (an eviction).
pub(super) struct Frequencies<'c> {
    change: &'c BatchStats,
    removing: bool,
    /// The frequencies the change signs with (of the terms read so far).
    pub union: BatchStats,
    known: [FxHashSet<TermHash>; 2],
}

impl<'c> Frequencies<'c> {
    /// The index's frequencies with `change` added, or taken away when `removing`.
    pub fn new(reader: &Reader, change: &'c BatchStats, removing: bool) -> Result<Frequencies<'c>, IndexError> {
        let counted = reader.counter(COUNTED_DOCS)?;
        let changed = u64::from(change.terms.docs);
        let docs = if removing { counted.saturating_sub(changed) } else { counted + changed };
        let docs = u32::try_from(docs).map_err(|_| database(reader.dir(), "more than 4,294,967,295 articles"))?;
        let mut union = BatchStats::default();
        union.terms.add_counted(docs, std::iter::empty());
        union.anchors.add_counted(docs, std::iter::empty());
        Ok(Frequencies { change, removing, union, known: Default::default() })
    }

    /// Reads the counts of the terms and anchors of `analyses` not read yet.
    pub fn fetch<'a>(
        &mut self,
        dir: &Path,
        analyses: impl IntoIterator<Item = &'a Analysis>,
    ) -> Result<(), IndexError> {
        let mut own = BatchStats::default();
        for a in analyses {
            own.add(&a.terms, &a.anchors, &a.analyzed.lang);
        }
        let removing = self.removing;
        for (kind, counted, union, change) in [
            (TERMS, &own.terms, &mut self.union.terms, &self.change.terms),
            (ANCHORS, &own.anchors, &mut self.union.anchors, &self.change.anchors),
        ] {
            let known = &mut self.known[kind as usize];
            let mut missing: Vec<TermHash> = counted.counts().map(|(t, _)| t).filter(|t| known.insert(*t)).collect();
            missing.sort_unstable();
            let stored = read_in_parallel(dir, &missing, |reader, piece| reader.doc_freq(kind, piece))?;
            let count = |t: TermHash, n: u64| {
                let n = n as u32;
                if removing {
                    n.saturating_sub(change.get(t))
                } else {
                    n + change.get(t)
                }
            };
            union.add_counted(0, missing.iter().zip(stored).map(|(&t, n)| (t, count(t, n))));
        }
        Ok(())
    }
}

/// Writes the document frequencies' change: `change`'s counts added, or
/// taken away when `removing`.
pub(super) fn write_frequencies(writer: &Writer, change: &BatchStats, removing: bool) -> Result<(), IndexError> {
    let sign = if removing { -1 } else { 1 };
    for (kind, df) in [(TERMS, &change.terms), (ANCHORS, &change.anchors)] {
        let mut deltas: Vec<(u64, i64)> = df.counts().map(|(t, n)| (t, sign * i64::from(n))).collect();
        deltas.sort_unstable();
        writer.add_doc_freq(kind, &deltas)?;
    }
    let counted = writer.reader().counter(COUNTED_DOCS)?;
    let changed = u64::from(change.terms.docs);
    writer.set_counter(COUNTED_DOCS, if removing { counted.saturating_sub(changed) } else { counted + changed })
}

/// What settling a region did.
#[derive(Debug, Default)]
pub(super) struct Settled {
    /// The new and changed rows (JSON), in id order.
    pub delta: Vec<String>,
    /// New articles stored.
    pub added: usize,
}

/// Groups the region of `members` (whole components of the verified graph
/// and new articles, every one signed) from the `verdicts` of its pairs
/// (by number), decides its roles, and writes its rows with stable ids:
/// a stored article's when its row, groups or component changed, a new
/// one (its number, its `batch`) whole.
pub(super) fn settle(
    writer: &Writer,
    pipeline: &Pipeline,
    mut members: Vec<Member>,
    verdicts: &[Verdict],
    stats: &BatchStats,
    batch: i64,
) -> Result<Settled, IndexError> {
    let reader = writer.reader();
    let dir = reader.dir().to_path_buf();
    members.sort_by(|a, b| a.article.id.cmp(&b.article.id));
    let place: FxHashMap<Number, u64> = members.iter().enumerate().map(|(i, m)| (m.number, i as u64)).collect();
    let at = |n: Number| {
        place.get(&n).copied().ok_or_else(|| database(&dir, format!("a pair names article {n}, outside its component")))
    };
    let verdicts = verdicts.iter().map(|v| in_places(v, at(v.a)?, at(v.b)?)).collect::<Result<Vec<_>, _>>()?;
    let verified =
        Verified { numbers: (0..members.len() as u64).collect(), verdicts, stats: CandidateStats::default() };
    let (mut articles, mut analyzed, mut signatures, mut kept) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for m in members {
        let signature = m.signature.ok_or_else(|| database(&dir, "an article of the region was not signed"))?;
        kept.push((m.number, m.stored));
        signatures.push((m.article.id.clone(), signature));
        analyzed.push(m.analysis.analyzed);
        articles.push(m.article);
    }
    // The boilerplate model is the result's, for texts cleaned again; the
    // rows do not read it.
    let result = pipeline.run_from_candidates(
        articles,
        BoilerplateModel::default(),
        analyzed,
        signatures,
        stats,
        Candidates::Verified(verified),
    )?;

    let numbers: Vec<Number> = kept.iter().map(|(n, _)| *n).collect();
    let old = |pick: fn(&Kept) -> GroupId| -> FxHashMap<Number, GroupId> {
        kept.iter().filter_map(|(n, s)| s.as_ref().map(|s| (*n, pick(s)))).collect()
    };
    let (mut next_story, mut next_family) = (reader.counter(NEXT_STORY)?, reader.counter(NEXT_FAMILY)?);
    let story_ids = group_ids(&result.clustering, &numbers, &old(|s| s.2), &mut next_story);
    let family_ids = group_ids(&result.families, &numbers, &old(|s| s.1), &mut next_family);
    let component_ids = component_ids(&result, &numbers);
    let mut settled = Settled::default();
    for (place, mut record) in article_records(&result).into_iter().enumerate() {
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
                let changed = *old_row != row_hash(&row);
                if changed || (*c, *f, *s) != (component, family, story) {
                    writer.regroup(number, component, family, story, &packed)?;
                }
                if changed {
                    settled.delta.push(row);
                }
            }
            None => {
                let article = &result.articles[place];
                let record = codec::encode_article(article).map_err(|e| database(&dir, e))?;
                writer.put_article(&StoredArticle {
                    number,
                    id: article.id.clone(),
                    batch,
                    published_day: article.published_day().map(f64::from),
                    body: body_of(&result.analyzed[place]),
                    component,
                    family,
                    story,
                    row: packed,
                    record,
                })?;
                settled.delta.push(row);
                settled.added += 1;
            }
        }
    }
    writer.set_counter(NEXT_STORY, next_story)?;
    writer.set_counter(NEXT_FAMILY, next_family)?;
    Ok(settled)
}

/// A row's hash, to tell whether a settled row changed.
fn row_hash(row: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(row.as_bytes())
}

/// `verdict` with its ends at places `a` and `b`, the smaller first (a
/// flipped pair's containments swap with its ends).
fn in_places(verdict: &Verdict, a: u64, b: u64) -> Result<Verdict, IndexError> {
    let edge =
        verdict.edge.map(|e| if a < b { e } else { crate::verify::Edge { a_in_b: e.b_in_a, b_in_a: e.a_in_b, ..e } });
    Ok(Verdict { a: a.min(b), b: a.max(b), edge, link: verdict.link })
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
