//! Roles: a story's members → one canonical, and for every other member a
//! role (`syndicated` with a kind and `derived_from`, or `independent`), each
//! with the evidence that decided it and a confidence.
//!
//! ## The scoring
//!
//! For an ordered pair of members (x, y) a *direction score* d(x, y) says how
//! strongly the evidence points to y being derived from x; d(y, x) = −d(x, y).
//! It adds up, with these weights:
//!
//! | signal | weight |
//! |---|---|
//! | y credits an outlet that x is (metadata, or x's opening names it) | +3 |
//! | else: y's text names x's outlet (x's `source` or `url` host), y being another outlet | +2 |
//! | y adds a credit to some outlet (a credit phrase or a wire dateline) that x lacks, around text x has | +1 |
//! | shingle containment: share of y inside x minus share of x inside y | ×2 |
//! | x published before y (when both have `published_at`) | +1 |
//! | x is at least 20% longer than y (more complete) | +0.25 |
//!
//! The canonical is the member with the highest total Σ_y d(x, y) (in
//! stories of more than 64 members, y runs over 64 evenly spaced reference
//! members, and sources are chosen among them); ties go to
//! the earlier publication, then the longer body, then the smaller id, never
//! to input order. Members are then ranked by total, and each non-canonical
//! member takes as `derived_from` the higher-ranked member with the best
//! `cosine + d/4` (a tree rooted at the canonical, not always a star).
//!
//! The kind compares a copy with its source on exact 5-term shingles:
//! `translation` (languages differ), `verbatim` (the same story lines, those
//! over 40 characters wide, in the same order), `excerpt` (≥ 80% of the copy inside the source, which covers
//! less than 30% of the source's last tenth: it stops early),
//! `near_verbatim` (≥ 50% inside), else `rewrite`.
//!
//! ## Two levels
//!
//! The scoring above runs inside each family (an original and the articles
//! made from it), whose members the pair model judged derived. A story of
//! several families ([`story_roles`]) takes as its canonical the original
//! of its main family: the one the most articles derive from, then the
//! earliest published, the longest, the smallest id. The originals of the
//! other families are `independent`: the same event in their own reporting.

use std::cmp::Ordering;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::article::{Article, DocId};
use crate::provenance::Provenance;
use crate::sketch::{common_count, ShingleSet};
use crate::tfidf::SparseVec;

/// Members a story's scores are computed against (all of them in smaller stories).
const MAX_REFERENCES: usize = 64;

/// Word runs (shingles) two texts may differ by and still be the same text.
const MAX_VERBATIM_DIFFERENCE: usize = 2;

/// Share of the source's last tenth an excerpt may still contain.
const MAX_EXCERPT_TAIL_SHARE: f32 = 0.3;

/// Word runs a copy must share with another copy, and not with the
/// canonical, to count as taken from that copy (or 2% of its runs, if more).
const MIN_INHERITED_SHINGLES: usize = 3;

/// The most an `independent` role claims: no pair of its family and the
/// canonical's was judged derived, but the story it joined is an average
/// of links, not one certain pair.
const MAX_INDEPENDENT_CONFIDENCE: f32 = 0.8;

/// What a member of a story is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The story's reference article.
    Canonical,
    /// Derived from another member.
    Syndicated,
    /// Same story, own reporting.
    Independent,
    /// The only article of its story.
    Unique,
}

impl Role {
    /// The name used in the output (`"canonical"`, `"syndicated"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Canonical => "canonical",
            Role::Syndicated => "syndicated",
            Role::Independent => "independent",
            Role::Unique => "unique",
        }
    }
}

/// How a syndicated copy was made from its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CopyKind {
    /// The same text.
    Verbatim,
    /// Light edits: sentences dropped, swapped, a dateline added.
    NearVerbatim,
    /// A leading part of the source.
    Excerpt,
    /// The story retold in other words.
    Rewrite,
    /// The story in another language.
    Translation,
}

impl CopyKind {
    /// The name used in the output (`"verbatim"`, `"near_verbatim"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            CopyKind::Verbatim => "verbatim",
            CopyKind::NearVerbatim => "near_verbatim",
            CopyKind::Excerpt => "excerpt",
            CopyKind::Rewrite => "rewrite",
            CopyKind::Translation => "translation",
        }
    }
}

/// The role and kind of an assignment in words: "syndicated rewrite",
/// "independent", ...
pub fn describe(role: Role, kind: Option<CopyKind>) -> String {
    match kind {
        Some(kind) => format!("{} {}", role.as_str(), kind.as_str()),
        None => role.as_str().to_string(),
    }
}

/// The role decided for one article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    /// The article's role.
    pub role: Role,
    /// For `syndicated`: how it was made.
    pub kind: Option<CopyKind>,
    /// The story's canonical article (absent for `unique`).
    pub canonical: Option<DocId>,
    /// For `syndicated`: the member it was made from.
    pub derived_from: Option<DocId>,
    /// Cosine with `derived_from` (or with the canonical for `independent`).
    pub similarity: Option<f32>,
    /// How sure the evidence is, 0..1.
    pub confidence: f32,
    /// Plain-language reasons.
    pub evidence: Vec<String>,
}

impl Assignment {
    /// The assignment of an article alone in its story.
    pub fn unique(evidence: Vec<String>) -> Assignment {
        Assignment {
            role: Role::Unique,
            kind: None,
            canonical: None,
            derived_from: None,
            similarity: None,
            confidence: 1.0,
            evidence,
        }
    }
}

/// What the roles stage needs to know about one member.
#[derive(Debug)]
pub struct Member<'a> {
    /// Its index in the batch.
    pub doc: DocId,
    /// The input article (id, metadata).
    pub article: &'a Article,
    /// The article's raw text (as read: [`Article::text`] may lie in its file).
    pub text: &'a str,
    /// Language code.
    pub lang: &'a str,
    /// TF-IDF vector.
    pub vector: &'a SparseVec,
    /// Shingles of the cleaned body: the distinct ones and the closing tenth.
    pub shingles: ShingleSet,
    /// Length of the cleaned body in characters.
    pub body_chars: usize,
    /// Share of the page the clean stage removed as site furniture (0..=1).
    pub boilerplate_share: f32,
    /// The body's sentence-length lines, hashed as one ([`story_text`]).
    pub story_text: Option<u64>,
}

/// Width a body line needs to count as a line of the story rather than a
/// leftover masthead, label or link (a Chinese, Japanese or Korean
/// character counts twice: it says about as much as a short word).
const MIN_STORY_LINE_WIDTH: usize = 40;

fn line_width(line: &str) -> usize {
    if line.is_ascii() {
        return line.len();
    }
    line.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

/// Han, kana and Hangul.
fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x11FF | 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
}

/// One hash of the body's story lines (wider than `MIN_STORY_LINE_WIDTH`),
/// trimmed, in order; `None` without any: two pages with the same hash
/// print the same story text. (Only the sequence as a whole is ever
/// compared, so the lines' own hashes are not kept.)
pub fn story_text(body: &str) -> Option<u64> {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut any = false;
    for line in body.lines().map(str::trim).filter(|l| line_width(l) > MIN_STORY_LINE_WIDTH) {
        hasher.update(line.as_bytes());
        hasher.update(b"\n");
        any = true;
    }
    any.then(|| hasher.digest())
}

struct Facts<'a> {
    member: &'a Member<'a>,
    provenance: Provenance,
    /// Distinct shingles, ascending (intersections by merge).
    shingle_set: &'a [u32],
}

/// One piece of directional evidence between two members.
struct Direction {
    score: f32,
    reasons: Vec<String>,
    /// Shingle Jaccard of the pair (for centrality), from the same merge.
    jaccard: f32,
}

/// The shingles two members share, counted once, and the shares that follow.
struct Overlap {
    common: usize,
    a_len: usize,
    b_len: usize,
}

impl Overlap {
    /// The overlap of `a` and `b`, which share `common` shingles.
    fn with_common(a: &Facts, b: &Facts, common: usize) -> Overlap {
        Overlap { common, a_len: a.shingle_set.len(), b_len: b.shingle_set.len() }
    }

    /// Share of `a`'s shingles inside `b`.
    fn a_in_b(&self) -> f32 {
        share(self.common, self.a_len)
    }

    /// Share of `b`'s shingles inside `a`.
    fn b_in_a(&self) -> f32 {
        share(self.common, self.b_len)
    }

    fn jaccard(&self) -> f32 {
        share(self.common, self.a_len + self.b_len - self.common)
    }

    /// Shingles in one and not the other.
    fn difference(&self) -> usize {
        self.a_len + self.b_len - 2 * self.common
    }
}

fn share(part: usize, whole: usize) -> f32 {
    if whole == 0 {
        0.0
    } else {
        part as f32 / whole as f32
    }
}

/// An outlet name of `source`'s metadata that `copy`'s text names, when the
/// copy is not that outlet itself.
fn names_other_outlet<'f>(copy: &Facts, source: &'f Facts) -> Option<&'f str> {
    let own = copy.provenance.own_names();
    source
        .provenance
        .own_names()
        .iter()
        .find(|name| !own.contains(name) && copy.provenance.names_in_text(copy.member.text, name))
        .map(String::as_str)
}

/// d(x, y): evidence that y derives from x (see the module docs), given
/// the number of shingles they share.
fn direction(x: &Facts, y: &Facts, common: usize) -> Direction {
    let mut score = 0.0;
    let mut reasons = Vec::new();
    let (xa, ya) = (x.member.article, y.member.article);
    for c in &y.provenance.credits {
        if x.provenance.is_outlet(&c.folded) {
            score += 3.0;
            reasons.push(format!("{} credits {} (\"{}\")", ya.id, c.name, c.phrase));
        }
    }
    for c in &x.provenance.credits {
        if y.provenance.is_outlet(&c.folded) {
            score -= 3.0;
        }
    }
    let credited = score != 0.0;
    if !credited {
        if let Some(name) = names_other_outlet(y, x) {
            score += 2.0;
            reasons.push(format!("{} names {}'s outlet ({name}) in its text", ya.id, xa.id));
        } else if names_other_outlet(x, y).is_some() {
            score -= 2.0;
        }
    }
    let y_added = y.provenance.credits.iter().find(|c| c.is_added_to(&x.provenance, x.member.text));
    let x_added = x.provenance.credits.iter().find(|c| c.is_added_to(&y.provenance, y.member.text));
    match (x_added, y_added) {
        (None, Some(c)) => {
            score += 1.0;
            reasons
                .push(format!("{} adds a credit to {} (\"{}\") that {} does not have", ya.id, c.name, c.phrase, xa.id));
        }
        (Some(_), None) => score -= 1.0,
        _ => {}
    }
    let overlap = Overlap::with_common(y, x, common);
    let (y_in_x, x_in_y) = (overlap.a_in_b(), overlap.b_in_a());
    score += 2.0 * (y_in_x - x_in_y);
    if y_in_x - x_in_y >= 0.2 {
        reasons.push(format!(
            "{:.0}% of {}'s wording is inside {}, only {:.0}% the other way",
            100.0 * y_in_x,
            ya.id,
            xa.id,
            100.0 * x_in_y
        ));
    }
    if let (Some(tx), Some(ty)) = (xa.published_time(), ya.published_time()) {
        match tx.cmp(&ty) {
            std::cmp::Ordering::Less => {
                score += 1.0;
                let (tx, ty) = (tx.to_rfc3339(), ty.to_rfc3339());
                reasons.push(format!("{} was published earlier ({tx} < {ty})", xa.id));
            }
            std::cmp::Ordering::Greater => score -= 1.0,
            std::cmp::Ordering::Equal => {}
        }
    }
    let (lx, ly) = (x.member.body_chars as f32, y.member.body_chars as f32);
    if lx >= 1.2 * ly {
        score += 0.25;
    } else if ly >= 1.2 * lx {
        score -= 0.25;
    }
    Direction { score, reasons, jaccard: overlap.jaccard() }
}

/// One reference's row: direction scores toward every member, their
/// reasons, and shingle Jaccard with every member.
type ReferenceRow = (Vec<f32>, Vec<Vec<String>>, Vec<f32>);

/// Decides the roles of one story's members (`members` in id order; two or more).
pub fn assign_roles(members: &[Member]) -> Vec<Assignment> {
    let facts: Vec<Facts> = members
        .iter()
        .map(|m| Facts { member: m, provenance: Provenance::of(m.article, m.text), shingle_set: &m.shingles.distinct })
        .collect();
    let n = facts.len();
    // Large stories are scored against a fixed, evenly spaced sample of
    // reference members, which bounds the work at n × MAX_REFERENCES.
    let refs: Vec<usize> = if n <= MAX_REFERENCES {
        (0..n).collect()
    } else {
        (0..MAX_REFERENCES).map(|k| k * n / MAX_REFERENCES).collect()
    };
    let is_ref: Vec<bool> = {
        let mut v = vec![false; n];
        refs.iter().for_each(|&r| v[r] = true);
        v
    };
    let ref_index: Vec<Option<usize>> = {
        let mut v = vec![None; n];
        refs.iter().enumerate().for_each(|(r, &i)| v[i] = Some(r));
        v
    };
    // common[r][j]: shingles refs[r] and j share, counted once for a pair
    // of references (under the later one's row; the earlier row reads it).
    let shared_with_earlier_ref = |i: usize, j: usize| j < i && is_ref[j];
    let shared = SharedShingles::new(facts.iter().map(|f| f.shingle_set).collect());
    let common: Vec<Vec<usize>> = refs
        .par_iter()
        .map(|&i| {
            let counted = |j: usize| j != i && !shared_with_earlier_ref(i, j);
            (0..n).map(|j| if counted(j) { shared.common(i, j) } else { 0 }).collect()
        })
        .collect();
    let common_of = |i: usize, j: usize| match ref_index[j] {
        Some(rj) if shared_with_earlier_ref(i, j) => common[rj][i],
        _ => common[ref_index[i].expect("rows are references'")][j],
    };
    // d[r][j] for reference r: evidence that j derives from refs[r].
    // jaccard[r][j]: shingle Jaccard of refs[r] and j.
    let rows: Vec<ReferenceRow> = refs
        .par_iter()
        .map(|&i| {
            let mut scores = vec![0.0f32; n];
            let mut why = vec![Vec::new(); n];
            let mut jaccard = vec![0.0f32; n];
            for j in (0..n).filter(|&j| j != i) {
                let dir = direction(&facts[i], &facts[j], common_of(i, j));
                scores[j] = dir.score;
                why[j] = dir.reasons;
                jaccard[j] = dir.jaccard;
            }
            (scores, why, jaccard)
        })
        .collect();
    let mut d = Vec::with_capacity(rows.len());
    let mut reasons = Vec::with_capacity(rows.len());
    let mut jaccard = Vec::with_capacity(rows.len());
    for (scores, why, jac) in rows {
        d.push(scores);
        reasons.push(why);
        jaccard.push(jac);
    }
    // Antisymmetric: d(x, y) = -d(y, x); one side is always a reference.
    let dir_score = |x: usize, y: usize| -> f32 {
        match (ref_index[x], ref_index[y]) {
            (Some(r), _) => d[r][y],
            (None, Some(r)) => -d[r][x],
            (None, None) => 0.0,
        }
    };
    let total: Vec<f32> = (0..n).map(|i| refs.iter().filter(|&&r| r != i).map(|&r| dir_score(i, r)).sum()).collect();
    let standing: Vec<Standing> = (0..n)
        .map(|i| {
            let others = refs.iter().enumerate().filter(|&(_, &r)| r != i);
            let (sum, count) = others.fold((0.0f32, 0usize), |(s, c), (k, _)| (s + jaccard[k][i], c + 1));
            Standing { total: quantized(total[i]), centrality: (1000.0 * sum / count.max(1) as f32).round() as i64 }
        })
        .collect();
    let mut rank: Vec<usize> = (0..n).collect();
    rank.sort_by(|&a, &b| rank_order((&facts[a], &standing[a]), (&facts[b], &standing[b])));
    let canon = rank[0];
    let margin = (total[canon] - total[rank[1]]).max(0.0);
    let canonical_doc = members[canon].doc;

    let mut out: Vec<Option<Assignment>> = vec![None; n];
    let mut canon_evidence: Vec<String> = Vec::new();
    if let Some(r) = ref_index[canon] {
        for (j, why) in reasons[r].iter().enumerate() {
            if j != canon {
                canon_evidence.extend(why.iter().cloned());
            }
        }
    }
    if standing[canon].total == standing[rank[1]].total {
        canon_evidence.push(tie_break_reason((&facts[canon], &standing[canon]), (&facts[rank[1]], &standing[rank[1]])));
    } else if canon_evidence.is_empty() {
        canon_evidence.push(format!(
            "no single signal decides: it leads on the summed direction evidence (wording containment, length), {:.2} against {:.2}",
            total[canon],
            total[rank[1]]
        ));
    }
    out[canon] = Some(Assignment {
        role: Role::Canonical,
        kind: None,
        canonical: Some(canonical_doc),
        derived_from: None,
        similarity: None,
        confidence: confidence(margin),
        evidence: canon_evidence,
    });
    for (pos, &y) in rank.iter().enumerate().skip(1) {
        let earlier = rank[1..pos].iter().copied().filter(|&x| is_ref[x] || n <= MAX_REFERENCES);
        let (parent, chain_reason) = match chain_parent(&facts, &shared, canon, earlier, y) {
            Some((x, why)) => (x, Some(why)),
            None => (canon, None),
        };
        let mut pair_reasons = ref_index[parent].map(|r| reasons[r][y].clone()).unwrap_or_default();
        pair_reasons.extend(chain_reason);
        let common = shared.common(y, parent);
        out[y] = Some(copy_assignment(&facts, (parent, y, common), canonical_doc, dir_score(parent, y), pair_reasons));
    }
    out.into_iter().map(|a| a.expect("every member assigned")).collect()
}

/// A direction total at two decimals, so that equal evidence ties exactly.
fn quantized(total: f32) -> i64 {
    (total * 100.0).round() as i64
}

/// Share of a page that is site furniture, in 5% steps.
fn furniture_step(f: &Facts) -> i32 {
    (f.member.boilerplate_share * 20.0).round() as i32
}

/// Where a member stands in its story, for the canonical choice.
struct Standing {
    /// Direction total at two decimals ([`quantized`]).
    total: i64,
    /// Mean shingle Jaccard with the other (reference) members, per mille:
    /// the source of a star of copies shares most wording with the rest,
    /// as each copy departs from it in its own way.
    centrality: i64,
}

/// Orders members for the canonical choice, best first: the direction
/// total, then (on a tie) earlier publication, more wording shared with the
/// other members, less site furniture around the text, the longer body, the
/// smaller id; never input order.
fn rank_order((a, sa): (&Facts, &Standing), (b, sb): (&Facts, &Standing)) -> Ordering {
    let (ma, mb) = (a.member, b.member);
    sb.total
        .cmp(&sa.total)
        .then_with(|| published_order(ma.article, mb.article))
        .then(sb.centrality.cmp(&sa.centrality))
        .then(furniture_step(a).cmp(&furniture_step(b)))
        .then(mb.body_chars.cmp(&ma.body_chars))
        .then(ma.article.id.cmp(&mb.article.id))
}

/// Which of two articles was published first, where both times parse
/// (as instants: `+02:00` and `Z` times compare by the moment they name).
fn published_order(a: &Article, b: &Article) -> Ordering {
    match (a.published_time(), b.published_time()) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => Ordering::Equal,
    }
}

/// In words, what put the winner above the loser when their direction totals tie.
fn tie_break_reason((winner, ws): (&Facts, &Standing), (loser, ls): (&Facts, &Standing)) -> String {
    let (w, l) = (winner.member, loser.member);
    let lead = format!("the text gives no direction between it and {}", l.article.id);
    if published_order(w.article, l.article) == Ordering::Less {
        format!("{lead}; it was published earlier")
    } else if ws.centrality > ls.centrality {
        format!(
            "{lead}; it shares more wording with the other members (mean shingle Jaccard {:.3} against {:.3}), as the source of several copies does",
            ws.centrality as f32 / 1000.0,
            ls.centrality as f32 / 1000.0
        )
    } else if furniture_step(winner) < furniture_step(loser) {
        format!(
            "{lead}; less of its page is site furniture ({:.0}% against {:.0}%), as on the page a copy was taken from",
            100.0 * w.boilerplate_share,
            100.0 * l.boilerplate_share
        )
    } else if w.body_chars > l.body_chars {
        format!("{lead}; its body is longer")
    } else {
        format!("{lead} and nothing else tells them apart; the smaller id is taken")
    }
}

fn confidence(margin: f32) -> f32 {
    // margin 0 → 0.5 (a coin toss), 3 (one matched credit) → 0.89
    let c = 1.0 - 0.5 * (-margin / 1.5).exp();
    (c * 100.0).round() / 100.0
}

/// The member `y` was copied from when that is not the canonical: an
/// earlier-ranked member that `y` credits by name, or whose own wording
/// (runs the canonical lacks) `y` carries over. `None`: the canonical.
fn chain_parent(
    facts: &[Facts],
    shared: &SharedShingles,
    canon: usize,
    earlier: impl Iterator<Item = usize>,
    y: usize,
) -> Option<(usize, String)> {
    let (c, copy) = (&facts[canon], &facts[y]);
    let credits_canonical = copy.provenance.credits.iter().any(|cr| c.provenance.is_outlet(&cr.folded));
    let min_inherited = MIN_INHERITED_SHINGLES.max(copy.shingle_set.len() / 50);
    // The copy's runs the canonical lacks, found once.
    let outside_canonical = shared.outside(y, canon);
    let credit_to = |source: &Facts| copy.provenance.credits.iter().find(|cr| source.provenance.is_outlet(&cr.folded));
    // (member, (credited, runs inherited)); the reason is written for the best only.
    let mut best: Option<(usize, (bool, usize))> = None;
    for x in earlier {
        let credited = credit_to(&facts[x]).is_some() && !credits_canonical;
        let inherited = shared.common_with(&outside_canonical, x);
        if !credited && inherited < min_inherited {
            continue;
        }
        let key = (credited, inherited);
        if best.is_none_or(|(_, k)| key > k) {
            best = Some((x, key));
        }
    }
    let (x, (credited, inherited)) = best?;
    let source = &facts[x];
    let why = match credit_to(source) {
        Some(cr) if credited => {
            format!("credits {} (\"{}\"), which {} is", cr.name, cr.phrase, source.member.article.id)
        }
        _ => format!(
            "shares {inherited} word runs with {} that the canonical {} lacks: it carries that copy's edits",
            source.member.article.id, c.member.article.id
        ),
    };
    Some((x, why))
}

/// The values of `a` not in `b` (both ascending, distinct), ascending.
fn difference(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut j = 0;
    let mut out = Vec::new();
    for &s in a {
        while j < b.len() && b[j] < s {
            j += 1;
        }
        if j == b.len() || b[j] != s {
            out.push(s);
        }
    }
    out
}

/// Counts the shingles members of one story share: by walking their
/// sorted sets in a small story, and in a larger one by bit sets over the
/// story's distinct shingles, where a pair is a few dozen words ANDed
/// rather than a walk through a thousand values. Both count exactly.
struct SharedShingles<'a> {
    /// Each member's distinct shingles, ascending.
    sets: Vec<&'a [u32]>,
    /// From [`BIT_SETS_FROM_MEMBERS`] members: each member's shingles as
    /// `words` 64-bit words, member after member.
    bits: Option<(usize, Vec<u64>)>,
}

/// Members from which a story's shared shingles are counted in bit sets.
const BIT_SETS_FROM_MEMBERS: usize = 8;

/// Most distinct shingles a story's bit sets span: past it a pair's words
/// would outnumber the values a walk reads.
const MAX_BIT_SET_SHINGLES: usize = 16 * 1024;

/// A member's shingles outside another's ([`SharedShingles::outside`]).
enum Outside {
    Values(Vec<u32>),
    Bits(Vec<u64>),
}

impl<'a> SharedShingles<'a> {
    /// For members whose distinct shingles, ascending, are `sets`.
    fn new(sets: Vec<&'a [u32]>) -> SharedShingles<'a> {
        let bits = (sets.len() >= BIT_SETS_FROM_MEMBERS).then(|| Self::bit_sets(&sets)).flatten();
        SharedShingles { sets, bits }
    }

    /// Each set as bits over the sets' union, `None` when the union is too large.
    fn bit_sets(sets: &[&[u32]]) -> Option<(usize, Vec<u64>)> {
        let mut union: Vec<u32> = sets.iter().flat_map(|s| s.iter().copied()).collect();
        union.sort_unstable();
        union.dedup();
        if union.len() > MAX_BIT_SET_SHINGLES {
            return None;
        }
        let words = union.len().div_ceil(64);
        let mut bits = vec![0u64; words * sets.len()];
        for (set, row) in sets.iter().zip(bits.chunks_exact_mut(words.max(1))) {
            // Both ascending: each shingle's place in the union is found by walking on.
            let mut at = 0;
            for &s in *set {
                at += union[at..].partition_point(|&u| u < s);
                row[at / 64] |= 1 << (at % 64);
            }
        }
        Some((words, bits))
    }

    /// Member `m`'s bit set (empty without bit sets).
    fn row(&self, m: usize) -> &[u64] {
        self.bits.as_ref().map_or(&[], |(words, bits)| &bits[m * words..(m + 1) * words])
    }

    /// Shingles members `a` and `b` share.
    fn common(&self, a: usize, b: usize) -> usize {
        match self.bits {
            None => common_count(self.sets[a], self.sets[b]),
            Some(_) => self.row(a).iter().zip(self.row(b)).map(|(p, q)| (p & q).count_ones() as usize).sum(),
        }
    }

    /// Member `a`'s shingles that member `c` lacks.
    fn outside(&self, a: usize, c: usize) -> Outside {
        match self.bits {
            None => Outside::Values(difference(self.sets[a], self.sets[c])),
            Some(_) => Outside::Bits(self.row(a).iter().zip(self.row(c)).map(|(p, q)| p & !q).collect()),
        }
    }

    /// How many of `outside` (from [`SharedShingles::outside`]) member `b` has.
    fn common_with(&self, outside: &Outside, b: usize) -> usize {
        match outside {
            Outside::Values(values) => common_count(values, self.sets[b]),
            Outside::Bits(x) => x.iter().zip(self.row(b)).map(|(p, q)| (p & q).count_ones() as usize).sum(),
        }
    }
}

/// The assignment of copy `y` made from `parent`, the two sharing `common` shingles.
fn copy_assignment(
    facts: &[Facts],
    (parent, y, common): (usize, usize, usize),
    canonical: DocId,
    direction_score: f32,
    mut evidence: Vec<String>,
) -> Assignment {
    let (src, copy) = (&facts[parent], &facts[y]);
    let cosine = src.member.vector.cosine(copy.member.vector);
    let overlap = Overlap::with_common(copy, src, common);
    let (y_in_x, x_in_y) = (overlap.a_in_b(), overlap.b_in_a());
    let credits_member = direction_score >= 3.0;
    let kind = if src.member.lang != copy.member.lang {
        CopyKind::Translation
    } else if same_text(src.member, copy.member, &overlap) {
        CopyKind::Verbatim
    } else if y_in_x >= 0.8 && x_in_y <= 0.85 && covers_leading_part(&src.member.shingles.closing, copy.shingle_set) {
        CopyKind::Excerpt
    } else if y_in_x >= 0.5 {
        CopyKind::NearVerbatim
    } else {
        CopyKind::Rewrite
    };
    evidence.push(format!("cosine {cosine:.2} with {}", src.member.article.id));
    evidence.push(format!("{:.0}% of its 5-term shingles are in {}", 100.0 * y_in_x, src.member.article.id));
    // How sure the kind is, averaged with how sure the direction is: a copy
    // of identical text is surely a copy, but of which member the text
    // alone cannot say.
    let kind_confidence = match kind {
        CopyKind::Verbatim | CopyKind::NearVerbatim | CopyKind::Excerpt => 0.9,
        CopyKind::Translation => 0.7,
        CopyKind::Rewrite if credits_member => 0.85,
        CopyKind::Rewrite => 0.6,
    };
    let confidence = round2((kind_confidence + confidence(direction_score.max(0.0))) / 2.0);
    Assignment {
        role: Role::Syndicated,
        kind: Some(kind),
        canonical: Some(canonical),
        derived_from: Some(src.member.doc),
        similarity: Some(round2(cosine)),
        confidence,
        evidence,
    }
}

/// Do two members print the same story text? The same story lines in the
/// same order (a masthead or label left over is not a story line); for
/// bodies without such lines, the same shingles give or take
/// [`MAX_VERBATIM_DIFFERENCE`].
fn same_text(a: &Member, b: &Member, overlap: &Overlap) -> bool {
    if a.story_text.is_some() || b.story_text.is_some() {
        return a.story_text == b.story_text;
    }
    overlap.difference() <= MAX_VERBATIM_DIFFERENCE
}

/// True when the copy stops early (an excerpt): it has little of the last
/// tenth of the source (short runs that recur by chance, common in scripts
/// shingled by characters, do not count as coverage).
fn covers_leading_part(source_closing: &[u32], copy: &[u32]) -> bool {
    let covered = source_closing.iter().filter(|s| copy.binary_search(s).is_ok()).count();
    (covered as f32) < MAX_EXCERPT_TAIL_SHARE * source_closing.len() as f32
}

fn round2(x: f32) -> f32 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member<'a>(doc: DocId, article: &'a Article, vector: &'a SparseVec, shingles: Vec<u32>) -> Member<'a> {
        let std::borrow::Cow::Borrowed(text) = article.text.read().unwrap() else {
            unreachable!("test articles hold their text")
        };
        Member {
            doc,
            article,
            text,
            lang: "en",
            vector,
            body_chars: shingles.len() * 6,
            shingles: ShingleSet::of(&shingles),
            boilerplate_share: 0.0,
            story_text: None,
        }
    }

    #[test]
    fn names_match_the_serialized_form() {
        for role in [Role::Canonical, Role::Syndicated, Role::Independent, Role::Unique] {
            assert_eq!(serde_json::to_value(role).unwrap(), role.as_str());
        }
        for kind in
            [CopyKind::Verbatim, CopyKind::NearVerbatim, CopyKind::Excerpt, CopyKind::Rewrite, CopyKind::Translation]
        {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
    }

    #[test]
    fn bit_sets_count_what_walking_the_sets_counts() {
        let mut next = crate::testing::xorshift(5);
        for members in [2, BIT_SETS_FROM_MEMBERS, 30] {
            let owned: Vec<Vec<u32>> = (0..members)
                .map(|_| {
                    let mut v: Vec<u32> = (0..200).map(|_| (next() % 400) as u32).collect();
                    v.sort_unstable();
                    v.dedup();
                    v
                })
                .collect();
            let sets: Vec<&[u32]> = owned.iter().map(Vec::as_slice).collect();
            let shared = SharedShingles::new(sets.clone());
            assert_eq!(shared.bits.is_some(), members >= BIT_SETS_FROM_MEMBERS);
            for a in 0..members {
                for b in 0..members {
                    assert_eq!(shared.common(a, b), common_count(sets[a], sets[b]));
                    let walked = difference(sets[a], sets[b]);
                    for (c, set) in sets.iter().enumerate() {
                        let counted = shared.common_with(&shared.outside(a, b), c);
                        assert_eq!(counted, common_count(&walked, set), "{a} {b} {c}");
                    }
                }
            }
        }
    }

    #[test]
    fn story_text_is_the_wide_lines_in_order() {
        let first = "Metropolis flights rose sharply on Monday, officials said.";
        let second = "The airport expects a busier winter than the last three.";
        let story = story_text(&format!("{first}\n{second}"));
        assert!(story.is_some());
        // Short leftovers (a masthead, a label) and indentation are not story text.
        assert_eq!(story_text(&format!("DAILY PLANET\n  {first}\nShare\n{second}  ")), story);
        assert_ne!(story_text(&format!("{second}\n{first}")), story, "order counts");
        assert_ne!(story_text(first), story);
        assert_eq!(story_text("Share\nDAILY PLANET"), None);
    }

    #[test]
    fn crediting_a_member_makes_it_the_source() {
        let source = Article::new("b", "The Daily Planet\nMetropolis flights rose sharply, officials said.");
        let copy = Article::new("a", "According to a report by The Daily Planet, flights to Metropolis rose.");
        let v = SparseVec::normalized(vec![(1, 1.0), (2, 1.0)]);
        let members = [member(0, &copy, &v, (0..50).collect()), member(1, &source, &v, (100..150).collect())];
        let roles = assign_roles(&members);
        assert_eq!(roles[1].role, Role::Canonical);
        assert_eq!(roles[0].role, Role::Syndicated);
        assert_eq!(roles[0].derived_from, Some(1));
        assert!(roles[0].evidence.iter().any(|e| e.contains("credits The Daily Planet")), "{:?}", roles[0].evidence);
    }

    #[test]
    fn leading_part_of_the_source_is_an_excerpt() {
        let (a, b) = (Article::new("a", "x"), Article::new("b", "y"));
        let v = SparseVec::normalized(vec![(1, 1.0)]);
        let members = [member(0, &a, &v, (0..100).collect()), member(1, &b, &v, (0..50).collect())];
        let roles = assign_roles(&members);
        assert_eq!(roles[0].role, Role::Canonical);
        assert_eq!(roles[1].kind, Some(CopyKind::Excerpt));
    }

    #[test]
    fn identical_texts_are_verbatim_and_tie_broken_by_id() {
        let (a, b) = (Article::new("a", "x"), Article::new("b", "x"));
        let v = SparseVec::normalized(vec![(1, 1.0)]);
        let members = [member(0, &a, &v, (0..60).collect()), member(1, &b, &v, (0..60).collect())];
        let roles = assign_roles(&members);
        assert_eq!(roles[0].role, Role::Canonical);
        assert_eq!(roles[1].kind, Some(CopyKind::Verbatim));
        assert!(roles[0].confidence <= 0.5 + 1e-6, "a tie is a coin toss: {}", roles[0].confidence);
    }

    #[test]
    fn large_story_has_one_canonical_and_a_tree() {
        // More members than MAX_REFERENCES: scored against the sample, still one root.
        let articles: Vec<Article> = (0..150).map(|i| Article::new(format!("a{i:03}"), "x")).collect();
        let v = SparseVec::normalized(vec![(1, 1.0)]);
        let members: Vec<Member> =
            articles.iter().enumerate().map(|(i, a)| member(i as DocId, a, &v, (0..40 + i as u32).collect())).collect();
        let roles = assign_roles(&members);
        assert_eq!(roles.iter().filter(|r| r.role == Role::Canonical).count(), 1);
        // The longest member contains every other one: it is the source.
        assert_eq!(roles[149].role, Role::Canonical);
        for r in roles.iter().filter(|r| r.role == Role::Syndicated) {
            assert!(r.derived_from.is_some());
        }
    }

    #[test]
    fn earlier_publication_wins_when_texts_tie() {
        let mut a = Article::new("a", "x");
        let mut b = Article::new("b", "x");
        // b is earlier, though its text sorts later: times compare as instants.
        a.published_at = Some("2025-08-10T02:00:00+02:00".into());
        b.published_at = Some("Sat, 09 Aug 2025 23:30:00 +0000".into());
        let v = SparseVec::normalized(vec![(1, 1.0)]);
        let members = [member(0, &a, &v, (0..60).collect()), member(1, &b, &v, (0..60).collect())];
        let roles = assign_roles(&members);
        assert_eq!(roles[1].role, Role::Canonical);
        assert!(roles[1].evidence.iter().any(|e| e.contains("published earlier")), "{:?}", roles[1].evidence);
    }
}

/// What the story level reads of each article as the lead of its family.
#[derive(Debug)]
pub struct Lead<'a> {
    /// Its index in the batch.
    pub doc: DocId,
    /// Articles in its family (itself included).
    pub family_size: usize,
    /// The input article.
    pub article: &'a Article,
    /// Length of the cleaned body in characters.
    pub body_chars: usize,
}

/// Joins the families of one story (`members`, in id order): the original
/// of the main family becomes the story's canonical, the other families'
/// originals (or only members) `independent`, and every member names the
/// story's canonical. `cosine` measures two articles, for the
/// independents' similarity.
pub fn story_roles(
    members: &[DocId],
    leads: &[Lead],
    cosine: impl Fn(DocId, DocId) -> f32,
    assignments: &mut [Assignment],
) {
    // Each family's original: the member its own roles call canonical, or its only member.
    let mut originals: Vec<DocId> = members
        .iter()
        .copied()
        .filter(|&d| leads[d as usize].family_size == 1 || assignments[d as usize].role == Role::Canonical)
        .collect();
    originals.sort_by(|&x, &y| main_family_order(&leads[x as usize], &leads[y as usize]));
    let Some((&canonical, others)) = originals.split_first() else { return };
    let main = &leads[canonical as usize];
    for &doc in members {
        assignments[doc as usize].canonical = Some(canonical);
    }
    let story_families = originals.len();
    let lead = &mut assignments[canonical as usize];
    lead.role = Role::Canonical;
    lead.kind = None;
    lead.derived_from = None;
    if story_families > 1 {
        lead.evidence.push(if main.family_size > 1 {
            format!(
                "the original of the story's main family ({} articles); {} other report(s) of the same event",
                main.family_size,
                story_families - 1
            )
        } else {
            format!(
                "one of {story_families} reports of the same event, none copied from another: the earliest published where times are given, else the longest"
            )
        });
    }
    for &doc in others {
        let own = &leads[doc as usize];
        let similarity = cosine(canonical, doc);
        let mut evidence = vec![format!(
            "reports the same event as {} (cosine {similarity:.2}) in its own wording: no article of the story's other families was judged its source",
            main.article.id
        )];
        if own.family_size > 1 {
            evidence.push(format!("the original of a family of {} articles", own.family_size));
        }
        assignments[doc as usize] = Assignment {
            role: Role::Independent,
            kind: None,
            canonical: Some(canonical),
            derived_from: None,
            similarity: Some(round2(similarity)),
            confidence: assignments[doc as usize].confidence.min(MAX_INDEPENDENT_CONFIDENCE),
            evidence,
        };
    }
}

/// Orders family originals for the story's canonical, best first: the
/// larger family, the earlier publication, the longer body, the smaller id.
fn main_family_order(a: &Lead, b: &Lead) -> Ordering {
    b.family_size
        .cmp(&a.family_size)
        .then_with(|| published_order(a.article, b.article))
        .then(b.body_chars.cmp(&a.body_chars))
        .then(a.article.id.cmp(&b.article.id))
}

/// The roles decided in one story ([`roles_of_story`]).
#[derive(Debug)]
pub struct StoryRoles {
    /// Each member's assignment, in the members' order.
    pub assignments: Vec<Assignment>,
    /// The credits that joined families ([`credited_sources`]).
    pub credited: Vec<(DocId, DocId, String)>,
}

/// What the roles of one story start from, for each member (in id order).
#[derive(Debug, Clone, PartialEq)]
pub struct StoryStart {
    /// The family it was clustered into.
    pub families: Vec<u32>,
    /// Its assignment alone (`unique`, with its closest report).
    pub alone: Vec<Assignment>,
}

/// The roles of one story of two or more articles, decided apart from
/// every other story: `members` in id order (their `doc`s the batch's),
/// with what their roles `start` from. In a story of
/// several families the credits first join the families they name
/// ([`credited_sources`]); then each family of several articles gets its
/// original and copies ([`assign_roles`]), a copy that credits its source
/// says so, and the story gets its canonical and independent reports
/// ([`story_roles`]). Nothing outside the story is read: an engine runs it
/// where the story's articles are.
pub fn roles_of_story(mut members: Vec<Member>, start: StoryStart) -> StoryRoles {
    let StoryStart { families, alone } = start;
    // Numbered within the story, in id order; the batch's numbers come back at the end.
    let batch: Vec<DocId> = members.iter().map(|m| m.doc).collect();
    for (i, m) in members.iter_mut().enumerate() {
        m.doc = i as DocId;
    }
    let mixed = families.iter().any(|&f| f != families[0]);
    let credited = if mixed {
        let read: Vec<(DocId, &Article, &str, u32)> =
            members.iter().zip(&families).map(|(m, &f)| (m.doc, m.article, m.text, f)).collect();
        credited_sources(&read)
    } else {
        Vec::new()
    };
    // The families the credits join, each named by its first member.
    let mut joined = petgraph::unionfind::UnionFind::<usize>::new(members.len());
    let mut first_of_family: rustc_hash::FxHashMap<u32, usize> = rustc_hash::FxHashMap::default();
    for (i, &f) in families.iter().enumerate() {
        joined.union(*first_of_family.entry(f).or_insert(i), i);
    }
    for &(copy, source, _) in &credited {
        joined.union(copy as usize, source as usize);
    }
    let family: Vec<usize> = (0..members.len()).map(|i| joined.find(i)).collect();
    let mut family_size = vec![0; members.len()];
    family.iter().for_each(|&f| family_size[f] += 1);
    let leads: Vec<Lead> = members
        .iter()
        .map(|m| Lead {
            doc: m.doc,
            family_size: family_size[family[m.doc as usize]],
            article: m.article,
            body_chars: m.body_chars,
        })
        .collect();
    let vectors: Vec<&SparseVec> = members.iter().map(|m| m.vector).collect();
    let mut assignments = alone;
    // Each family's members side by side, in id order.
    members.sort_by_key(|m| (family[m.doc as usize], m.doc));
    for group in members.chunk_by(|x, y| family[x.doc as usize] == family[y.doc as usize]) {
        if group.len() > 1 {
            for (m, assignment) in group.iter().zip(assign_roles(group)) {
                assignments[m.doc as usize] = assignment;
            }
        }
    }
    for (copy, _, credit) in &credited {
        assignments[*copy as usize].evidence.insert(0, format!("{credit}: joined to that family"));
    }
    let in_story: Vec<DocId> = (0..leads.len() as DocId).collect();
    story_roles(&in_story, &leads, |x, y| vectors[x as usize].cosine(vectors[y as usize]), &mut assignments);
    let to_batch = |doc: &mut Option<DocId>| *doc = doc.map(|d| batch[d as usize]);
    for assignment in &mut assignments {
        to_batch(&mut assignment.canonical);
        to_batch(&mut assignment.derived_from);
    }
    let credited = credited
        .into_iter()
        .map(|(copy, source, credit)| (batch[copy as usize], batch[source as usize], credit))
        .collect();
    StoryRoles { assignments, credited }
}

/// The credits that join families: for each article of a story of several
/// families (`members`: id order, with each one's article, raw text and
/// family), the members of other families whose outlet it credits by name
/// ("according to a report by The Telegraph", "Nordwire reports"): a member
/// that is that outlet (metadata, masthead), or that carries the outlet's
/// wire dateline ("OSLO (Nordwire) —", the agency's copy). A text that says
/// it was made from another member's report is derived from it, however
/// much it rewords: what the pair model, which reads wording only, cannot
/// see. A dateline of the article's own does not count (an agency's copies
/// all carry it). Each comes as (copy, source, the credit in words), in id order.
pub fn credited_sources(members: &[(DocId, &Article, &str, u32)]) -> Vec<(DocId, DocId, String)> {
    let provenance: Vec<Provenance> =
        members.iter().map(|&(_, article, text, _)| Provenance::of(article, text)).collect();
    let mut pairs = Vec::new();
    for (y, &(copy, _, _, copy_family)) in members.iter().enumerate() {
        for credit in provenance[y].credits.iter().filter(|c| !c.dateline) {
            let is_source = |p: &Provenance| {
                p.is_outlet(&credit.folded) || p.credits.iter().any(|c| c.dateline && c.folded == credit.folded)
            };
            let source =
                members.iter().zip(&provenance).find(|&(&(_, _, _, family), p)| family != copy_family && is_source(p));
            if let Some((&(doc, source, ..), _)) = source {
                pairs.push((
                    copy,
                    doc,
                    format!("credits {} (\"{}\"), the outlet or wire of {}", credit.name, credit.phrase, source.id),
                ));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup_by(|x, y| (x.0, x.1) == (y.0, y.1));
    pairs
}
