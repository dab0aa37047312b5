//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `data/seeds`.
pub fn seeds_dir() -> PathBuf {
    root().join("data/seeds")
}

/// `../shared/eval`, if present beside the repository.
pub fn shared_eval() -> Option<PathBuf> {
    let p = root().join("../shared/eval");
    p.is_dir().then_some(p)
}

/// Runs the newsdedup binary with `args`.
pub fn newsdedup(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_newsdedup")).args(args).output().expect("binary runs")
}

/// Reads a JSONL file into values.
pub fn read_jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| serde_json::from_str(l).expect("valid JSON line"))
        .collect()
}

/// The seed article files (`*.txt`), sorted.
pub fn seed_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(seeds_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
}
