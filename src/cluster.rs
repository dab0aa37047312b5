//! Cluster: family edges → families, story links → stories.
//!
//! The procedure, in order:
//!
//! 1. **Families** are the connected components of the family edges (pairs
//!    the pair model judged derived, [`crate::verify`]), numbered by their
//!    smallest article id so that the numbering depends on neither input
//!    order nor thread count.
//! 2. **Chain guard.** A component can still chain two families through one
//!    bridging article (A ~ B, B ~ C, A and C unrelated). Components of at
//!    least `dbscan_min_block` members are re-clustered with
//!    `linfa-clustering`'s DBSCAN (`min_points = 4`) over their edges
//!    ([`EdgeNeighbours`], a `linfa-nn` index over the edge lists: the radius
//!    is already applied, and a block costs its edges, not its members
//!    squared); an article DBSCAN calls noise rejoins the group of its
//!    strongest edge. A group of more than `large_group` articles
//!    (`large_copy_group` when its edges mostly share whole passages,
//!    `large_multilingual_group` across languages) must cover `min_density`
//!    of its pairs, or is split by raising the cosine its edges need,
//!    `split_step` at a time; and when at least half of it is linked by copy
//!    evidence (cosine `copy_cosine`, or one text inside the other), the
//!    articles only weaker links attach are parted. These numbers are the
//!    validated [`ChainGuard`] of the params, each with its measurement.
//! 3. **Stories** ([`link_stories`]) join families by average linkage over
//!    the story links (P(same event)): a family joins a story only when it
//!    is close to most of it, so a path of weak links cannot chain stories.
//! 4. An article that credits the outlet of a member of another family of
//!    its story joins that family ([`join_families`], from
//!    [`crate::roles::credited_sources`]).
//!
//! Measured when the pair model came in (scripts/evaluate.py, 10k and 100k
//! benchmark): the earlier rules that kept a passage reused by several
//! stories to one of them, and that peeled loosely attached members, moved
//! no figure and were deleted; DBSCAN moves none either on any labelled set
//! or the benchmark, and stays as the guard against single-article bridges
//! at scales the sets do not reach. The density split is what keeps
//! ntrex-crosslingual's families apart (without it, pairwise precision 0.85
//! → 0.38), the copy-evidence parting what keeps ntrex-syndication eng and
//! fra at 1.000 and 0.998 (without it, 0.992 and 0.991).

use std::sync::Arc;

use linfa::traits::Transformer;
use linfa::Float;
use linfa_clustering::Dbscan;
use linfa_nn::distance::{Distance, L2Dist};
use linfa_nn::{BuildError, NearestNeighbour, NearestNeighbourIndex, NnError};
use ndarray::{Array2, ArrayBase, ArrayView1, ArrayView2, Data, Ix2};
use petgraph::unionfind::UnionFind;
use rustc_hash::FxHashMap;

use crate::article::DocId;
use crate::params::{ChainGuard, ValidParams};
use crate::verify::{Edge, StoryLink};

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

/// Counts from the chain guard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BlockStats {
    /// Components re-clustered with DBSCAN.
    pub refined: usize,
    /// Components that DBSCAN split into more than one story.
    pub split: usize,
    /// Components spanning languages (translations, in cross-lingual mode).
    pub multilingual: usize,
    /// Sparse groups (large, or linked by shared passages) split by
    /// raising the cosine bar.
    pub thinned: usize,
    /// Groups of copies parted from the articles weaker links attached.
    pub strays_apart: usize,
}

impl BlockStats {
    /// Adds the counts of `other` (of other groups).
    pub fn add(&mut self, other: BlockStats) {
        self.refined += other.refined;
        self.split += other.split;
        self.multilingual += other.multilingual;
        self.thinned += other.thinned;
        self.strays_apart += other.strays_apart;
    }
}

/// Connected components, with components of `params.dbscan_min_block()` or
/// more members re-clustered by DBSCAN over their verified edges, large
/// sparse groups split above `params.min_cosine()`, and large groups of
/// copies parted from their strays (see the module docs). `langs` is the
/// language of each article: groups spanning languages may be sparser.
pub fn cluster(n: usize, edges: &[Edge], langs: &[&str], params: &ValidParams) -> (Clustering, BlockStats) {
    let (min_block, min_cosine, guard) = (params.dbscan_min_block(), params.min_cosine(), params.chain_guard());
    let mut stats = BlockStats::default();
    let components = connected_components(n, edges);
    let mut labels: Vec<(u32, u32, u32)> = components.assignment.iter().map(|&c| (c, 0, 0)).collect();
    let edges_of = EdgesOf::new(n, edges);
    for (cluster, members) in components.multi_member() {
        if members.len() < min_block {
            continue;
        }
        if members.iter().any(|&d| langs[d as usize] != langs[members[0] as usize]) {
            stats.multilingual += 1;
        }
        stats.refined += 1;
        let groups = dbscan_block(members, &edges_of, guard.dbscan_min_points);
        if groups.iter().any(|&g| g != groups[0]) {
            stats.split += 1;
        }
        for (&doc, g) in members.iter().zip(groups) {
            labels[doc as usize] = (cluster, g, 0);
        }
    }
    let grouped = from_labels(&labels);
    for group in grouped.clusters.iter().filter(|g| g.len() > guard.large_copy_group) {
        let spans_languages = group.iter().any(|&d| langs[d as usize] != langs[group[0] as usize]);
        let large = if spans_languages {
            guard.large_multilingual_group
        } else if linked_by_passages(group, &edges_of) {
            guard.large_copy_group
        } else {
            guard.large_group
        };
        if group.len() <= large {
            continue;
        }
        let mut sparse_pieces = Vec::new();
        split_sparse(group.clone(), &edges_of, (min_cosine, large), guard, &mut sparse_pieces);
        if sparse_pieces.len() > 1 {
            stats.thinned += 1;
        }
        let mut pieces = Vec::with_capacity(sparse_pieces.len());
        for piece in sparse_pieces {
            if spans_languages || piece.len() <= large {
                pieces.push(piece);
            } else {
                let mut parted = Vec::new();
                strays_apart(piece, &edges_of, params.min_containment(), guard, &mut parted);
                if parted.len() > 1 {
                    stats.strays_apart += 1;
                }
                pieces.extend(parted);
            }
        }
        for (piece, members) in pieces.iter().enumerate() {
            for &doc in members {
                labels[doc as usize].2 = piece as u32;
            }
        }
    }
    (from_labels(&labels), stats)
}

/// Joins families into stories by average linkage over story links.
///
/// Two families are as close as their closest pair of members (members of a
/// family are copies of one text, so each speaks for it); two groups of
/// families are as close as the mean closeness over every pair of their
/// families, a pair with no link counting 0. The closest two groups are
/// joined while that mean reaches `threshold`. A path of weak links cannot
/// satisfy it: a family joins a story only when it is close to most of it.
/// Deterministic: ties go to the pair of groups with the smaller numbers.
pub fn link_stories(families: &Clustering, links: &[StoryLink], threshold: f32) -> Clustering {
    let n = families.clusters.len();
    // Family-pair closeness: the best link between their members.
    let mut closeness: FxHashMap<(u32, u32), f32> = FxHashMap::default();
    for link in links {
        let (x, y) = (families.assignment[link.a as usize], families.assignment[link.b as usize]);
        if x != y {
            let entry = closeness.entry((x.min(y), x.max(y))).or_insert(0.0);
            *entry = entry.max(link.p);
        }
    }
    // Each group's summed closeness to its neighbours, and its size in families.
    let mut neighbours: Vec<FxHashMap<u32, f64>> = vec![FxHashMap::default(); n];
    let mut pairs: Vec<((u32, u32), f32)> = closeness.into_iter().collect();
    pairs.sort_unstable_by_key(|&(pair, _)| pair);
    let mut heap = std::collections::BinaryHeap::new();
    for &((x, y), p) in &pairs {
        neighbours[x as usize].insert(y, f64::from(p));
        neighbours[y as usize].insert(x, f64::from(p));
        if p >= threshold {
            heap.push(Candidate::new(p, x, y));
        }
    }
    let mut size = vec![1u32; n];
    let mut parent: Vec<u32> = (0..n as u32).collect();
    while let Some(Candidate { mean, x, y }) = heap.pop() {
        let (x, y) = (x as usize, y as usize);
        if parent[x] != x as u32 || parent[y] != y as u32 {
            continue;
        }
        let Some(&sum) = neighbours[x].get(&(y as u32)) else { continue };
        let current = (sum / (f64::from(size[x]) * f64::from(size[y]))) as f32;
        if current.to_bits() != mean {
            continue; // stale: the groups changed since it was pushed
        }
        // The larger neighbour list absorbs the smaller; the group keeps the smaller number.
        let (keep, gone) = (x.min(y), x.max(y));
        let (mut into, from) = (std::mem::take(&mut neighbours[keep]), std::mem::take(&mut neighbours[gone]));
        into.remove(&(gone as u32));
        for (other, s) in from {
            if other as usize != keep {
                *into.entry(other).or_insert(0.0) += s;
                let theirs = &mut neighbours[other as usize];
                let moved = theirs.remove(&(gone as u32)).unwrap_or(0.0);
                *theirs.entry(keep as u32).or_insert(0.0) += moved;
            }
        }
        parent[gone] = keep as u32;
        size[keep] += size[gone];
        let mut joined: Vec<(u32, f64)> = into.iter().map(|(&o, &s)| (o, s)).collect();
        joined.sort_unstable_by_key(|&(o, _)| o);
        for (other, s) in joined {
            let mean = (s / (f64::from(size[keep]) * f64::from(size[other as usize]))) as f32;
            if mean >= threshold {
                heap.push(Candidate::new(mean, keep as u32, other));
            }
        }
        neighbours[keep] = into;
    }
    let root = |mut f: usize| {
        while parent[f] as usize != f {
            f = parent[f] as usize;
        }
        f as u32
    };
    let story_of_family: Vec<u32> = (0..n).map(root).collect();
    from_labels(&families.assignment.iter().map(|&f| story_of_family[f as usize]).collect::<Vec<_>>())
}

/// A pair of groups the story linkage may join, by their mean closeness
/// (as `f32` bits: for non-negative floats the bits order as the values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Candidate {
    mean: u32,
    x: u32,
    y: u32,
}

impl Candidate {
    fn new(mean: f32, a: u32, b: u32) -> Candidate {
        Candidate { mean: mean.to_bits(), x: a.min(b), y: a.max(b) }
    }
}

impl Ord for Candidate {
    /// The closest pair first; among equals, the smaller numbers.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.mean.cmp(&other.mean).then(other.x.cmp(&self.x)).then(other.y.cmp(&self.y))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// The families with the families of `links` joined (each link a pair of
/// articles, one made from the other), numbered again by smallest member.
pub fn join_families(families: &Clustering, links: &[(DocId, DocId)]) -> Clustering {
    let mut uf = UnionFind::<u32>::new(families.clusters.len());
    for &(a, b) in links {
        uf.union(families.assignment[a as usize], families.assignment[b as usize]);
    }
    let label: Vec<u32> = families.assignment.iter().map(|&f| uf.find(f)).collect();
    from_labels(&label)
}

/// Parts a group that is mostly one set of copies (linked at
/// `copy_cosine` or more, or one text inside the other by
/// `min_containment`, or by `small_group_excerpt` in a group of at most
/// `large_group`: at least half the group) from the articles that only
/// weaker links attach to it; pieces go to `out`.
fn strays_apart(
    members: Vec<DocId>,
    edges_of: &EdgesOf,
    min_containment: f32,
    guard: &ChainGuard,
    out: &mut Vec<Vec<DocId>>,
) {
    let n = members.len();
    // A small story has few copies to vouch for an excerpt.
    let copy_containment =
        if n <= guard.large_group { min_containment.min(guard.small_group_excerpt) } else { min_containment };
    let position = positions(&members);
    let mut uf = UnionFind::<usize>::new(n);
    for e in edges_inside(&members, &position, edges_of)
        .filter(|e| e.cosine >= guard.copy_cosine || e.containment() >= copy_containment)
    {
        uf.union(position[&e.a], position[&e.b]);
    }
    let copies_of = uf.into_labeling();
    let mut size = vec![0usize; n];
    copies_of.iter().for_each(|&c| size[c] += 1);
    if size.iter().max().is_none_or(|&core| 2 * core < n) {
        out.push(members);
        return;
    }
    out.extend(pieces_of(&members, &copies_of));
}

/// Where each of `members` sits in the slice.
fn positions(members: &[DocId]) -> FxHashMap<DocId, usize> {
    members.iter().enumerate().map(|(i, &d)| (d, i)).collect()
}

/// `members` grouped by their labels (`label[i]` is `members[i]`'s), the
/// groups ordered by their first member so that the order is deterministic.
fn pieces_of(members: &[DocId], label: &[usize]) -> Vec<Vec<DocId>> {
    let mut pieces: FxHashMap<usize, Vec<DocId>> = FxHashMap::default();
    for (&doc, &l) in members.iter().zip(label) {
        pieces.entry(l).or_default().push(doc);
    }
    let mut pieces: Vec<Vec<DocId>> = pieces.into_values().collect();
    pieces.sort_unstable_by_key(|p| p[0]);
    pieces
}

/// Each edge between two of `members` (at `position`), once: from its
/// smaller end.
fn edges_inside<'e>(
    members: &'e [DocId],
    position: &'e FxHashMap<DocId, usize>,
    edges_of: &'e EdgesOf,
) -> impl Iterator<Item = &'e Edge> + 'e {
    members.iter().flat_map(move |&d| edges_of.of(d).filter(move |e| e.a == d)).filter(|e| position.contains_key(&e.b))
}

/// Do at least half the edges inside `members` join texts that share whole
/// passages (copies, excerpts, a reused paragraph), rather than retellings
/// in their own words?
fn linked_by_passages(members: &[DocId], edges_of: &EdgesOf) -> bool {
    let position = positions(members);
    let (passages, all) = edges_inside(members, &position, edges_of)
        .fold((0usize, 0usize), |(p, a), e| (p + usize::from(e.shares_passages()), a + 1));
    2 * passages >= all
}

/// Splits `members` into pieces of at most `large` articles or dense,
/// raising the cosine bar above `level` (see the module docs); pieces go to
/// `out`.
fn split_sparse(
    members: Vec<DocId>,
    edges_of: &EdgesOf,
    (level, large): (f32, usize),
    guard: &ChainGuard,
    out: &mut Vec<Vec<DocId>>,
) {
    let n = members.len();
    if n <= large || level + guard.split_step > 1.0 {
        out.push(members);
        return;
    }
    let position = positions(&members);
    let inside: Vec<&Edge> = edges_inside(&members, &position, edges_of).collect();
    let pairs = n * (n - 1) / 2;
    if inside.len() as f32 >= guard.min_density * pairs as f32 {
        out.push(members);
        return;
    }
    let bar = level + guard.split_step;
    let mut uf = UnionFind::<usize>::new(n);
    for e in inside.iter().filter(|e| e.cosine >= bar) {
        uf.union(position[&e.a], position[&e.b]);
    }
    let mut piece_of = uf.into_labeling();
    // Members left alone rejoin the piece of their strongest edge.
    let mut size = vec![0usize; n];
    piece_of.iter().for_each(|&p| size[p] += 1);
    let alone: Vec<usize> = (0..n).filter(|&i| size[piece_of[i]] == 1).collect();
    for i in alone {
        let strongest = edges_of
            .of(members[i])
            .filter_map(|e| position.get(&e.other(members[i])).map(|&j| (e.cosine, members[j], j)))
            .filter(|&(_, _, j)| size[piece_of[j]] > 1)
            .max_by(|x, y| x.0.total_cmp(&y.0).then(y.1.cmp(&x.1)));
        if let Some((_, _, j)) = strongest {
            piece_of[i] = piece_of[j];
        }
    }
    for piece in pieces_of(&members, &piece_of) {
        split_sparse(piece, edges_of, (bar, large), guard, out);
    }
}

/// A `linfa-nn` index whose neighbourhoods are given, not measured: row `r`
/// of the batch holds the number `r`, and its neighbours within any radius
/// are `lists[r]` (itself included).
#[derive(Debug, Clone)]
pub struct EdgeNeighbours {
    lists: Arc<Vec<Vec<usize>>>,
}

struct EdgeNeighbourIndex<'a, F> {
    batch: ArrayView2<'a, F>,
    lists: Arc<Vec<Vec<usize>>>,
}

impl NearestNeighbour for EdgeNeighbours {
    fn from_batch_with_leaf_size<'a, F: Float, DT: Data<Elem = F>, D: 'a + Distance<F>>(
        &self,
        batch: &'a ArrayBase<DT, Ix2>,
        _leaf_size: usize,
        _dist_fn: D,
    ) -> Result<Box<dyn 'a + Send + Sync + NearestNeighbourIndex<F>>, BuildError> {
        if batch.ncols() == 0 {
            return Err(BuildError::ZeroDimension);
        }
        Ok(Box::new(EdgeNeighbourIndex { batch: batch.view(), lists: Arc::clone(&self.lists) }))
    }
}

impl<F: Float> EdgeNeighbourIndex<'_, F> {
    fn neighbours(&self, point: ArrayView1<'_, F>) -> Result<&[usize], NnError> {
        let row = point.first().and_then(|x| x.to_usize()).ok_or(NnError::WrongDimension)?;
        self.lists.get(row).map(Vec::as_slice).ok_or(NnError::WrongDimension)
    }
}

impl<F: Float> NearestNeighbourIndex<F> for EdgeNeighbourIndex<'_, F> {
    fn k_nearest(&self, point: ArrayView1<'_, F>, k: usize) -> Result<Vec<(ArrayView1<'_, F>, usize)>, NnError> {
        Ok(self.neighbours(point)?.iter().take(k).map(|&j| (self.batch.row(j), j)).collect())
    }

    fn within_range(&self, point: ArrayView1<'_, F>, _range: F) -> Result<Vec<(ArrayView1<'_, F>, usize)>, NnError> {
        Ok(self.neighbours(point)?.iter().map(|&j| (self.batch.row(j), j)).collect())
    }
}

/// Each article's edges, in edge order: the edge numbers of all articles in
/// one list, cut by article (two numbers an edge, where a map of lists
/// would take several times that).
struct EdgesOf<'a> {
    edges: &'a [Edge],
    /// Where each article's edge numbers start in `ids`; one more than articles.
    starts: Vec<usize>,
    ids: Vec<u32>,
}

impl<'a> EdgesOf<'a> {
    fn new(n: usize, edges: &'a [Edge]) -> EdgesOf<'a> {
        let mut starts = vec![0usize; n + 1];
        for e in edges {
            starts[e.a as usize + 1] += 1;
            starts[e.b as usize + 1] += 1;
        }
        for i in 0..n {
            starts[i + 1] += starts[i];
        }
        let mut next = starts.clone();
        let mut ids = vec![0u32; starts[n]];
        for (id, e) in edges.iter().enumerate() {
            for end in [e.a, e.b] {
                ids[next[end as usize]] = id as u32;
                next[end as usize] += 1;
            }
        }
        EdgesOf { edges, starts, ids }
    }

    fn of(&self, doc: DocId) -> impl Iterator<Item = &'a Edge> + '_ {
        let edges = self.edges;
        self.ids[self.starts[doc as usize]..self.starts[doc as usize + 1]].iter().map(move |&id| &edges[id as usize])
    }
}

/// DBSCAN over one block's verified edges; returns a group number per member.
fn dbscan_block(members: &[DocId], edges_of: &EdgesOf, min_points: usize) -> Vec<u32> {
    let position = positions(members);
    let lists: Vec<Vec<usize>> = members
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut near = vec![i];
            near.extend(edges_of.of(*d).filter_map(|e| position.get(&e.other(*d)).copied()));
            near.sort_unstable();
            near.dedup();
            near
        })
        .collect();
    let rows = Array2::from_shape_fn((members.len(), 1), |(r, _)| r as f32);
    let neighbours = EdgeNeighbours { lists: Arc::new(lists) };
    // The radius is already applied by verification; DBSCAN needs one > 0.
    let found = Dbscan::params_with(min_points, L2Dist, neighbours).tolerance(1.0).transform(&rows);
    let mut groups: Vec<Option<u32>> = match found {
        Ok(labels) => labels.iter().map(|l| l.map(|g| g as u32)).collect(),
        // Invalid parameters cannot happen here (min_points and tolerance are
        // fixed and positive); keep the component whole if they ever do.
        Err(_) => vec![Some(0); members.len()],
    };
    let noise_label = groups.iter().flatten().max().map_or(0, |m| m + 1);
    // Noise rejoins the group of its strongest verified edge to a clustered member.
    let snapshot = groups.clone();
    for (i, &d) in members.iter().enumerate() {
        if snapshot[i].is_some() {
            continue;
        }
        let best = edges_of.of(d).filter_map(|e| {
            let other = e.other(d);
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
    use crate::tfidf::SparseVec;

    fn params_with_block(min_block: usize) -> ValidParams {
        crate::params::PipelineParams::new().dbscan_min_block(min_block).check().unwrap()
    }

    fn edge(a: DocId, b: DocId) -> Edge {
        Edge { a, b, cosine: 0.9, a_in_b: 0.0, b_in_a: 0.0 }
    }

    /// Every pair of `docs` linked as copies: at `cosine`, each text `inside`
    /// the other by that share.
    fn copies(docs: std::ops::Range<DocId>, cosine: f32, inside: f32) -> Vec<Edge> {
        let (first, end) = (docs.start, docs.end);
        (first..end)
            .flat_map(|a| (a + 1..end).map(move |b| Edge { a, b, cosine, a_in_b: inside, b_in_a: inside }))
            .collect()
    }

    /// `part` lies wholly inside `container`, which holds a third of its text in it.
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
        let (c, stats) = cluster(10, &edges, &["en"; 10], &params_with_block(3));
        assert_eq!(stats.split, 1);
        assert_ne!(c.assignment[0], c.assignment[4]);
        assert!(c.assignment[..4].iter().all(|&x| x == c.assignment[0]));
        assert!(c.assignment[4..8].iter().all(|&x| x == c.assignment[4]));
        assert_eq!(c.assignment[8], c.assignment[0]);
        assert_eq!(c.assignment[9], c.assignment[4]);
    }

    #[test]
    fn a_large_sparse_group_splits_into_its_dense_stories() {
        // Four stories of 20 copies each (cosine 0.9 within), joined by many
        // cross edges at 0.45: every member is core, so DBSCAN keeps one
        // group of 80; as a whole it is too sparse for its size.
        let mut edges = Vec::new();
        for a in 0..80u32 {
            for b in a + 1..80 {
                if a / 20 == b / 20 {
                    edges.push(Edge { a, b, cosine: 0.9, a_in_b: 0.0, b_in_a: 0.0 });
                } else if (a + b) % 7 == 0 {
                    edges.push(Edge { a, b, cosine: 0.45, a_in_b: 0.0, b_in_a: 0.0 });
                }
            }
        }
        let (c, stats) = cluster(80, &edges, &["en"; 80], &ValidParams::default());
        assert_eq!(stats.thinned, 1, "{stats:?} {:?}", c.clusters);
        for story in 0..4 {
            let first = c.assignment[story * 20];
            assert!(c.assignment[story * 20..story * 20 + 20].iter().all(|&x| x == first), "story {story}");
        }
        assert_eq!(c.clusters.len(), 4);
    }

    #[test]
    fn a_small_chain_of_copy_stories_splits_but_a_chain_of_retellings_stays() {
        // Three stories of three copies each (cosine 0.9, mostly inside
        // each other), chained by two edges at cosine 0.55 between texts that
        // share a paragraph: 11 edges over 36 pairs.
        let chain = |inside: f32, bridge_inside: f32| {
            let mut edges: Vec<Edge> = (0..3).flat_map(|story| copies(3 * story..3 * story + 3, 0.9, inside)).collect();
            edges.push(Edge { a: 2, b: 3, cosine: 0.55, a_in_b: bridge_inside, b_in_a: bridge_inside });
            edges.push(Edge { a: 5, b: 6, cosine: 0.55, a_in_b: bridge_inside, b_in_a: bridge_inside });
            cluster(9, &edges, &["en"; 9], &ValidParams::default()).0
        };
        let copies = chain(0.8, 0.4);
        assert_eq!(copies.clusters, vec![vec![0, 1, 2], vec![3, 4, 5], vec![6, 7, 8]]);
        // The same shape in the links of retellings (little shared wording):
        // a small event told by a few outlets may be linked only in a chain.
        let retellings = chain(0.1, 0.1);
        assert_eq!(retellings.clusters, vec![(0..9).collect::<Vec<DocId>>()]);
    }

    #[test]
    fn an_excerpt_stays_with_a_small_story_of_copies() {
        // Four copies (cosine 0.9, each inside the others) and an excerpt
        // linked to one of them only, 85% of it inside at cosine 0.52.
        let mut edges = copies(0..4, 0.9, 0.95);
        edges.push(Edge { a: 3, b: 4, cosine: 0.52, a_in_b: 0.13, b_in_a: 0.85 });
        let (c, _) = cluster(5, &edges, &["en"; 5], &ValidParams::default());
        assert_eq!(c.clusters, vec![vec![0, 1, 2, 3, 4]]);
        // The same text a little less inside is a stray.
        edges.last_mut().expect("the excerpt's edge").b_in_a = 0.75;
        let (c, stats) = cluster(5, &edges, &["en"; 5], &ValidParams::default());
        assert_eq!((c.clusters.len(), stats.strays_apart), (2, 1), "{:?}", c.clusters);
    }

    #[test]
    fn a_group_spanning_languages_may_be_sparser() {
        // Three stories of ten, joined by cross edges at 0.45: 30 articles
        // whose edges cover 0.37 of their pairs.
        let mut edges = Vec::new();
        for a in 0..30u32 {
            for b in a + 1..30 {
                let cosine = if a / 10 == b / 10 { 0.9 } else { 0.45 };
                if a / 10 == b / 10 || (a + b) % 11 == 0 {
                    edges.push(Edge { a, b, cosine, a_in_b: 0.0, b_in_a: 0.0 });
                }
            }
        }
        let (one_language, _) = cluster(30, &edges, &["en"; 30], &ValidParams::default());
        assert_eq!(one_language.clusters.len(), 3);
        // Translations are linked on anchors alone: the same group across
        // languages is below the size at which density is asked.
        let langs: Vec<&str> = (0..30).map(|d| ["en", "de", "ja"][d % 3]).collect();
        let (across, stats) = cluster(30, &edges, &langs, &ValidParams::default());
        assert_eq!((across.clusters.len(), stats.thinned), (1, 0));
    }

    #[test]
    fn strays_are_parted_from_a_large_story_of_copies_but_excerpts_stay() {
        // Forty copies (cosine 0.9 among them); articles 40 and 41 share
        // passages with ten copies each at cosine 0.5; article 42 lies
        // wholly inside ten copies at the same cosine (an excerpt).
        let mut edges = copies(0..40, 0.9, 0.9);
        for copy in 0..10u32 {
            edges.push(Edge { a: copy, b: 40, cosine: 0.5, a_in_b: 0.3, b_in_a: 0.5 });
            edges.push(Edge { a: copy + 10, b: 41, cosine: 0.5, a_in_b: 0.3, b_in_a: 0.5 });
            edges.push(Edge { a: copy + 20, b: 42, cosine: 0.5, a_in_b: 0.3, b_in_a: 1.0 });
        }
        let (c, stats) = cluster(43, &edges, &["en"; 43], &ValidParams::default());
        assert_eq!((stats.thinned, stats.strays_apart), (0, 1), "{stats:?}");
        assert_eq!(c.clusters.len(), 3);
        assert_eq!(c.assignment[42], c.assignment[0]);
        assert!(c.assignment[40] != c.assignment[0] && c.assignment[41] != c.assignment[0]);
    }

    #[test]
    fn a_large_dense_story_stays_whole() {
        let mut edges = Vec::new();
        for a in 0..60u32 {
            for b in a + 1..60 {
                // Copies with a few weaker links: still dense.
                edges.push(Edge { a, b, cosine: if (a + b) % 5 == 0 { 0.45 } else { 0.9 }, a_in_b: 0.0, b_in_a: 0.0 });
            }
        }
        let (c, stats) = cluster(60, &edges, &["en"; 60], &ValidParams::default());
        assert_eq!(stats.thinned, 0);
        assert_eq!(c.clusters.len(), 1);
    }

    #[test]
    fn edge_order_does_not_change_the_result() {
        let a = connected_components(6, &[edge(0, 5), edge(2, 3), edge(3, 5)]);
        let b = connected_components(6, &[edge(3, 5), edge(0, 5), edge(2, 3)]);
        assert_eq!(a, b);
    }

    fn link(a: DocId, b: DocId, p: f32) -> StoryLink {
        StoryLink { a, b, p }
    }

    #[test]
    fn families_join_a_story_only_when_close_to_most_of_it() {
        // Five singletons: 0-1-2 all close; 3 close to 2 alone; 4 apart.
        let families = from_labels(&[0u32, 1, 2, 3, 4]);
        let links = [link(0, 1, 0.9), link(0, 2, 0.85), link(1, 2, 0.9), link(2, 3, 0.8)];
        let stories = link_stories(&families, &links, 0.75);
        assert_eq!(
            stories.clusters,
            vec![vec![0, 1, 2], vec![3], vec![4]],
            "one strong link is not enough to join three"
        );
        // A chain of strong links, each close only to its neighbour, stays apart past its first pair.
        let chain = [link(0, 1, 0.9), link(1, 2, 0.9), link(2, 3, 0.9), link(3, 4, 0.9)];
        let stories = link_stories(&families, &chain, 0.75);
        assert!(stories.clusters.iter().all(|c| c.len() <= 2), "{:?}", stories.clusters);
    }

    #[test]
    fn a_family_speaks_with_its_closest_member_and_stays_whole() {
        // Family {0, 1} of copies; 2 is close to 1 only.
        let families = from_labels(&[0u32, 0, 2]);
        let stories = link_stories(&families, &[link(1, 2, 0.8)], 0.75);
        assert_eq!(stories.assignment[0], stories.assignment[2]);
        let apart = link_stories(&families, &[link(1, 2, 0.7)], 0.75);
        assert_ne!(apart.assignment[0], apart.assignment[2]);
        assert_eq!(apart.assignment[0], apart.assignment[1], "a family is never split");
    }

    #[test]
    fn story_numbers_do_not_depend_on_link_order() {
        let families = from_labels(&[0u32, 1, 2, 3]);
        let mut links = vec![link(0, 3, 0.8), link(1, 2, 0.9), link(0, 1, 0.3)];
        let first = link_stories(&families, &links, 0.75);
        links.reverse();
        assert_eq!(link_stories(&families, &links, 0.75), first);
        assert_eq!(first.clusters, vec![vec![0, 3], vec![1, 2]]);
    }

    #[test]
    fn credited_copies_join_their_source_family() {
        let families = from_labels(&[0u32, 0, 1, 2]);
        let joined = join_families(&families, &[(2, 1)]);
        assert_eq!(joined.clusters, vec![vec![0, 1, 2], vec![3]]);
    }
}
