//! Every input format, on the example files in data/examples, good and broken.

mod common;

use common::*;
use serde_json::Value;

fn run(args: &[&str]) -> (Vec<Value>, Vec<Value>) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out.to_str().unwrap(), "-q"]);
    let o = newsdedup(&all);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rejects = if out.join("rejects.jsonl").exists() { read_jsonl(&out.join("rejects.jsonl")) } else { Vec::new() };
    (read_jsonl(&out.join("articles.jsonl")), rejects)
}

fn example(name: &str) -> String {
    root().join("data/examples").join(name).to_str().unwrap().to_string()
}

const CSV_COLUMNS: &str = "id=guid,text=body,title=headline,published_at=published";

#[test]
fn csv_feed() {
    let (articles, rejects) = run(&[&example("feed.csv"), "--columns", CSV_COLUMNS]);
    assert_eq!((articles.len(), rejects.len()), (3, 0));
    let cluster = |id: &str| articles.iter().find(|a| a["id"] == id).unwrap()["cluster"].clone();
    assert_eq!(cluster("ex-1"), cluster("ex-2"));
    assert_ne!(cluster("ex-1"), cluster("ex-3"));
}

#[test]
fn broken_csv_feed() {
    let (articles, rejects) = run(&[&example("feed-broken.csv"), "--columns", CSV_COLUMNS]);
    assert_eq!((articles.len(), rejects.len()), (1, 2));
}

#[test]
fn gzipped_jsonl_feed_and_its_truncated_copy() {
    let (articles, rejects) = run(&[&example("feed.jsonl.gz")]);
    assert_eq!((articles.len(), rejects.len()), (3, 0));
    let (articles, rejects) = run(&[&example("feed-truncated.jsonl.gz")]);
    assert!(articles.len() < 3);
    assert_eq!(rejects.len(), 1);
    assert!(rejects[0]["reason"].as_str().unwrap().contains("cannot read further"));
}

#[test]
fn warc_crawl() {
    let (articles, rejects) = run(&[&example("crawl.warc")]);
    assert_eq!(articles.len(), 2, "{rejects:?}");
    assert_eq!(articles[0]["cluster"], articles[1]["cluster"], "the two pages tell one story");
    assert_eq!(rejects.len(), 1, "the PNG response is listed, the request record is not an article");
}

#[test]
fn broken_warc_crawl() {
    let (articles, rejects) = run(&[&example("crawl-broken.warc")]);
    assert_eq!(articles.len(), 1);
    assert_eq!(rejects.len(), 1);
    assert!(rejects[0]["reason"].as_str().unwrap().contains("malformed WARC record"));
}

#[test]
fn parquet_feed_and_a_broken_one() {
    let (articles, rejects) = run(&[&example("feed.parquet")]);
    assert_eq!((articles.len(), rejects.len()), (3, 0));
    let (articles, rejects) = run(&[&example("feed.parquet"), &example("feed-broken.parquet")]);
    assert_eq!((articles.len(), rejects.len()), (3, 1), "the broken file is listed, the good one still read");
    assert!(rejects[0]["path"].as_str().unwrap().ends_with("feed-broken.parquet"));
    let strict = newsdedup(&["run", &example("feed-broken.parquet"), "--out", "-", "-q", "--strict"]);
    assert_eq!(strict.status.code(), Some(3));
}

#[test]
fn parquet_table_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o =
        newsdedup(&["run", seeds_dir().to_str().unwrap(), "--out", out.to_str().unwrap(), "-q", "--format", "parquet"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let file = std::fs::File::open(out.join("articles.parquet")).unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap();
    let rows: usize = reader.map(|b| b.unwrap().num_rows()).sum();
    assert_eq!(rows, 5);
}

#[test]
fn jsonl_feed_and_a_broken_one() {
    let (articles, rejects) = run(&[&example("feed.jsonl")]);
    assert_eq!((articles.len(), rejects.len()), (3, 0));
    let (articles, rejects) = run(&[&example("feed-broken.jsonl")]);
    assert_eq!((articles.len(), rejects.len()), (1, 2));
    assert_eq!(rejects.iter().map(|r| r["line"].as_u64().unwrap()).collect::<Vec<_>>(), [2, 3]);
}

#[test]
fn a_directory_walk_takes_every_format_by_extension() {
    // feed.csv needs --columns, so walk a copy without it.
    let dir = tempfile::tempdir().unwrap();
    for name in ["feed.jsonl.gz", "feed.parquet", "crawl.warc"] {
        std::fs::copy(example(name), dir.path().join(name)).unwrap();
    }
    std::fs::write(dir.path().join("notes.md"), "not an article").unwrap();
    let o = newsdedup(&["run", dir.path().to_str().unwrap(), "--out", "-", "-q", "--dedupe-ids"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // 3 from JSONL, 3 from Parquet with the same ids (deduplicated), 2 from the WARC.
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 5);
}
