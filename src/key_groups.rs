//! Candidate pairs proposed by grouping keys: the candidate stage cut into
//! steps that an engine (Spark) runs between two shuffles, so that no
//! machine holds the inverted indexes of a whole batch.
//!
//! 1. [`postings`]: each article's keys in each index ([`KeyKind`]), with
//!    where the article sits in the key's posting list (by its smallest
//!    other key) and how many keys it has there. The engine numbers the
//!    articles, leaves exact duplicates out, counts the keys (and the
//!    lists longer than `max_postings`, for
//!    [`crate::candidates::CandidateStats`]) and moves every posting of a
//!    key to one task;
//! 2. [`shared_keys`]: a task's posting lists, each sorted by place then
//!    article and tallied (all of a list up to its index's window, each
//!    article's neighbours within the window in a longer one), and the keys
//!    each pair shares. The engine moves every row of an article to one
//!    task;
//! 3. [`proposals`]: each article's closest partners in a term index, as
//!    the one-process index ranks them, and the pairs of the wording index
//!    with the keys they share. A pair may come from several tasks;
//!    [`Proposed::numbered_by_place`] merges them for
//!    [`crate::candidates::CandidateIndex::from_proposed`].
//!
//! The engine numbers the articles in id order (a sort, then increasing
//! numbers), so that ties in the lists fall as in [`crate::Pipeline::run`],
//! whose articles are in id order too: the candidates are the same.

use crate::article::DocId;
use crate::candidates::{
    clears, close_bar, order_in, shares_enough, wording_keys_of, CandidateStats, ProposedPair, TERM_WINDOW,
    WORDING_WINDOW,
};
use crate::error::{Error, Result};
use crate::pair_model::PairModel;
use crate::params::ValidParams;
use crate::signature::Signature;
use crate::tfidf::{FlatVectors, PairVectors};
use crate::verify::{Edge, Evidence, PairSide, StoryLink, Verifier};
use rustc_hash::FxHashMap;

/// The inverted index a key belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyKind {
    /// The heaviest TF-IDF terms.
    Terms,
    /// The heaviest anchors (cross-lingual mode).
    Anchors,
    /// The smallest shingle hashes, a sample of the wording.
    Wording,
}

impl KeyKind {
    /// The kind's number in a table.
    pub fn code(self) -> i32 {
        match self {
            KeyKind::Terms => 0,
            KeyKind::Anchors => 1,
            KeyKind::Wording => 2,
        }
    }

    /// The kind a table's number stands for.
    pub fn from_code(code: i32) -> Option<KeyKind> {
        [KeyKind::Terms, KeyKind::Anchors, KeyKind::Wording].into_iter().find(|kind| kind.code() == code)
    }

    /// Places either side of itself at which an article meets others in a
    /// longer list of this kind.
    pub fn window(self) -> usize {
        match self {
            KeyKind::Terms | KeyKind::Anchors => TERM_WINDOW,
            KeyKind::Wording => WORDING_WINDOW,
        }
    }
}

/// One key of one article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posting {
    /// The index it belongs to.
    pub kind: KeyKind,
    /// The key (a term or anchor hash; a shingle hash in the low 32 bits).
    pub key: u64,
    /// Where the article sits in the key's list: by its smallest other key.
    pub order: u32,
    /// How many keys of this kind the article has.
    pub keys: u32,
}

/// The keys of a signed article that is not an exact duplicate of an
/// earlier one (those stay out of the indexes), anchors only with
/// `cross_language`.
pub fn postings(signature: &Signature, cross_language: bool) -> Vec<Posting> {
    let mut out = Vec::new();
    let mut push = |kind: KeyKind, keys: &[u64], order: &dyn Fn(u64) -> u32| {
        out.extend(keys.iter().map(|&key| Posting { kind, key, order: order(key), keys: keys.len() as u32 }));
    };
    push(KeyKind::Terms, &signature.keys, &|k| order_in(&signature.keys, k));
    if cross_language {
        push(KeyKind::Anchors, &signature.anchor_keys, &|k| order_in(&signature.anchor_keys, k));
    }
    let wording = wording_keys_of(&signature.sketch);
    let widened: Vec<u64> = wording.iter().map(|&h| u64::from(h)).collect();
    push(KeyKind::Wording, &widened, &|k| order_in(wording, k as u32));
    out
}

/// An article in a posting list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    /// The article's number (in id order).
    pub doc: u64,
    /// How many keys of the list's kind it has.
    pub keys: u32,
}

/// Two articles that meet in a posting list, the smaller number first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// The article with the smaller number.
    pub a: u64,
    /// The article with the larger number.
    pub b: u64,
    /// How many keys of the list's kind `a` has.
    pub a_keys: u32,
    /// How many keys of the list's kind `b` has.
    pub b_keys: u32,
}

/// Appends to `out` the pairs that meet in a posting list of `kind`,
/// sorted by place then article: every pair of a list up to the kind's
/// window, and in a longer list each article with the articles at most the
/// window away from it.
pub fn tallies(kind: KeyKind, list: &[Member], out: &mut Vec<Tally>) {
    let (n, window) = (list.len(), kind.window());
    for (i, x) in list.iter().enumerate() {
        let end = if n <= window { n } else { (i + 1 + window).min(n) };
        for y in &list[i + 1..end] {
            let (first, second) = if x.doc < y.doc { (x, y) } else { (y, x) };
            out.push(Tally { a: first.doc, b: second.doc, a_keys: first.keys, b_keys: second.keys });
        }
    }
}

/// The pairs of [`tallies`] with an article numbered `new` or above, found
/// from those articles alone (a list of many stored articles and a few
/// new ones costs the new ones' neighbours, not every pair), in no set
/// order.
pub fn tallies_from(kind: KeyKind, list: &[Member], new: u64, out: &mut Vec<Tally>) {
    let (n, window) = (list.len(), kind.window());
    for (i, x) in list.iter().enumerate().filter(|(_, x)| x.doc >= new) {
        let (lo, hi) = if n <= window { (0, n) } else { (i.saturating_sub(window), (i + 1 + window).min(n)) };
        for (j, y) in list.iter().enumerate().take(hi).skip(lo) {
            // A pair of two new articles is tallied from its first place.
            if j == i || (y.doc >= new && j < i) {
                continue;
            }
            let (first, second) = if x.doc < y.doc { (x, y) } else { (y, x) };
            out.push(Tally { a: first.doc, b: second.doc, a_keys: first.keys, b_keys: second.keys });
        }
    }
}

/// An article an article met in the posting lists of one term index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partner {
    /// The other article's number.
    pub other: u64,
    /// Keys the two share.
    pub shared: u16,
    /// How many keys of the index the other has.
    pub keys: u32,
}

/// The partners (every article it met in one term index's lists) that an
/// article with `mine` keys keeps: its closest, by the bar of
/// `closest_partners` (all that share enough keys when that is 0). A pair
/// is a candidate when either side keeps the other.
pub fn close_partners(mine: u32, partners: &[Partner], params: &ValidParams) -> Vec<u64> {
    let (closest, floor) = (params.closest_partners(), params.min_shared_keys());
    let mine = mine as usize;
    if closest == 0 {
        return partners
            .iter()
            .filter(|p| shares_enough(usize::from(p.shared), floor, None, mine, p.keys as usize))
            .map(|p| p.other)
            .collect();
    }
    let mut shared: Vec<u16> = partners.iter().map(|p| p.shared).collect();
    let bar = close_bar(&mut shared, closest, floor as u16);
    partners.iter().filter(|p| clears(p.shared, bar, mine, || p.keys as usize)).map(|p| p.other).collect()
}

/// A posting of a numbered article, as the engine hands it to [`shared_keys`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberedPosting {
    /// The index it belongs to.
    pub kind: KeyKind,
    /// The key.
    pub key: u64,
    /// Where the article sits in the key's list ([`Posting::order`]).
    pub order: u32,
    /// The article's number (in id order).
    pub doc: u64,
    /// How many keys of this kind the article has.
    pub keys: u32,
}

/// Keys that two articles share in one index, seen from `doc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SharedKeys {
    /// The index.
    pub kind: KeyKind,
    /// The article whose row this is.
    pub doc: u64,
    /// The article it shares keys with.
    pub other: u64,
    /// How many keys (of the lists one task tallied: the counts of rows
    /// of one pair add).
    pub shared: u16,
    /// How many keys of the index `doc` has.
    pub doc_keys: u32,
    /// How many keys of the index `other` has.
    pub other_keys: u32,
}

/// The keys that pairs share in the posting lists of `postings` (which
/// hold every posting of each of their keys): each list of 2 to
/// `max_postings` articles is sorted by place, then article, and tallied
/// ([`tallies`]). A pair of a term index gives a row from each side (each
/// ranks the other among its partners), a pair of the wording index one
/// row, from its smaller article. Rows sorted.
pub fn shared_keys(postings: Vec<NumberedPosting>, max_postings: usize) -> Vec<SharedKeys> {
    shared_keys_by(postings, max_postings, tallies)
}

/// [`shared_keys`] of only the pairs with an article numbered `new` or
/// above: an index that adds a batch (numbered after every stored
/// article) tallies only the pairs with a new article, walking each list
/// from its new articles only.
pub fn shared_keys_from(postings: Vec<NumberedPosting>, max_postings: usize, new: u64) -> Vec<SharedKeys> {
    shared_keys_by(postings, max_postings, |kind, list, out| tallies_from(kind, list, new, out))
}

fn shared_keys_by(
    mut postings: Vec<NumberedPosting>,
    max_postings: usize,
    tally: impl Fn(KeyKind, &[Member], &mut Vec<Tally>),
) -> Vec<SharedKeys> {
    postings.sort_unstable_by_key(|p| (p.kind as u8, p.key, p.order, p.doc));
    let mut counts: FxHashMap<(KeyKind, u64, u64), (u16, u32, u32)> = FxHashMap::default();
    let (mut members, mut tallied) = (Vec::new(), Vec::new());
    for list in postings.chunk_by(|x, y| (x.kind, x.key) == (y.kind, y.key)) {
        if !(2..=max_postings).contains(&list.len()) {
            continue;
        }
        members.clear();
        members.extend(list.iter().map(|p| Member { doc: p.doc, keys: p.keys }));
        tallied.clear();
        tally(list[0].kind, &members, &mut tallied);
        for t in &tallied {
            counts.entry((list[0].kind, t.a, t.b)).or_insert((0, t.a_keys, t.b_keys)).0 += 1;
        }
    }
    let mut rows = Vec::with_capacity(2 * counts.len());
    for ((kind, a, b), (shared, a_keys, b_keys)) in counts {
        rows.push(SharedKeys { kind, doc: a, other: b, shared, doc_keys: a_keys, other_keys: b_keys });
        if kind != KeyKind::Wording {
            rows.push(SharedKeys { kind, doc: b, other: a, shared, doc_keys: b_keys, other_keys: a_keys });
        }
    }
    rows.sort_unstable();
    rows
}

/// The pairs proposed from `shared` (which holds every row of each of its
/// articles; the counts of rows of one pair add): in each term index, the
/// partners each article keeps ([`close_partners`]); in the wording index,
/// every pair with the keys it shares. A pair once, the smaller number
/// first, sorted.
pub fn proposals(shared: &[SharedKeys], params: &ValidParams) -> Vec<ProposedPair<u64>> {
    let mut summed: FxHashMap<(KeyKind, u64, u64), (u16, u32, u32)> = FxHashMap::default();
    for row in shared {
        let entry = summed.entry((row.kind, row.doc, row.other)).or_insert((0, row.doc_keys, row.other_keys));
        entry.0 = entry.0.saturating_add(row.shared);
    }
    let mut rows: Vec<SharedKeys> = summed
        .into_iter()
        .map(|((kind, doc, other), (shared, doc_keys, other_keys))| SharedKeys {
            kind,
            doc,
            other,
            shared,
            doc_keys,
            other_keys,
        })
        .collect();
    rows.sort_unstable();
    let mut pairs: Vec<ProposedPair<u64>> = Vec::new();
    let mut partners = Vec::new();
    for group in rows.chunk_by(|x, y| (x.kind, x.doc) == (y.kind, y.doc)) {
        let (kind, doc) = (group[0].kind, group[0].doc);
        if kind == KeyKind::Wording {
            pairs.extend(group.iter().map(|r| ProposedPair {
                a: doc,
                b: r.other,
                by_terms: false,
                wording_shared: r.shared,
            }));
            continue;
        }
        partners.clear();
        partners.extend(group.iter().map(|r| Partner { other: r.other, shared: r.shared, keys: r.other_keys }));
        pairs.extend(close_partners(group[0].doc_keys, &partners, params).into_iter().map(|other| ProposedPair {
            a: doc.min(other),
            b: doc.max(other),
            by_terms: true,
            wording_shared: 0,
        }));
    }
    merged(pairs)
}

/// Each pair once: proposed by a term index if any of its proposals was,
/// with the most wording keys any gave. Sorted.
fn merged(mut pairs: Vec<ProposedPair<u64>>) -> Vec<ProposedPair<u64>> {
    pairs.sort_unstable_by_key(|p| (p.a, p.b));
    pairs.dedup_by(|later, kept| {
        let same = (later.a, later.b) == (kept.a, kept.b);
        if same {
            kept.by_terms |= later.by_terms;
            kept.wording_shared = kept.wording_shared.max(later.wording_shared);
        }
        same
    });
    pairs
}

/// What an engine hands over of the candidate stage: the pairs it
/// proposed, or the verdicts on them too
/// ([`crate::Pipeline::run_from_candidates`]).
#[derive(Debug, Clone)]
pub enum Candidates {
    /// Proposed, for the driver to verify.
    Proposed(Proposed),
    /// Verified on the workers.
    Verified(Verified),
}

/// The candidate pairs an engine proposed, its articles numbered in id order.
#[derive(Debug, Clone, Default)]
pub struct Proposed {
    /// Every article's number, in any order.
    pub numbers: Vec<u64>,
    /// The pairs, by number, the smaller first; a pair proposed by several
    /// tasks may repeat ([`proposals`] of each), and is merged.
    pub pairs: Vec<ProposedPair<u64>>,
    /// Keys indexed and posting lists pruned (`pairs` is counted later, by verification).
    pub stats: CandidateStats,
}

impl Proposed {
    /// The pairs with each article named by its place among the batch's
    /// `articles` in id order (its [`DocId`]), and the counts of keys.
    pub fn numbered_by_place(self, articles: usize) -> Result<(Vec<ProposedPair>, CandidateStats)> {
        let numbering = Numbering::new(self.numbers, articles)?;
        let pairs = merged(self.pairs)
            .iter()
            .map(|p| {
                let (a, b) = (numbering.place(p.a)?, numbering.place(p.b)?);
                Ok(ProposedPair { a, b, by_terms: p.by_terms, wording_shared: p.wording_shared })
            })
            .collect::<Result<_>>()?;
        Ok((pairs, self.stats))
    }
}

/// What verification reads of articles ([`PairSide`]), by number.
pub type Sides = Vec<(u64, PairSide)>;

/// A candidate pair verified on a worker ([`verify_proposed`]), by number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    /// The article with the smaller number.
    pub a: u64,
    /// The article with the larger number.
    pub b: u64,
    /// The family edge, when the pair is one (its ends are unset: the
    /// articles are `a` and `b`).
    pub edge: Option<Edge>,
    /// P(same event), when the pair is a story link.
    pub link: Option<f32>,
}

/// Verifies the proposed pairs that are candidates
/// ([`ProposedPair::is_candidate`]), with `sides` holding each of their
/// articles (by number, in any order): a [`Verdict`] for each
/// candidate, by `(a, b)`. What [`crate::Pipeline::run`] finds of the same
/// pairs, measured alike.
pub fn verify_proposed(
    pairs: &[ProposedPair<u64>],
    mut sides: Sides,
    params: &ValidParams,
    model: &PairModel,
) -> Result<Vec<Verdict>> {
    // An article's side may come more than once (it is the same side).
    sides.sort_unstable_by_key(|&(n, _)| n);
    sides.dedup_by_key(|&mut (n, _)| n);
    let place: FxHashMap<u64, DocId> = sides.iter().enumerate().map(|(at, (n, _))| (*n, at as DocId)).collect();
    let (mut vectors, mut sketches, mut anchors, mut langs, mut facts) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (_, side) in sides {
        vectors.push(side.vector);
        sketches.push(side.sketch);
        anchors.push(side.anchors);
        langs.push(side.lang);
        facts.push(side.facts);
    }
    let vectors = PairVectors::from_held(&vectors);
    let anchors = FlatVectors::from_vectors(&anchors);
    let langs: Vec<&str> = langs.iter().map(String::as_str).collect();
    let evidence =
        Evidence { vectors: &vectors, sketches: &sketches, langs: &langs, anchors: &anchors, facts: &facts, model };
    let mut verifier = Verifier::new(evidence, params);
    let mut pairs = pairs.to_vec();
    // Pairs of one first article together: its vector is spread once.
    pairs.sort_unstable_by_key(|p| (p.a, p.b));
    let mut verdicts = Vec::new();
    for p in pairs {
        let side = |n: u64| {
            place
                .get(&n)
                .copied()
                .ok_or_else(|| Error::Exchange(format!("pair ({}, {}): no side for article {n}", p.a, p.b)))
        };
        let (x, y) = (side(p.a)?, side(p.b)?);
        if !p.is_candidate(&sketches[x as usize], &sketches[y as usize]) {
            continue;
        }
        let (edge, link) = verifier.verify(x, y);
        verdicts.push(Verdict { a: p.a, b: p.b, edge, link: link.map(|l| l.p) });
    }
    Ok(verdicts)
}

/// The candidate pairs an engine verified, its articles numbered in id order.
#[derive(Debug, Clone, Default)]
pub struct Verified {
    /// Every article's number, in any order.
    pub numbers: Vec<u64>,
    /// A verdict for each candidate pair, once.
    pub verdicts: Vec<Verdict>,
    /// Keys indexed and posting lists pruned (`pairs` is the verdicts').
    pub stats: CandidateStats,
}

impl Verified {
    /// The family edges and story links with each article named by its
    /// place among the batch's `articles` in id order, and the counts of
    /// keys and candidate pairs.
    pub fn numbered_by_place(self, articles: usize) -> Result<(Vec<Edge>, Vec<StoryLink>, CandidateStats)> {
        let numbering = Numbering::new(self.numbers, articles)?;
        let (mut edges, mut links) = (Vec::new(), Vec::new());
        for v in &self.verdicts {
            let (a, b) = (numbering.place(v.a)?, numbering.place(v.b)?);
            edges.extend(v.edge.map(|e| Edge { a, b, ..e }));
            links.extend(v.link.map(|p| StoryLink { a, b, p }));
        }
        let stats = CandidateStats { pairs: self.verdicts.len(), ..self.stats };
        Ok((edges, links, stats))
    }
}

/// An engine's article numbers, each standing for its place in id order.
struct Numbering(Vec<u64>);

impl Numbering {
    /// The numbers of a batch of `articles`, one each.
    fn new(mut numbers: Vec<u64>, articles: usize) -> Result<Numbering> {
        numbers.sort_unstable();
        numbers.dedup();
        if numbers.len() != articles {
            return Err(Error::Exchange(format!(
                "{articles} articles but {} distinct article numbers: each article needs its own",
                numbers.len()
            )));
        }
        Ok(Numbering(numbers))
    }

    /// The place (the [`DocId`]) of the article numbered `n`.
    fn place(&self, n: u64) -> Result<DocId> {
        self.0
            .binary_search(&n)
            .map(|at| at as DocId)
            .map_err(|_| Error::Exchange(format!("a pair names article number {n}, which no article has")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Walking a list from its new articles finds the pairs of the whole
        /// walk that have a new article, each once.
        #[test]
        fn tallies_from_the_new_articles_are_the_whole_walks_pairs_with_one(
            docs in proptest::collection::btree_set(0u64..2_000, 0..600),
            new in 0u64..2_000,
            wording in proptest::bool::ANY,
        ) {
            let kind = if wording { KeyKind::Wording } else { KeyKind::Terms };
            // In list order (any order: the walk only reads places).
            let mut list: Vec<Member> = docs.iter().map(|&doc| Member { doc, keys: (doc % 7) as u32 }).collect();
            list.reverse();
            let (mut all, mut from) = (Vec::new(), Vec::new());
            tallies(kind, &list, &mut all);
            tallies_from(kind, &list, new, &mut from);
            let key = |t: &Tally| (t.a, t.b, t.a_keys, t.b_keys);
            let mut all: Vec<_> = all.iter().filter(|t| t.b >= new).map(key).collect();
            let mut from: Vec<_> = from.iter().map(key).collect();
            all.sort_unstable();
            from.sort_unstable();
            proptest::prop_assert_eq!(all, from);
        }
    }

    fn list(docs: &[u64]) -> Vec<Member> {
        docs.iter().map(|&doc| Member { doc, keys: 12 }).collect()
    }

    #[test]
    fn a_short_list_meets_whole_and_a_long_one_within_the_window() {
        let mut out = Vec::new();
        tallies(KeyKind::Wording, &list(&[5, 1, 3]), &mut out);
        let pairs: Vec<(u64, u64)> = out.iter().map(|t| (t.a, t.b)).collect();
        assert_eq!(pairs, [(1, 5), (3, 5), (1, 3)]);

        let long: Vec<u64> = (0..WORDING_WINDOW as u64 + 10).collect();
        out.clear();
        tallies(KeyKind::Wording, &list(&long), &mut out);
        assert!(out.iter().all(|t| t.b - t.a <= WORDING_WINDOW as u64));
        assert!(out.iter().any(|t| t.b - t.a == WORDING_WINDOW as u64));
        assert_eq!(out.iter().filter(|t| t.a == 0).count(), WORDING_WINDOW);
    }

    #[test]
    fn the_rows_of_a_pair_from_several_tasks_add_up() {
        let params = ValidParams::default();
        let row = |kind, shared| SharedKeys { kind, doc: 1, other: 2, shared, doc_keys: 12, other_keys: 12 };
        // Two tasks saw a term key of the pair each: together, the two keys asked.
        let rows = [row(KeyKind::Terms, 1), row(KeyKind::Terms, 1), row(KeyKind::Wording, 1), row(KeyKind::Wording, 2)];
        assert_eq!(proposals(&rows, &params), [ProposedPair { a: 1, b: 2, by_terms: true, wording_shared: 3 }]);
        // One term key alone is not enough.
        assert_eq!(proposals(&rows[..1], &params), []);
    }

    #[test]
    fn numbers_stand_for_places_in_id_order_and_repeated_pairs_merge() {
        let pair = |a, b, by_terms, wording_shared| ProposedPair { a, b, by_terms, wording_shared };
        let proposed = Proposed {
            numbers: vec![70, 10, 40],
            pairs: vec![pair(10, 70, false, 3), pair(40, 70, false, 2), pair(10, 70, true, 0)],
            stats: CandidateStats::default(),
        };
        let (pairs, _) = proposed.clone().numbered_by_place(3).unwrap();
        let places: Vec<(DocId, DocId, bool, u16)> =
            pairs.iter().map(|p| (p.a, p.b, p.by_terms, p.wording_shared)).collect();
        assert_eq!(places, [(0, 2, true, 3), (1, 2, false, 2)]);
        let err = proposed.clone().numbered_by_place(4).unwrap_err().to_string();
        assert!(err.contains("4 articles but 3 distinct article numbers"), "{err}");
        let stray = Proposed { pairs: vec![pair(10, 99, true, 0)], ..proposed };
        let err = stray.numbered_by_place(3).unwrap_err().to_string();
        assert!(err.contains("article number 99"), "{err}");
    }

    #[test]
    fn kinds_round_trip_through_their_codes() {
        for kind in [KeyKind::Terms, KeyKind::Anchors, KeyKind::Wording] {
            assert_eq!(KeyKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(KeyKind::from_code(7), None);
    }

    #[test]
    fn an_article_keeps_the_partners_that_clear_its_bar() {
        let params = crate::params::PipelineParams::new().closest_partners(2).check().unwrap();
        let partner = |other, shared| Partner { other, shared, keys: 12 };
        // Its second closest shares 4 keys: the bar.
        let partners = [partner(1, 6), partner(2, 4), partner(3, 3), partner(4, 4), partner(5, 2)];
        assert_eq!(close_partners(12, &partners, &params), [1, 2, 4]);
        // An article with 3 keys keeps every partner that shares all three.
        assert_eq!(close_partners(3, &partners, &params), [1, 2, 3, 4]);
    }
}
