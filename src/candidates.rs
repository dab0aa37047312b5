//! Candidates: TF-IDF vectors → pairs of articles worth verifying, without
//! comparing all pairs.
//!
//! ## The algorithm
//!
//! Each article contributes its `keys_per_doc` heaviest TF-IDF terms that
//! occur in at least one other article as keys to an inverted index (a term
//! only one article has is often among its heaviest, and can pair nothing).
//! Two articles become a candidate pair when they share at least
//! `min_shared_keys` keys (or all keys of the article with fewer).
//! Posting lists longer than `max_postings` are skipped: a key that many
//! articles share is a topic word, not a story's fingerprint (document
//! frequency pruning). Each article keeps only its closest term-key
//! partners: those sharing at least as many keys as its
//! `closest_partners`-th best (ties kept, unless there are hundreds), so a
//! pair is proposed when either side ranks the other among its closest; an
//! article of a topic that hundreds of stories share is not compared with
//! all of them. A
//! second index holds each article's `WORDING_KEYS` (16) smallest shingle
//! hashes (a min-hash sample of its wording); two articles sharing enough
//! of them are a candidate too (copies whose heavy terms differ; see
//! `wording_keys_needed`), and their keys must be such that one text could
//! lie inside the other (`could_contain`). A wording key's list longer than
//! `WORDING_WINDOW` is ordered by each article's smallest other key, and an
//! article meets only its neighbours there: copies of one text sit
//! together, and a paragraph that a thousand stories reuse costs each a
//! bounded walk. Term keys' lists longer than `TERM_WINDOW` are walked the
//! same way. The cost is the sum of the squared lengths of the kept lists
//! up to the window, and the list's length times twice the window above
//! it: linear in the batch however often its articles reuse a passage.

use std::sync::atomic::AtomicU16;
use std::sync::atomic::Ordering::Relaxed;

use fixedbitset::FixedBitSet;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::article::DocId;
use crate::error::{Error, Result};
use crate::params::ValidParams;
use crate::sketch::ShingleSketch;
use crate::tfidf::{DocFreq, PieceVector, SparseVec};
use crate::tokenize::TermHash;

/// Counts that describe one candidate generation.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CandidateStats {
    /// Distinct keys indexed.
    pub keys: usize,
    /// Posting lists skipped for being longer than `max_postings`.
    pub pruned_keys: usize,
    /// Candidate pairs produced.
    pub pairs: usize,
}

/// For each article, the first article (smallest [`DocId`]) whose cleaned
/// body is byte-identical to its own, when that is another article. Empty
/// bodies are never duplicates. Linear in the batch, so ten thousand copies
/// of one text cost no more than ten thousand different texts.
pub fn exact_duplicates(body_hashes: &[Option<u64>]) -> Vec<Option<DocId>> {
    let mut first: FxHashMap<u64, DocId> = FxHashMap::default();
    body_hashes
        .iter()
        .enumerate()
        .map(|(doc, h)| {
            let h = (*h)?;
            let rep = *first.entry(h).or_insert(doc as DocId);
            (rep != doc as DocId).then_some(rep)
        })
        .collect()
}

/// Proposes candidate pairs `(a, b)` with `a < b`, sorted, among the
/// articles for which `active` is true (exact duplicates are linked to
/// their first copy elsewhere and stay out of the index).
pub fn candidate_pairs(input: &CandidateInput, params: &ValidParams) -> (Vec<(DocId, DocId)>, CandidateStats) {
    let index = CandidateIndex::build(input, params);
    let pairs: Vec<(DocId, DocId)> = (0..index.len() as DocId)
        .into_par_iter()
        .map_init(
            || index.scratch(),
            |scratch, a| index.candidates_of(a, scratch).iter().map(|&b| (a, b)).collect::<Vec<_>>(),
        )
        .flatten()
        .collect();
    let mut stats = index.stats().clone();
    stats.pairs = pairs.len();
    (pairs, stats)
}

/// Each active article's `keys_per_doc` heaviest terms that another article
/// also has (by `df`): its term keys.
pub fn term_keys(vectors: &[SparseVec], df: &DocFreq, active: &[bool], params: &ValidParams) -> KeyLists {
    let lists: Vec<Vec<TermHash>> = vectors
        .par_iter()
        .zip(active)
        .map(|(v, &on)| if on { term_keys_of(v, df, params) } else { Vec::new() })
        .collect();
    let mut keys = KeyLists::default();
    lists.into_iter().for_each(|list| keys.push(list));
    keys
}

/// One article's term keys: its `keys_per_doc` heaviest terms that another
/// article also has.
pub fn term_keys_of(vector: &SparseVec, df: &DocFreq, params: &ValidParams) -> Vec<TermHash> {
    vector.top_terms_where(params.keys_per_doc(), |t| df.get(t) >= 2)
}

/// [`term_keys_of`] a vector made with the batch's shared terms, each key
/// the term's number among them ([`TermKeys::Numbers`]).
pub fn shared_term_keys_of(vector: &PieceVector, params: &ValidParams) -> Vec<u32> {
    vector.top_shared_ids(params.keys_per_doc())
}

/// Each article's term keys.
#[derive(Debug, Clone)]
pub enum TermKeys {
    /// The terms' hashes.
    Hashes(KeyLists<u64>),
    /// The terms' numbers among the batch's shared terms
    /// ([`crate::tfidf::SharedTerms`]), which are in the hashes' order:
    /// the same candidates, in half the room.
    Numbers(KeyLists<u32>),
}

/// Term keys per article, for [`CandidateIndex::from_keys`].
#[derive(Debug, Clone)]
pub struct IndexKeys {
    /// Keys from the TF-IDF vectors.
    pub terms: TermKeys,
    /// Keys from the anchor vectors (cross-lingual mode).
    pub anchors: Option<KeyLists>,
}

/// The inverted indexes of one batch, asked one article at a time for the
/// articles it should be compared with; so the pairs can be verified as
/// they are found, and a batch's pairs never have to be held at once.
#[derive(Debug)]
pub struct CandidateIndex<'s> {
    found: Found<'s>,
    articles: usize,
    stats: CandidateStats,
}

/// Where a [`CandidateIndex`] finds an article's candidates.
#[derive(Debug)]
enum Found<'s> {
    /// In inverted indexes of keys.
    Keys {
        /// Heaviest terms (and, cross-lingually, anchors).
        terms: Vec<TermIndex>,
        /// Smallest shingle hashes, read from the sketches.
        wording: Box<KeyIndex<u32, SketchKeys<'s>>>,
    },
    /// Among pairs proposed elsewhere, by grouping keys ([`crate::key_groups`]).
    Pairs(ClosePartners),
}

/// An index of term keys, by hash or by number ([`TermKeys`]).
#[derive(Debug)]
enum TermIndex {
    Hashes(KeyIndex<u64>),
    Numbers(KeyIndex<u32>),
}

impl TermIndex {
    /// [`KeyIndex::partners`].
    fn partners(&self, a: DocId, scratch: &mut Scratch) {
        match self {
            TermIndex::Hashes(index) => index.partners(a, scratch),
            TermIndex::Numbers(index) => index.partners(a, scratch),
        }
    }
}

/// Reusable buffers for [`CandidateIndex::candidates_of`], one per thread.
#[derive(Debug)]
pub struct Scratch {
    tally: Tally,
    /// Articles the key counts keep, with how many keys each shares,
    /// before their keys are read.
    kept: Vec<(DocId, usize)>,
    found: Vec<DocId>,
}

impl<'s> CandidateIndex<'s> {
    /// Indexes the keys of every active article.
    pub fn build(input: &CandidateInput<'s>, params: &ValidParams) -> CandidateIndex<'s> {
        let CandidateInput { vectors, sketches, df, active, anchors } = *input;
        let keys = IndexKeys {
            terms: TermKeys::Hashes(term_keys(vectors, df, active, params)),
            anchors: anchors.map(|(vectors, df)| term_keys(vectors, df, active, params)),
        };
        CandidateIndex::from_keys(keys, sketches, active, params)
    }

    /// Indexes keys chosen beforehand (see [`term_keys`]), so that the
    /// vectors they were chosen from can be freed first.
    pub fn from_keys(
        keys: IndexKeys,
        sketches: &'s [ShingleSketch],
        active: &[bool],
        params: &ValidParams,
    ) -> CandidateIndex<'s> {
        let mut stats = CandidateStats::default();
        let mut terms = vec![match keys.terms {
            TermKeys::Hashes(keys) => TermIndex::Hashes(KeyIndex::of_terms(keys, params, &mut stats)),
            TermKeys::Numbers(keys) => TermIndex::Numbers(KeyIndex::of_terms(keys, params, &mut stats)),
        }];
        if let Some(anchor_keys) = keys.anchors {
            terms.push(TermIndex::Hashes(KeyIndex::of_terms(anchor_keys, params, &mut stats)));
        }
        // Ranked, the term indexes freed their lists: that room goes back
        // before the wording index is built.
        crate::memory::release_freed();
        // The smallest shingle hashes are a min-hash sample of the wording:
        // copies, excerpts and light edits share some of them even when noise
        // crowds their shared terms out of the heaviest ones. Two must match
        // (one alone is what two stories reusing one paragraph share), more
        // for texts of like length (see `wording_keys_needed`).
        let wording_keys = SketchKeys::new(sketches, active);
        let mut wording = KeyIndex::build(wording_keys, MIN_SHARED_WORDING_KEYS, params.max_postings(), &mut stats)
            .with_window(WORDING_WINDOW);
        wording.sizes = Some(sketches.iter().map(ShingleSketch::distinct).collect());
        CandidateIndex { found: Found::Keys { terms, wording: Box::new(wording) }, articles: sketches.len(), stats }
    }

    /// The candidates among pairs that an engine proposed by grouping the
    /// articles' keys ([`crate::key_groups`]): a pair proposed by a term
    /// index is a candidate; one proposed by the wording index only when
    /// the articles' lengths and wording keys (read from `sketches`) say
    /// that one text could lie inside the other, as [`CandidateIndex::build`]
    /// asks. `stats` counts the keys the engine indexed.
    pub fn from_proposed(
        proposed: &[ProposedPair],
        sketches: &[ShingleSketch],
        stats: CandidateStats,
    ) -> Result<CandidateIndex<'static>> {
        let n = sketches.len();
        if let Some(p) = proposed.iter().find(|p| p.a >= p.b || p.b as usize >= n) {
            return Err(Error::Exchange(format!(
                "proposed pair ({}, {}) of {n} articles: a pair names two articles, the smaller first",
                p.a, p.b
            )));
        }
        let kept: Vec<bool> =
            proposed.par_iter().map(|p| p.is_candidate(&sketches[p.a as usize], &sketches[p.b as usize])).collect();
        let mut close: Vec<Vec<DocId>> = vec![Vec::new(); n];
        for (p, _) in proposed.iter().zip(&kept).filter(|(_, &k)| k) {
            close[p.a as usize].push(p.b);
        }
        let close = ClosePartners::new(n, || close.iter().map(Vec::as_slice).enumerate());
        Ok(CandidateIndex { found: Found::Pairs(close), articles: n, stats })
    }

    /// Number of articles indexed (active or not).
    pub fn len(&self) -> usize {
        self.articles
    }

    /// True for an empty batch.
    pub fn is_empty(&self) -> bool {
        self.articles == 0
    }

    /// Keys indexed and posting lists pruned (`pairs` is left to the caller,
    /// who sees them).
    pub fn stats(&self) -> &CandidateStats {
        &self.stats
    }

    /// Buffers for one thread's calls to [`CandidateIndex::candidates_of`].
    pub fn scratch(&self) -> Scratch {
        Scratch { tally: Tally::default(), kept: Vec::new(), found: Vec::new() }
    }

    /// The articles after `a` (larger [`DocId`]) that `a` should be
    /// compared with, ascending.
    pub fn candidates_of<'b>(&self, a: DocId, scratch: &'b mut Scratch) -> &'b [DocId] {
        scratch.found.clear();
        match &self.found {
            Found::Keys { terms, wording } => {
                for index in terms {
                    index.partners(a, scratch);
                }
                wording.partners(a, scratch);
            }
            Found::Pairs(close) => scratch.found.extend_from_slice(close.after(a)),
        }
        scratch.found.sort_unstable();
        scratch.found.dedup();
        &scratch.found
    }
}

/// Which articles [`KeyIndex::tally`] counts.
#[derive(Debug, Clone, Copy)]
enum Partners {
    /// Every other article.
    All,
    /// Only those after the asking article.
    After,
}

/// One inverted index: each article's keys, and the articles holding each key.
#[derive(Debug)]
struct KeyIndex<K, S = KeyLists<K>> {
    keys: S,
    /// Kept posting lists (two to `max_postings` articles): their articles,
    /// ascending (with a window, a longer list by [`order_in`], then id).
    postings: PostingLists<K>,
    /// With a window, each article meets in a list only the articles at
    /// most this many places from it (see [`KeyIndex::with_window`]).
    window: Option<usize>,
    /// With a window, where each article's entry sits in the posting list
    /// of each of its keys (laid out as `keys`), for lists longer than the
    /// window: found once, not searched for at every question. (A kept
    /// list has at most `max_postings`, at most 65,535, articles.)
    places: Vec<u16>,
    min_shared: usize,
    /// Once ranked, each article's candidates (see [`KeyIndex::rank_partners`]).
    close: Option<ClosePartners>,
    /// Per article, its distinct shingles, for the wording index (see
    /// [`wording_keys_needed`]).
    sizes: Option<Vec<u32>>,
}

impl<K: IndexKey> KeyIndex<K> {
    /// A term index: heaviest terms, met within [`TERM_WINDOW`], each
    /// article's closest partners ranked when `params` asks.
    fn of_terms(keys: KeyLists<K>, params: &ValidParams, stats: &mut CandidateStats) -> KeyIndex<K> {
        let mut index =
            KeyIndex::build(keys, params.min_shared_keys(), params.max_postings(), stats).with_window(TERM_WINDOW);
        if params.closest_partners() > 0 {
            index.rank_partners(params.closest_partners());
        }
        index
    }
}

impl<K: IndexKey, S: KeySource<K>> KeyIndex<K, S> {
    fn build(keys: S, min_shared: usize, max_postings: usize, stats: &mut CandidateStats) -> KeyIndex<K, S> {
        // Counted first, so that only the kept lists are made, each at its
        // size, side by side in one buffer: most wording keys are one
        // article's own, and a list of its own for each key kept (a map
        // entry and an allocation each) took twice the room of the articles
        // listed.
        let mut kept: Vec<(K, u32)> = Vec::new();
        let mut count = |k: K, uses: usize| {
            stats.keys += 1;
            if uses > max_postings {
                stats.pruned_keys += 1;
            } else if uses > 1 {
                kept.push((k, uses as u32));
            }
        };
        // Keys that are small numbers (the batch's term numbers) are counted,
        // and their lists found, by index: no sort, no hashing, in no more
        // room than the sorted copy below (one count for each number up to
        // the largest, when there are no more numbers than keys).
        let largest = keys.all().map(IndexKey::index).max();
        let dense = largest.filter(|&largest| largest < keys.total()).map(|largest| largest + 1);
        if let Some(bound) = dense {
            let mut uses = vec![0u32; bound];
            keys.all().for_each(|k| uses[k.index()] += 1);
            let used = uses.iter().enumerate().filter(|&(_, &n)| n > 0);
            used.for_each(|(index, &n)| count(K::of_index(index), n as usize));
        } else if K::MOSTLY_DISTINCT {
            // A map of counts takes twice the room of a sorted copy of keys
            // that are mostly one article's own.
            let mut sorted: Vec<K> = Vec::with_capacity(keys.total());
            sorted.extend(keys.all());
            sorted.par_sort_unstable();
            sorted.chunk_by(|x, y| x == y).for_each(|run| count(run[0], run.len()));
        } else {
            let mut counts: FxHashMap<K, u32> = FxHashMap::default();
            keys.all().for_each(|k| *counts.entry(k).or_default() += 1);
            counts.into_iter().for_each(|(k, uses)| count(k, uses as usize));
        }
        let mut postings = PostingLists::sized(&kept, dense);
        drop(kept);
        postings.fill(&keys);
        KeyIndex { keys, postings, window: None, places: Vec::new(), min_shared, close: None, sizes: None }
    }

    /// Orders each posting list by its articles' smallest other key (then
    /// id), and has each article meet only the `window` articles either
    /// side of it there. Articles with the same smallest keys, copies of one
    /// text, sit together; a list of hundreds that a reused paragraph
    /// gathers costs each article `2 * window` steps, not the whole list.
    /// Lists of up to `window` articles are met whole, as without it.
    fn with_window(mut self, window: usize) -> KeyIndex<K, S> {
        let keys = &self.keys;
        // Each (article, key) has one entry, in one list: the lists write
        // their places side by side without meeting.
        let places: Vec<AtomicU16> = (0..keys.total()).map(|_| AtomicU16::new(0)).collect();
        self.postings.long_lists(window).into_par_iter().for_each(|(k, list)| {
            let mut entries: Vec<u64> = list.iter().map(|&doc| entry(order_in(keys.of(doc), k), doc)).collect();
            entries.sort_unstable();
            list.iter_mut().zip(&entries).for_each(|(doc, &e)| *doc = doc_of(e));
            for (at, &doc) in list.iter().enumerate() {
                let start = keys.start(doc);
                for (slot, _) in keys.of(doc).iter().enumerate().filter(|&(_, &h)| h == k) {
                    // A kept list has at most 65,535 entries (see `ValidParams`).
                    places[start + slot].store(at as u16, Relaxed);
                }
            }
        });
        self.places = places.into_iter().map(AtomicU16::into_inner).collect();
        self.window = Some(window);
        self
    }

    /// Finds each article's closest partners: those sharing at least as
    /// many keys as its `closest`-th partner does (its bar: ties kept,
    /// unless more than [`MAX_TIES_FACTOR`] times `closest` partners reach
    /// it, then one more; at least `min_shared`; never more than the article
    /// with fewer keys has). A pair is a candidate when either side holds
    /// the other (see [`ClosePartners`]), which is a pair clearing the
    /// lower of its two bars. The pairs are kept and the posting lists
    /// freed: [`KeyIndex::partners`] answers from the pairs.
    fn rank_partners(&mut self, closest: usize) {
        let n = self.keys.len();
        let floor = self.min_shared as u16;
        // A partner sharing fewer keys than the floor never sets the bar
        // (it is at least the floor), and clears it only when one side has
        // no more keys than they share. Most partners share one key: only
        // for the few articles with fewer keys than the floor (a bit each,
        // which stays in cache) is the partner's key count read, each read
        // a likely cache miss in a large batch.
        let few_keys: FixedBitSet =
            (0..n as DocId).filter(|&doc| self.keys.count(doc) < usize::from(floor)).map(|doc| doc as usize).collect();
        // Each article's close partners, before and after it, a run of
        // articles at a time, laid out flat (a list of its own for each
        // article cost an allocation and its pointer each).
        let runs: Vec<RankedRun> = (0..n.div_ceil(RANKED_RUN))
            .into_par_iter()
            .map_init(
                || (Tally::default(), Vec::<u16>::new()),
                |(tally, shared), run| {
                    let docs = run * RANKED_RUN..n.min((run + 1) * RANKED_RUN);
                    let mut ranked =
                        RankedRun { first: docs.start, ends: Vec::with_capacity(docs.len()), partners: Vec::new() };
                    for a in docs {
                        self.tally(a as DocId, Partners::All, tally);
                        shared.clear();
                        shared.extend(tally.met().map(|(_, count)| count).filter(|&count| count >= floor));
                        let bar = close_bar(shared, closest, floor);
                        let mine = self.keys.count(a as DocId);
                        let close = tally
                            .met()
                            .filter(|&(other, count)| {
                                if count < floor && !few_keys.contains(other as usize) {
                                    return usize::from(count) >= mine;
                                }
                                clears(count, bar, mine, || self.keys.count(other))
                            })
                            .map(|(other, _)| other);
                        ranked.partners.extend(close);
                        ranked.ends.push(ranked.partners.len());
                        tally.clear();
                    }
                    ranked.partners.shrink_to_fit();
                    ranked
                },
            )
            .collect();
        // The index goes (its room handed back) before the pairs are laid out.
        self.postings = PostingLists::default();
        self.keys = S::default();
        self.places = Vec::new();
        crate::memory::release_freed();
        self.close = Some(ClosePartners::new(n, || runs.iter().flat_map(RankedRun::lists)));
    }

    /// Counts in `tally` the keys `a` shares with each article its
    /// posting lists hold (other than itself; after it only, with
    /// [`Partners::After`]).
    fn tally(&self, a: DocId, which: Partners, tally: &mut Tally) {
        let (mine, start) = (self.keys.of(a), self.keys.start(a));
        // Every list is looked up before any is read: the lookups (each a
        // likely cache miss) then overlap.
        let lists: Vec<(usize, &[DocId])> =
            mine.iter().enumerate().filter_map(|(slot, k)| self.postings.get(k).map(|list| (slot, list))).collect();
        let after = matches!(which, Partners::After);
        for (slot, list) in lists {
            let range = match (self.window, which) {
                (Some(w), _) if list.len() > w => {
                    let at = self.places[start + slot] as usize;
                    at.saturating_sub(w)..(at + 1 + w).min(list.len())
                }
                (_, Partners::All) => 0..list.len(),
                (_, Partners::After) => list.partition_point(|&doc| doc <= a)..list.len(),
            };
            for other in list[range].iter().copied().filter(|&o| o != a && !(after && o < a)) {
                tally.add(other);
            }
        }
    }

    /// Appends to `scratch.found` the articles after `a` that share enough
    /// keys with it, in no particular order: at least `min_shared`, what
    /// their lengths ask of wording keys (and never more than the article
    /// with fewer keys has). A ranked index hands over the pairs it found
    /// when ranking.
    fn partners(&self, a: DocId, scratch: &mut Scratch) {
        let Scratch { tally, kept, found } = scratch;
        if let Some(close) = &self.close {
            found.extend_from_slice(close.after(a));
            return;
        }
        let mine = self.keys.of(a);
        // No pair can need fewer keys than this without `other` having fewer.
        let least_needed = self.min_shared.min(mine.len());
        self.tally(a, Partners::After, tally);
        for (other, shared) in tally.met() {
            let shared = shared as usize;
            // Most articles a posting list touches share one key: turn them
            // away before reading anything else of theirs (each read a
            // likely cache miss in a large batch).
            if shared < least_needed && shared < self.keys.count(other) {
                continue;
            }
            let sizes = self.sizes.as_ref().map(|sizes| (sizes[a as usize], sizes[other as usize]));
            if shares_enough(shared, self.min_shared, sizes, mine.len(), self.keys.count(other)) {
                kept.push((other, shared));
            }
        }
        tally.clear();
        if self.sizes.is_none() {
            found.extend(kept.drain(..).map(|(other, _)| other));
            return;
        }
        // Their keys are read last, only for the pairs that may be kept:
        // first each one's first and last key, in a loop with no branch on
        // the data, so that the reads (each a likely cache miss in a large
        // batch) overlap; then the searches, on keys now in cache.
        let ends = kept.iter().fold(0u32, |acc, &(other, _)| {
            let keys = self.keys.of(other);
            acc ^ keys.first().map_or(0, |k| k.low_bits()) ^ keys.last().map_or(0, |k| k.low_bits())
        });
        std::hint::black_box(ends);
        for (other, shared) in kept.drain(..) {
            if could_contain(mine, self.keys.of(other), shared) {
                found.push(other);
            }
        }
    }
}

/// Posting lists side by side in one buffer, each found by its key.
#[derive(Debug)]
struct PostingLists<K> {
    /// Each key's list, by number.
    numbers: ListNumbers<K>,
    /// Where each list starts in `docs`, by number; one more entry than lists.
    starts: Vec<usize>,
    docs: Vec<DocId>,
}

impl<K> Default for PostingLists<K> {
    fn default() -> Self {
        PostingLists { numbers: ListNumbers::Hashed(FxHashMap::default()), starts: vec![0], docs: Vec::new() }
    }
}

impl<K: IndexKey> PostingLists<K> {
    /// Room for a list of each of `kept`, (key, articles), the keys
    /// distinct; found by index when every key is below `dense`.
    fn sized(kept: &[(K, u32)], dense: Option<usize>) -> PostingLists<K> {
        let mut numbers = match dense {
            Some(bound) => ListNumbers::Dense(vec![NO_LIST; bound]),
            None => ListNumbers::Hashed(FxHashMap::with_capacity_and_hasher(kept.len(), Default::default())),
        };
        let mut starts = Vec::with_capacity(kept.len() + 1);
        starts.push(0);
        for (number, &(k, uses)) in kept.iter().enumerate() {
            match &mut numbers {
                ListNumbers::Dense(numbers) => numbers[k.index()] = number as u32,
                ListNumbers::Hashed(numbers) => _ = numbers.insert(k, number as u32),
            }
            starts.push(starts[number] + uses as usize);
        }
        PostingLists { numbers, docs: vec![0; starts[kept.len()]], starts }
    }

    /// The number of `k`'s list, if kept.
    fn number(&self, k: K) -> Option<u32> {
        match &self.numbers {
            ListNumbers::Dense(numbers) => numbers.get(k.index()).copied().filter(|&n| n != NO_LIST),
            ListNumbers::Hashed(numbers) => numbers.get(&k).copied(),
        }
    }

    /// Fills the lists from each article's keys, each list in article
    /// order, to the size it was given.
    fn fill(&mut self, keys: &impl KeySource<K>) {
        let mut ends = self.starts[..self.starts.len() - 1].to_vec();
        for doc in 0..keys.len() as DocId {
            for k in keys.of(doc) {
                if let Some(number) = self.number(*k) {
                    let end = &mut ends[number as usize];
                    self.docs[*end] = doc;
                    *end += 1;
                }
            }
        }
    }

    /// The list of `k`, if kept.
    fn get(&self, k: &K) -> Option<&[DocId]> {
        let number = self.number(*k)? as usize;
        Some(&self.docs[self.starts[number]..self.starts[number + 1]])
    }

    /// The lists longer than `window`, with their keys, to be reordered in place.
    fn long_lists(&mut self, window: usize) -> Vec<(K, &mut [DocId])> {
        let is_long = |n: u32| self.starts[n as usize + 1] - self.starts[n as usize] > window;
        let mut by_number: Vec<(u32, K)> = match &self.numbers {
            ListNumbers::Dense(numbers) => numbers
                .iter()
                .enumerate()
                .filter(|&(_, &n)| n != NO_LIST && is_long(n))
                .map(|(index, &n)| (n, K::of_index(index)))
                .collect(),
            ListNumbers::Hashed(numbers) => {
                numbers.iter().filter(|&(_, &n)| is_long(n)).map(|(&k, &n)| (n, k)).collect()
            }
        };
        by_number.sort_unstable_by_key(|&(n, _)| n);
        let mut long = Vec::with_capacity(by_number.len());
        let (mut rest, mut at) = (self.docs.as_mut_slice(), 0);
        for (n, k) in by_number {
            let (start, end) = (self.starts[n as usize], self.starts[n as usize + 1]);
            let (_, from_start) = std::mem::take(&mut rest).split_at_mut(start - at);
            let (list, after) = from_start.split_at_mut(end - start);
            long.push((k, list));
            (rest, at) = (after, end);
        }
        long
    }
}

/// How [`PostingLists`] finds the number of a key's list.
#[derive(Debug)]
enum ListNumbers<K> {
    /// By hashing the key.
    Hashed(FxHashMap<K, u32>),
    /// By the key's value, for keys that are small numbers: [`NO_LIST`]
    /// where a key has no list.
    Dense(Vec<u32>),
}

/// A key without a kept list, in [`ListNumbers::Dense`].
const NO_LIST: u32 = u32::MAX;

/// How many keys one asking article shares with each article its posting
/// lists hold, in a small open-addressing table that grows with the
/// articles met, not with the batch. A count per article of the batch took
/// 2 bytes an article per thread, 6 MB at 3M articles, out of the core's
/// 2 MiB cache: at 3M bench articles the candidates stage took 67.3 s with
/// it and 36.3 s with this table (the same at 100k, 1M within noise).
#[derive(Debug)]
struct Tally {
    /// `(article + 1) << 16 | count`, 0 for an empty slot; a power of two long.
    slots: Vec<u64>,
    /// How far to shift a product to keep its top `log2(slots.len())` bits.
    shift: u32,
    /// The slots in use, in the order their articles were first met.
    filled: Vec<u32>,
}

impl Default for Tally {
    fn default() -> Self {
        Tally::with_slots(1 << 10)
    }
}

impl Tally {
    fn with_slots(slots: usize) -> Tally {
        debug_assert!(slots.is_power_of_two());
        Tally { slots: vec![0; slots], shift: 64 - slots.trailing_zeros(), filled: Vec::new() }
    }

    /// The slot where `doc`'s search starts (Fibonacci hashing).
    fn home(&self, doc: DocId) -> usize {
        ((u64::from(doc) + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// Counts one more key shared with `doc`.
    #[inline(always)]
    fn add(&mut self, doc: DocId) {
        let key = (u64::from(doc) + 1) << 16;
        let mask = self.slots.len() - 1;
        let mut at = self.home(doc);
        loop {
            let slot = self.slots[at];
            if slot & !0xFFFF == key {
                // Saturates rather than carry into the article's bits.
                self.slots[at] += u64::from(slot & 0xFFFF != 0xFFFF);
                return;
            }
            if slot == 0 {
                self.slots[at] = key | 1;
                self.filled.push(at as u32);
                if 2 * self.filled.len() > self.slots.len() {
                    self.grow();
                }
                return;
            }
            at = (at + 1) & mask;
        }
    }

    /// Doubles the table, keeping the order articles were met in.
    fn grow(&mut self) {
        let mut bigger = Tally::with_slots(2 * self.slots.len());
        for &at in &self.filled {
            let slot = self.slots[at as usize];
            let mask = bigger.slots.len() - 1;
            let mut to = bigger.home(((slot >> 16) - 1) as DocId);
            while bigger.slots[to] != 0 {
                to = (to + 1) & mask;
            }
            bigger.slots[to] = slot;
            bigger.filled.push(to as u32);
        }
        *self = bigger;
    }

    /// Each article met, with the keys it shares, in the order first met.
    fn met(&self) -> impl Iterator<Item = (DocId, u16)> + '_ {
        self.filled.iter().map(|&at| {
            let slot = self.slots[at as usize];
            (((slot >> 16) - 1) as DocId, slot as u16)
        })
    }

    /// Empties the table for the next asking article (its size kept).
    fn clear(&mut self) {
        for &at in &self.filled {
            self.slots[at as usize] = 0;
        }
        self.filled.clear();
    }
}

/// Articles ranked at a time by [`KeyIndex::rank_partners`].
const RANKED_RUN: usize = 4096;

/// The close partners of a run of consecutive articles, side by side.
struct RankedRun {
    /// The run's first article.
    first: usize,
    /// Where each article's partners end in `partners`.
    ends: Vec<usize>,
    partners: Vec<DocId>,
}

impl RankedRun {
    /// Each article of the run with its partners.
    fn lists(&self) -> impl Iterator<Item = (usize, &[DocId])> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).enumerate().map(|(i, (start, &end))| (self.first + i, &self.partners[start..end]))
    }
}

/// Ranked pairs, each under its smaller article: the articles after each
/// article that it is to be compared with, ascending.
#[derive(Debug)]
struct ClosePartners {
    /// Where each article's partners end in `after`.
    ends: Vec<usize>,
    after: Vec<DocId>,
}

impl ClosePartners {
    /// From the close partners of each of `n` articles (before and after
    /// it, in any order; `close` lists them, article by article, each time
    /// it is called): a pair is kept when either side holds the other.
    /// Each pair is written under its smaller article in one pass over the
    /// lists (counted first), then each article's partners sorted and
    /// repeats dropped: no list of all the pairs is ever made (at 1M
    /// articles, it and its copy while collected took 190 MB at the run's
    /// peak).
    fn new<'c, I>(n: usize, close: impl Fn() -> I) -> ClosePartners
    where
        I: Iterator<Item = (usize, &'c [DocId])>,
    {
        let pair = |a: usize, b: DocId| ((a as DocId).min(b) as usize, (a as DocId).max(b));
        let mut starts = vec![0usize; n + 1];
        for (a, partners) in close() {
            partners.iter().for_each(|&b| starts[pair(a, b).0 + 1] += 1);
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut after = vec![0 as DocId; starts[n]];
        let mut next = starts.clone();
        for (a, partners) in close() {
            for &b in partners {
                let (lo, hi) = pair(a, b);
                after[next[lo]] = hi;
                next[lo] += 1;
            }
        }
        drop(next);
        // Sorted, each once, moved down over the repeats dropped before.
        let mut ends = Vec::with_capacity(starts.len() - 1);
        let mut kept = 0;
        for doc in starts.windows(2) {
            after[doc[0]..doc[1]].sort_unstable();
            let mut last = None;
            for i in doc[0]..doc[1] {
                if last != Some(after[i]) {
                    last = Some(after[i]);
                    after[kept] = after[i];
                    kept += 1;
                }
            }
            ends.push(kept);
        }
        after.truncate(kept);
        after.shrink_to_fit();
        ClosePartners { ends, after }
    }

    /// The partners after `a`, ascending.
    fn after(&self, a: DocId) -> &[DocId] {
        let start = if a == 0 { 0 } else { self.ends[a as usize - 1] };
        &self.after[start..self.ends[a as usize]]
    }
}

/// The bar an article's partners must clear to be among its closest,
/// given how many keys each shares with it (`shared`, reordered): as many
/// as its `closest`-th partner shares (ties kept, unless more than
/// [`MAX_TIES_FACTOR`] times `closest` partners reach it, then one more),
/// and at least `floor`; `floor` when it has no more than `closest`.
pub(crate) fn close_bar(shared: &mut [u16], closest: usize, floor: u16) -> u16 {
    if shared.len() <= closest {
        return floor;
    }
    let (_, &mut nth, _) = shared.select_nth_unstable_by(closest - 1, |x, y| y.cmp(x));
    // Hundreds of partners sharing the closest-th count are an article's
    // topic, not its story: the bar goes above them.
    let reaching = shared.iter().filter(|&&c| c >= nth).count();
    let bar = if reaching > MAX_TIES_FACTOR * closest { nth + 1 } else { nth };
    bar.max(floor)
}

/// Is a partner sharing `shared` keys among an article's closest, with
/// `bar` its bar, `mine` and `theirs` the two articles' key counts? The
/// pair clears the lower of its two bars if it clears this one; never more
/// is asked than the article with fewer keys has.
pub(crate) fn clears(shared: u16, bar: u16, mine: usize, theirs: impl FnOnce() -> usize) -> bool {
    // `theirs` is asked last: most partners clear or fail on the rest, and
    // in a large batch reading another article's count is a likely cache miss.
    shared >= bar || shared as usize >= mine || shared as usize >= theirs()
}

/// Do two articles with `mine` and `theirs` keys that share `shared` share
/// enough: at least `min_shared`, what their lengths ask of wording keys
/// (`sizes`, their distinct shingles, for the wording index; see
/// [`wording_keys_needed`]), and never more than the article with fewer
/// keys has.
pub(crate) fn shares_enough(
    shared: usize,
    min_shared: usize,
    sizes: Option<(u32, u32)>,
    mine: usize,
    theirs: usize,
) -> bool {
    let mut need = min_shared;
    if let Some((x, y)) = sizes {
        need = need.max(wording_keys_needed(x, y));
    }
    shared >= need.min(mine).min(theirs).max(1)
}

/// An article's wording keys: its [`WORDING_KEYS`] smallest shingle hashes.
pub(crate) fn wording_keys_of(sketch: &ShingleSketch) -> &[u32] {
    let mins = sketch.mins();
    &mins[..mins.len().min(WORDING_KEYS)]
}

impl<N> ProposedPair<N> {
    /// Is the pair a candidate, its articles' sketches being `x` and `y`?
    /// One that a term index proposed is; one that only the wording index
    /// proposed when the articles' lengths and wording keys say that one
    /// text could lie inside the other, as [`CandidateIndex::build`] asks.
    pub fn is_candidate(&self, x: &ShingleSketch, y: &ShingleSketch) -> bool {
        self.by_terms || {
            let (mine, theirs) = (wording_keys_of(x), wording_keys_of(y));
            let shared = usize::from(self.wording_shared);
            let sizes = Some((x.distinct(), y.distinct()));
            shares_enough(shared, MIN_SHARED_WORDING_KEYS, sizes, mine.len(), theirs.len())
                && could_contain(mine, theirs, shared)
        }
    }
}

impl<N> ProposedPair<N> {
    /// Could the pair be a candidate ([`ProposedPair::is_candidate`]),
    /// knowing only how many wording keys each article has (`x_keys`,
    /// `y_keys`)? An engine that must fetch an article to read its sketch
    /// skips the pairs this rules out.
    pub fn may_be_candidate(&self, x_keys: usize, y_keys: usize) -> bool {
        self.by_terms || usize::from(self.wording_shared) >= MIN_SHARED_WORDING_KEYS.min(x_keys).min(y_keys).max(1)
    }
}

/// A pair proposed by grouping keys ([`CandidateIndex::from_proposed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProposedPair<N = DocId> {
    /// The article with the smaller id.
    pub a: N,
    /// The article with the larger id.
    pub b: N,
    /// Is one of the two among the other's closest term-key (or anchor-key) partners?
    pub by_terms: bool,
    /// Wording keys the two share (0: not proposed by the wording index).
    pub wording_shared: u16,
}

/// A posting-list entry while a list is ordered: `order` in the high half,
/// the article in the low.
fn entry(order: u32, doc: DocId) -> u64 {
    (u64::from(order) << 32) | u64::from(doc)
}

/// The article of a posting-list entry.
fn doc_of(entry: u64) -> DocId {
    entry as DocId
}

/// Where an article with keys `keys` sits in the list of its key `k`: by
/// its smallest key other than `k` (a min-hash of the rest of its keys,
/// which copies of one text share; the low 32 bits of a term hash, or a
/// term's number whole).
pub(crate) fn order_in<K: IndexKey>(keys: &[K], k: K) -> u32 {
    keys.iter().filter(|&&h| h != k).min().map_or(0, |&h| h.low_bits())
}

/// A key of an inverted index: a term hash (64 bits), a term's number
/// among the batch's shared terms or a shingle hash (32: half the room).
pub trait IndexKey: 'static + Copy + Ord + std::hash::Hash + Send + Sync + std::fmt::Debug {
    /// The largest key.
    const MAX: Self;
    /// Are most keys one article's own (shingle hashes), or shared by
    /// many (heavy terms)? It decides how keys that are not small numbers
    /// are counted: a sorted copy, or a map of counts. (Term numbers are
    /// small numbers, counted by index: see [`ListNumbers::Dense`].)
    const MOSTLY_DISTINCT: bool;
    /// The key's low 32 bits.
    fn low_bits(self) -> u32;
    /// The key as an index (see [`ListNumbers::Dense`]).
    fn index(self) -> usize;
    /// The key at `index`.
    fn of_index(index: usize) -> Self;
}

impl IndexKey for u64 {
    const MAX: u64 = u64::MAX;
    const MOSTLY_DISTINCT: bool = false;
    fn low_bits(self) -> u32 {
        self as u32
    }
    fn index(self) -> usize {
        self as usize
    }
    fn of_index(index: usize) -> u64 {
        index as u64
    }
}

impl IndexKey for u32 {
    const MAX: u32 = u32::MAX;
    const MOSTLY_DISTINCT: bool = true;
    fn low_bits(self) -> u32 {
        self
    }
    fn index(self) -> usize {
        self as usize
    }
    fn of_index(index: usize) -> u32 {
        index as u32
    }
}

/// Each article's keys, as an index reads them: where they lie among
/// all articles' keys ([`KeyLayout`]), and the keys themselves.
trait KeySource<K: IndexKey>: Default + Sync + std::fmt::Debug {
    /// Where each article's keys lie.
    fn layout(&self) -> &KeyLayout;

    /// The keys of article `doc`.
    fn of(&self, doc: DocId) -> &[K];

    /// Number of articles.
    fn len(&self) -> usize {
        self.layout().len()
    }

    /// Keys of all articles together.
    fn total(&self) -> usize {
        self.layout().total()
    }

    /// Where the keys of article `doc` start among all articles' keys.
    fn start(&self, doc: DocId) -> usize {
        self.layout().start(doc)
    }

    /// The number of keys of `doc`, read without touching the keys.
    fn count(&self, doc: DocId) -> usize {
        self.layout().count(doc)
    }

    /// Every article's keys, in [`DocId`] order.
    fn all(&self) -> impl Iterator<Item = K> + '_ {
        (0..self.len() as DocId).flat_map(|doc| self.of(doc).iter().copied())
    }
}

/// Where each article's keys (in [`DocId`] order) lie among all
/// articles' keys, with a one-byte count per article that an index can
/// read without touching the keys.
#[derive(Debug, Clone, Default)]
struct KeyLayout {
    /// Where each article's keys end.
    ends: Vec<usize>,
    /// Keys per article, 255 standing for 255 or more.
    counts: Vec<u8>,
}

impl KeyLayout {
    /// Adds the next article, with `keys` keys.
    fn push(&mut self, keys: usize) {
        self.ends.push(self.total() + keys);
        self.counts.push(keys.min(u8::MAX as usize) as u8);
    }

    fn len(&self) -> usize {
        self.counts.len()
    }

    fn total(&self) -> usize {
        self.ends.last().copied().unwrap_or(0)
    }

    /// Where the keys of article `doc` lie among all articles' keys.
    fn range(&self, doc: DocId) -> std::ops::Range<usize> {
        self.start(doc)..self.ends[doc as usize]
    }

    fn start(&self, doc: DocId) -> usize {
        if doc == 0 {
            0
        } else {
            self.ends[doc as usize - 1]
        }
    }

    /// From the one-byte counts unless `doc` has 255 or more keys.
    fn count(&self, doc: DocId) -> usize {
        match self.counts[doc as usize] {
            u8::MAX => self.range(doc).len(),
            n => n as usize,
        }
    }
}

/// Every article's keys (in [`DocId`] order) in one allocation.
#[derive(Debug, Clone)]
pub struct KeyLists<K = u64> {
    layout: KeyLayout,
    keys: Vec<K>,
}

impl<K> Default for KeyLists<K> {
    fn default() -> Self {
        KeyLists { layout: KeyLayout::default(), keys: Vec::new() }
    }
}

impl<K: IndexKey> KeyLists<K> {
    /// Adds the next article's keys.
    pub fn push(&mut self, keys: impl IntoIterator<Item = K>) {
        let start = self.keys.len();
        self.keys.extend(keys);
        self.layout.push(self.keys.len() - start);
    }

    /// Makes room for `articles` more articles with `keys` keys in all
    /// (joined by doubling, the lists of a million articles would hold up
    /// to twice their room).
    pub fn reserve(&mut self, articles: usize, keys: usize) {
        self.layout.ends.reserve(articles);
        self.layout.counts.reserve(articles);
        self.keys.reserve(keys);
    }

    /// Adds the keys of the articles that follow.
    pub fn append(&mut self, next: KeyLists<K>) {
        let offset = self.keys.len();
        self.keys.extend(next.keys);
        self.layout.ends.extend(next.layout.ends.iter().map(|&end| end + offset));
        self.layout.counts.extend(next.layout.counts);
    }

    /// Number of articles.
    pub fn len(&self) -> usize {
        self.layout.len()
    }

    /// True when no article was added.
    pub fn is_empty(&self) -> bool {
        self.layout.len() == 0
    }

    /// The keys of article `doc`.
    pub fn of(&self, doc: DocId) -> &[K] {
        &self.keys[self.layout.range(doc)]
    }

    /// Keys of all articles together.
    pub fn total(&self) -> usize {
        self.keys.len()
    }
}

impl<K: IndexKey> KeySource<K> for KeyLists<K> {
    fn layout(&self) -> &KeyLayout {
        &self.layout
    }

    fn of(&self, doc: DocId) -> &[K] {
        KeyLists::of(self, doc)
    }
}

/// The wording keys: each active article's [`WORDING_KEYS`] smallest
/// shingle hashes, read where its sketch holds them (the sketches are kept
/// for verification; a copy took 73 MB at a million articles).
#[derive(Debug, Default)]
struct SketchKeys<'s> {
    layout: KeyLayout,
    sketches: &'s [ShingleSketch],
}

impl<'s> SketchKeys<'s> {
    /// The wording keys of the articles for which `active` is true.
    fn new(sketches: &'s [ShingleSketch], active: &[bool]) -> SketchKeys<'s> {
        let mut layout = KeyLayout::default();
        for (sketch, &on) in sketches.iter().zip(active) {
            layout.push(if on { wording_keys_of(sketch).len() } else { 0 });
        }
        SketchKeys { layout, sketches }
    }
}

impl KeySource<u32> for SketchKeys<'_> {
    fn layout(&self) -> &KeyLayout {
        &self.layout
    }

    fn of(&self, doc: DocId) -> &[u32] {
        &self.sketches[doc as usize].mins()[..self.layout.range(doc).len()]
    }
}

/// What candidate generation reads, per article (indexed by [`DocId`]).
#[derive(Debug, Clone, Copy)]
pub struct CandidateInput<'a> {
    /// TF-IDF vectors.
    pub vectors: &'a [SparseVec],
    /// Shingle sketches.
    pub sketches: &'a [ShingleSketch],
    /// The batch's document frequencies of terms.
    pub df: &'a DocFreq,
    /// False for exact duplicates, which stay out of the index.
    pub active: &'a [bool],
    /// Anchor vectors and their document frequencies (cross-lingual mode):
    /// an index over their heaviest anchors pairs likely translations.
    pub anchors: Option<(&'a [SparseVec], &'a DocFreq)>,
}

/// How many times `closest_partners` may reach an article's bar before the
/// bar rises above them. Measured at 100k bench articles: 7.9M -> 4.6M
/// candidate pairs, pairwise F1 0.792 -> 0.797, every real labelled set
/// unchanged (with 2 instead of 4, recall fell to 0.96 and
/// ntrex-crosslingual moved).
const MAX_TIES_FACTOR: usize = 4;

/// Places either side of itself at which an article meets others in a
/// term key's posting list longer than this (see [`KeyIndex::with_window`]).
/// At 1M bench articles a pooled paragraph's rare words are the heaviest
/// terms of the ~1,300 articles that hold it: 2.2 billion term tallies.
/// With the window: 215 -> 192 s of pipeline, pairwise F1 0.872 -> 0.871, BCubed F1
/// 0.945 -> 0.941 (copies whose other heavy terms differ sit apart); 100k
/// and every real labelled set unchanged. 128: 187 s, F1 0.861, BCubed
/// 0.933.
pub(crate) const TERM_WINDOW: usize = 384;

/// Smallest shingle hashes per article used as wording keys.
const WORDING_KEYS: usize = 16;
/// Wording keys two articles must share to be a candidate pair.
const MIN_SHARED_WORDING_KEYS: usize = 2;
/// Places either side of itself at which an article meets others in a
/// wording key's posting list longer than this (see
/// [`KeyIndex::with_window`]). The benchmark's paragraph pool puts each
/// paragraph in about 1,300 of 1M articles: every article then walked a
/// thousand-long list per key. At 1M bench articles: candidate pairs 98.1M
/// -> 19.2M, 318 -> 215 s of pipeline, pairwise F1 0.819 -> 0.872 (recall 0.935 ->
/// 0.884, precision 0.728 -> 0.860), largest story 505 -> 440; at 100k
/// F1 0.961 -> 0.962 (recall 0.990 either way). 64 lost recall at 100k
/// (0.92); 256 at 1M: F1 0.865 in 227 s; a second order of each list
/// (by another hash) with 64 either side: 1M F1 0.874 in 229 s (slower,
/// and 80 MiB more).
pub(crate) const WORDING_WINDOW: usize = 128;

/// Wording keys two articles with `x` and `y` distinct shingles must share:
/// a third of what they would share if the shorter lay wholly inside the
/// longer (then about `WORDING_KEYS` x short / long of the longer's
/// smallest hashes are the shorter's), and at least
/// [`MIN_SHARED_WORDING_KEYS`]. Two texts of like length that share only a
/// paragraph or two share a few keys; verification would turn them down
/// (neither is mostly inside the other), so they are not proposed. An
/// excerpt of a long text still needs only two.
fn wording_keys_needed(x: u32, y: u32) -> usize {
    let (short, long) = (x.min(y) as usize, x.max(y).max(1) as usize);
    (WORDING_KEYS * short / (3 * long)).max(MIN_SHARED_WORDING_KEYS)
}

/// Could one of two texts lie mostly inside the other, judging by their
/// wording keys `x` and `y` (ascending) of which `shared` are common? If
/// text X lies inside text Y, every key of X below Y's largest key is one
/// of Y's keys too (it is among Y's smallest hashes). So at least half of
/// the keys of one side that fall under the other's largest must be shared
/// (not all: copies are edited, trimmed and given a local paragraph), and
/// two thirds when no more than half of its keys fall there (a short text
/// against one several times longer, where a paragraph the two share by
/// chance reaches half of three or four keys). Two stories that reuse a
/// paragraph are not proposed. At 100k bench articles the half rule cut
/// the candidate pairs from 15.4M to 7.9M, and two thirds for few keys
/// 4.58M to 3.23M with the same scores (two thirds for all: 2.89M, but it
/// lost 5% of the true pairs, recall 0.972 -> 0.923 at `--min-cosine
/// 0.6`); no real labelled set changed with either.
fn could_contain<K: IndexKey>(x: &[K], y: &[K], shared: usize) -> bool {
    // A text with fewer shingles than keys has all of them as keys.
    let largest = |keys: &[K]| if keys.len() < WORDING_KEYS { K::MAX } else { keys[keys.len() - 1] };
    let x_under_y = x.partition_point(|&h| h <= largest(y));
    let y_under_x = y.partition_point(|&h| h <= largest(x));
    let under = x_under_y.min(y_under_x);
    if under <= WORDING_KEYS / 2 {
        3 * shared >= 2 * under
    } else {
        2 * shared >= under
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vec_of(terms: &[u64]) -> SparseVec {
        SparseVec::normalized(terms.iter().map(|&t| (t, 1.0 + t as f32 / 100.0)).collect())
    }

    fn no_wording(n: usize) -> Vec<ShingleSketch> {
        (0..n).map(|i| crate::testing::sketch(vec![1000 + i as u64], 16)).collect()
    }

    fn pairs_of(
        vectors: &[SparseVec],
        sketches: &[ShingleSketch],
        params: &ValidParams,
    ) -> (Vec<(DocId, DocId)>, CandidateStats) {
        let df = df_of(vectors);
        let active = vec![true; vectors.len()];
        candidate_pairs(&CandidateInput { vectors, sketches, df: &df, active: &active, anchors: None }, params)
    }

    fn df_of(vectors: &[SparseVec]) -> DocFreq {
        let mut df = DocFreq::default();
        vectors.iter().for_each(|v| df.add(v.terms.iter().copied()));
        df
    }

    #[test]
    fn terms_no_other_article_has_are_not_keys() {
        // Each article's heaviest terms (900+) are its own; the shared ones are lighter.
        let a = vec_of(&[1, 2, 901, 902, 903, 904]);
        let b = vec_of(&[1, 2, 911, 912, 913, 914]);
        let params = crate::params::PipelineParams::new().keys_per_doc(4).check().unwrap();
        let vectors = vec![a, b];
        assert_eq!(pairs_of(&vectors, &no_wording(2), &params).0, vec![(0, 1)]);
    }

    #[test]
    fn articles_sharing_keys_pair_up_and_others_do_not() {
        let vectors = vec![vec_of(&[1, 2, 3, 4]), vec_of(&[1, 2, 3, 9]), vec_of(&[20, 21, 22])];
        let (pairs, stats) = pairs_of(&vectors, &no_wording(vectors.len()), &ValidParams::default());
        assert_eq!(pairs, vec![(0, 1)]);
        assert_eq!(stats.pairs, 1);
    }

    #[test]
    fn one_shared_key_is_not_enough() {
        // 0 and 1 share only term 1; each shares two terms with 2.
        let vectors = vec![vec_of(&[1, 2, 3, 4]), vec_of(&[1, 7, 8, 9]), vec_of(&[2, 3, 7, 8])];
        let (pairs, _) = pairs_of(&vectors, &no_wording(vectors.len()), &ValidParams::default());
        assert_eq!(pairs, vec![(0, 2), (1, 2)]);
    }

    #[test]
    fn shared_wording_pairs_articles_whose_heavy_terms_differ() {
        // A short text and a longer one holding two of its smallest shingles.
        let vectors = vec![vec_of(&[1, 2, 3]), vec_of(&[7, 8, 9])];
        let longer = |first: u64| crate::testing::sketch([first, 20].into_iter().chain(100..120).collect(), 16);
        let sketches = vec![crate::testing::sketch(vec![5, 10, 20], 16), longer(10)];
        let (pairs, _) = pairs_of(&vectors, &sketches, &ValidParams::default());
        assert_eq!(pairs, vec![(0, 1)]);
        // One shared run of words is what two stories reusing a paragraph share.
        let sketches = vec![crate::testing::sketch(vec![5, 10, 20], 16), longer(30)];
        assert!(pairs_of(&vectors, &sketches, &ValidParams::default()).0.is_empty());
    }

    #[test]
    fn texts_of_like_length_need_more_shared_wording() {
        // A paragraph shared by two texts of like length: three of sixteen keys.
        let long = |from: u64| crate::testing::sketch((from..from + 300).chain(1..4).collect(), 128);
        let sketches = vec![long(1000), long(5000)];
        let vectors = vec![vec_of(&[1, 2, 3]), vec_of(&[7, 8, 9])];
        assert!(pairs_of(&vectors, &sketches, &ValidParams::default()).0.is_empty());
        // The same three keys in an excerpt of a text six times its length.
        let sketches = vec![
            crate::testing::sketch((1..50).collect(), 128),
            crate::testing::sketch((1..4).chain(1000..1300).collect(), 128),
        ];
        assert_eq!(wording_keys_needed(49, 303), 2);
        assert_eq!(pairs_of(&vectors, &sketches, &ValidParams::default()).0, vec![(0, 1)]);
    }

    #[test]
    fn key_lists_keep_each_articles_keys_across_appended_pieces() {
        let mut first = KeyLists::default();
        first.push([3, 1]);
        first.push([]);
        let mut second = KeyLists::default();
        second.push([7]);
        second.push(0..300);
        first.append(second);
        assert_eq!(first.len(), 4);
        assert_eq!((first.of(0), first.of(1), first.of(2)), (&[3, 1][..], &[][..], &[7][..]));
        assert_eq!(first.of(3), (0..300).collect::<Vec<u64>>().as_slice());
        // The one-byte count stands for 255 or more; the count reads the list then.
        assert_eq!((first.count(0), first.count(1), first.count(3)), (2, 0, 300));
    }

    #[test]
    fn ranked_pairs_are_listed_once_under_their_smaller_article() {
        // 0 and 1 hold each other; 2 holds 0 and 1; 3 holds nobody and nobody holds 3.
        let lists: Vec<Vec<DocId>> = vec![vec![1], vec![0], vec![1, 0], vec![]];
        let close = ClosePartners::new(4, || lists.iter().map(Vec::as_slice).enumerate());
        let expected = (&[1, 2][..], &[2][..], &[][..], &[][..]);
        assert_eq!((close.after(0), close.after(1), close.after(2), close.after(3)), expected);
        // The same lists as ranked in runs, laid out flat: the same pairs.
        let runs = [
            RankedRun { first: 0, ends: vec![1, 2], partners: vec![1, 0] },
            RankedRun { first: 2, ends: vec![2, 2], partners: vec![1, 0] },
        ];
        let close = ClosePartners::new(4, || runs.iter().flat_map(RankedRun::lists));
        assert_eq!((close.after(0), close.after(1), close.after(2), close.after(3)), expected);
    }

    #[test]
    fn a_tally_counts_every_article_met_in_the_order_first_met() {
        let mut tally = Tally::default();
        // Enough articles to grow the table several times, each met a
        // different number of times, with ids up to the largest.
        let docs: Vec<DocId> = (0..5000u32).map(|i| i.wrapping_mul(2_654_435_761) % (DocId::MAX - 1)).collect();
        for (i, &doc) in docs.iter().enumerate() {
            for _ in 0..=i % 3 {
                tally.add(doc);
            }
        }
        tally.add(DocId::MAX - 1);
        let met: Vec<(DocId, u16)> = tally.met().collect();
        let mut expected: Vec<(DocId, u16)> = docs.iter().enumerate().map(|(i, &d)| (d, (i % 3 + 1) as u16)).collect();
        expected.push((DocId::MAX - 1, 1));
        assert_eq!(met, expected);
        tally.clear();
        assert_eq!(tally.met().count(), 0);
        tally.add(7);
        tally.add(7);
        assert_eq!(tally.met().collect::<Vec<_>>(), vec![(7, 2)]);
    }

    #[test]
    fn lists_found_by_index_are_those_found_by_hash() {
        // Small numbers (found by index) and the same keys made large, in
        // the same order (found by hash).
        let numbers: Vec<Vec<u32>> = (0..40u32).map(|i| vec![i % 7, 7 + i % 5, 12 + i % 3, 20 + i]).collect();
        let (mut small, mut large) = (KeyLists::default(), KeyLists::default());
        for keys in &numbers {
            small.push(keys.iter().copied());
            large.push(keys.iter().map(|&k| k + 1_000_000_000));
        }
        let build = |keys: KeyLists<u32>| KeyIndex::build(keys, 2, 10, &mut CandidateStats::default()).with_window(3);
        let (by_index, by_hash) = (build(small), build(large));
        assert!(matches!(by_index.postings.numbers, ListNumbers::Dense(_)));
        assert!(matches!(by_hash.postings.numbers, ListNumbers::Hashed(_)));
        for a in 0..numbers.len() as DocId {
            for which in [Partners::All, Partners::After] {
                let met = |index: &KeyIndex<u32>| {
                    let mut tally = Tally::default();
                    index.tally(a, which, &mut tally);
                    tally.met().collect::<Vec<_>>()
                };
                let found = met(&by_index);
                assert!(!found.is_empty() || matches!(which, Partners::After));
                assert_eq!(found, met(&by_hash), "article {a}");
            }
        }
    }

    #[test]
    fn a_long_wording_list_is_met_only_near_each_article() {
        // Ten articles share key 1000 (a reused paragraph); 3 and 8 also share 500 (copies of one text).
        let mut keys = KeyLists::default();
        for i in 0..10u64 {
            keys.push(if i == 3 || i == 8 { vec![500, 1000] } else { vec![1000, 2000 + i] });
        }
        let index = |window| KeyIndex::build(keys.clone(), 2, 100, &mut CandidateStats::default()).with_window(window);
        let met = |index: &KeyIndex<u64>, a: DocId| {
            let mut tally = Tally::default();
            index.tally(a, Partners::All, &mut tally);
            let mut met: Vec<(DocId, u16)> = tally.met().collect();
            met.sort_unstable();
            met
        };
        // Key 1000's list by smallest other key: 3, 8 (500), then 0, 1, 2, 4, 5, 6, 7, 9.
        let narrow = index(2);
        assert_eq!(met(&narrow, 5), vec![(2, 1), (4, 1), (6, 1), (7, 1)]);
        // The copies sit side by side and meet on both keys.
        assert_eq!(met(&narrow, 3), vec![(0, 1), (8, 2)]);
        // A list no longer than the window is met whole.
        assert_eq!(met(&index(10), 5).len(), 9);
        // Term keys come heaviest first, not ascending: the order is still their smallest other.
        assert_eq!(order_in(&[9u64, 3, 7], 3), 7);
    }

    #[test]
    fn wording_keys_must_fit_one_text_inside_the_other() {
        // Y's 16 keys are 10..=160; X's four keys under 160 are all Y's.
        let y: Vec<u64> = (1..=16).map(|i| i * 10).collect();
        let x: Vec<u64> = [10, 20, 30, 40].into_iter().chain((0..12).map(|i| 200 + i)).collect();
        assert!(could_contain(&x, &y, 4));
        // Two of those four shared is only half: with few keys under, a
        // paragraph shared by chance gets that far. Two of three is enough.
        assert!(!could_contain(&x, &y, 2));
        let x: Vec<u64> = [10, 20, 30].into_iter().chain((0..13).map(|i| 200 + i)).collect();
        assert!(could_contain(&x, &y, 2));
        // Texts of like length (all sixteen keys under): half of them is
        // an edited copy, fewer is not.
        let z: Vec<u64> = (1..=16).map(|i| if i % 2 == 0 { i * 10 } else { i * 10 + 1 }).collect();
        assert!(could_contain(&z, &y, 8));
        assert!(!could_contain(&z, &y, 7));
        // Two lists of 16 sharing 0 and 2: 14 of X's keys lie under Y's
        // largest (27) and only 2 are shared, so neither is inside the other.
        let x: Vec<u64> = (0..16).map(|i| 2 * i).collect();
        let y: Vec<u64> = [0, 2]
            .into_iter()
            .chain((0..14).map(|i| 2 * i + 1))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!((y.len(), y[15]), (16, 27));
        assert!(!could_contain(&x, &y, 2));
        // A short text (all its shingles are keys) inside a long one.
        assert!(could_contain(&[5u32, 7], &(1..=16).collect::<Vec<_>>(), 2));
    }

    #[test]
    fn an_article_keeps_only_its_closest_term_partners() {
        // 0 shares four keys with 1, 2 shares four with 3; 0 and 2 share
        // two, as do 5 and each of 0 and 2.
        let vectors = vec![
            vec_of(&[1, 2, 3, 4, 5, 6]),
            vec_of(&[1, 2, 3, 4]),
            vec_of(&[5, 6, 50, 51, 52, 53]),
            vec_of(&[50, 51, 52, 53]),
            vec_of(&[90, 91]),
            vec_of(&[5, 6]),
        ];
        let closest = crate::params::PipelineParams::new().closest_partners(1).check().unwrap();
        let (pairs, _) = pairs_of(&vectors, &no_wording(vectors.len()), &closest);
        // 0-2 is neither side's closest; 5 has nothing closer than 0 and 2.
        assert_eq!(pairs, vec![(0, 1), (0, 5), (2, 3), (2, 5)]);
        let all = crate::params::PipelineParams::new().closest_partners(0).check().unwrap();
        let (pairs, _) = pairs_of(&vectors, &no_wording(vectors.len()), &all);
        assert_eq!(pairs, vec![(0, 1), (0, 2), (0, 5), (2, 3), (2, 5)]);
    }

    #[test]
    fn a_count_that_crowds_of_partners_share_is_no_bar() {
        // Article 0 shares keys 1-3 with article 1; articles 2..=7 share
        // keys 1 and 2 with 0, with 1 and with each other, and a third key
        // each with one of 8..=13.
        let mut vectors = vec![vec_of(&[1, 2, 3, 9]), vec_of(&[1, 2, 3])];
        vectors.extend((0..6).map(|i| vec_of(&[1, 2, 200 + i])));
        vectors.extend((0..6).map(|i| vec_of(&[200 + i])));
        let partners_of_0 = |closest| {
            let params = crate::params::PipelineParams::new().closest_partners(closest).check().unwrap();
            let (pairs, _) = pairs_of(&vectors, &no_wording(vectors.len()), &params);
            pairs.into_iter().filter(|p| p.0 == 0).map(|p| p.1).collect::<Vec<_>>()
        };
        // Closest 1: seven partners of each of 2..=7 tie at two keys, more
        // than 4 x 1, so none of them is close.
        assert_eq!(partners_of_0(1), vec![1]);
        // Closest 2: seven ties are within 4 x 2, and all are kept.
        assert_eq!(partners_of_0(2), vec![1, 2, 3, 4, 5, 6, 7]);
    }

    #[test]
    fn identical_bodies_point_to_their_first_copy() {
        let dups = exact_duplicates(&[Some(7), Some(8), Some(7), None, None, Some(7)]);
        assert_eq!(dups, vec![None, None, Some(0), None, None, Some(0)]);
    }

    #[test]
    fn long_posting_lists_are_pruned() {
        let params = crate::params::PipelineParams::new().max_postings(3).check().unwrap();
        let vectors: Vec<SparseVec> = (0..5).map(|i| vec_of(&[1, 2, 100 + i])).collect();
        let (pairs, stats) = pairs_of(&vectors, &no_wording(vectors.len()), &params);
        assert!(pairs.is_empty());
        assert_eq!(stats.pruned_keys, 2);
    }
}
