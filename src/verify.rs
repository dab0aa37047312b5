//! Verify: candidate pairs → edges, each accepted only on evidence.
//!
//! A pair becomes an [`Edge`] when its TF-IDF cosine reaches `min_cosine`,
//! or when one article's shingles are largely contained in the other's
//! (`min_containment`, an excerpt or a copy with material added) and the
//! cosine is at least `containment_floor`. Two articles in different
//! languages are linked only with `cross_language`, and then on the cosine
//! of their anchors (see [`crate::anchors`]) reaching `min_anchor_cosine`,
//! with at least [`MIN_SHARED_ANCHORS`] anchors in common. A pair that
//! shares whole passages while neither text is mostly inside the other
//! (containment from [`PARTIAL_OVERLAP_FROM`] up to `min_containment`) needs
//! a cosine of [`PARTIAL_OVERLAP_MAX_COSINE`]: that is two stories reusing a
//! background paragraph. And a pair that shares passages at a cosine below
//! [`OPENING_NEEDED_BELOW_COSINE`] must also share its opening (see
//! [`ShingleSketch::shares_opening`]): a copy or an excerpt keeps the top
//! of its story, while a text holding another's paragraph in its middle is
//! a different story reusing it. Unverified candidates are never joined:
//! that is what keeps unrelated stories from chaining together.

use rayon::prelude::*;
use serde::Serialize;

use crate::article::DocId;
use crate::params::ValidParams;
use crate::sketch::ShingleSketch;
use crate::tfidf::{CosineTable, PairVectors, SparseVec};

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

/// Measures one pair and accepts or rejects it (a [`Verifier`] is the
/// way to measure many).
pub fn verify_pair(a: DocId, b: DocId, evidence: &Evidence, params: &ValidParams) -> Option<Edge> {
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

    /// Measures the pair `(a, b)` and accepts or rejects it.
    pub fn verify(&mut self, a: DocId, b: DocId) -> Option<Edge> {
        let Evidence { sketches, langs, anchors, .. } = self.evidence;
        let params = self.params;
        if !same_language(langs[a as usize], langs[b as usize]) {
            // Different languages: translations, judged on anchors alone.
            let anchors = anchors.filter(|_| params.cross_language())?;
            let (cosine, shared) = anchors[a as usize].overlap(&anchors[b as usize]);
            let enough = shared >= MIN_SHARED_ANCHORS && cosine >= params.min_anchor_cosine();
            return enough.then_some(Edge { a, b, cosine, a_in_b: 0.0, b_in_a: 0.0 });
        }
        let cosine = self.table.cosine(a as usize, b as usize);
        if cosine < params.containment_floor() {
            return None;
        }
        let (sa, sb) = (&sketches[a as usize], &sketches[b as usize]);
        let shared = sa.intersection(sb);
        let edge = Edge { a, b, cosine, a_in_b: sa.share(shared), b_in_a: sb.share(shared) };
        let contained = edge.containment() >= params.min_containment();
        if !contained && is_partial_overlap(&edge) {
            return None;
        }
        if edge.shares_passages() && cosine < OPENING_NEEDED_BELOW_COSINE && !sa.shares_opening(sb) {
            return None;
        }
        (cosine >= params.min_cosine() || contained).then_some(edge)
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

/// Are two language codes the same? Pointer-equal first: the pipeline
/// passes one `&str` per distinct code.
fn same_language(x: &str, y: &str) -> bool {
    std::ptr::eq(x, y) || x == y
}

/// Containment from which two texts share whole passages (below it: a few common phrases).
pub const PARTIAL_OVERLAP_FROM: f32 = 0.2;
/// Cosine above which a partial overlap is still the same story.
pub const PARTIAL_OVERLAP_MAX_COSINE: f32 = 0.5;

/// Cosine below which two texts that share passages must share their
/// openings too.
pub const OPENING_NEEDED_BELOW_COSINE: f32 = 0.6;

/// Do the two texts share whole passages while neither is mostly inside the
/// other, at a cosine that only those passages lift? That is two stories
/// reusing a background paragraph or a quote, not one story: a copy is
/// mostly inside its source (an excerpt, a trimmed copy), and a retelling
/// shares little exact wording.
fn is_partial_overlap(edge: &Edge) -> bool {
    edge.shares_passages() && edge.cosine < PARTIAL_OVERLAP_MAX_COSINE
}

/// What verification measures, per article (indexed by [`DocId`]).
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    /// TF-IDF vectors, laid out for cosines.
    pub vectors: &'a PairVectors,
    /// Shingle sketches.
    pub sketches: &'a [ShingleSketch],
    /// Language codes.
    pub langs: &'a [&'a str],
    /// Anchor vectors (numbers, Latin names), present with `cross_language`.
    pub anchors: Option<&'a [SparseVec]>,
}

/// Verifies every candidate pair (in parallel); edges come back in pair order.
pub fn verify_pairs(pairs: &[(DocId, DocId)], evidence: &Evidence, params: &ValidParams) -> Vec<Edge> {
    pairs
        .par_iter()
        .map_init(|| Verifier::new(*evidence, params), |verifier, &(a, b)| verifier.verify(a, b))
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::DEFAULT_CONTAINMENT_FLOOR;

    fn evidence<'a>(
        v: &'a PairVectors,
        s: &'a [ShingleSketch],
        langs: &'a [&'a str],
        anchors: Option<&'a [SparseVec]>,
    ) -> Evidence<'a> {
        Evidence { vectors: v, sketches: s, langs, anchors }
    }

    fn compact(vectors: &[SparseVec]) -> PairVectors {
        let mut df = crate::tfidf::DocFreq::default();
        vectors.iter().for_each(|v| df.add(v.terms.iter().copied()));
        PairVectors::new(vectors, &df)
    }

    fn setup() -> (Vec<SparseVec>, Vec<ShingleSketch>) {
        let v = |t: &[(u64, f32)]| SparseVec::normalized(t.to_vec());
        let vectors = vec![
            v(&[(1, 1.0), (2, 1.0), (3, 1.0)]),
            v(&[(1, 1.0), (2, 1.0), (3, 0.9)]),
            v(&[(1, 1.0), (7, 2.0), (8, 2.0)]),
        ];
        let sketches = vec![
            crate::testing::sketch((0..100).collect(), 64),
            crate::testing::sketch((0..100).collect(), 64),
            crate::testing::sketch((0..40).collect(), 64),
        ];
        (vectors, sketches)
    }

    #[test]
    fn similar_pair_is_accepted() {
        let (v, s) = setup();
        let e = verify_pair(0, 1, &evidence(&compact(&v), &s, &["en"; 3], None), &ValidParams::default()).unwrap();
        assert!(e.cosine > 0.99);
    }

    #[test]
    fn different_languages_are_not_linked_by_default() {
        let (v, s) = setup();
        let langs = ["en", "es", "en"];
        assert!(verify_pair(0, 1, &evidence(&compact(&v), &s, &langs, Some(&v)), &ValidParams::default()).is_none());
        let params = crate::params::PipelineParams::new().cross_language(true).check().unwrap();
        // Translations are judged on their anchors: here the anchor vectors are the term vectors.
        assert!(verify_pair(0, 1, &evidence(&compact(&v), &s, &langs, Some(&v)), &params).is_some());
        assert!(verify_pair(0, 2, &evidence(&compact(&v), &s, &["en", "es", "es"], Some(&v)), &params).is_none());
    }

    #[test]
    fn contained_pair_with_low_cosine_is_accepted_above_the_floor() {
        let (v, s) = setup();
        // cosine(0, 2) = 1/sqrt(3)/3 ≈ 0.19: below the default floor, so rejected
        assert!(verify_pair(0, 2, &evidence(&compact(&v), &s, &["en"; 3], None), &ValidParams::default()).is_none());
        let params = crate::params::PipelineParams::new().containment_floor(0.1).check().unwrap();
        let e = verify_pair(0, 2, &evidence(&compact(&v), &s, &["en"; 3], None), &params).unwrap();
        assert_eq!(e.b_in_a, 1.0);
    }

    #[test]
    fn a_shared_passage_alone_does_not_make_one_story() {
        // Cosine 0.41 (over the 0.40 bar) from terms 1-2; a third of the
        // wording shared both ways: two texts reusing one paragraph.
        let v = |t: &[(u64, f32)]| SparseVec::normalized(t.to_vec());
        let vectors = vec![v(&[(1, 1.0), (2, 1.0), (3, 1.2), (4, 1.2)]), v(&[(1, 1.0), (2, 1.0), (5, 1.2), (6, 1.2)])];
        let cosine = vectors[0].cosine(&vectors[1]);
        assert!(cosine > 0.4 && cosine < PARTIAL_OVERLAP_MAX_COSINE, "{cosine}");
        let partial =
            vec![crate::testing::sketch((0..90).collect(), 128), crate::testing::sketch((60..150).collect(), 128)];
        assert!(verify_pair(0, 1, &evidence(&compact(&vectors), &partial, &["en"; 2], None), &ValidParams::default())
            .is_none());
        // The same cosine with no shared wording is a retelling, and passes.
        let disjoint =
            vec![crate::testing::sketch((0..90).collect(), 128), crate::testing::sketch((200..290).collect(), 128)];
        assert!(verify_pair(0, 1, &evidence(&compact(&vectors), &disjoint, &["en"; 2], None), &ValidParams::default())
            .is_some());
    }

    #[test]
    fn a_contained_text_needs_the_top_of_the_story_at_a_modest_cosine() {
        let v = |t: &[(u64, f32)]| SparseVec::normalized(t.to_vec());
        let vectors = vec![v(&[(1, 1.0), (2, 1.0), (3, 1.2), (4, 1.2)]), v(&[(1, 1.0), (2, 1.0), (5, 1.0)])];
        let cosine = vectors[0].cosine(&vectors[1]);
        assert!(cosine > DEFAULT_CONTAINMENT_FLOOR && cosine < OPENING_NEEDED_BELOW_COSINE, "{cosine}");
        let judge = |sketches: &[ShingleSketch]| {
            verify_pair(0, 1, &evidence(&compact(&vectors), sketches, &["en"; 2], None), &ValidParams::default())
        };
        // The short text is the long one's first 60 shingles: an excerpt.
        assert!(judge(&[
            crate::testing::sketch((0..300).collect(), 512),
            crate::testing::sketch((0..60).collect(), 512)
        ])
        .is_some());
        // The same share of wording, from the long text's middle: a reused passage.
        assert!(judge(&[
            crate::testing::sketch((0..300).collect(), 512),
            crate::testing::sketch((150..210).collect(), 512)
        ])
        .is_none());
    }
}
