//! The HTML report: self-contained, and it renders in a real browser.
//! The browser check needs Debian's chromium (.ci/run installs it); without
//! it that part is skipped with a message.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

fn run_seeds(out: &Path) -> String {
    let o = newsdedup(&["run", seeds_dir().to_str().unwrap(), "--out", out.to_str().unwrap(), "-q"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read_to_string(out.join("report.html")).unwrap()
}

/// Debian's Chromium and the seeds' report in a temporary directory (with
/// its `out` folder), or `None` after [`skip`] when Chromium is missing.
fn chromium_and_seed_report() -> Option<(&'static Path, tempfile::TempDir, std::path::PathBuf)> {
    let chromium = Path::new("/usr/bin/chromium");
    if !chromium.exists() {
        skip("/usr/bin/chromium is not installed (.ci/run installs it)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_seeds(&out);
    Some((chromium, dir, out))
}

#[test]
fn report_is_one_self_contained_file() {
    let dir = tempfile::tempdir().unwrap();
    let html = run_seeds(&dir.path().join("out"));
    assert!(html.starts_with("<!DOCTYPE html>"));
    for outside in ["<script src", "http://", "https://", "<link", "src="] {
        assert!(!html.contains(outside), "the report must not load anything ({outside})");
    }
    assert_eq!(html.matches("<script>").count(), 1, "one inline script: the search and filters");
    assert!(html.contains("id=\"cluster-0\""));
    assert!(html.contains("002_016c80076eb90be0"));
    assert!(html.contains("<mark>"), "shared passages are highlighted");
    assert!(html.contains("credits The Telegraph"), "the evidence is shown");
    // Each text once: a sentence of the canonical 002 appears a single time.
    assert_eq!(html.matches("Vladimir Putin appears to have teamed up").count(), 1);
    // From a copy to its source and back.
    let source = "<article class=\"source\" id=\"a-2\" data-role=\"canonical\"";
    assert!(html.contains(source), "{html}");
    assert!(html.contains("made from <a href=\"#a-2\">002_016c80076eb90be0</a>"));
    assert!(
        html.contains("copies: <a href=\"#a-0\">000_5f97ec60a494b16d</a>, <a href=\"#a-1\">001_d7953fad1e213ce3</a>")
    );
    // The overview, the articles alone and the near misses.
    for part in [
        "id=\"overview\"",
        "Story sizes",
        "Largest stories",
        "id=\"alone\"",
        "Articles alone (2)",
        "id=\"near-misses\"",
    ] {
        assert!(html.contains(part), "{part}");
    }
    assert!(html.contains("<li id=\"a-3\" data-role=\"unique\""), "an article alone has its place");
}

#[test]
fn the_report_shows_outlets_times_and_a_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("feed.jsonl");
    let text = "The harbour authority said on Monday that container traffic reached a record in the third quarter, \
                driven by exports of grain and machinery.";
    let rows = [
        serde_json::json!({"id": "a", "title": "Harbour record", "text": text, "url": "https://www.coast.example/a",
            "published_at": "2025-08-10T09:00:00Z"}),
        serde_json::json!({"id": "b", "title": "Harbour record (copy)", "text": text, "source": "Wire Weekly",
            "published_at": "2025-08-11T09:00:00Z"}),
    ];
    std::fs::write(&feed, rows.iter().map(|r| format!("{r}\n")).collect::<String>()).unwrap();
    let out = dir.path().join("out");
    let o = newsdedup(&["run", feed.to_str().unwrap(), "--out", out.to_str().unwrap(), "-q"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for part in [
        "coast.example",
        "Wire Weekly",
        "2025-08-10T09:00:00Z",
        "<h4>Harbour record</h4>",
        "Articles by publication time",
        "<th>2025-08-11</th>",
    ] {
        assert!(html.contains(part), "{part} in {html}");
    }
}

#[test]
fn report_renders_in_headless_chromium() {
    let Some((chromium, dir, out)) = chromium_and_seed_report() else { return };
    let profile = dir.path().join("profile");
    let dom = Command::new(chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"])
        .args(["--disable-background-networking", "--disable-component-update", "--disable-sync"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", out.join("report.html").display()))
        .output()
        .expect("chromium runs");
    assert!(dom.status.success(), "{}", String::from_utf8_lossy(&dom.stderr));
    let dom = String::from_utf8_lossy(&dom.stdout);
    // The parsed DOM, not the file: one story section, two copy cards, marks.
    assert_eq!(dom.matches("<section class=\"story\"").count(), 1, "{dom}");
    assert_eq!(dom.matches("<article class=\"copy\"").count(), 2);
    assert!(dom.matches("<mark>").count() >= 2);
    assert!(dom.contains("syndicated · rewrite"));
}

#[test]
fn searching_and_filtering_respond_to_typing_and_clicking_in_chromium() {
    let Some((chromium, dir, out)) = chromium_and_seed_report() else { return };
    // tests/report_browser.py drives Chromium over the DevTools protocol.
    let driver = root().join("tests/report_browser.py");
    let o = Command::new("python3")
        .arg(&driver)
        .arg(chromium)
        .arg(out.join("report.html"))
        .arg(dir.path().join("profile"))
        .output();
    let Ok(o) = o else { return skip("python3 is not installed") };
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let seen: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // Loaded: every article shown, the story too.
    assert_eq!(seen["loaded"]["articles"], 5, "{seen}");
    assert_eq!(seen["loaded"]["matches"], "5 articles match");
    // Typed "weaponiz": the two analyses left alone match, the story holds none.
    assert_eq!(seen["focused"], "search", "a click puts the cursor in the search box");
    assert_eq!((&seen["search"]["articles"], &seen["search"]["alone"]), (&2.into(), &2.into()), "{seen}");
    assert_eq!(seen["search"]["stories"], 0, "a story with no match is hidden");
    // Clicked "syndicated": the two copies and their story.
    assert_eq!((&seen["syndicated"]["copies"], &seen["syndicated"]["stories"]), (&2.into(), &1.into()), "{seen}");
    assert_eq!(seen["syndicated"]["matches"], "2 articles match");
    // A copy's "made from" link leads to its source's card.
    assert_eq!(seen["followed"], "#a-2");
}

#[test]
fn a_large_story_shows_its_first_copies_and_counts_the_rest() {
    let input = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(seeds_dir().join("001_d7953fad1e213ce3.txt")).unwrap();
    let copies = newsdedup::report_html::MAX_COPIES_PER_STORY + 3;
    for i in 0..=copies {
        std::fs::write(input.path().join(format!("copy{i:02}.txt")), &text).unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let o = newsdedup(&["run", input.path().to_str().unwrap(), "--out", out.path().to_str().unwrap(), "-q"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    assert_eq!(html.matches("<article class=\"copy\"").count(), newsdedup::report_html::MAX_COPIES_PER_STORY);
    assert_eq!(html.matches("<article class=\"source\"").count(), 1, "the original's text is shown once");
    assert!(html.contains("… and 3 more copies (see clusters.jsonl)"), "{html}");
}

#[test]
fn titles_texts_and_evidence_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("feed.jsonl");
    let body = "The harbour authority said on Monday that container traffic reached a record in the third quarter, \
                driven by exports of grain and machinery, and that <b>more</b> ships & barges are expected.";
    let rows = [
        serde_json::json!({"id": "a<1>", "title": "<script>alert(1)</script> Harbour & \"ships\"", "text": body}),
        serde_json::json!({"id": "b", "title": "Copy", "text": format!("According to <Harbour News>, {body}"),
            "source": "<i>Coast</i> & Times"}),
    ];
    std::fs::write(&feed, rows.iter().map(|r| format!("{r}\n")).collect::<String>()).unwrap();
    let out = dir.path().join("out");
    let o = newsdedup(&["run", feed.to_str().unwrap(), "--out", out.to_str().unwrap(), "-q"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("a&lt;1&gt;"), "ids are escaped");
    for raw in ["<script>alert", "<b>more</b>", "<Harbour News>", "<i>Coast</i>", "a<1>"] {
        assert!(!html.contains(raw), "{raw} must be escaped");
    }
    assert!(html.contains("&lt;b&gt;more&lt;/b&gt;"), "texts are shown as text");
}
