//! Verify: candidate pairs → family edges and story links, each on evidence.
//!
//! Every candidate pair in one language whose TF-IDF cosine reaches
//! `min_pair_cosine` is measured ([`PairFeatures`]: cosine, shingle
//! containment both ways, shared opening, anchor cosine, length ratio, the
//! years each mentions) and judged by the fitted [`PairModel`]:
//!
//! - P(derived) at or above `family_threshold` makes the pair an [`Edge`]
//!   of a family (one text made from the other);
//! - P(same event), times the publication-gap prior ([`time_prior`]), at or
//!   above `story_link_floor` makes it a [`StoryLink`], the evidence the
//!   story linkage averages.
//!
//! Two articles in different languages are judged only with
//! `cross_language`, on the cosine of their anchors (see [`crate::anchors`])
//! reaching `min_anchor_cosine` with at least [`MIN_SHARED_ANCHORS`]
//! anchors in common: a translation, an edge of its family. Unverified
//! candidates are never joined.

use rayon::prelude::*;
use serde::Serialize;

use crate::article::DocId;
use crate::pair_model::{time_prior, PairFeatures, PairModel, MAX_YEAR_GAP};
use crate::params::ValidParams;
use crate::sketch::ShingleSketch;
use crate::tfidf::{CosineTable, FlatVectors, PairVectors, SparseVec};

/// Anchors two articles in different languages must share: one shared year
/// gives a cosine of 1 between two articles that have nothing else.
pub const MIN_SHARED_ANCHORS: usize = 3;

/// A verified link between two articles of one story.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Edge {
    /// The article with the smaller id.
    pub a: DocId,
    /// The article with the larger id.
    pub b: DocId,
    /// TF-IDF cosine.
    pub cosine: f32,
    /// Estimated share of `a`'s shingles found in `b`.
    pub a_in_b: f32,
    /// Estimated share of `b`'s shingles found in `a`.
    pub b_in_a: f32,
}

impl Edge {
    /// The larger of the two containments.
    pub fn containment(&self) -> f32 {
        self.a_in_b.max(self.b_in_a)
    }

    /// Do the two texts share whole passages (not just a few common
    /// phrases)? Copies, excerpts and texts reusing a paragraph do; two
    /// retellings of one event in their own words do not.
    pub fn shares_passages(&self) -> bool {
        self.containment() >= PARTIAL_OVERLAP_FROM
    }

    /// The end of the edge that is not `doc` (`doc` being one of its ends).
    pub fn other(&self, doc: DocId) -> DocId {
        if self.a == doc {
            self.b
        } else {
            self.a
        }
    }
}

/// Judges one pair (a [`Verifier`] is the way to judge many).
pub fn verify_pair(a: DocId, b: DocId, evidence: &Evidence, params: &ValidParams) -> (Option<Edge>, Option<StoryLink>) {
    Verifier::new(*evidence, params).verify(a, b)
}

/// Verifies pairs one after another, keeping the last first article's
/// vector spread in a table: pairs that share their first article (as
/// candidate pairs come) cost one table probe per term of the second.
#[derive(Debug)]
pub struct Verifier<'a> {
    evidence: Evidence<'a>,
    params: &'a ValidParams,
    table: CosineTable<'a>,
}

impl<'a> Verifier<'a> {
    /// A verifier over one batch's evidence.
    pub fn new(evidence: Evidence<'a>, params: &'a ValidParams) -> Verifier<'a> {
        Verifier { evidence, params, table: CosineTable::new(evidence.vectors) }
    }

    /// Measures the pair `(a, b)`: its features and the two
    /// probabilities; `None` for a pair that is not judged (two languages
    /// without `cross_language`, or a cosine under `min_pair_cosine`).
    pub fn judge(&mut self, a: DocId, b: DocId) -> Option<Judgement> {
        let Evidence { sketches, langs, anchors, facts, model, .. } = self.evidence;
        let params = self.params;
        let (x, y) = (a as usize, b as usize);
        if !same_language(langs[x], langs[y]) {
            // Different languages: translations, judged on anchors alone.
            if !params.cross_language() {
                return None;
            }
            let (anchor_cosine, shared) = anchors.overlap(x, y);
            let translation = shared >= MIN_SHARED_ANCHORS && anchor_cosine >= params.min_anchor_cosine();
            let p = f32::from(u8::from(translation));
            let features = PairFeatures { anchor_cosine, ..PairFeatures::default() };
            return Some(Judgement {
                a,
                b,
                features,
                a_in_b: 0.0,
                b_in_a: 0.0,
                derived: p,
                same_event: p,
                translation: true,
            });
        }
        let cosine = self.table.cosine(x, y);
        if cosine < params.min_pair_cosine() {
            return None;
        }
        let (sa, sb) = (&sketches[x], &sketches[y]);
        let shared = sa.intersection(sb);
        let (a_in_b, b_in_a) = (sa.share(shared), sb.share(shared));
        let (fa, fb) = (&facts[x], &facts[y]);
        let features = PairFeatures {
            cosine,
            containment_max: a_in_b.max(b_in_a),
            containment_min: a_in_b.min(b_in_a),
            shares_opening: sa.shares_opening(sb),
            anchor_cosine: anchors.cosine(x, y),
            length_ratio: fa.chars.min(fb.chars) as f32 / fa.chars.max(fb.chars).max(1) as f32,
            year_conflict: years_conflict(&fa.years, &fb.years),
            latest_year_gap: latest_year_gap(&fa.years, &fb.years),
        };
        let (derived, same_event) = model.judge(&features);
        let gap = fa.published_day.zip(fb.published_day).map(|(p, q)| p - q);
        let same_event = same_event * time_prior(gap, params.time_scale_days());
        Some(Judgement { a, b, features, a_in_b, b_in_a, derived, same_event, translation: false })
    }

    /// Judges the pair `(a, b)`: a family [`Edge`] when it is likely
    /// derived, a [`StoryLink`] when it likely reports the same event.
    pub fn verify(&mut self, a: DocId, b: DocId) -> (Option<Edge>, Option<StoryLink>) {
        let Some(judged) = self.judge(a, b) else { return (None, None) };
        let params = self.params;
        let Judgement { a_in_b, b_in_a, features, translation, .. } = judged;
        // A translation shares no wording: its anchors' cosine stands for the texts'.
        let cosine = if translation { features.anchor_cosine } else { features.cosine };
        let edge = (judged.derived >= params.family_threshold()).then_some(Edge { a, b, cosine, a_in_b, b_in_a });
        let link = (judged.same_event >= params.story_link_floor()).then_some(StoryLink { a, b, p: judged.same_event });
        (edge, link)
    }

    /// Reads where each of `docs` keeps its vector and sketch, in one loop
    /// with no branch on the data: in a large batch each read is a likely
    /// cache miss, and made together they overlap rather than wait in turn
    /// as [`Verifier::verify`] meets them.
    pub fn gather(&self, docs: &[DocId]) {
        let Evidence { vectors, sketches, .. } = self.evidence;
        let seen = docs.iter().fold(0u32, |acc, &b| {
            let mins = sketches[b as usize].mins();
            acc ^ vectors.first_entry_bits(b as usize)
                ^ mins.first().copied().unwrap_or(0)
                ^ mins.last().copied().unwrap_or(0)
        });
        std::hint::black_box(seen);
    }
}

/// Do two articles both mention years and share none of them?
fn years_conflict(x: &[u16], y: &[u16]) -> bool {
    !x.is_empty() && !y.is_empty() && !x.iter().any(|year| y.binary_search(year).is_ok())
}

/// Years between the latest years two texts mention (0 when either has none).
fn latest_year_gap(x: &[u16], y: &[u16]) -> f32 {
    match (x.last(), y.last()) {
        (Some(&p), Some(&q)) => f32::from(p.abs_diff(q)).min(MAX_YEAR_GAP),
        _ => 0.0,
    }
}

/// Are two language codes the same? Pointer-equal first: the pipeline
/// passes one `&str` per distinct code.
fn same_language(x: &str, y: &str) -> bool {
    std::ptr::eq(x, y) || x == y
}

/// Containment from which two texts share whole passages (below it: a
/// few common phrases).
pub const PARTIAL_OVERLAP_FROM: f32 = 0.2;

/// What verification measures, per article (indexed by [`DocId`]).
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    /// TF-IDF vectors, laid out for cosines.
    pub vectors: &'a PairVectors,
    /// Shingle sketches.
    pub sketches: &'a [ShingleSketch],
    /// Language codes.
    pub langs: &'a [&'a str],
    /// Anchor vectors (numbers and names, [`crate::anchors`]).
    pub anchors: &'a FlatVectors,
    /// What else the pair features read of each article.
    pub facts: &'a [PairFacts],
    /// The fitted pair model.
    pub model: &'a PairModel,
}

/// What the pair features read of one article besides its vectors.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct PairFacts {
    /// Characters in the cleaned body.
    pub chars: u32,
    /// Years the text mentions, ascending ([`crate::anchors::anchors_and_years`]).
    pub years: Box<[u16]>,
    /// Publication time in days since 1970, when the input gives one.
    pub published_day: Option<f32>,
}

/// What verification reads of one article, for an engine that verifies
/// pairs apart from their batch: its TF-IDF vector as the batch holds it
/// ([`crate::tfidf::held`]), sketch, anchors, language and facts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct PairSide {
    /// TF-IDF vector, held.
    pub vector: SparseVec,
    /// Shingle sketch.
    pub sketch: ShingleSketch,
    /// Anchor vector.
    pub anchors: SparseVec,
    /// Language code.
    pub lang: String,
    /// Length, years and publication day.
    pub facts: PairFacts,
}

/// One judged pair: its features and the two probabilities.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Judgement {
    /// First article.
    pub a: DocId,
    /// Second article.
    pub b: DocId,
    /// What was measured.
    pub features: PairFeatures,
    /// Estimated share of `a`'s shingles found in `b`.
    pub a_in_b: f32,
    /// Estimated share of `b`'s shingles found in `a`.
    pub b_in_a: f32,
    /// P(derived): one text was made from the other.
    pub derived: f32,
    /// P(same event), after the publication-gap prior.
    pub same_event: f32,
    /// The two are in different languages and were judged on their anchors alone.
    pub translation: bool,
}

/// Evidence that two articles report the same event, for the story linkage.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct StoryLink {
    /// The article with the smaller id.
    pub a: DocId,
    /// The article with the larger id.
    pub b: DocId,
    /// P(same event).
    pub p: f32,
}

/// Verifies every candidate pair (in parallel); edges and links come back in pair order.
pub fn verify_pairs(
    pairs: &[(DocId, DocId)],
    evidence: &Evidence,
    params: &ValidParams,
) -> (Vec<Edge>, Vec<StoryLink>) {
    let verdicts: Vec<_> = pairs
        .par_iter()
        .map_init(|| Verifier::new(*evidence, params), |verifier, &(a, b)| verifier.verify(a, b))
        .collect();
    let edges = verdicts.iter().filter_map(|v| v.0).collect();
    let links = verdicts.iter().filter_map(|v| v.1).collect();
    (edges, links)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A batch of three: 0 and 1 share every term and shingle (a copy); 2
    /// shares one term of three with them and a few shingles (a stranger).
    struct Batch {
        vectors: PairVectors,
        sketches: Vec<ShingleSketch>,
        anchors: FlatVectors,
        facts: Vec<PairFacts>,
    }

    impl Batch {
        fn new() -> Batch {
            let v = |t: &[(u64, f32)]| SparseVec::normalized(t.to_vec());
            let raw = vec![
                v(&[(1, 1.0), (2, 1.0), (3, 1.0)]),
                v(&[(1, 1.0), (2, 1.0), (3, 0.9)]),
                v(&[(1, 1.0), (7, 2.0), (8, 2.0)]),
            ];
            let mut df = crate::tfidf::DocFreq::default();
            raw.iter().for_each(|v| df.add(v.terms.iter().copied()));
            let sketches = vec![
                crate::testing::sketch((0..100).collect(), 64),
                crate::testing::sketch((0..100).collect(), 64),
                crate::testing::sketch((90..200).collect(), 64),
            ];
            let anchors =
                FlatVectors::from_vectors(&[v(&[(11, 1.0), (12, 1.0)]), v(&[(11, 1.0), (12, 1.0)]), v(&[(13, 1.0)])]);
            let facts = vec![PairFacts { chars: 1000, ..Default::default() }; 3];
            Batch { vectors: PairVectors::new(&raw, &df), sketches, anchors, facts }
        }

        fn evidence<'a>(&'a self, langs: &'a [&'a str]) -> Evidence<'a> {
            Evidence {
                vectors: &self.vectors,
                sketches: &self.sketches,
                langs,
                anchors: &self.anchors,
                facts: &self.facts,
                model: PairModel::embedded(),
            }
        }
    }

    #[test]
    fn a_copy_is_a_family_edge_and_a_story_link() {
        let batch = Batch::new();
        let (edge, link) = verify_pair(0, 1, &batch.evidence(&["en"; 3]), &ValidParams::default());
        let edge = edge.expect("a copy is derived");
        assert!(edge.cosine > 0.99 && edge.containment() > 0.9, "{edge:?}");
        assert!(link.expect("a copy reports the same event").p > 0.9);
    }

    #[test]
    fn a_stranger_is_neither() {
        let batch = Batch::new();
        let params = ValidParams::default();
        let (edge, link) = verify_pair(0, 2, &batch.evidence(&["en"; 3]), &params);
        assert!(edge.is_none(), "{edge:?}");
        assert!(link.is_none_or(|l| l.p < params.story_threshold()), "{link:?}");
    }

    #[test]
    fn different_languages_are_judged_only_cross_lingually_and_on_anchors() {
        let batch = Batch::new();
        let langs = ["en", "es", "es"];
        assert_eq!(verify_pair(0, 1, &batch.evidence(&langs), &ValidParams::default()), (None, None));
        let params = crate::params::PipelineParams::new().cross_language(true).min_anchor_cosine(0.5).check().unwrap();
        // Two anchors in common are fewer than MIN_SHARED_ANCHORS: not enough.
        assert!(verify_pair(0, 1, &batch.evidence(&langs), &params).0.is_none());
    }

    #[test]
    fn years_conflict_only_when_both_have_years_and_share_none() {
        assert!(years_conflict(&[2011], &[2008, 2009]));
        assert!(!years_conflict(&[2008, 2011], &[2011]));
        assert!(!years_conflict(&[], &[2011]));
        assert_eq!(latest_year_gap(&[1990, 2011], &[2008]), 3.0);
        assert_eq!(latest_year_gap(&[1950], &[2020]), MAX_YEAR_GAP);
        assert_eq!(latest_year_gap(&[], &[2020]), 0.0);
    }

    #[test]
    fn a_later_report_counts_less_as_the_same_event() {
        let mut batch = Batch::new();
        let near = verify_pair(0, 1, &batch.evidence(&["en"; 3]), &ValidParams::default()).1.unwrap().p;
        batch.facts[0].published_day = Some(0.0);
        batch.facts[1].published_day = Some(30.0);
        let far = verify_pair(0, 1, &batch.evidence(&["en"; 3]), &ValidParams::default()).1.map_or(0.0, |l| l.p);
        assert!(far < near * 0.05, "{near} -> {far}");
    }
}
