//! Report: a human summary of a run (clusters, canonical, copies and kinds).

use std::fmt::Write as _;

use crate::error::Result;
use crate::ingest::Reject;
use crate::pipeline::RunResult;
use crate::roles::{describe, Role};

/// Stories listed in full in the summary; the rest are counted.
const LISTED_CLUSTERS: usize = 20;

/// The summary text of a run (an error when a listed article's text, left
/// in its input file, can no longer be read).
pub fn summary(result: &RunResult, rejects: &[Reject], warnings: &[Reject]) -> Result<String> {
    let mut s = String::new();
    let count = |role: Role| result.assignments.iter().filter(|a| a.role == role).count();
    let stories = result.clustering.clusters.len();
    let multi = result.clustering.multi_member().count();
    let families = result.families.clusters.len();
    let _ = writeln!(
        s,
        "newsdedup: {} articles -> {} stories ({} with more than one article) of {} families ({} with copies): {} canonical, {} syndicated, {} independent, {} unique",
        result.articles.len(),
        stories,
        multi,
        families,
        result.families.multi_member().count(),
        count(Role::Canonical),
        count(Role::Syndicated),
        count(Role::Independent),
        count(Role::Unique),
    );
    if !rejects.is_empty() {
        let _ = writeln!(s, "skipped {} unreadable records (listed in rejects.jsonl)", rejects.len());
    }
    if !warnings.is_empty() {
        let _ = writeln!(s, "repaired {} records with invalid UTF-8 (kept, with U+FFFD)", warnings.len());
    }
    if result.stats.exact_duplicates > 0 {
        let _ = writeln!(s, "{} articles repeat an earlier article's body exactly", result.stats.exact_duplicates);
    }
    let mut clusters: Vec<(u32, &[u32])> = result.clustering.multi_member().collect();
    clusters.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    for (cluster, members) in clusters.iter().take(LISTED_CLUSTERS) {
        let canon = members
            .iter()
            .copied()
            .find(|&d| result.assignments[d as usize].role == Role::Canonical)
            .unwrap_or(members[0]);
        let article = &result.articles[canon as usize];
        let mut story_families: Vec<u32> = members.iter().map(|&d| result.families.assignment[d as usize]).collect();
        story_families.sort_unstable();
        story_families.dedup();
        let in_families = match story_families.len() {
            1 => String::new(),
            n => format!(", {n} families"),
        };
        let _ = writeln!(s, "\ncluster {cluster} ({} articles{in_families})", members.len());
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
        let _ =
            writeln!(s, "\n... and {} more stories with copies (see clusters.jsonl)", clusters.len() - LISTED_CLUSTERS);
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
    let b = &result.stats.blocks;
    let _ = writeln!(
        s,
        "\n{} candidate pairs, {} family edges, {} story links, copies joined by their credit: {}; chain guard: {} groups re-clustered with DBSCAN, {} split, {} sparse groups thinned, {} groups of copies parted from strays, {} multilingual",
        result.stats.candidates.pairs,
        result.stats.edges,
        result.links.len(),
        result.stats.credited_copies,
        b.refined,
        b.split,
        b.thinned,
        b.strays_apart,
        b.multilingual
    );
    let total: f64 = result.stats.seconds.iter().map(|(_, t)| t).sum();
    let _ = writeln!(
        s,
        "\ntime {:.2}s ({})",
        total,
        result.stats.seconds.iter().map(|(n, t)| format!("{n} {t:.2}s")).collect::<Vec<_>>().join(", ")
    );
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
