//! The binary end to end: output contract, streams and exit codes.

mod common;

use std::process::Command;

use common::*;

#[test]
fn run_writes_the_output_contract() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = newsdedup(&["run", seeds_dir().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let articles = read_jsonl(&out.join("articles.jsonl"));
    assert_eq!(articles.len(), 5, "every input article exactly once");
    for a in &articles {
        for field in ["id", "cluster", "role", "lang", "confidence", "evidence"] {
            assert!(a.get(field).is_some(), "{field} missing in {a}");
        }
        let role = a["role"].as_str().unwrap();
        assert!(["canonical", "syndicated", "independent", "unique"].contains(&role));
        assert_eq!(a.get("kind").is_some(), role == "syndicated", "kind only on syndicated: {a}");
        assert_eq!(a.get("derived_from").is_some(), role == "syndicated", "derived_from only on syndicated: {a}");
        assert_eq!(a["lang"], "en");
    }
    let clusters = read_jsonl(&out.join("clusters.jsonl"));
    assert_eq!(clusters.len(), 1);
    let c = &clusters[0];
    assert_eq!(c["canonical"], "002_016c80076eb90be0");
    assert_eq!(c["members"].as_array().unwrap().len(), 3);
    let edges = c["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 2);
    assert!(edges.iter().all(|e| e["kind"] == "rewrite" && e["from"].is_string() && e["to"].is_string()));
    let summary = String::from_utf8_lossy(&o.stdout);
    assert!(summary.contains("cluster 0 (3 articles)"), "{summary}");
    assert!(summary.contains("canonical    002_016c80076eb90be0"), "{summary}");
}

#[test]
fn bare_invocation_runs_the_embedded_sample() {
    let dir = tempfile::tempdir().unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_newsdedup")).current_dir(dir.path()).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(read_jsonl(&dir.path().join("out/articles.jsonl")).len(), 5);
}

#[test]
fn out_dash_streams_articles_to_stdout_and_summary_to_stderr() {
    let o = newsdedup(&["run", seeds_dir().to_str().unwrap(), "--out", "-"]);
    assert!(o.status.success());
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 5);
    assert!(stdout.lines().all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
    assert!(String::from_utf8_lossy(&o.stderr).contains("newsdedup: 5 articles"));
}

#[test]
fn missing_input_is_an_error_naming_the_path() {
    let o = newsdedup(&["run", "/no/such/dir", "--out", "-"]);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("/no/such/dir"), "{err}");
}

#[test]
fn bad_jsonl_line_is_skipped_and_listed_or_fatal_with_strict() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, "{\"id\":\"a\",\"text\":\"Some text here.\"}\n{not json}\n{\"id\":\"b\"}\n").unwrap();
    let out = dir.path().join("out");
    let o = newsdedup(&["run", input.to_str().unwrap(), "--out", out.to_str().unwrap(), "-q"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(read_jsonl(&out.join("articles.jsonl")).len(), 1);
    let rejects = read_jsonl(&out.join("rejects.jsonl"));
    assert_eq!(rejects.iter().map(|r| r["line"].as_u64().unwrap()).collect::<Vec<_>>(), [2, 3]);
    let strict = newsdedup(&["run", input.to_str().unwrap(), "--out", "-", "--strict"]);
    assert_eq!(strict.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&strict.stderr).contains("in.jsonl:2"));
}

#[cfg(unix)]
#[test]
fn unwritable_temporary_directory_is_an_output_error_naming_it() {
    let out = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_newsdedup"))
        .args(["run", seeds_dir().to_str().unwrap(), "--out", out.path().to_str().unwrap(), "--quiet"])
        .env("TMPDIR", "/nonexistent-newsdedup-tmp")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(4));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("/nonexistent-newsdedup-tmp/(newsdedup temporary file)"), "{err}");
}

#[test]
fn invalid_parameter_is_a_usage_error() {
    let o = newsdedup(&["run", seeds_dir().to_str().unwrap(), "--out", "-", "--story-threshold", "2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("story_threshold must be between 0 and 1"));
}

#[test]
fn closed_stdout_pipe_is_not_an_error() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("many.jsonl");
    let lines: Vec<String> = (0..8_000)
        .map(|i| serde_json::json!({"id": format!("m{i:05}"), "text": format!("Article {i} about the harbour and river {}", i % 50)}).to_string())
        .collect();
    std::fs::write(&input, lines.join("\n")).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_newsdedup"))
        .args(["run", input.to_str().unwrap(), "--out", "-", "-q"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.starts_with("{\"id\""));
    // The reader is dropped here: the rest of the output meets a closed pipe.
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn jsonl_from_standard_input() {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_newsdedup"))
        .args(["run", "-", "--out", "-", "-q"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let text = "Flights between Benghazi and Minsk rose from two in May to five in June, EU officials said.";
    let input =
        format!("{}\n{}\n", serde_json::json!({"id": "a", "text": text}), serde_json::json!({"id": "b", "text": text}));
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["cluster"], lines[1]["cluster"]);
    assert_eq!(lines[1]["kind"], "verbatim");
}

#[test]
fn csv_table_has_a_header_and_every_article() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let seeds = seeds_dir();
    let jsonl = newsdedup(&["run", seeds.to_str().unwrap(), "--out", out.to_str().unwrap(), "-q"]);
    assert!(jsonl.status.success());
    let o = newsdedup(&["run", seeds.to_str().unwrap(), "--out", out.to_str().unwrap(), "-q", "--format", "csv"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(out.join("articles.csv")).unwrap();
    let mut rows = csv_rows(&text);
    let header = rows.remove(0);
    assert_eq!(
        header[..9],
        ["id", "url", "title", "source", "published_at", "warc_record_id", "cluster", "family", "role"]
    );
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().any(|r| r[0] == "002_016c80076eb90be0" && r[8] == "canonical"));
    assert!(!out.join("articles.jsonl").exists(), "the JSONL table of the earlier run is removed");
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn min_cluster_size_filters_stories_not_articles() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = newsdedup(&[
        "run",
        seeds_dir().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
        "--min-cluster-size",
        "4",
    ]);
    assert!(o.status.success());
    assert_eq!(read_jsonl(&out.join("articles.jsonl")).len(), 5);
    assert!(read_jsonl(&out.join("clusters.jsonl")).is_empty(), "the only story has 3 articles");
    let too_small = newsdedup(&["run", "--min-cluster-size", "1", "--out", "-"]);
    assert_eq!(too_small.status.code(), Some(2));
}

/// Runs the binary with `stdin` (a file's bytes) on its standard input.
fn with_stdin(args: &[&str], stdin: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_newsdedup"))
        .args(args)
        .stdin(std::fs::File::open(stdin).unwrap())
        .output()
        .unwrap()
}

#[test]
fn piped_input_is_read_never_replaced_by_the_sample() {
    let examples = root().join("data/examples");
    // A feed piped in with no input argument; gzip is told by its magic bytes.
    for feed in ["feed.jsonl", "feed.jsonl.gz"] {
        let o = with_stdin(&["run", "--out", "-"], &examples.join(feed));
        assert!(o.status.success(), "{feed}: {}", String::from_utf8_lossy(&o.stderr));
        let ids: Vec<String> = String::from_utf8(o.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(ids, ["ex-1", "ex-2", "ex-3"], "{feed}");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(!stderr.contains("sample") && stderr.contains("reading articles from standard input"), "{stderr}");
    }
    // Another format on standard input, named.
    let o = with_stdin(
        &["run", "-", "--out", "-", "--input-format", "csv", "--columns", "id=guid,text=body"],
        &examples.join("feed.csv"),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8(o.stdout).unwrap().lines().count(), 3);
    // Nothing piped: an error that names standard input.
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "").unwrap();
    let o = with_stdin(&["run", "--out", "-"], &empty);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no readable articles in standard input"));
}

#[test]
fn a_run_on_the_sample_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let o = newsdedup(&["run", "--out", dir.path().join("out").to_str().unwrap()]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("running on the five sample articles"));
}

#[test]
fn a_json_array_file_is_read_as_articles() {
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("feed.json");
    let rows: Vec<serde_json::Value> = std::fs::read_to_string(root().join("data/examples/feed.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    std::fs::write(&feed, serde_json::to_string_pretty(&rows).unwrap()).unwrap();
    let o = newsdedup(&["run", feed.to_str().unwrap(), "--out", "-", "-q"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8(o.stdout).unwrap().lines().count(), 3);
    // The same file named as JSONL is read line by line, and its lines are not objects.
    let o = newsdedup(&["run", feed.to_str().unwrap(), "--out", "-", "-q", "--input-format", "jsonl"]);
    assert_eq!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn with_out_dash_the_other_files_go_where_named_and_stderr_says_what_was_not_written() {
    let broken = root().join("data/examples/feed-broken.jsonl");
    let o = newsdedup(&["run", broken.to_str().unwrap(), "--out", "-"]);
    assert!(o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("not written: clusters.jsonl (--clusters FILE), report.html (--report FILE), rejects.jsonl"),
        "{stderr}"
    );
    assert!(stderr.contains("listed above, not written to a file"), "{stderr}");
    let dir = tempfile::tempdir().unwrap();
    let (clusters, report, rejects) =
        (dir.path().join("c.jsonl"), dir.path().join("r.html"), dir.path().join("skipped.jsonl"));
    let o = newsdedup(&[
        "run",
        broken.to_str().unwrap(),
        "--out",
        "-",
        "--clusters",
        clusters.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
        "--rejects",
        rejects.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert!(!String::from_utf8_lossy(&o.stderr).contains("not written"));
    assert_eq!(read_jsonl(&rejects).len(), 2, "every skipped record");
    assert!(clusters.exists() && std::fs::read_to_string(&report).unwrap().contains("<html"));
}

#[test]
fn the_summary_is_short_counts_in_good_english_and_diagnostics_come_with_verbose() {
    let feed = root().join("data/examples/feed-broken.jsonl");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = newsdedup(&["run", feed.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let summary = String::from_utf8_lossy(&o.stdout);
    assert!(
        summary.starts_with("newsdedup: 1 article -> 1 story (0 with more than one article) of 1 family"),
        "{summary}"
    );
    assert!(!summary.contains("candidate") && !summary.contains("peak memory"), "{summary}");
    let o = newsdedup(&["run", feed.to_str().unwrap(), "--out", out.to_str().unwrap(), "-v"]);
    let verbose = String::from_utf8_lossy(&o.stdout);
    assert!(verbose.contains("0 candidate pairs") && verbose.contains("peak memory"), "{verbose}");
}

#[test]
fn strict_stops_at_the_first_bad_record_and_names_only_it() {
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("feed.jsonl");
    let good = r#"{"id":"a","text":"The harbour reached a record."}"#;
    let lines: Vec<String> = std::iter::once(good.to_string())
        .chain((0..5000).map(|i| format!(r#"{{"id":"b{i}","text":"Line {i} of the feed."}}"#)))
        .chain(["{broken".to_string(), r#"{"id":"late"}"#.to_string()])
        .collect();
    std::fs::write(&feed, lines.join("\n")).unwrap();
    let o = newsdedup(&["run", feed.to_str().unwrap(), "--strict", "--out", "-"]);
    assert_eq!(o.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains(":5002: malformed JSON"), "{stderr}");
    assert!(!stderr.contains("5003") && !stderr.contains("skipped"), "nothing after the first bad line: {stderr}");
}

#[test]
fn times_that_are_not_dates_are_warned_of_once_per_file() {
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("feed.jsonl");
    let rows: Vec<String> = (0..3)
        .map(|i| format!(r#"{{"id":"a{i}","text":"Story {i} of the harbour.","published_at":"last week"}}"#))
        .collect();
    std::fs::write(&feed, rows.join("\n")).unwrap();
    let o = newsdedup(&["run", feed.to_str().unwrap(), "--out", "-", "-q"]);
    assert!(o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(stderr.matches("warning").count(), 1, "{stderr}");
    assert!(stderr.contains("feed.jsonl:1: 3 publication times not read as a date"), "{stderr}");
}
