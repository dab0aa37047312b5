//! Cluster: verified edges → stories (groups of articles).
//!
//! Stories are the connected components of the verified-edge graph
//! (union-find), numbered by their smallest article id so that the numbering
//! does not depend on input order or thread count.
//!
//! A component can chain stories through one bridging article (A ~ B, B ~ C,
//! A and C unrelated). Components of at least `min_block` members are
//! therefore re-clustered with `linfa-clustering`'s DBSCAN on their dense,
//! L2-normalised TF-IDF rows (a small candidate block, where DBSCAN is
//! cheap), with `min_points = 4` so that a thin path of articles with few
//! neighbours is not enough to join two dense groups. An article DBSCAN calls noise rejoins the group it has
//! its strongest verified edge to. Blocks above [`MAX_DBSCAN_BLOCK`] rows or
//! [`MAX_DENSE_CELLS`] dense cells are kept as components (DBSCAN is
//! quadratic) and counted. A block that spans languages (translations, in
//! cross-lingual mode) is re-clustered on its anchor vectors instead.

use linfa::traits::Transformer;
use linfa_clustering::Dbscan;
use ndarray::Array2;
use petgraph::unionfind::UnionFind;
use rustc_hash::FxHashMap;

use crate::article::DocId;
use crate::tfidf::SparseVec;
use crate::verify::Edge;

/// Largest block re-clustered with DBSCAN.
pub const MAX_DBSCAN_BLOCK: usize = 3000;
/// Most cells (rows × columns) of a dense DBSCAN block: 40 million f32, 160 MB.
pub const MAX_DENSE_CELLS: usize = 40_000_000;
/// Core points need this many neighbours (themselves included) within reach.
const DBSCAN_MIN_POINTS: usize = 4;

/// A story's number in the output.
pub type ClusterId = u32;

/// The partition of a batch into stories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clustering {
    /// Story of each article, by [`DocId`].
    pub assignment: Vec<ClusterId>,
    /// Members of each story, ascending, by [`ClusterId`].
    pub clusters: Vec<Vec<DocId>>,
}

impl Clustering {
    /// Stories with two or more members.
    pub fn multi_member(&self) -> impl Iterator<Item = (ClusterId, &[DocId])> {
        self.clusters.iter().enumerate().filter(|(_, m)| m.len() > 1).map(|(c, m)| (c as ClusterId, m.as_slice()))
    }
}

/// Connected components of `edges` over `n` articles.
pub fn connected_components(n: usize, edges: &[Edge]) -> Clustering {
    let mut uf = UnionFind::<usize>::new(n);
    for e in edges {
        uf.union(e.a as usize, e.b as usize);
    }
    let roots = uf.into_labeling();
    from_labels(&roots)
}

/// The vectors and radii the chain guard works with, per article.
#[derive(Debug, Clone, Copy)]
pub struct BlockSpace<'a> {
    /// TF-IDF vectors (blocks in one language).
    pub vectors: &'a [SparseVec],
    /// Cosine radius for term vectors.
    pub min_cosine: f32,
    /// Anchor vectors (cross-lingual mode; blocks that span languages).
    pub anchors: Option<&'a [SparseVec]>,
    /// Cosine radius for anchor vectors.
    pub min_anchor_cosine: f32,
    /// Language of each article.
    pub langs: &'a [&'a str],
}

/// Counts from the chain guard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct BlockStats {
    /// Components re-clustered with DBSCAN.
    pub refined: usize,
    /// Components that DBSCAN split into more than one story.
    pub split: usize,
    /// Components too large for DBSCAN, kept whole.
    pub too_large: usize,
    /// Components spanning languages (translations), re-clustered on anchors.
    pub multilingual: usize,
}

/// Connected components, with components of `min_block` or more members
/// re-clustered by DBSCAN at cosine `min_cosine` (see the module docs).
pub fn cluster(n: usize, edges: &[Edge], space: &BlockSpace, min_block: usize) -> (Clustering, BlockStats) {
    let components = connected_components(n, edges);
    let mut stats = BlockStats::default();
    let mut labels: Vec<(u32, u32)> = components.assignment.iter().map(|&c| (c, 0)).collect();
    let mut edges_of: FxHashMap<DocId, Vec<&Edge>> = FxHashMap::default();
    for e in edges {
        edges_of.entry(e.a).or_default().push(e);
        edges_of.entry(e.b).or_default().push(e);
    }
    for (cluster, members) in components.multi_member() {
        if members.len() < min_block {
            continue;
        }
        // Translations share no terms: a block that spans languages is held
        // together by anchor edges, so DBSCAN runs on the anchor vectors.
        let multilingual = members.iter().any(|&d| space.langs[d as usize] != space.langs[members[0] as usize]);
        let (vectors, min_cosine) = match (multilingual, space.anchors) {
            (false, _) => (space.vectors, space.min_cosine),
            (true, Some(anchors)) => {
                stats.multilingual += 1;
                (anchors, space.min_anchor_cosine)
            }
            (true, None) => continue,
        };
        let columns = members.iter().flat_map(|&d| vectors[d as usize].terms.iter()).collect::<rustc_hash::FxHashSet<_>>().len();
        if members.len() > MAX_DBSCAN_BLOCK || members.len().saturating_mul(columns) > MAX_DENSE_CELLS {
            stats.too_large += 1;
            continue;
        }
        stats.refined += 1;
        let groups = dbscan_block(members, vectors, min_cosine, &edges_of);
        if groups.iter().any(|&g| g != groups[0]) {
            stats.split += 1;
        }
        for (&doc, g) in members.iter().zip(groups) {
            labels[doc as usize] = (cluster, g);
        }
    }
    (from_labels(&labels), stats)
}

/// DBSCAN over one block; returns a group number per member.
fn dbscan_block(members: &[DocId], vectors: &[SparseVec], min_cosine: f32, edges_of: &FxHashMap<DocId, Vec<&Edge>>) -> Vec<u32> {
    let mut column: FxHashMap<u64, usize> = FxHashMap::default();
    for &d in members {
        for &t in &vectors[d as usize].terms {
            let next = column.len();
            column.entry(t).or_insert(next);
        }
    }
    let mut rows = Array2::<f32>::zeros((members.len(), column.len()));
    for (r, &d) in members.iter().enumerate() {
        let v = &vectors[d as usize];
        for (t, w) in v.terms.iter().zip(&v.weights) {
            rows[[r, column[t]]] = *w;
        }
    }
    // Unit rows: |x - y|² = 2 - 2 cos(x, y).
    let tolerance = (2.0 - 2.0 * min_cosine).max(0.0).sqrt();
    let found = Dbscan::params(DBSCAN_MIN_POINTS).tolerance(tolerance).transform(&rows);
    let mut groups: Vec<Option<u32>> = match found {
        Ok(labels) => labels.iter().map(|l| l.map(|g| g as u32)).collect(),
        // Invalid parameters cannot happen here (min_points and tolerance are
        // fixed and positive); keep the component whole if they ever do.
        Err(_) => vec![Some(0); members.len()],
    };
    let position: FxHashMap<DocId, usize> = members.iter().enumerate().map(|(i, &d)| (d, i)).collect();
    let noise_label = groups.iter().flatten().max().map_or(0, |m| m + 1);
    // Noise rejoins the group of its strongest verified edge to a clustered member.
    let snapshot = groups.clone();
    for (i, &d) in members.iter().enumerate() {
        if snapshot[i].is_some() {
            continue;
        }
        let best = edges_of.get(&d).into_iter().flatten().filter_map(|e| {
            let other = if e.a == d { e.b } else { e.a };
            let g = snapshot[*position.get(&other)?]?;
            Some((e.cosine.max(e.containment()), other, g))
        });
        let best = best.max_by(|x, y| x.0.total_cmp(&y.0).then(y.1.cmp(&x.1)));
        groups[i] = Some(best.map_or(noise_label + i as u32, |(_, _, g)| g));
    }
    groups.into_iter().map(|g| g.unwrap_or(0)).collect()
}

/// Renumbers arbitrary labels so that clusters are ordered by their smallest member.
pub fn from_labels<L: Copy + Eq + std::hash::Hash>(labels: &[L]) -> Clustering {
    let mut number: rustc_hash::FxHashMap<L, ClusterId> = rustc_hash::FxHashMap::default();
    let mut assignment = Vec::with_capacity(labels.len());
    let mut clusters: Vec<Vec<DocId>> = Vec::new();
    for (doc, label) in labels.iter().enumerate() {
        let next = clusters.len() as ClusterId;
        let id = *number.entry(*label).or_insert(next);
        if id == next {
            clusters.push(Vec::new());
        }
        clusters[id as usize].push(doc as DocId);
        assignment.push(id);
    }
    Clustering { assignment, clusters }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(a: DocId, b: DocId) -> Edge {
        Edge { a, b, cosine: 0.9, a_in_b: 0.0, b_in_a: 0.0 }
    }

    #[test]
    fn components_are_numbered_by_smallest_member() {
        let c = connected_components(5, &[edge(3, 4), edge(1, 3)]);
        assert_eq!(c.assignment, vec![0, 1, 2, 1, 1]);
        assert_eq!(c.clusters, vec![vec![0], vec![1, 3, 4], vec![2]]);
        assert_eq!(c.multi_member().count(), 1);
    }

    #[test]
    fn a_thin_chain_does_not_join_two_dense_groups() {
        // Groups A (terms 1, 2) and B (terms 11, 12) of four articles each,
        // every member with a term of its own; A's first member and B's first
        // member are linked only through two articles x and y that share one
        // term with them and one with each other. Union-find chains all ten;
        // DBSCAN keeps A and B apart because x and y are not core points.
        let member = |a: u64, b: u64, own: u64| SparseVec::normalized(vec![(a, 1.0), (b, 1.0), (own, 1.0)]);
        let mut vectors: Vec<SparseVec> = (0..4).map(|i| member(1, 2, 100 + i)).collect();
        vectors.extend((0..4).map(|i| member(11, 12, 200 + i)));
        vectors.push(SparseVec::normalized(vec![(100, 1.0), (50, 1.0)])); // x, near A's first
        vectors.push(SparseVec::normalized(vec![(50, 1.0), (200, 1.0)])); // y, near B's first
        let mut edges = Vec::new();
        for a in 0..10u32 {
            for b in a + 1..10 {
                let cos = vectors[a as usize].cosine(&vectors[b as usize]);
                if cos >= 0.4 {
                    edges.push(Edge { a, b, cosine: cos, a_in_b: 0.0, b_in_a: 0.0 });
                }
            }
        }
        assert_eq!(connected_components(10, &edges).clusters.len(), 1);
        let space = BlockSpace { vectors: &vectors, min_cosine: 0.4, anchors: None, min_anchor_cosine: 0.5, langs: &["en"; 10] };
        let (c, stats) = cluster(10, &edges, &space, 3);
        assert_eq!(stats.split, 1);
        assert_ne!(c.assignment[0], c.assignment[4]);
        assert!(c.assignment[..4].iter().all(|&x| x == c.assignment[0]));
        assert!(c.assignment[4..8].iter().all(|&x| x == c.assignment[4]));
        assert_eq!(c.assignment[8], c.assignment[0]);
        assert_eq!(c.assignment[9], c.assignment[4]);
    }

    #[test]
    fn edge_order_does_not_change_the_result() {
        let a = connected_components(6, &[edge(0, 5), edge(2, 3), edge(3, 5)]);
        let b = connected_components(6, &[edge(3, 5), edge(0, 5), edge(2, 3)]);
        assert_eq!(a, b);
    }
}
