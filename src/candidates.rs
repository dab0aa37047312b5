//! Candidates: TF-IDF vectors → pairs of articles worth verifying, without
//! comparing all pairs.
//!
//! ## The algorithm
//!
//! Each article contributes its `keys_per_doc` heaviest TF-IDF terms as keys
//! to an inverted index. Two articles become a candidate pair when they share
//! at least `min_shared_keys` keys (or all keys of the article with fewer).
//! Posting lists longer than `max_postings` are skipped: a key that many
//! articles share is a topic word, not a story's fingerprint (document
//! frequency pruning). The cost is the sum of the squared lengths of the
//! kept lists, which for news grows near-linearly with the batch: rare
//! terms have short lists, and common ones are either not among an article's
//! heaviest terms or pruned.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::article::DocId;
use crate::params::ValidParams;
use crate::tfidf::SparseVec;
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

/// Proposes candidate pairs `(a, b)` with `a < b`, sorted.
pub fn candidate_pairs(vectors: &[SparseVec], params: &ValidParams) -> (Vec<(DocId, DocId)>, CandidateStats) {
    let keys: Vec<Vec<TermHash>> = vectors.par_iter().map(|v| v.top_terms(params.keys_per_doc())).collect();
    let mut postings: FxHashMap<TermHash, Vec<DocId>> = FxHashMap::default();
    for (doc, doc_keys) in keys.iter().enumerate() {
        for &k in doc_keys {
            postings.entry(k).or_default().push(doc as DocId);
        }
    }
    let mut stats = CandidateStats { keys: postings.len(), ..Default::default() };
    postings.retain(|_, list| {
        let keep = list.len() <= params.max_postings();
        stats.pruned_keys += usize::from(!keep);
        keep && list.len() > 1
    });
    let n = vectors.len();
    let min_shared = params.min_shared_keys();
    let mut pairs: Vec<(DocId, DocId)> = (0..n)
        .into_par_iter()
        .map_init(
            || (vec![0u16; n], Vec::<DocId>::new()),
            |(counts, touched), doc| {
                for k in &keys[doc] {
                    let Some(list) = postings.get(k) else { continue };
                    let start = list.partition_point(|&e| e as usize <= doc);
                    for &other in &list[start..] {
                        if counts[other as usize] == 0 {
                            touched.push(other);
                        }
                        counts[other as usize] += 1;
                    }
                }
                let mut found = Vec::new();
                for &other in touched.iter() {
                    let need = min_shared.min(keys[doc].len()).min(keys[other as usize].len()).max(1);
                    if counts[other as usize] as usize >= need {
                        found.push((doc as DocId, other));
                    }
                    counts[other as usize] = 0;
                }
                touched.clear();
                found
            },
        )
        .flatten()
        .collect();
    pairs.sort_unstable();
    stats.pairs = pairs.len();
    (pairs, stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vec_of(terms: &[u64]) -> SparseVec {
        SparseVec::normalized(terms.iter().map(|&t| (t, 1.0 + t as f32 / 100.0)).collect())
    }

    #[test]
    fn articles_sharing_keys_pair_up_and_others_do_not() {
        let vectors = vec![vec_of(&[1, 2, 3, 4]), vec_of(&[1, 2, 3, 9]), vec_of(&[20, 21, 22])];
        let (pairs, stats) = candidate_pairs(&vectors, &ValidParams::default());
        assert_eq!(pairs, vec![(0, 1)]);
        assert_eq!(stats.pairs, 1);
    }

    #[test]
    fn one_shared_key_is_not_enough() {
        let vectors = vec![vec_of(&[1, 2, 3, 4]), vec_of(&[1, 7, 8, 9])];
        assert!(candidate_pairs(&vectors, &ValidParams::default()).0.is_empty());
    }

    #[test]
    fn long_posting_lists_are_pruned() {
        let params = crate::params::PipelineParams::new().max_postings(3).check().unwrap();
        let vectors: Vec<SparseVec> = (0..5).map(|i| vec_of(&[1, 2, 100 + i])).collect();
        let (pairs, stats) = candidate_pairs(&vectors, &params);
        assert!(pairs.is_empty());
        assert_eq!(stats.pruned_keys, 2);
    }
}
