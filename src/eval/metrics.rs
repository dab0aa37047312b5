//! Clustering metrics: pure functions of a true and a predicted labelling of
//! the same items. Formulas follow `shared/eval/score.py` exactly (BCubed of
//! Bagga & Baldwin, pairwise precision/recall, adjusted Rand index of
//! Hubert & Arabie), so figures can be compared with the baselines.

use std::collections::HashMap;
use std::hash::Hash;

use serde::Serialize;

/// Scores of one labelling against another.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterScores {
    /// Items scored.
    pub n: usize,
    /// BCubed precision.
    pub bcubed_precision: f64,
    /// BCubed recall.
    pub bcubed_recall: f64,
    /// BCubed F1.
    pub bcubed_f1: f64,
    /// Pairwise precision (1 when no pair is predicted).
    pub pairwise_precision: f64,
    /// Pairwise recall (1 when there is no true pair).
    pub pairwise_recall: f64,
    /// Pairwise F1.
    pub pairwise_f1: f64,
    /// True pairs.
    pub pairs_true: u64,
    /// Predicted pairs.
    pub pairs_pred: u64,
    /// Predicted pairs that are true.
    pub pairs_correct: u64,
    /// Adjusted Rand index.
    pub ari: f64,
    /// True clusters.
    pub clusters_true: usize,
    /// Predicted clusters.
    pub clusters_pred: usize,
    /// True clusters with two or more members.
    pub multi_clusters_true: usize,
    /// Predicted clusters with two or more members.
    pub multi_clusters_pred: usize,
    /// Size of the largest true cluster.
    pub largest_cluster_true: usize,
    /// Size of the largest predicted cluster.
    pub largest_cluster_pred: usize,
}

fn c2(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// Scores `pred` against `truth`; item `i` has true label `truth[i]` and predicted label `pred[i]`.
pub fn cluster_scores<T: Eq + Hash, P: Eq + Hash>(truth: &[T], pred: &[P]) -> ClusterScores {
    assert_eq!(truth.len(), pred.len(), "one true and one predicted label per item");
    let n = truth.len();
    let mut cells: HashMap<(&P, &T), u64> = HashMap::new();
    let mut a: HashMap<&P, u64> = HashMap::new();
    let mut b: HashMap<&T, u64> = HashMap::new();
    for (t, p) in truth.iter().zip(pred) {
        *cells.entry((p, t)).or_default() += 1;
        *a.entry(p).or_default() += 1;
        *b.entry(t).or_default() += 1;
    }
    // Sum in a fixed order so that floating-point results do not depend on hashing.
    let mut cell_list: Vec<(u64, u64, u64)> = cells.iter().map(|((p, t), &nij)| (nij, a[p], b[t])).collect();
    cell_list.sort_unstable();
    let (bp, br) = if n == 0 {
        (1.0, 1.0)
    } else {
        let bp: f64 = cell_list.iter().map(|&(nij, ap, _)| (nij * nij) as f64 / ap as f64).sum::<f64>() / n as f64;
        let br: f64 = cell_list.iter().map(|&(nij, _, bt)| (nij * nij) as f64 / bt as f64).sum::<f64>() / n as f64;
        (bp, br)
    };
    let tp: u64 = cells.values().map(|&v| c2(v)).sum();
    let pp: u64 = a.values().map(|&v| c2(v)).sum();
    let tpairs: u64 = b.values().map(|&v| c2(v)).sum();
    let pw_p = if pp > 0 { tp as f64 / pp as f64 } else { 1.0 };
    let pw_r = if tpairs > 0 { tp as f64 / tpairs as f64 } else { 1.0 };
    let total = c2(n as u64);
    let expected = if total > 0 { pp as f64 * tpairs as f64 / total as f64 } else { 0.0 };
    let max_index = (pp + tpairs) as f64 / 2.0;
    let ari = if max_index == expected {
        if pp == tpairs && tpairs == tp {
            1.0
        } else {
            0.0
        }
    } else {
        (tp as f64 - expected) / (max_index - expected)
    };
    ClusterScores {
        n,
        bcubed_precision: bp,
        bcubed_recall: br,
        bcubed_f1: f1(bp, br),
        pairwise_precision: pw_p,
        pairwise_recall: pw_r,
        pairwise_f1: f1(pw_p, pw_r),
        pairs_true: tpairs,
        pairs_pred: pp,
        pairs_correct: tp,
        ari,
        clusters_true: b.len(),
        clusters_pred: a.len(),
        multi_clusters_true: b.values().filter(|&&v| v > 1).count(),
        multi_clusters_pred: a.values().filter(|&&v| v > 1).count(),
        largest_cluster_true: b.values().copied().max().unwrap_or(0) as usize,
        largest_cluster_pred: a.values().copied().max().unwrap_or(0) as usize,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn perfect_prediction_scores_one() {
        let s = cluster_scores(&[1, 1, 2, 2, 3], &["a", "a", "b", "b", "c"]);
        assert!(close(s.bcubed_f1, 1.0) && close(s.pairwise_f1, 1.0) && close(s.ari, 1.0));
        assert_eq!((s.multi_clusters_true, s.multi_clusters_pred), (2, 2));
    }

    #[test]
    fn all_singletons_have_vacuous_precision_and_zero_ari() {
        let s = cluster_scores(&[1, 1, 1, 2, 2, 3], &[1, 2, 3, 4, 5, 6]);
        assert!(close(s.bcubed_precision, 1.0));
        assert!(close(s.bcubed_recall, (3.0 * (1.0 / 3.0) + 2.0 * 0.5 + 1.0) / 6.0));
        assert!(close(s.pairwise_precision, 1.0) && close(s.pairwise_recall, 0.0));
        assert!(close(s.ari, 0.0));
        assert_eq!(s.largest_cluster_pred, 1);
    }

    #[test]
    fn everything_in_one_cluster() {
        let s = cluster_scores(&[1, 1, 1, 2, 2, 3], &[0; 6]);
        assert!(close(s.pairwise_precision, 4.0 / 15.0) && close(s.pairwise_recall, 1.0));
        assert!(close(s.ari, 0.0));
        assert!(close(s.bcubed_recall, 1.0));
        assert!(close(s.bcubed_precision, (9.0 + 4.0 + 1.0) / 6.0 / 6.0));
    }

    #[test]
    fn one_wrong_merge() {
        // truth {a,b} {c,d} {e}; prediction merges e into the first cluster
        let s = cluster_scores(&[1, 1, 2, 2, 3], &[1, 1, 2, 2, 1]);
        assert!(close(s.pairwise_precision, 2.0 / 4.0) && close(s.pairwise_recall, 1.0));
        assert!(close(s.bcubed_precision, (2.0 * (2.0 / 3.0) + 1.0 / 3.0 + 2.0) / 5.0));
        assert!(close(s.bcubed_recall, 1.0));
        let expected = 4.0 * 2.0 / 10.0;
        assert!(close(s.ari, (2.0 - expected) / (3.0 - expected)));
    }
}
