//! The acceptance test of the v1 pipeline: the five seed articles.
//!
//! 000, 001 and 002 tell one story (the Telegraph report on flights from
//! Libya to Minsk); 003 and 004 are the same topic but other stories. The
//! answers must come from the text, so the tests also re-id the files and
//! shuffle the input.

mod common;

use common::*;
use newsdedup::ingest::{read_inputs, IngestOptions};
use newsdedup::roles::{CopyKind, Role};
use newsdedup::Article;

const TELEGRAPH: &str = "002_016c80076eb90be0";
const KYIV_INDEPENDENT: &str = "001_d7953fad1e213ce3";
const MACHINE_REWRITE: &str = "000_5f97ec60a494b16d";
const POLITICO: &str = "003_1ce87198c77fd6fd";
const ANALYSIS_2021: &str = "004_afea1828c0acbd92";

fn run(articles: Vec<Article>) -> Outcome {
    run_default(articles)
}

fn seed_articles() -> Vec<Article> {
    read_inputs(&[seeds_dir()], IngestOptions { strict: true, ..Default::default() }).unwrap().articles
}

#[test]
fn telegraph_story_is_one_cluster_and_same_topic_articles_stay_apart() {
    let o = run(seed_articles());
    assert_eq!(o.cluster.len(), 5, "labels.jsonl must not be read as articles");
    assert_eq!(o.cluster[TELEGRAPH], o.cluster[KYIV_INDEPENDENT]);
    assert_eq!(o.cluster[TELEGRAPH], o.cluster[MACHINE_REWRITE]);
    for other in [POLITICO, ANALYSIS_2021] {
        assert_ne!(o.cluster[other], o.cluster[TELEGRAPH], "{other} is another story");
        assert_eq!(o.role[other], Role::Unique, "{other}");
    }
    assert_ne!(o.cluster[POLITICO], o.cluster[ANALYSIS_2021]);
}

#[test]
fn telegraph_is_canonical_and_the_others_are_rewrites_of_it() {
    let o = run(seed_articles());
    assert_eq!(o.role[TELEGRAPH], Role::Canonical);
    for copy in [KYIV_INDEPENDENT, MACHINE_REWRITE] {
        assert_eq!(o.role[copy], Role::Syndicated, "{copy}");
        assert_eq!(o.kind[copy], Some(CopyKind::Rewrite), "{copy}");
    }
    assert_eq!(o.derived_from[KYIV_INDEPENDENT].as_deref(), Some(TELEGRAPH));
    let src = o.derived_from[MACHINE_REWRITE].as_deref();
    assert!(src == Some(TELEGRAPH) || src == Some(KYIV_INDEPENDENT), "000 derives from 002 or 001, got {src:?}");
}

#[test]
fn new_ids_give_the_same_answer() {
    // Ids that sort in the reverse order and say nothing about the files.
    let renamed: Vec<Article> = seed_articles()
        .into_iter()
        .map(|mut a| {
            a.id = format!("zz-{}", 9 - a.id.as_bytes()[2] as u32 % 10);
            a
        })
        .collect();
    let map = |old: &str| format!("zz-{}", 9 - old.as_bytes()[2] as u32 % 10);
    let o = run(renamed);
    assert_eq!(o.role[&map(TELEGRAPH)], Role::Canonical);
    assert_eq!(o.cluster[&map(TELEGRAPH)], o.cluster[&map(KYIV_INDEPENDENT)]);
    assert_eq!(o.cluster[&map(TELEGRAPH)], o.cluster[&map(MACHINE_REWRITE)]);
    assert_eq!(o.role[&map(POLITICO)], Role::Unique);
    assert_eq!(o.role[&map(ANALYSIS_2021)], Role::Unique);
    assert_eq!(o.derived_from[&map(KYIV_INDEPENDENT)], Some(map(TELEGRAPH)));
}

#[test]
fn renamed_files_on_disk_give_the_same_answer() {
    let dir = tempfile::tempdir().unwrap();
    for (i, f) in seed_files().iter().enumerate() {
        let name = format!("article-{}.txt", ["q", "c", "x", "a", "m"][i]);
        std::fs::copy(f, dir.path().join(name)).unwrap();
    }
    let articles = read_inputs(&[dir.path().to_path_buf()], IngestOptions::default()).unwrap().articles;
    let o = run(articles);
    // seed order 000..004 became q, c, x, a, m
    assert_eq!(o.role["article-x"], Role::Canonical);
    assert_eq!(o.cluster["article-x"], o.cluster["article-c"]);
    assert_eq!(o.cluster["article-x"], o.cluster["article-q"]);
    assert_eq!(o.role["article-a"], Role::Unique);
    assert_eq!(o.role["article-m"], Role::Unique);
}

#[test]
fn shuffled_jsonl_input_gives_byte_identical_output() {
    let dir = tempfile::tempdir().unwrap();
    let articles = seed_articles();
    let write = |name: &str, order: &[usize]| {
        let lines: Vec<String> = order
            .iter()
            .map(|&i| {
                serde_json::json!({"id": articles[i].id, "text": articles[i].text.read().unwrap().as_ref()}).to_string()
            })
            .collect();
        let p = dir.path().join(name);
        std::fs::write(&p, lines.join("\n") + "\n").unwrap();
        p
    };
    let a = write("a.jsonl", &[0, 1, 2, 3, 4]);
    let b = write("b.jsonl", &[3, 0, 4, 2, 1]);
    let (out_a, out_b) = (dir.path().join("out-a"), dir.path().join("out-b"));
    for (input, out) in [(&a, &out_a), (&b, &out_b)] {
        let o = newsdedup(&["run", input.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    for file in ["articles.jsonl", "clusters.jsonl"] {
        let (x, y) = (std::fs::read(out_a.join(file)).unwrap(), std::fs::read(out_b.join(file)).unwrap());
        assert!(!x.is_empty());
        assert_eq!(x, y, "{file} differs with input order");
    }
}

/// Runs `input` on one thread and on two, and asserts that every output
/// file (articles.jsonl and clusters.jsonl among them) is the same bytes.
fn assert_threads_agree(input: &std::path::Path) {
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(threads);
        let o =
            newsdedup(&["run", input.to_str().unwrap(), "--out", out.to_str().unwrap(), "-q", "--threads", threads]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
            .collect();
        files.sort();
        outputs.push(files);
    }
    let names: Vec<&str> = outputs[0].iter().map(|(name, _)| name.as_str()).collect();
    assert!(names.contains(&"articles.jsonl") && names.contains(&"clusters.jsonl"), "{names:?}");
    assert_eq!(names, outputs[1].iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>());
    for ((name, one), (_, two)) in outputs[0].iter().zip(&outputs[1]) {
        assert!(!one.is_empty(), "{name} is empty");
        assert!(one == two, "{name} differs between one thread and two");
    }
}

#[test]
fn one_thread_and_two_threads_agree() {
    assert_threads_agree(&seeds_dir());
}

/// Determinism past one parallel piece (2,048 articles): every labelled
/// set of ../shared/eval in one input (ids made unique by their set), about
/// 10,000 articles in many languages, run on one thread and on two; every
/// output file must be the same bytes.
#[test]
fn threads_agree_on_every_output_file_over_several_pieces() {
    let Some(eval) = shared_eval() else { return skip("../shared/eval is not beside the repository") };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("all.jsonl");
    let mut lines = String::new();
    let mut sets = vec![eval.clone()];
    let mut count = 0;
    while let Some(path) = sets.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for entry in entries {
            if entry.is_dir() {
                sets.push(entry);
            } else if entry.file_name().is_some_and(|n| n == "articles.jsonl") {
                let set = entry.parent().unwrap().strip_prefix(&eval).unwrap().display().to_string();
                for mut record in read_jsonl(&entry) {
                    let id = format!("{set}/{}", record["id"].as_str().unwrap());
                    record["id"] = id.into();
                    lines.push_str(&record.to_string());
                    lines.push('\n');
                    count += 1;
                }
            }
        }
    }
    assert!(count > 4 * 2048, "only {count} articles");
    std::fs::write(&input, lines).unwrap();
    assert_threads_agree(&input);
}

#[test]
fn stage_hook_hears_each_stage_once_as_it_ends() {
    use newsdedup::pipeline::StageHook;
    use newsdedup::{Pipeline, PipelineParams};
    use std::sync::{Arc, Mutex};
    let heard = Arc::new(Mutex::new(Vec::<String>::new()));
    let hook = StageHook::new({
        let heard = Arc::clone(&heard);
        move |stage: &str| heard.lock().unwrap().push(stage.to_string())
    });
    let pipeline = Pipeline::new(PipelineParams::new().check().unwrap()).with_stage_hook(hook);
    let result = pipeline.run(seed_articles()).unwrap();
    let timed: Vec<String> = result.stats.seconds.iter().map(|(stage, _)| stage.clone()).collect();
    assert_eq!(*heard.lock().unwrap(), timed);
    assert_eq!(timed, ["boilerplate", "analyze", "vectorize", "candidates", "verify", "cluster", "roles"]);
}
