//! `--cross-lingual`: translations of one story join it, on anchors.

mod common;

use newsdedup::roles::{CopyKind, Role};
use newsdedup::{Article, Pipeline, PipelineParams};

fn articles() -> Vec<Article> {
    let mut out = vec![
        Article::new(
            "en",
            "Scottish Council of Independent Schools (SCIS) says 30,000 pupils sat exams in 2018.\n\
             John Edward said 95 schools took part and 1,127 teachers were trained in Edinburgh.",
        ),
        Article::new(
            "de",
            "Der Scottish Council of Independent Schools (SCIS) meldet 30.000 Schüler bei Prüfungen 2018.\n\
             John Edward sagte, 95 Schulen hätten teilgenommen und 1.127 Lehrer seien in Edinburgh geschult worden.",
        ),
        Article::new(
            "ru",
            "Совет независимых школ Шотландии (SCIS) сообщает, что в 2018 году экзамены сдавали 30 000 учеников.\n\
             По словам John Edward, участвовали 95 школ, а 1127 учителей прошли обучение в Edinburgh.",
        ),
        Article::new(
            "other",
            "The central bank left interest rates unchanged at 4.5% on Thursday, citing inflation of 3.1% in March.",
        ),
    ];
    for (a, lang) in out.iter_mut().zip(["en", "de", "ru", "en"]) {
        a.lang = Some(lang.into());
    }
    out
}

fn run(cross: bool) -> newsdedup::RunResult {
    let params = PipelineParams::new().cross_language(cross).check().unwrap();
    Pipeline::new(params).run(articles()).unwrap()
}

#[test]
fn translations_join_one_story_only_in_cross_lingual_mode() {
    let mono = run(false);
    assert_eq!(mono.clustering.multi_member().count(), 0, "without --cross-lingual, languages stay apart");
    let cross = run(true);
    let at = |id: &str| cross.articles.iter().position(|a| a.id == id).unwrap();
    let story = cross.clustering.assignment[at("en")];
    assert_eq!(cross.clustering.assignment[at("de")], story);
    assert_eq!(cross.clustering.assignment[at("ru")], story);
    assert_ne!(cross.clustering.assignment[at("other")], story);
    let copies: Vec<_> =
        ["en", "de", "ru"].iter().map(|id| &cross.assignments[at(id)]).filter(|a| a.role == Role::Syndicated).collect();
    assert_eq!(copies.len(), 2);
    assert!(copies.iter().all(|a| a.kind == Some(CopyKind::Translation)));
}

#[test]
fn binary_accepts_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let lines: Vec<String> = articles()
        .iter()
        .map(|a| serde_json::json!({"id": a.id, "text": a.text.read().unwrap().as_ref(), "lang": a.lang}).to_string())
        .collect();
    std::fs::write(&input, lines.join("\n")).unwrap();
    let o = common::newsdedup(&["run", input.to_str().unwrap(), "--out", "-", "-q", "--cross-lingual"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("\"kind\":\"translation\""));
}
