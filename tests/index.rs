//! `newsdedup index`: the persistent story index's command line.

use std::process::Command;

fn newsdedup(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_newsdedup")).args(args).output().unwrap()
}

#[test]
fn an_index_is_made_once_and_its_stats_read() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("stories");
    let index = index.to_str().unwrap();
    let made = newsdedup(&["index", "create", index]);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let stats = newsdedup(&["index", "stats", "--index", index]);
    assert!(stats.status.success(), "{}", String::from_utf8_lossy(&stats.stderr));
    let stats: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!((stats["format_version"].as_u64(), stats["articles"].as_u64()), (Some(2), Some(0)));
    let again = newsdedup(&["index", "create", index]);
    assert_eq!(again.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&again.stderr).contains("an index is already there"));
}

#[test]
fn a_directory_without_an_index_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let stats = newsdedup(&["index", "stats", "--index", dir.path().to_str().unwrap()]);
    assert_eq!(stats.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&stats.stderr).contains("no index here"),
        "{}",
        String::from_utf8_lossy(&stats.stderr)
    );
}

/// Set in the child process of the kill test: the index it writes to.
const CHILD: &str = "NEWSDEDUP_INDEX_WRITER_CHILD";

#[test]
fn a_writer_killed_mid_change_leaves_the_last_commit_readable() {
    use newsdedup::index::Store;
    use std::io::{BufRead, BufReader};

    if let Ok(dir) = std::env::var(CHILD) {
        // The child: one committed batch is there; it writes batches into
        // one transaction until it is killed, never committing.
        let mut store = Store::open(std::path::Path::new(&dir), None).unwrap();
        let writer = store.writer().unwrap();
        for i in 0.. {
            writer.new_batch(i, 1_000, b"").unwrap();
            if i == 1_000 {
                println!("writing");
            }
        }
        unreachable!();
    }
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::create(dir.path(), "p", "{}").unwrap();
    let writer = store.writer().unwrap();
    writer.new_batch(0, 5, b"").unwrap();
    writer.commit().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["a_writer_killed_mid_change_leaves_the_last_commit_readable", "--exact", "--nocapture"])
        .env(CHILD, dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(lines.map_while(Result::ok).any(|l| l == "writing"), "the child never got to write");
    // While the child writes, a reader sees the last commit, and no writer gets in.
    assert_eq!(store.stats().unwrap().batches, 1);
    assert!(store.writer().is_err());
    child.kill().unwrap();
    child.wait().unwrap();
    drop(store);
    let store = Store::open(dir.path(), None).unwrap();
    store.check().unwrap();
    assert_eq!(store.stats().unwrap().batches, 1, "nothing of the killed change is kept");
    let mut store = store;
    store.writer().unwrap().commit().unwrap();
}
