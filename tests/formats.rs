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

/// The first record batch of a Parquet file.
fn first_batch(path: &std::path::Path) -> arrow_array::RecordBatch {
    let file = std::fs::File::open(path).unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap();
    reader.into_iter().next().unwrap().unwrap()
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
            let batch = first_batch(&table);
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
    // A key that no record has is an error too.
    let o = newsdedup(&["run", feed.to_str().unwrap(), "--columns", "title=heading", "--out", "-"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("\"heading\", but no record has that key"));
    // A table without the named column is an error that says which.
    let o = newsdedup(&["run", &example("feed.csv"), "--columns", "id=guid,text=body,title=heading", "--out", "-"]);
    assert_eq!(o.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("\"heading\"") && stderr.contains("feed.csv"), "{stderr}");
}

#[test]
fn the_three_tables_hold_the_same_values_under_a_fixed_schema() {
    use arrow_array::{Array, Float32Array, StringArray, TimestampMicrosecondArray, UInt32Array};
    use arrow_schema::{DataType, TimeUnit};

    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("feed.jsonl");
    let mut rows: Vec<Value> = std::fs::read_to_string(example("feed.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    rows[0]["url"] = "https://www.example.com/a".into();
    rows[0]["published_at"] = "2025-08-10T09:00:00Z".into();
    rows[1]["source"] = "Coast Times".into();
    std::fs::write(&feed, rows.iter().map(|r| format!("{r}\n")).collect::<String>()).unwrap();
    let table = |format: &str| {
        let out = dir.path().join(format);
        let o = newsdedup(&["run", feed.to_str().unwrap(), "--out", out.to_str().unwrap(), "-q", "--format", format]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        out.join(format!("articles.{format}"))
    };
    let jsonl = read_jsonl(&table("jsonl"));
    // Every column as text, "" where absent, in JSONL's terms.
    let text = |v: &Value| match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(|i| i.as_str().unwrap()).collect::<Vec<_>>().join(" | "),
        other => other.to_string(),
    };
    let mut reader = csv::Reader::from_path(table("csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let csv_rows: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
    assert_eq!(csv_rows.len(), jsonl.len());
    for (row, json) in csv_rows.iter().zip(&jsonl) {
        for (name, value) in header.iter().zip(row) {
            let want = text(json.get(name).unwrap_or(&Value::Null));
            let same = match name.as_str() {
                // Floats: the same number, however each writer spells it.
                "similarity" | "confidence" => {
                    value.parse::<f64>().ok().map(|v| (v * 1e4).round())
                        == want.parse::<f64>().ok().map(|v| (v * 1e4).round())
                }
                _ => *value == want,
            };
            assert!(same, "{name}: CSV {value:?}, JSONL {want:?}");
        }
    }

    let batch = first_batch(&table("parquet"));
    let schema = batch.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, header, "Parquet and CSV have the same columns in the same order");
    for field in schema.fields() {
        let (want_type, nullable) = match field.name().as_str() {
            "id" | "role" | "lang" | "evidence" => (DataType::Utf8, false),
            "cluster" | "family" => (DataType::UInt32, false),
            "confidence" => (DataType::Float32, false),
            "similarity" => (DataType::Float32, true),
            "published_at" => (DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), true),
            _ => (DataType::Utf8, true),
        };
        assert_eq!((field.data_type(), field.is_nullable()), (&want_type, nullable), "{}", field.name());
    }
    for (r, json) in jsonl.iter().enumerate() {
        for (c, name) in names.iter().enumerate() {
            let column = batch.column(c);
            let got = if column.is_null(r) {
                String::new()
            } else if let Some(a) = column.as_any().downcast_ref::<StringArray>() {
                a.value(r).to_string()
            } else if let Some(a) = column.as_any().downcast_ref::<UInt32Array>() {
                a.value(r).to_string()
            } else if let Some(a) = column.as_any().downcast_ref::<Float32Array>() {
                format!("{:.4}", a.value(r))
            } else {
                let a = column.as_any().downcast_ref::<TimestampMicrosecondArray>().unwrap();
                chrono::DateTime::from_timestamp_micros(a.value(r))
                    .unwrap()
                    .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
            };
            let want = match (*name, json.get(*name)) {
                ("similarity" | "confidence", Some(v)) => format!("{:.4}", v.as_f64().unwrap()),
                (_, v) => text(v.unwrap_or(&Value::Null)),
            };
            assert_eq!(got, want, "row {r}, {name}");
        }
    }
}

#[test]
fn skipped_records_are_listed_from_every_input() {
    let dir = tempfile::tempdir().unwrap();
    // Standard input with a broken line.
    let feed = dir.path().join("stdin.jsonl");
    std::fs::write(&feed, "{\"id\":\"a\",\"text\":\"one story\"}\n{\"id\": 3.5e\n").unwrap();
    let out = dir.path().join("out");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_newsdedup"))
        .args(["run", "-", "--out", out.to_str().unwrap(), "-q"])
        .stdin(std::fs::File::open(&feed).unwrap())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rejects = read_jsonl(&out.join("rejects.jsonl"));
    assert_eq!(
        (rejects.len(), rejects[0]["path"].as_str(), rejects[0]["line"].as_u64()),
        (1, Some("<stdin>"), Some(2))
    );
    // A zstd file cut short keeps what was read and lists the rest.
    let lines: String = (0..20000)
        .map(|i| format!("{{\"id\":\"z{i:04}\",\"text\":\"Story number {i} about the harbour and its {i} ships.\"}}\n"))
        .collect();
    let packed = zstd::encode_all(lines.as_bytes(), 3).unwrap();
    let cut = dir.path().join("cut.jsonl.zst");
    std::fs::write(&cut, &packed[..packed.len() * 2 / 3]).unwrap();
    let (articles, rejects) = run(&[cut.to_str().unwrap()]);
    assert!(!articles.is_empty() && articles.len() < 20000, "{}", articles.len());
    assert_eq!(rejects.len(), 1, "{rejects:?}");
    assert!(rejects[0]["reason"].as_str().unwrap().contains("cannot read further"), "{rejects:?}");
    assert_eq!(rejects[0]["line"].as_u64(), Some(articles.len() as u64 + 1), "the first line not read");
}
