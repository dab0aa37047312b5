//! The HTML report: one self-contained file (no network; one inline script
//! for search and filters, without which everything is shown) for an
//! editor. An overview (counts by role and kind, story sizes, articles by
//! publication time, the largest stories), then the stories largest first:
//! in each family its original once, the copies made from it beside it,
//! the passages they share highlighted (shared five-word runs in `<mark>`),
//! each article with its title, outlet, time, role, kind, confidence,
//! evidence and links to its source and its copies; then the articles left
//! alone and the near misses (the closest pairs left in different stories).

use std::fmt::Write as _;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::error::Result;
use crate::pipeline::RunResult;
use crate::report::{canonical_of, count, families_of, stories_largest_first};
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

/// Unique articles listed by name; the rest are counted.
pub const MAX_ALONE: usize = 500;
/// Near misses listed: the closest pairs of articles left in different stories.
pub const MAX_NEAR_MISSES: usize = 30;

/// The report as one HTML page, for stories of at least `min_size` articles.
pub fn html(result: &RunResult, min_size: usize) -> Result<String> {
    let mut stories = stories_largest_first(result);
    stories.retain(|(_, members)| members.len() >= min_size);
    let shown = &stories[..stories.len().min(MAX_STORIES)];
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>newsdedup report</title>\n<style>{CSS}</style></head><body>\n\
         <h1>newsdedup report</h1>\n<p class=\"summary\">{}, {} with more than one article, {} unique. \
         Each text is shown once: a family's original on the left, the copies made from it on the right, \
         the passages they share <mark>highlighted</mark>.</p>\n\
         <nav class=\"toc\"><a href=\"#overview\">Overview</a> · <a href=\"#stories\">Stories</a> · \
         <a href=\"#alone\">Articles alone</a> · <a href=\"#near-misses\">Near misses</a></nav>\n",
        count(result.articles.len(), "article", "articles"),
        count(stories.len(), "story", "stories"),
        result.assignments.iter().filter(|a| a.role == Role::Unique).count()
    );
    s.push_str(&overview(result, &stories));
    s.push_str(&filter_controls(result));
    s.push_str("<h2 id=\"stories\">Stories, largest first</h2>\n");
    // Each story's section is built on its own (in parallel), then joined in order.
    let sections: Vec<String> =
        shown.par_iter().map(|&(cluster, members)| story_section(result, cluster, members)).collect::<Result<_>>()?;
    sections.iter().for_each(|section| s.push_str(section));
    if stories.len() > MAX_STORIES {
        let _ = writeln!(
            s,
            "<p>… and {} (see clusters.jsonl).</p>",
            count(stories.len() - MAX_STORIES, "more story", "more stories")
        );
    }
    s.push_str(&alone(result));
    s.push_str(&near_misses(result));
    let _ = write!(s, "<script>{FILTER_SCRIPT}</script>\n</body></html>\n");
    Ok(s)
}

/// The attributes the filter script reads of an article: its role, kind,
/// language, and the lowercase text a search matches (id, title, outlet).
fn filter_attributes(result: &RunResult, doc: u32) -> String {
    let a = &result.assignments[doc as usize];
    let article = &result.articles[doc as usize];
    let mut search = article.id.to_lowercase();
    for extra in [article.title.clone(), article.outlet().map(|o| o.into_owned())].into_iter().flatten() {
        search.push(' ');
        search.push_str(&extra.to_lowercase());
    }
    format!(
        " data-role=\"{}\" data-kind=\"{}\" data-lang=\"{}\" data-search=\"{}\"",
        a.role.as_str(),
        a.kind.map_or("", |k| k.as_str()),
        escape(&result.analyzed[doc as usize].lang),
        escape(&search)
    )
}

/// An article's name in the report: a link to its card.
fn link(result: &RunResult, doc: u32) -> String {
    format!("<a href=\"#a-{doc}\">{}</a>", escape(&result.articles[doc as usize].id))
}

/// Title (or id), outlet and time of an article, for lists.
fn label(result: &RunResult, doc: u32) -> String {
    let article = &result.articles[doc as usize];
    let title = article.title.as_deref().map(escape).unwrap_or_else(|| escape(&article.id));
    let mut meta: Vec<String> = Vec::new();
    if let Some(outlet) = article.outlet() {
        meta.push(escape(&outlet));
    }
    if let Some(time) = article.published_at_rfc3339() {
        meta.push(escape(&time));
    }
    let meta =
        if meta.is_empty() { String::new() } else { format!(" <span class=\"meta\">{}</span>", meta.join(" · ")) };
    format!("<a href=\"#a-{doc}\">{title}</a>{meta}")
}

/// The search box and the role, kind and language buttons (hidden until
/// the script runs: without it, everything is shown).
fn filter_controls(result: &RunResult) -> String {
    let mut langs: Vec<&str> = result.analyzed.iter().map(|a| &*a.lang).collect();
    langs.sort_unstable();
    langs.dedup();
    let buttons = |name: &str, values: &[&str]| -> String {
        let mut out = format!("<span class=\"group\">{name}: <button data-{name}=\"\" class=\"on\">all</button>");
        for v in values {
            let _ = write!(out, "<button data-{name}=\"{v}\">{}</button>", escape(v));
        }
        out.push_str("</span>");
        out
    };
    let kinds: Vec<&str> = kind_counts(result).into_iter().map(|(kind, _)| kind).collect();
    let roles: Vec<&str> = ROLES.iter().map(|r| r.as_str()).collect();
    format!(
        "<div id=\"filters\" hidden><input id=\"search\" type=\"search\" placeholder=\"Search titles, outlets and ids\"> {} {} {} \
         <span id=\"matches\"></span></div>\n",
        buttons("role", &roles),
        buttons("kind", &kinds),
        buttons("lang", &langs)
    )
}

/// Shows the articles that match the search and the chosen role, kind and
/// language, the stories that hold one, and how many match.
const FILTER_SCRIPT: &str = r#"
(function () {
  var filters = document.getElementById('filters');
  filters.hidden = false;
  var chosen = { role: '', kind: '', lang: '' };
  var search = document.getElementById('search');
  var items = Array.prototype.slice.call(document.querySelectorAll('[data-search]'));
  function apply() {
    var q = search.value.trim().toLowerCase();
    var shown = 0;
    items.forEach(function (el) {
      var ok = (!q || el.dataset.search.indexOf(q) >= 0) &&
        (!chosen.role || el.dataset.role === chosen.role) &&
        (!chosen.kind || el.dataset.kind === chosen.kind) &&
        (!chosen.lang || el.dataset.lang === chosen.lang);
      el.hidden = !ok;
      if (ok) shown++;
    });
    document.querySelectorAll('section.story, div.family').forEach(function (box) {
      box.hidden = !box.querySelector('article[data-search]:not([hidden])');
    });
    document.getElementById('matches').textContent = shown + (shown === 1 ? ' article matches' : ' articles match');
  }
  search.addEventListener('input', apply);
  filters.querySelectorAll('button').forEach(function (b) {
    b.addEventListener('click', function () {
      var name = ['role', 'kind', 'lang'].filter(function (n) { return n in b.dataset; })[0];
      chosen[name] = b.dataset[name];
      b.parentNode.querySelectorAll('button').forEach(function (o) { o.classList.toggle('on', o === b); });
      apply();
    });
  });
  apply();
})();
"#;

/// The roles, in the order the report lists them.
const ROLES: [Role; 4] = [Role::Canonical, Role::Syndicated, Role::Independent, Role::Unique];

/// How many copies are of each kind present, by kind name.
fn kind_counts(result: &RunResult) -> Vec<(&'static str, usize)> {
    let mut kinds: std::collections::BTreeMap<&'static str, usize> = Default::default();
    for kind in result.assignments.iter().filter_map(|a| a.kind) {
        *kinds.entry(kind.as_str()).or_default() += 1;
    }
    kinds.into_iter().collect()
}

/// Counts by role and kind, the spread of story sizes, articles by day, and
/// the largest stories.
fn overview(result: &RunResult, stories: &[(u32, &[u32])]) -> String {
    let mut s = String::from("<section class=\"overview\" id=\"overview\"><h2>Overview</h2>\n<table class=\"counts\">");
    let row = |s: &mut String, names: Vec<String>, counts: Vec<usize>| {
        let _ = write!(s, "<tr>{}</tr>", names.iter().map(|n| format!("<th>{n}</th>")).collect::<String>());
        let _ = write!(s, "<tr>{}</tr>", counts.iter().map(|c| format!("<td>{c}</td>")).collect::<String>());
    };
    let count_role = |r: Role| result.assignments.iter().filter(|a| a.role == r).count();
    row(&mut s, ROLES.iter().map(|r| r.as_str().to_string()).collect(), ROLES.iter().map(|&r| count_role(r)).collect());
    let kinds = kind_counts(result);
    if !kinds.is_empty() {
        row(
            &mut s,
            kinds.iter().map(|(k, _)| format!("copies: {k}")).collect(),
            kinds.iter().map(|(_, n)| *n).collect(),
        );
    }
    s.push_str("</table>\n<h3>Story sizes</h3>\n");
    let sizes: Vec<usize> = result.clustering.clusters.iter().map(Vec::len).collect();
    let bins: [(usize, usize, &str); 8] = [
        (1, 1, "1 article"),
        (2, 2, "2 articles"),
        (3, 5, "3-5 articles"),
        (6, 10, "6-10 articles"),
        (11, 20, "11-20 articles"),
        (21, 50, "21-50 articles"),
        (51, 100, "51-100 articles"),
        (101, usize::MAX, "over 100 articles"),
    ];
    let counted: Vec<(&str, usize)> =
        bins.iter().map(|&(lo, hi, name)| (name, sizes.iter().filter(|&&n| n >= lo && n <= hi).count())).collect();
    s.push_str(&bars(&counted, "stories"));
    let mut days: std::collections::BTreeMap<String, usize> = Default::default();
    for a in &result.articles {
        if let Some(time) = a.published_time() {
            *days.entry(time.naive_utc().date().to_string()).or_default() += 1;
        }
    }
    if !days.is_empty() {
        // By day over a few weeks; by month over longer spans.
        if days.len() > 62 {
            let mut months: std::collections::BTreeMap<String, usize> = Default::default();
            for (day, n) in days {
                *months.entry(day[..7].to_string()).or_default() += n;
            }
            days = months;
        }
        s.push_str("<h3>Articles by publication time</h3>\n");
        let counted: Vec<(&str, usize)> = days.iter().map(|(d, n)| (d.as_str(), *n)).collect();
        s.push_str(&bars(&counted, "articles"));
    }
    if !stories.is_empty() {
        s.push_str("<h3>Largest stories</h3>\n<ol class=\"largest\">");
        for &(cluster, members) in stories.iter().take(MAX_STORIES) {
            let families = families_of(result, members).len();
            let _ = write!(
                s,
                "<li><a href=\"#cluster-{cluster}\">Story {cluster}</a>: {} · {}, {}</li>",
                label(result, canonical_of(result, members)),
                count(members.len(), "article", "articles"),
                count(families, "family", "families")
            );
        }
        s.push_str("</ol>\n");
    }
    s.push_str("</section>\n");
    s
}

/// A horizontal bar chart in a table: one row per (name, count).
fn bars(rows: &[(&str, usize)], count_unit: &str) -> String {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let mut s = String::from("<table class=\"bars\">");
    for (name, n) in rows {
        let width = 100.0 * *n as f64 / max as f64;
        let _ = write!(
            s,
            "<tr><th>{}</th><td><span class=\"bar\" style=\"width:{width:.1}%\"></span></td><td>{n} {count_unit}</td></tr>",
            escape(name)
        );
    }
    s.push_str("</table>\n");
    s
}

/// One article's card: who, when, its role, links to its source and copies,
/// its text (already marked), and the evidence.
fn card(result: &RunResult, doc: u32, class: &str, text: &str, copies: &[u32]) -> String {
    let a = &result.assignments[doc as usize];
    let article = &result.articles[doc as usize];
    let what = describe(a.role, a.kind).replacen(' ', " · ", 1);
    let role_class = if a.role == Role::Canonical { "role canonical" } else { "role" };
    let meta: Vec<String> = [
        article.outlet().map(|o| escape(&o)),
        article.published_at_rfc3339().map(|t| escape(&t)),
        Some(format!("family {}", result.families.assignment[doc as usize])),
        Some(format!("confidence {:.2}", a.confidence)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let title = article.title.as_deref().map(|t| format!("<h4>{}</h4>", escape(t))).unwrap_or_default();
    let mut links = Vec::new();
    if let Some(source) = a.derived_from {
        links.push(format!("made from {}", link(result, source)));
    }
    if !copies.is_empty() {
        links.push(format!("copies: {}", copies.iter().map(|&c| link(result, c)).collect::<Vec<_>>().join(", ")));
    }
    let links = if links.is_empty() { String::new() } else { format!("<p class=\"links\">{}</p>", links.join(" · ")) };
    let evidence: String = a.evidence.iter().map(|e| format!("<li>{}</li>", escape(e))).collect();
    format!(
        "<article class=\"{class}\" id=\"a-{doc}\"{}><header><span class=\"{role_class}\">{}</span> {} <span class=\"meta\">{}</span></header>{title}{links}<p>{text}</p><ul class=\"evidence\">{evidence}</ul></article>\n",
        filter_attributes(result, doc),
        escape(&what),
        link(result, doc),
        meta.join(" · ")
    )
}

/// One story: each family's original once on the left, the copies made
/// from it on the right, each marked where it shares passages with its
/// source; then why the canonical article is canonical.
fn story_section(result: &RunResult, cluster: u32, members: &[u32]) -> Result<String> {
    let mut s = String::new();
    let canon = canonical_of(result, members);
    let families = families_of(result, members);
    let of_families = if families.len() > 1 { format!(" in {} families", families.len()) } else { String::new() };
    let _ = writeln!(
        s,
        "<section class=\"story\" id=\"cluster-{cluster}\"><h2>Story {cluster} · {}{of_families}</h2>",
        count(members.len(), "article", "articles")
    );
    let copies_of = |doc: u32| -> Vec<u32> {
        members.iter().copied().filter(|&d| result.assignments[d as usize].derived_from == Some(doc)).collect()
    };
    let mut shown_copies = 0;
    let mut hidden_copies = 0;
    for (family, family_members) in &families {
        let original = family_members
            .iter()
            .copied()
            .find(|&d| result.assignments[d as usize].derived_from.is_none())
            .unwrap_or(family_members[0]);
        let copies: Vec<u32> = family_members.iter().copied().filter(|&d| d != original).collect();
        let room = MAX_COPIES_PER_STORY.saturating_sub(shown_copies);
        let shown: Vec<u32> = copies.iter().copied().take(room).collect();
        hidden_copies += copies.len() - shown.len();
        shown_copies += shown.len();
        // Every shown member's words and runs, read once.
        let mut bodies: FxHashMap<u32, String> = FxHashMap::default();
        for &d in std::iter::once(&original).chain(&shown) {
            bodies.insert(d, result.clean_body(d)?);
        }
        let words: FxHashMap<u32, Vec<&str>> =
            bodies.iter().map(|(&d, body)| (d, body.split_whitespace().collect())).collect();
        let runs_of: FxHashMap<u32, FxHashSet<u64>> = words.iter().map(|(&d, w)| (d, runs(w))).collect();
        // The original is marked where any shown copy shares its words.
        let copied: FxHashSet<u64> = shown.iter().flat_map(|d| runs_of[d].iter().copied()).collect();
        let left = card(result, original, "source", &marked(&words[&original], &copied), &copies_of(original));
        let mut right = String::new();
        for &d in &shown {
            let source = result.assignments[d as usize].derived_from.unwrap_or(original);
            let empty = FxHashSet::default();
            let source_runs = runs_of.get(&source).unwrap_or(&empty);
            right.push_str(&card(result, d, "copy", &marked(&words[&d], source_runs), &copies_of(d)));
        }
        let _ = writeln!(
            s,
            "<div class=\"family\"><h3>Family {family} · {}</h3><div class=\"pair\"><div>{left}</div><div>{right}</div></div></div>",
            count(family_members.len(), "article", "articles")
        );
    }
    if hidden_copies > 0 {
        let _ = writeln!(
            s,
            "<p class=\"more\">… and {} (see clusters.jsonl).</p>",
            count(hidden_copies, "more copy", "more copies")
        );
    }
    let why: String =
        result.assignments[canon as usize].evidence.iter().map(|e| format!("<li>{}</li>", escape(e))).collect();
    let _ = writeln!(
        s,
        "<p class=\"why\">Why {} is canonical:</p><ul class=\"evidence\">{why}</ul>\n</section>",
        link(result, canon)
    );
    Ok(s)
}

/// The articles no other article joined: their names and why.
fn alone(result: &RunResult) -> String {
    let alone: Vec<u32> =
        (0..result.articles.len() as u32).filter(|&d| result.assignments[d as usize].role == Role::Unique).collect();
    let mut s = format!("<section class=\"alone\" id=\"alone\"><h2>Articles alone ({})</h2>\n<ul>", alone.len());
    for &d in alone.iter().take(MAX_ALONE) {
        let why = result.assignments[d as usize].evidence.first().map(|e| escape(e)).unwrap_or_default();
        let attributes = filter_attributes(result, d);
        let _ = write!(s, "<li id=\"a-{d}\"{attributes}>{} <span class=\"why\">{why}</span></li>", label(result, d));
    }
    s.push_str("</ul>\n");
    if alone.len() > MAX_ALONE {
        let _ = writeln!(s, "<p class=\"more\">… and {} more (see articles.jsonl).</p>", alone.len() - MAX_ALONE);
    }
    s.push_str("</section>\n");
    s
}

/// The closest pairs of articles that ended in different stories.
fn near_misses(result: &RunResult) -> String {
    let story = |d: u32| result.clustering.assignment[d as usize];
    let mut missed: Vec<_> = result.links.iter().filter(|l| story(l.a) != story(l.b)).collect();
    missed.sort_by(|x, y| y.p.total_cmp(&x.p).then(x.a.cmp(&y.a)).then(x.b.cmp(&y.b)));
    let mut s = String::from(
        "<section class=\"near\" id=\"near-misses\"><h2>Near misses</h2>\n<p>The pairs most likely to tell one event \
         (P(same event)) that the story linkage still left in different stories.</p>\n<ul>",
    );
    if missed.is_empty() {
        s.push_str("<li>None.</li>");
    }
    for l in missed.iter().take(MAX_NEAR_MISSES) {
        let _ = write!(
            s,
            "<li>{} (story {}) ~ {} (story {}): P(same event) {:.2}</li>",
            link(result, l.a),
            story(l.a),
            link(result, l.b),
            story(l.b),
            l.p
        );
    }
    s.push_str("</ul></section>\n");
    s
}

const CSS: &str = "body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1400px;color:#222}\
h1{font-size:1.6em}h2{font-size:1.2em;border-bottom:1px solid #ccc;padding-bottom:.2em}\
.pair{display:grid;grid-template-columns:1fr 1fr;gap:1em;margin:1em 0}\
article{border:1px solid #ddd;border-radius:6px;padding:.6em .8em;background:#fafafa}\
article header{font-weight:600;margin-bottom:.4em}\
.role{display:inline-block;padding:0 .4em;border-radius:4px;background:#e3e8f0;font-size:.85em}\
.role.canonical{background:#d7f0d7}mark{background:#fff3a8}\
.evidence{font-size:.85em;color:#444}.why{font-size:.9em;margin-bottom:0}.more{color:#888}.meta{font-weight:400;color:#666;font-size:.9em}.links{font-size:.85em}h4{margin:.2em 0}.pair>div>article{margin-bottom:.8em}.family h3{font-size:1em;color:#555}table.counts td,table.counts th{padding:.1em .8em;text-align:left}table.bars{width:100%;max-width:700px}table.bars th{text-align:right;font-weight:400;white-space:nowrap;width:8em}.bar{display:inline-block;height:.9em;background:#8aa6d6;border-radius:2px}.toc{margin:.5em 0 1em}:target{outline:2px solid #e8a33d}\
#filters{position:sticky;top:0;background:#fff;padding:.5em 0;border-bottom:1px solid #ddd;z-index:1}\
#filters .group{margin-left:.8em}#filters button{margin:0 .1em;border:1px solid #bbb;background:#f4f4f4;border-radius:4px}\
#filters button.on{background:#8aa6d6;color:#fff}#search{width:18em}#matches{margin-left:1em;color:#555}\
[hidden]{display:none!important}\
section.story,section.alone{content-visibility:auto;contain-intrinsic-size:auto 1600px}";

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
