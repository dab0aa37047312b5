//! Cluster: verified edges → stories (groups of articles).
//!
//! Stories are the connected components of the verified-edge graph
//! (union-find), numbered by their smallest article id so that the numbering
//! does not depend on input order or thread count.

use petgraph::unionfind::UnionFind;

use crate::article::DocId;
use crate::verify::Edge;

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
    fn edge_order_does_not_change_the_result() {
        let a = connected_components(6, &[edge(0, 5), edge(2, 3), edge(3, 5)]);
        let b = connected_components(6, &[edge(3, 5), edge(0, 5), edge(2, 3)]);
        assert_eq!(a, b);
    }
}
