//! Report: a human summary of a run (clusters, canonical, copies and kinds).

use std::fmt::Write as _;

use crate::error::Result;
use crate::ingest::Reject;
use crate::pipeline::RunResult;
use crate::roles::{describe, Role};

/// Stories listed in full in the summary; the rest are counted.
const LISTED_CLUSTERS: usize = 20;

/// What the summary says beside the run's result.
#[derive(Debug, Default)]
pub struct SummaryNotes<'a> {
    /// Records skipped as unreadable.
    pub rejects: &'a [Reject],
    /// Records read with a repair (invalid UTF-8 replaced).
    pub repaired: &'a [Reject],
    /// Where the skipped records were written, if anywhere.
    pub rejects_file: Option<String>,
    /// Add the diagnostics: candidate and link counts, the chain guard's
    /// work, and each stage's time and memory.
    pub verbose: bool,
}

/// `n` and the noun, singular for one: "1 article", "3 articles".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The stories of more than one article, largest first (then by number).
pub fn stories_largest_first(result: &RunResult) -> Vec<(u32, &[u32])> {
    let mut stories: Vec<(u32, &[u32])> = result.clustering.multi_member().collect();
    stories.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    stories
}

/// The canonical article among a story's members (the first member if none is).
pub fn canonical_of(result: &RunResult, members: &[u32]) -> u32 {
    members.iter().copied().find(|&d| result.assignments[d as usize].role == Role::Canonical).unwrap_or(members[0])
}

/// A story's families, each with its members, largest first (then by number).
pub fn families_of(result: &RunResult, members: &[u32]) -> Vec<(u32, Vec<u32>)> {
    let mut by_family: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
    for &d in members {
        by_family.entry(result.families.assignment[d as usize]).or_default().push(d);
    }
    let mut families: Vec<(u32, Vec<u32>)> = by_family.into_iter().collect();
    families.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    families
}

/// The summary text of a run (an error when a listed article's text, left
/// in its input file, can no longer be read).
pub fn summary(result: &RunResult, notes: &SummaryNotes) -> Result<String> {
    let mut s = String::new();
    let role_count = |role: Role| result.assignments.iter().filter(|a| a.role == role).count();
    let stories = result.clustering.clusters.len();
    let multi = result.clustering.multi_member().count();
    let families = result.families.clusters.len();
    let _ = writeln!(
        s,
        "newsdedup: {} -> {} ({multi} with more than one article) of {} ({} with copies): {} canonical, {} syndicated, {} independent, {} unique",
        count(result.articles.len(), "article", "articles"),
        count(stories, "story", "stories"),
        count(families, "family", "families"),
        result.families.multi_member().count(),
        role_count(Role::Canonical),
        role_count(Role::Syndicated),
        role_count(Role::Independent),
        role_count(Role::Unique),
    );
    if !notes.rejects.is_empty() {
        let listed = match &notes.rejects_file {
            Some(file) => format!("listed in {file}"),
            None => "listed above, not written to a file".to_string(),
        };
        let _ =
            writeln!(s, "skipped {} ({listed})", count(notes.rejects.len(), "unreadable record", "unreadable records"));
    }
    if !notes.repaired.is_empty() {
        let records = count(notes.repaired.len(), "record", "records");
        let _ = writeln!(s, "repaired {records} with invalid UTF-8 (kept, with U+FFFD)");
    }
    if result.stats.exact_duplicates > 0 {
        let n = result.stats.exact_duplicates;
        let verb = if n == 1 { "repeats" } else { "repeat" };
        let _ = writeln!(s, "{} {verb} an earlier article's body exactly", count(n, "article", "articles"));
    }
    let clusters = stories_largest_first(result);
    for &(cluster, members) in clusters.iter().take(LISTED_CLUSTERS) {
        let canon = canonical_of(result, members);
        let article = &result.articles[canon as usize];
        let in_families = match families_of(result, members).len() {
            1 => String::new(),
            n => format!(", {n} families"),
        };
        let _ = writeln!(s, "\ncluster {cluster} ({}{in_families})", count(members.len(), "article", "articles"));
        let _ = writeln!(s, "  canonical    {}  {}", article.id, headline(&result.clean_body(canon)?));
        for &d in members.iter().filter(|&&d| d != canon) {
            let a = &result.assignments[d as usize];
            let what = describe(a.role, a.kind);
            let from = a.derived_from.map(|p| format!(" <- {}", result.articles[p as usize].id)).unwrap_or_default();
            let sim = a.similarity.map(|x| format!(", cosine {x:.2}")).unwrap_or_default();
            let _ = writeln!(
                s,
                "  {what:<24} {}{from}{sim}, confidence {:.2}",
                result.articles[d as usize].id, a.confidence
            );
        }
    }
    if clusters.len() > LISTED_CLUSTERS {
        let more = count(clusters.len() - LISTED_CLUSTERS, "more story", "more stories");
        let _ = writeln!(s, "\n... and {more} with more than one article (see clusters.jsonl)");
    }
    let uniques: Vec<&str> = result
        .assignments
        .iter()
        .enumerate()
        .filter(|(_, a)| a.role == Role::Unique)
        .map(|(d, _)| result.articles[d].id.as_str())
        .collect();
    if !uniques.is_empty() && uniques.len() <= LISTED_CLUSTERS {
        let _ = writeln!(s, "\nunique: {}", uniques.join(", "));
    }
    if !notes.verbose {
        return Ok(s);
    }
    let b = &result.stats.blocks;
    let _ = writeln!(
        s,
        "\n{}, {}, {}, copies joined by their credit: {}; chain guard: {} re-clustered with DBSCAN, {} split, {} thinned, {} of copies parted from strays, {} multilingual",
        count(result.stats.candidates.pairs, "candidate pair", "candidate pairs"),
        count(result.stats.edges, "family edge", "family edges"),
        count(result.stats.story_links, "story link", "story links"),
        result.stats.credited_copies,
        count(b.refined, "group", "groups"),
        b.split,
        count(b.thinned, "sparse group", "sparse groups"),
        count(b.strays_apart, "group", "groups"),
        b.multilingual
    );
    let total: f64 = result.stats.seconds.iter().map(|(_, t)| t).sum();
    let _ = writeln!(
        s,
        "\ntime {:.2}s ({})",
        total,
        result.stats.seconds.iter().map(|(n, t)| format!("{n} {t:.2}s")).collect::<Vec<_>>().join(", ")
    );
    if !result.stats.cpu_seconds.is_empty() {
        // Per article: the figure a budget per article is set in.
        let per_article = |cpu: f64| 1e6 * cpu / result.stats.articles.max(1) as f64;
        let cpu: f64 = result.stats.cpu_seconds.iter().map(|(_, t)| t).sum();
        let stages: Vec<String> =
            result.stats.cpu_seconds.iter().map(|(n, t)| format!("{n} {:.0}", per_article(*t))).collect();
        let _ = writeln!(
            s,
            "cpu {cpu:.2}s over all threads, µs per article: {:.0} ({})",
            per_article(cpu),
            stages.join(", ")
        );
    }
    if !result.stats.peak_memory_mib.is_empty() {
        let stages: Vec<String> = result.stats.peak_memory_mib.iter().map(|(n, m)| format!("{n} {m}")).collect();
        let _ = writeln!(s, "peak memory after each stage, MiB: {}", stages.join(", "));
    }
    Ok(s)
}

/// The first line of a text, shortened to 80 characters.
fn headline(text: &str) -> String {
    let first = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    let mut out: String = first.chars().take(80).collect();
    if first.chars().count() > 80 {
        out.push('…');
    }
    out
}
