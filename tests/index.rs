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
    assert_eq!((stats["format_version"].as_u64(), stats["articles"].as_u64()), (Some(1), Some(0)));
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
