//! The roles stage cut by story, for an engine whose workers decide the
//! roles of each story of several articles where its members are.
//!
//! 1. The engine groups the batch into families and stories component by
//!    component ([`crate::grouping`]), which names, for each member of a
//!    story of several articles, its story, its family and its assignment
//!    alone ([`crate::grouping::GroupedMember`]).
//! 2. The engine brings every member of a story to one task, each with its
//!    article (its text included), the facts of its analysis, its vector
//!    as its batch held it ([`crate::verify::PairSide`]) and its role
//!    shingles ([`crate::signature::Signature`]); [`decide`] decides the
//!    roles of the task's stories ([`crate::roles::roles_of_story`]).
//! 3. The driver finishes the run with the groups and the roles decided
//!    ([`crate::Pipeline::finish_apart`]).
//!
//! A story reads nothing outside itself: the credits that join families
//! name members of the same story, and a story's cosines are between its
//! own members, whose held vectors lay out with the batch's cosines to the
//! bit ([`PairVectors::from_held`]).

use crate::article::{Article, DocId};
use crate::cluster::ClusterId;
use crate::error::{Error, Result};
use crate::pipeline::{member, Analyzed, Decided};
use crate::roles::{roles_of_story, Assignment, Member, StoryStart};
use crate::sketch::ShingleSet;
use crate::tfidf::{PairVectors, SparseVec};

/// One member of a story of several articles, with all that its story's
/// roles read of it.
#[derive(Debug, Clone)]
pub struct StoryRow {
    /// The story's number.
    pub story: ClusterId,
    /// The article's place in its batch (id order).
    pub doc: DocId,
    /// The family it was clustered into.
    pub family: u32,
    /// Its assignment alone (`unique`, with its closest report).
    pub alone: Assignment,
    /// The article, with its text.
    pub article: Article,
    /// What its analysis made of it.
    pub analyzed: Analyzed,
    /// Its vector as its batch held it ([`crate::tfidf::held`]).
    pub vector: SparseVec,
    /// Its role shingles (the high 32 bits of each shingle hash, in order).
    pub shingles: Vec<u32>,
}

/// The roles of the stories of `rows`, which hold every member of each
/// (in any order; a story's members are put in id order).
pub fn decide(mut rows: Vec<StoryRow>) -> Result<Decided> {
    rows.sort_by_key(|r| (r.story, r.doc));
    let mut decided = Decided::default();
    for story in rows.chunk_by(|x, y| x.story == y.story) {
        if story.len() < 2 || story.windows(2).any(|w| w[0].doc == w[1].doc) {
            return Err(Error::Exchange(format!(
                "story {}: {} rows, not its members each once (a story of several articles, whole in one task)",
                story[0].story,
                story.len()
            )));
        }
        let held: Vec<SparseVec> = story.iter().map(|r| r.vector.clone()).collect();
        let laid_out = PairVectors::from_held(&held);
        let vectors: Vec<SparseVec> = (0..story.len()).map(|i| laid_out.vector(i)).collect();
        let texts = story.iter().map(|r| r.article.text.read()).collect::<Result<Vec<_>>>()?;
        let members: Vec<Member> = story
            .iter()
            .zip(&vectors)
            .zip(&texts)
            .map(|((r, vector), text)| {
                member(r.doc, &r.article, text, &r.analyzed, vector, ShingleSet::of(&r.shingles))
            })
            .collect();
        let start = StoryStart {
            families: story.iter().map(|r| r.family).collect(),
            alone: story.iter().map(|r| r.alone.clone()).collect(),
        };
        let roles = roles_of_story(members, start);
        decided.assignments.extend(story.iter().map(|r| r.doc).zip(roles.assignments));
        decided.credited.extend(roles.credited);
    }
    Ok(decided)
}
