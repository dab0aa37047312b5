//! The HTML report: one self-contained file (no script, no network) for an
//! editor. Stories largest first; in each, every copy beside the article it
//! was derived from, with the passages they share highlighted (shared
//! five-word runs in `<mark>`), so what a copy added or dropped stands out,
//! and its role, kind, confidence and evidence.

use std::fmt::Write as _;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::error::Result;
use crate::pipeline::RunResult;
use crate::roles::{describe, Role};

/// Stories shown in full; the rest are counted.
pub const MAX_STORIES: usize = 200;
/// Copies shown per story (in id order); the rest are counted, so that the
/// report of a large batch stays small enough for a browser.
pub const MAX_COPIES_PER_STORY: usize = 20;
/// Words shown of each article body.
const MAX_WORDS: usize = 400;
/// Words per shared run that counts as a shared passage.
const RUN: usize = 5;

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// `word`'s letters and digits, lowercase, written over `out`.
fn fold_into(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.extend(word.bytes().filter(u8::is_ascii_alphanumeric).map(|b| char::from(b.to_ascii_lowercase())));
    } else {
        out.extend(word.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase));
    }
}

/// Hashes of the folded words of a text.
fn folded_hashes(words: &[&str]) -> Vec<u64> {
    let mut folded = String::new();
    words
        .iter()
        .map(|w| {
            fold_into(w, &mut folded);
            xxhash_rust::xxh3::xxh3_64(folded.as_bytes())
        })
        .collect()
}

/// A run of `RUN` folded word hashes as one hash.
fn run_hash(run: &[u64]) -> u64 {
    run.iter().fold(0u64, |h, &w| (h.rotate_left(17) ^ w).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// Runs of `RUN` folded words of a text, hashed.
fn runs(words: &[&str]) -> FxHashSet<u64> {
    folded_hashes(words).windows(RUN).map(run_hash).collect()
}

/// The body's first words as HTML, words inside a run shared with `other` marked.
fn marked(words: &[&str], other: &FxHashSet<u64>) -> String {
    let mut shared = vec![false; words.len()];
    for (i, w) in folded_hashes(words).windows(RUN).enumerate() {
        if other.contains(&run_hash(w)) {
            shared[i..i + RUN].iter_mut().for_each(|s| *s = true);
        }
    }
    let mut out = String::new();
    let mut open = false;
    for (i, word) in words.iter().enumerate().take(MAX_WORDS) {
        if shared[i] != open {
            out.push_str(if shared[i] { "<mark>" } else { "</mark>" });
            open = shared[i];
        }
        out.push_str(&escape(word));
        out.push(' ');
    }
    if open {
        out.push_str("</mark>");
    }
    if words.len() > MAX_WORDS {
        out.push_str("<span class=\"more\">…</span>");
    }
    out
}

/// The report as one HTML page, for stories of at least `min_size` articles.
pub fn html(result: &RunResult, min_size: usize) -> Result<String> {
    let mut clusters: Vec<(u32, &[u32])> =
        result.clustering.multi_member().filter(|(_, m)| m.len() >= min_size).collect();
    clusters.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>newsdedup report</title>\n<style>{CSS}</style></head><body>\n\
         <h1>newsdedup report</h1>\n<p class=\"summary\">{} articles, {} with more than one article, {} unique. \
         Stories largest first; shared passages are <mark>highlighted</mark>.</p>\n",
        result.articles.len(),
        if clusters.len() == 1 { "1 story".to_string() } else { format!("{} stories", clusters.len()) },
        result.assignments.iter().filter(|a| a.role == Role::Unique).count()
    );
    // Each story's section is built on its own (in parallel), then joined in order.
    let sections: Vec<String> = clusters[..clusters.len().min(MAX_STORIES)]
        .par_iter()
        .map(|&(cluster, members)| story_section(result, cluster, members))
        .collect::<Result<_>>()?;
    sections.iter().for_each(|section| s.push_str(section));
    if clusters.len() > MAX_STORIES {
        let _ = writeln!(s, "<p>… and {} more stories (see clusters.jsonl).</p>", clusters.len() - MAX_STORIES);
    }
    s.push_str("</body></html>\n");
    Ok(s)
}

/// One story's section: each shown copy beside its source, then why the
/// canonical article is canonical.
fn story_section(result: &RunResult, cluster: u32, members: &[u32]) -> Result<String> {
    let id = |d: u32| escape(&result.articles[d as usize].id);
    let mut s = String::new();
    let canon =
        members.iter().copied().find(|&d| result.assignments[d as usize].role == Role::Canonical).unwrap_or(members[0]);
    let mut families: Vec<u32> = members.iter().map(|&d| result.families.assignment[d as usize]).collect();
    families.sort_unstable();
    families.dedup();
    let of_families = if families.len() > 1 { format!(" in {} families", families.len()) } else { String::new() };
    let _ = writeln!(
        s,
        "<section class=\"story\" id=\"cluster-{cluster}\"><h2>Story {cluster} · {} articles{of_families}</h2>",
        members.len()
    );
    let canon_evidence = &result.assignments[canon as usize].evidence;
    let copies: Vec<u32> = members.iter().copied().filter(|&d| d != canon).collect();
    // Most copies are shown beside the same source: clean its body and
    // hash its word runs once.
    let mut sources: FxHashMap<u32, (String, FxHashSet<u64>)> = FxHashMap::default();
    for &d in copies.iter().take(MAX_COPIES_PER_STORY) {
        let a = &result.assignments[d as usize];
        let source = a.derived_from.unwrap_or(canon);
        if let std::collections::hash_map::Entry::Vacant(slot) = sources.entry(source) {
            let body = result.clean_body(source)?;
            let source_runs = runs(&body.split_whitespace().collect::<Vec<_>>());
            slot.insert((body, source_runs));
        }
        let (source_body, source_runs) = &sources[&source];
        let copy_body = result.clean_body(d)?;
        let source_words: Vec<&str> = source_body.split_whitespace().collect();
        let copy_words: Vec<&str> = copy_body.split_whitespace().collect();
        let copy_runs = runs(&copy_words);
        let what = describe(a.role, a.kind).replacen(' ', " · ", 1);
        let evidence: String = a.evidence.iter().map(|e| format!("<li>{}</li>", escape(e))).collect();
        let source_label = if source == canon { "canonical" } else { "source" };
        let _ = write!(
            s,
            "<div class=\"pair\">\n<article class=\"source\"><header><span class=\"role canonical\">{source_label}</span> {}</header><p>{}</p></article>\n\
             <article class=\"copy\"><header><span class=\"role\">{}</span> {} · family {} · confidence {:.2}</header><p>{}</p><ul class=\"evidence\">{}</ul></article>\n</div>\n",
            id(source),
            marked(&source_words, &copy_runs),
            escape(&what),
            id(d),
            result.families.assignment[d as usize],
            a.confidence,
            marked(&copy_words, source_runs),
            evidence
        );
    }
    if copies.len() > MAX_COPIES_PER_STORY {
        let _ = writeln!(
            s,
            "<p class=\"more\">… and {} more copies (see clusters.jsonl).</p>",
            copies.len() - MAX_COPIES_PER_STORY
        );
    }
    let why: String = canon_evidence.iter().map(|e| format!("<li>{}</li>", escape(e))).collect();
    let _ = writeln!(
        s,
        "<p class=\"why\">Why {} is canonical:</p><ul class=\"evidence\">{why}</ul>\n</section>",
        id(canon)
    );
    Ok(s)
}

const CSS: &str = "body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1400px;color:#222}\
h1{font-size:1.6em}h2{font-size:1.2em;border-bottom:1px solid #ccc;padding-bottom:.2em}\
.pair{display:grid;grid-template-columns:1fr 1fr;gap:1em;margin:1em 0}\
article{border:1px solid #ddd;border-radius:6px;padding:.6em .8em;background:#fafafa}\
article header{font-weight:600;margin-bottom:.4em}\
.role{display:inline-block;padding:0 .4em;border-radius:4px;background:#e3e8f0;font-size:.85em}\
.role.canonical{background:#d7f0d7}mark{background:#fff3a8}\
.evidence{font-size:.85em;color:#444}.why{font-size:.9em;margin-bottom:0}.more{color:#888}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_runs_are_marked_and_text_is_escaped() {
        let a: Vec<&str> = "one two three four five <six> seven".split(' ').collect();
        let b: Vec<&str> = "zero one two three four five".split(' ').collect();
        let html = marked(&a, &runs(&b));
        assert_eq!(html, "<mark>one two three four five </mark>&lt;six&gt; seven ");
    }
}
