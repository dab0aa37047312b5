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

/// A test that cannot run here says why and returns; under CI (`CI=true`),
/// where `.ci/run` installs what the tests need, it fails instead, so that a
/// missing tool never shows as a pass.
pub fn skip(why: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true and this test cannot run: {why}");
    }
    eprintln!("skipped: {why}");
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

/// A run's answer for each article, by id.
pub struct Outcome {
    pub cluster: std::collections::HashMap<String, u32>,
    pub role: std::collections::HashMap<String, newsdedup::roles::Role>,
    pub kind: std::collections::HashMap<String, Option<newsdedup::roles::CopyKind>>,
    pub derived_from: std::collections::HashMap<String, Option<String>>,
    pub confidence: std::collections::HashMap<String, f32>,
    pub evidence: std::collections::HashMap<String, Vec<String>>,
}

/// Runs the default pipeline and collects its answer by article id.
pub fn run_default(articles: Vec<newsdedup::Article>) -> Outcome {
    let params = newsdedup::PipelineParams::default().check().unwrap();
    let result = newsdedup::Pipeline::new(params).run(articles).unwrap();
    let id = |d: u32| result.articles[d as usize].id.clone();
    let mut o = Outcome {
        cluster: Default::default(),
        role: Default::default(),
        kind: Default::default(),
        derived_from: Default::default(),
        confidence: Default::default(),
        evidence: Default::default(),
    };
    for (doc, a) in result.articles.iter().enumerate() {
        let r = &result.assignments[doc];
        o.cluster.insert(a.id.clone(), result.clustering.assignment[doc]);
        o.role.insert(a.id.clone(), r.role);
        o.kind.insert(a.id.clone(), r.kind);
        o.derived_from.insert(a.id.clone(), r.derived_from.map(id));
        o.confidence.insert(a.id.clone(), r.confidence);
        o.evidence.insert(a.id.clone(), r.evidence.clone());
    }
    o
}
