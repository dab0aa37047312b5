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

#[test]
fn metadata_flows_through_to_every_output_format() {
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("feed.jsonl");
    let text = "The harbour authority said on Monday that container traffic reached a record in the third quarter.";
    let rows = [
        serde_json::json!({"id": "a", "text": text, "title": "Harbour record", "url": "https://www.example.com/news/1",
            "published_at": "Sun, 10 Aug 2025 09:00:00 +0200"}),
        serde_json::json!({"id": "b", "text": text, "source": "Coast Times", "url": "https://news.example.org/x",
            "published_at": "2025-08-10"}),
        serde_json::json!({"id": "c", "text": "Council delays bridge vote until next month.", "published_at": "last Tuesday"}),
    ];
    std::fs::write(&feed, rows.iter().map(|r| format!("{r}\n")).collect::<String>()).unwrap();
    let (articles, _) = run(&[feed.to_str().unwrap()]);
    let by_id = |id: &str| articles.iter().find(|a| a["id"] == id).unwrap().clone();
    let a = by_id("a");
    assert_eq!(
        (&a["title"], &a["url"]),
        (&Value::from("Harbour record"), &Value::from("https://www.example.com/news/1"))
    );
    assert_eq!(a["source"], "example.com", "the URL's host stands for a missing outlet");
    assert_eq!(a["published_at"], "2025-08-10T09:00:00+02:00", "RSS dates become RFC 3339");
    let b = by_id("b");
    assert_eq!((&b["source"], &b["published_at"]), (&Value::from("Coast Times"), &Value::from("2025-08-10T00:00:00Z")));
    let c = by_id("c");
    assert_eq!(c["published_at"], "last Tuesday", "a date that does not parse is kept as given");
    assert!(c.get("url").is_none() && c.get("source").is_none() && c.get("title").is_none());

    for format in ["csv", "parquet"] {
        let out = dir.path().join(format);
        let o = newsdedup(&["run", feed.to_str().unwrap(), "--out", out.to_str().unwrap(), "-q", "--format", format]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let table = out.join(format!("articles.{format}"));
        let (header, first): (Vec<String>, Vec<String>) = if format == "csv" {
            let mut reader = csv::Reader::from_path(&table).unwrap();
            let header = reader.headers().unwrap().iter().map(str::to_owned).collect();
            let first = reader.records().next().unwrap().unwrap().iter().map(str::to_owned).collect();
            (header, first)
        } else {
            use arrow_array::{Array, StringArray, TimestampMicrosecondArray};
            let file = std::fs::File::open(&table).unwrap();
            let batch = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
                .unwrap()
                .build()
                .unwrap()
                .next()
                .unwrap()
                .unwrap();
            let schema = batch.schema();
            let header = schema.fields().iter().map(|f| f.name().clone()).collect();
            let strings = |c: usize| batch.column(c).as_any().downcast_ref::<StringArray>().unwrap().clone();
            let mut first: Vec<String> = (0..4)
                .map(|c| if strings(c).is_null(0) { String::new() } else { strings(c).value(0).to_string() })
                .collect();
            // A timestamp column, in UTC; null where the time did not parse.
            let times = batch.column(4).as_any().downcast_ref::<TimestampMicrosecondArray>().unwrap();
            assert_eq!(times.timezone(), Some("UTC"));
            let c = (0..batch.num_rows()).find(|&r| strings(0).value(r) == "c").unwrap();
            assert!(times.is_null(c), "a time that does not parse is null in Parquet");
            let time = chrono::DateTime::from_timestamp_micros(times.value(0)).unwrap();
            first.push(time.with_timezone(&chrono::FixedOffset::east_opt(2 * 3600).unwrap()).to_rfc3339());
            (header, first)
        };
        assert_eq!(header[..5], ["id", "url", "title", "source", "published_at"], "{format}");
        assert_eq!(
            first[..5],
            ["a", "https://www.example.com/news/1", "Harbour record", "example.com", "2025-08-10T09:00:00+02:00"],
            "{format}"
        );
    }
}

#[test]
fn aliases_and_columns_apply_to_jsonl_too() {
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("feed.jsonl");
    let text = "Container traffic at the harbour reached a record in the third quarter, the authority said.";
    let rows = [
        serde_json::json!({"guid": "a", "body": text, "headline": "Harbour record", "link": "https://example.com/a",
            "publisher": "Coast Times", "date": "2025-08-10"}),
        serde_json::json!({"guid": "b", "body": text, "headline": "Harbour record again"}),
    ];
    std::fs::write(&feed, rows.iter().map(|r| format!("{r}\n")).collect::<String>()).unwrap();
    let (articles, rejects) = run(&[feed.to_str().unwrap()]);
    assert_eq!((articles.len(), rejects.len()), (2, 0), "{rejects:?}");
    let a = articles.iter().find(|a| a["id"] == "a").unwrap();
    assert_eq!(a["title"], "Harbour record");
    assert_eq!(a["url"], "https://example.com/a");
    assert_eq!(a["source"], "Coast Times");
    assert_eq!(a["published_at"], "2025-08-10T00:00:00Z");
    // Named with --columns, a field is read from that name alone.
    let (articles, _) = run(&[feed.to_str().unwrap(), "--columns", "title=body"]);
    assert!(articles.iter().all(|a| a["title"].as_str().unwrap().starts_with("Container traffic")));
    // A table without the named column is an error that says which.
    let o = newsdedup(&["run", &example("feed.csv"), "--columns", "id=guid,text=body,title=heading", "--out", "-"]);
    assert_eq!(o.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("\"heading\"") && stderr.contains("feed.csv"), "{stderr}");
}
