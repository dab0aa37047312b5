//! Group: family edges and story links → families, stories, and each
//! article's assignment alone.
//!
//! [`group`] reads nothing outside a connected component of the verified
//! graph (family edges ∪ story links): the clustering and the story linkage
//! work within one ([`crate::cluster`]), and an article's closest report is
//! one of its own links. Families and stories are numbered by their
//! smallest member, so grouping each component apart and numbering the
//! groups by their smallest member again gives the batch's grouping. That
//! is how an engine groups a batch too large for one machine:
//!
//! 1. It labels each article of a component of several articles with the
//!    component's smallest member: [`components`] (the union-find) where
//!    the driver can hold the graph, its own joins above that
//!    (large-star/small-star, which converge on the same labels).
//! 2. It brings every member of a component ([`ComponentMember`]) and the
//!    verdicts of the component's pairs to one task, whose kernel groups
//!    them ([`group_components`]).
//! 3. The driver makes the batch's [`Grouping`] from every component's
//!    ([`grouping_of`]), the articles in no component standing alone.

use petgraph::unionfind::UnionFind;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::article::DocId;
use crate::cluster::{cluster, from_labels, link_stories, BlockStats, Clustering};
use crate::error::{Error, Result};
use crate::key_groups::Verdict;
use crate::params::ValidParams;
use crate::roles::{Assignment, StoryStart};
use crate::text::MAX_ANALYZED_BYTES;
use crate::verify::{Edge, StoryLink};

/// What grouping reads of an article besides its pairs.
#[derive(Debug, Clone, Copy)]
pub struct GroupFacts<'a> {
    /// The article's id (named in the evidence of an article near it).
    pub id: &'a str,
    /// The language its analysis told.
    pub lang: &'a str,
    /// Terms in its cleaned body (none: nothing was left to compare).
    pub term_count: u32,
    /// Bytes of its text.
    pub text_bytes: usize,
}

/// What the cluster stage decided, and what the roles stage starts from.
#[derive(Debug)]
pub struct Grouping {
    /// The families as the pair model's edges make them (before the
    /// credits found in the roles stage join some).
    pub families: Clustering,
    /// The stories: one or more families that report one event.
    pub stories: Clustering,
    /// Each article's assignment alone in its story (`unique`, with its
    /// closest report): what an article of a story of one article keeps,
    /// and what [`crate::roles::roles_of_story`] starts from.
    pub alone: Vec<Assignment>,
}

impl Grouping {
    /// What the roles of the story of `members` start from: each one's
    /// family and assignment alone.
    pub fn story_start(&self, members: &[DocId]) -> StoryStart {
        StoryStart {
            families: members.iter().map(|&doc| self.families.assignment[doc as usize]).collect(),
            alone: members.iter().map(|&doc| self.alone[doc as usize].clone()).collect(),
        }
    }
}

/// Families from the `edges`, stories from the `links`, and each
/// article's assignment alone (`unique`, with its closest report), for
/// the articles `facts` describes (a [`DocId`] is a place in it); and the
/// chain guard's counts.
pub fn group(
    facts: &[GroupFacts],
    edges: &[Edge],
    links: &[StoryLink],
    params: &ValidParams,
) -> (Grouping, BlockStats) {
    // Codes are shared (`language::resolve`): comparing two is comparing pointers.
    let langs: Vec<&str> = facts.iter().map(|f| f.lang).collect();
    let (families, blocks) = cluster(facts.len(), edges, &langs, params);
    let stories = link_stories(&families, links, params.story_threshold());
    let mut closest: Vec<Option<(DocId, f32)>> = vec![None; facts.len()];
    for link in links {
        for (doc, other) in [(link.a, link.b), (link.b, link.a)] {
            let best = &mut closest[doc as usize];
            if best.is_none_or(|(_, p)| link.p > p) {
                *best = Some((other, link.p));
            }
        }
    }
    let threshold = params.story_threshold();
    let alone = facts
        .iter()
        .zip(&closest)
        .map(|(f, closest)| {
            let closest = closest.map(|(other, p)| (facts[other as usize].id, p));
            Assignment::unique(unique_evidence(f, closest, threshold))
        })
        .collect();
    (Grouping { families, stories, alone }, blocks)
}

/// Why an article stands alone. `closest` is its strongest story link
/// (the other article and P(same event)), when it has one: then the
/// evidence names it and the bar it did not clear, rather than claim that
/// no other article tells the story.
fn unique_evidence(facts: &GroupFacts, closest: Option<(&str, f32)>, threshold: f32) -> Vec<String> {
    let mut evidence = match closest {
        _ if facts.term_count == 0 => vec!["no text left after removing boilerplate".to_string()],
        Some((other, p)) => vec![format!(
            "closest report: {other} (P(same event) {p:.2}); no story it would join reaches a mean of {threshold:.2} over its members"
        )],
        None => vec!["no other article tells this story".to_string()],
    };
    if facts.text_bytes > MAX_ANALYZED_BYTES {
        evidence.push(format!("only the first {MAX_ANALYZED_BYTES} of its {} bytes were analyzed", facts.text_bytes));
    }
    evidence
}

/// The connected components of several articles of the graph of `pairs`
/// (articles by place): each of their articles with its component's
/// smallest member, in article order. The union-find holds only the
/// articles the pairs name.
pub fn components(pairs: &[(DocId, DocId)]) -> Vec<(DocId, DocId)> {
    let mut nodes: Vec<DocId> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
    nodes.sort_unstable();
    nodes.dedup();
    let place = |doc: DocId| nodes.binary_search(&doc).expect("every end of a pair is a node");
    let mut union = UnionFind::<usize>::new(nodes.len());
    for &(a, b) in pairs {
        union.union(place(a), place(b));
    }
    let found = from_labels(&union.into_labeling());
    // Numbered by smallest member: a component's first member is its smallest.
    let mut labelled: Vec<(DocId, DocId)> = found
        .clusters
        .iter()
        .filter(|members| members.len() > 1)
        .flat_map(|members| members.iter().map(|&i| (nodes[i as usize], nodes[members[0] as usize])))
        .collect();
    labelled.sort_unstable();
    labelled
}

/// One article of a component of the verified graph, as an engine hands
/// it to the task that groups the component.
#[derive(Debug, Clone, PartialEq)]
pub struct ComponentMember {
    /// The component: its smallest member.
    pub component: DocId,
    /// The article's place in its batch (id order).
    pub doc: DocId,
    /// Its id.
    pub id: String,
    /// The language its analysis told.
    pub lang: String,
    /// Terms in its cleaned body.
    pub term_count: u32,
    /// Bytes of its text.
    pub text_bytes: usize,
    /// The first article (by id) whose cleaned body it repeats exactly,
    /// when it is such a repeat: identical bodies are linked unmeasured.
    pub duplicate_of: Option<DocId>,
}

/// What grouping its component gave an article.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupedMember {
    /// The article's place in its batch.
    pub doc: DocId,
    /// Its id.
    pub id: String,
    /// Its family: the family's smallest member.
    pub family: DocId,
    /// Its story: the story's smallest member.
    pub story: DocId,
    /// Whether its story has several articles (then the roles stage
    /// decides its role).
    pub several: bool,
    /// Its assignment alone (`unique`, with its closest report).
    pub alone: Assignment,
}

/// What a component's grouping counted, beside its members' groups.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ComponentCounts {
    /// The chain guard's counts.
    pub blocks: BlockStats,
    /// Family edges, exact repeats included.
    pub edges: usize,
    /// Story links, exact repeats included.
    pub links: usize,
    /// Its closest links between two of its stories, closest first (at
    /// most [`NEAR_MISSES_KEPT`]): what a report shows of the pairs the
    /// story linkage left apart.
    pub near_misses: Vec<StoryLink>,
}

/// Near misses a component keeps: as many as a report shows.
pub const NEAR_MISSES_KEPT: usize = 30;

impl ComponentCounts {
    /// Adds `other`'s counts, keeping the closest near misses of both.
    pub fn merge(&mut self, other: ComponentCounts) {
        self.blocks.add(other.blocks);
        self.edges += other.edges;
        self.links += other.links;
        self.near_misses.extend(other.near_misses);
        closest_first(&mut self.near_misses);
    }
}

/// Sorts links closest first (ties by articles) and keeps [`NEAR_MISSES_KEPT`].
fn closest_first(links: &mut Vec<StoryLink>) {
    links.sort_by(|x, y| y.p.total_cmp(&x.p).then(x.a.cmp(&y.a)).then(x.b.cmp(&y.b)));
    links.truncate(NEAR_MISSES_KEPT);
}

/// What grouping a task's components gave.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupedComponents {
    /// Each member's groups.
    pub members: Vec<GroupedMember>,
    /// Each component's counts, by its smallest member.
    pub counts: Vec<(DocId, ComponentCounts)>,
}

/// Groups the components of a task: `members` hold every member of each
/// (in any order) and `verdicts` the verdicts of their pairs (by place;
/// those judged neither an edge nor a link may be left out). Gives each
/// member's groups, and each component's counts by its smallest member.
pub fn group_components(
    mut members: Vec<ComponentMember>,
    verdicts: Vec<Verdict>,
    params: &ValidParams,
) -> Result<GroupedComponents> {
    members.sort_unstable_by_key(|m| (m.component, m.doc));
    // Each article's component and place in it.
    let mut place_of: FxHashMap<DocId, (DocId, DocId)> = FxHashMap::default();
    for component in members.chunk_by(|x, y| x.component == y.component) {
        for (local, m) in component.iter().enumerate() {
            if place_of.insert(m.doc, (m.component, local as DocId)).is_some() {
                return Err(Error::Exchange(format!("article {} ({}) is in a component twice", m.doc, m.id)));
            }
        }
    }
    let local = |doc: u64| -> Result<(DocId, DocId)> {
        DocId::try_from(doc)
            .ok()
            .and_then(|d| place_of.get(&d).copied())
            .ok_or_else(|| Error::Exchange(format!("a verdict names article {doc}, a member of no component here")))
    };
    let mut pairs: Vec<(DocId, Verdict)> = Vec::with_capacity(verdicts.len());
    for v in verdicts.into_iter().filter(|v| v.edge.is_some() || v.link.is_some()) {
        let ((ca, _), (cb, _)) = (local(v.a)?, local(v.b)?);
        if ca != cb {
            return Err(Error::Exchange(format!("pair ({}, {}) joins components {ca} and {cb}", v.a, v.b)));
        }
        pairs.push((ca, v));
    }
    pairs.sort_unstable_by_key(|&(c, v)| (c, v.a, v.b));
    let mut grouped = Vec::with_capacity(members.len());
    let mut counts = Vec::new();
    let mut pairs = pairs.as_slice();
    for component in members.chunk_by(|x, y| x.component == y.component) {
        let first = component[0].component;
        if first != component[0].doc {
            return Err(Error::Exchange(format!("component {first} without its smallest member")));
        }
        let taken = pairs.iter().take_while(|(c, _)| *c == first).count();
        let (these, rest) = pairs.split_at(taken);
        pairs = rest;
        let (groups, counted) = group_component(component, these, &local, params)?;
        grouped.extend(groups);
        counts.push((first, counted));
    }
    Ok(GroupedComponents { members: grouped, counts })
}

/// Groups one component (`members` in place order, `pairs` its verdicts).
fn group_component(
    members: &[ComponentMember],
    pairs: &[(DocId, Verdict)],
    local: &impl Fn(u64) -> Result<(DocId, DocId)>,
    params: &ValidParams,
) -> Result<(Vec<GroupedMember>, ComponentCounts)> {
    let (mut edges, mut links) = (Vec::new(), Vec::new());
    for (_, v) in pairs {
        let (a, b) = (local(v.a)?.1, local(v.b)?.1);
        edges.extend(v.edge.map(|e| Edge { a, b, ..e }));
        links.extend(v.link.map(|p| StoryLink { a, b, p }));
    }
    for (b, m) in members.iter().enumerate() {
        if let Some(first) = m.duplicate_of {
            let (component, a) = local(u64::from(first))?;
            if component != m.component {
                return Err(Error::Exchange(format!(
                    "article {} repeats article {first} of another component ({component}, not {})",
                    m.doc, m.component
                )));
            }
            edges.push(Edge { a, b: b as DocId, cosine: 1.0, a_in_b: 1.0, b_in_a: 1.0 });
            links.push(StoryLink { a, b: b as DocId, p: 1.0 });
        }
    }
    // In pair order, as the whole batch's run holds them.
    edges.sort_unstable_by_key(|e| (e.a, e.b));
    links.sort_unstable_by_key(|l| (l.a, l.b));
    let facts: Vec<GroupFacts> = members
        .iter()
        .map(|m| GroupFacts { id: &m.id, lang: &m.lang, term_count: m.term_count, text_bytes: m.text_bytes })
        .collect();
    let (grouping, blocks) = group(&facts, &edges, &links, params);
    let first = |c: &Clustering, local: usize| members[c.clusters[c.assignment[local] as usize][0] as usize].doc;
    let story_of = |local: DocId| grouping.stories.assignment[local as usize];
    let mut near_misses: Vec<StoryLink> = links.iter().filter(|l| story_of(l.a) != story_of(l.b)).copied().collect();
    closest_first(&mut near_misses);
    let near_misses = near_misses
        .into_iter()
        .map(|l| StoryLink { a: members[l.a as usize].doc, b: members[l.b as usize].doc, p: l.p })
        .collect();
    let counts = ComponentCounts { blocks, edges: edges.len(), links: links.len(), near_misses };
    let grouped = members
        .iter()
        .zip(grouping.alone)
        .enumerate()
        .map(|(i, (m, alone))| GroupedMember {
            doc: m.doc,
            id: m.id.clone(),
            family: first(&grouping.families, i),
            story: first(&grouping.stories, i),
            several: grouping.stories.clusters[story_of(i as DocId) as usize].len() > 1,
            alone,
        })
        .collect();
    Ok((grouped, counts))
}

/// The batch's grouping from its components' (`grouped` holds every member
/// of every component once), for the articles `facts` describes: an
/// article in no component is its own family and story, alone.
pub fn grouping_of(facts: &[GroupFacts], grouped: Vec<GroupedMember>, params: &ValidParams) -> Result<Grouping> {
    let n = facts.len();
    let mut family: Vec<DocId> = (0..n as DocId).collect();
    let mut story = family.clone();
    let mut alone: Vec<Option<Assignment>> = vec![None; n];
    for m in grouped {
        let doc = m.doc as usize;
        if doc >= n || m.family as usize >= n || m.story as usize >= n {
            return Err(Error::Exchange(format!("article {doc} of a component: the batch has {n}")));
        }
        if facts[doc].id != m.id {
            return Err(Error::Exchange(format!(
                "article {doc} of a component is {}, but the batch's is {}: the engine numbered the articles otherwise",
                m.id, facts[doc].id
            )));
        }
        if alone[doc].is_some() {
            return Err(Error::Exchange(format!("article {} is in a component twice", m.id)));
        }
        (family[doc], story[doc], alone[doc]) = (m.family, m.story, Some(m.alone));
    }
    let threshold = params.story_threshold();
    let alone = alone
        .into_iter()
        .zip(facts)
        .map(|(a, f)| a.unwrap_or_else(|| Assignment::unique(unique_evidence(f, None, threshold))))
        .collect();
    Ok(Grouping { families: from_labels(&family), stories: from_labels(&story), alone })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::PipelineParams;

    fn params() -> ValidParams {
        PipelineParams::default().check().unwrap()
    }

    fn member(component: DocId, doc: DocId) -> ComponentMember {
        ComponentMember {
            component,
            doc,
            id: format!("a{doc:02}"),
            lang: "en".to_string(),
            term_count: 50,
            text_bytes: 400,
            duplicate_of: None,
        }
    }

    fn verdict(a: u64, b: u64, edge: bool, link: Option<f32>) -> Verdict {
        let edge = edge.then_some(Edge { a: 0, b: 0, cosine: 0.9, a_in_b: 0.9, b_in_a: 0.9 });
        Verdict { a, b, edge, link }
    }

    #[test]
    fn components_are_labelled_by_their_smallest_member() {
        let labelled = components(&[(9, 4), (4, 7), (2, 3), (5, 5)]);
        assert_eq!(labelled, vec![(2, 2), (3, 2), (4, 4), (7, 4), (9, 4)]);
    }

    #[test]
    fn a_component_grouped_apart_names_its_groups_by_smallest_member() {
        // 3 ~ 8 are copies; 5 is linked to 3 weakly, below the story bar.
        let members = vec![member(3, 8), member(3, 5), member(3, 3)];
        let verdicts = vec![verdict(3, 8, true, Some(0.99)), verdict(3, 5, false, Some(0.05))];
        let GroupedComponents { members: grouped, counts } = group_components(members, verdicts, &params()).unwrap();
        let by_doc = |doc: DocId| grouped.iter().find(|m| m.doc == doc).unwrap();
        assert_eq!((by_doc(8).family, by_doc(8).story, by_doc(8).several), (3, 3, true));
        assert_eq!((by_doc(5).family, by_doc(5).story, by_doc(5).several), (5, 5, false));
        assert!(by_doc(5).alone.evidence[0].starts_with("closest report: a03"), "{:?}", by_doc(5).alone);
        assert_eq!((counts[0].0, counts[0].1.edges, counts[0].1.links), (3, 1, 2));
        assert_eq!(counts[0].1.near_misses, vec![StoryLink { a: 3, b: 5, p: 0.05 }]);
    }

    #[test]
    fn a_verdict_across_components_or_outside_them_is_an_error() {
        let members = vec![member(1, 1), member(1, 2), member(4, 4), member(4, 6)];
        let across = group_components(members.clone(), vec![verdict(2, 6, true, None)], &params()).unwrap_err();
        assert!(across.to_string().contains("joins components 1 and 4"), "{across}");
        let outside = group_components(members.clone(), vec![verdict(1, 9, true, None)], &params()).unwrap_err();
        assert!(outside.to_string().contains("article 9, a member of no component"), "{outside}");
        let mut repeat = members;
        repeat[3].duplicate_of = Some(2);
        let repeat = group_components(repeat, vec![], &params()).unwrap_err();
        assert!(repeat.to_string().contains("article 6 repeats article 2 of another component"), "{repeat}");
    }

    #[test]
    fn the_batch_grouping_checks_the_engine_numbering() {
        let facts: Vec<GroupFacts> =
            ["x", "y", "z"].iter().map(|id| GroupFacts { id, lang: "en", term_count: 3, text_bytes: 10 }).collect();
        let grouped = |id: &str| {
            let alone = Assignment::unique(vec![]);
            vec![
                GroupedMember { doc: 0, id: "x".into(), family: 0, story: 0, several: true, alone: alone.clone() },
                GroupedMember { doc: 2, id: id.into(), family: 0, story: 0, several: true, alone },
            ]
        };
        let grouping = grouping_of(&facts, grouped("z"), &params()).unwrap();
        assert_eq!(grouping.stories.clusters, vec![vec![0, 2], vec![1]]);
        assert_eq!(grouping.alone[1].evidence, vec!["no other article tells this story".to_string()]);
        let err = grouping_of(&facts, grouped("y"), &params()).unwrap_err();
        assert!(err.to_string().contains("numbered the articles otherwise"), "{err}");
    }
}
