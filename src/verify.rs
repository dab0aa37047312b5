//! Verify: candidate pairs → edges, each accepted only on evidence.
//!
//! A pair becomes an [`Edge`] when its TF-IDF cosine reaches `min_cosine`,
//! or when one article's shingles are largely contained in the other's
//! (`min_containment`, an excerpt or a copy with material added) and the
//! cosine is at least `containment_floor`. Without `cross_language` the two
//! must also share their language (translations are a separate mode). Unverified candidates are never
//! joined: that is what keeps unrelated stories from chaining together.

use rayon::prelude::*;
use serde::Serialize;

use crate::article::DocId;
use crate::params::ValidParams;
use crate::sketch::ShingleSketch;
use crate::tfidf::SparseVec;

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
}

/// Measures one pair and accepts or rejects it.
pub fn verify_pair(
    a: DocId,
    b: DocId,
    vectors: &[SparseVec],
    sketches: &[ShingleSketch],
    langs: &[&str],
    params: &ValidParams,
) -> Option<Edge> {
    if !params.cross_language() && langs[a as usize] != langs[b as usize] {
        return None;
    }
    let cosine = vectors[a as usize].cosine(&vectors[b as usize]);
    if cosine < params.containment_floor() {
        return None;
    }
    let (sa, sb) = (&sketches[a as usize], &sketches[b as usize]);
    let edge = Edge { a, b, cosine, a_in_b: sa.containment_in(sb), b_in_a: sb.containment_in(sa) };
    (cosine >= params.min_cosine() || edge.containment() >= params.min_containment()).then_some(edge)
}

/// Verifies every candidate pair (in parallel); edges come back in pair order.
pub fn verify_pairs(
    pairs: &[(DocId, DocId)],
    vectors: &[SparseVec],
    sketches: &[ShingleSketch],
    langs: &[&str],
    params: &ValidParams,
) -> Vec<Edge> {
    pairs.par_iter().filter_map(|&(a, b)| verify_pair(a, b, vectors, sketches, langs, params)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (Vec<SparseVec>, Vec<ShingleSketch>) {
        let v = |t: &[(u64, f32)]| SparseVec::normalized(t.to_vec());
        let vectors = vec![
            v(&[(1, 1.0), (2, 1.0), (3, 1.0)]),
            v(&[(1, 1.0), (2, 1.0), (3, 0.9)]),
            v(&[(1, 1.0), (7, 2.0), (8, 2.0)]),
        ];
        let sketches =
            vec![ShingleSketch::new((0..100).collect(), 64), ShingleSketch::new((0..100).collect(), 64), ShingleSketch::new((0..40).collect(), 64)];
        (vectors, sketches)
    }

    #[test]
    fn similar_pair_is_accepted() {
        let (v, s) = setup();
        let e = verify_pair(0, 1, &v, &s, &["en"; 3], &ValidParams::default()).unwrap();
        assert!(e.cosine > 0.99);
    }

    #[test]
    fn different_languages_are_not_linked_by_default() {
        let (v, s) = setup();
        assert!(verify_pair(0, 1, &v, &s, &["en", "es", "en"], &ValidParams::default()).is_none());
        let params = crate::params::PipelineParams::new().cross_language(true).check().unwrap();
        assert!(verify_pair(0, 1, &v, &s, &["en", "es", "en"], &params).is_some());
    }

    #[test]
    fn contained_pair_with_low_cosine_is_accepted_above_the_floor() {
        let (v, s) = setup();
        // cosine(0, 2) = 1/sqrt(3)/3 ≈ 0.19: below the default floor, so rejected
        assert!(verify_pair(0, 2, &v, &s, &["en"; 3], &ValidParams::default()).is_none());
        let params = crate::params::PipelineParams::new().containment_floor(0.1).check().unwrap();
        let e = verify_pair(0, 2, &v, &s, &["en"; 3], &params).unwrap();
        assert_eq!(e.b_in_a, 1.0);
    }
}
