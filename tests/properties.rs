//! Property tests (proptest) over the parsers, the cleaner, the tokenizer and
//! the whole pipeline, with a bounded number of cases so they run in the
//! normal suite. They stand in for fuzzing: arbitrary input must never panic,
//! and the pipeline's invariants must hold on any corpus.

mod common;

use std::collections::HashMap;
use std::io::Write;

use newsdedup::clean::BoilerplateModel;
use newsdedup::ingest::{read_inputs, IngestOptions};
use newsdedup::roles::Role;
use newsdedup::tokenize::Analyzer;
use newsdedup::{Article, Pipeline, PipelineParams};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn cleaning_keeps_only_input_lines_in_order(text in "(\\PC{0,40}\\n){0,12}") {
        let cleaned = BoilerplateModel::default().clean(&text);
        let input: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        let mut at = 0;
        for line in cleaned.body.lines() {
            let found = input[at..].iter().position(|l| *l == line);
            prop_assert!(found.is_some(), "{line:?} is not an input line after position {at}");
            at += found.unwrap() + 1;
        }
        prop_assert_eq!(cleaned.kept_lines + cleaned.removed_lines, input.len() as u32);
    }

    #[test]
    fn plain_text_fast_path_agrees_with_the_tokenizers_path(
        text in "[a-zA-Z0-9 \t\n.,;:'\"!?()$%&*+/<=>@_|~\\-\u{2018}\u{2019}\u{201C}\u{201D}\u{2013}\u{2014}\u{2026}\u{AB}\u{BB}\u{A0}\u{1}\u{1f}\u{7f}]{0,300}"
    ) {
        let (fast, general) = both_paths(&text);
        prop_assert_eq!(fast, general);
    }

    #[test]
    fn any_ascii_fast_path_agrees_with_the_tokenizers_path(text in "[\\x00-\\x7f]{0,300}") {
        let (fast, general) = both_paths(&text);
        prop_assert_eq!(fast, general);
    }

    #[test]
    fn mixed_text_split_into_runs_agrees_with_the_tokenizers_path(
        words in prop::collection::vec(prop_oneof![
            "[a-zA-Z0-9.,'\u{2019}\u{A0}-]{1,8}",
            "[a-zA-Z\u{E9}\u{C9}\u{130}\u{131}\u{3A3}\u{3C3}\u{301}\u{307}\u{2009}\u{BD}\u{B4}\u{A8}\u{2122}\u{A3}\u{FF21}\u{4E00}-\u{4E05}\u{3042}\u{E01}\u{E31}\u{44F}.,]{1,8}",
            "\\PC{1,6}",
        ], 0..40),
        separators in prop::collection::vec("[ \t\n\r\x0c]{1,2}", 40),
    ) {
        let text: String = words.iter().zip(&separators).map(|(w, s)| format!("{w}{s}")).collect();
        let (chosen, general) = both_paths(&text);
        prop_assert_eq!(chosen, general);
    }

    #[test]
    fn tokenizer_accepts_any_text(text in "\\PC{0,200}") {
        let terms = Analyzer::new().terms(&text).unwrap();
        prop_assert!(terms.iter().all(|t| !t.is_empty() && !t.chars().any(char::is_whitespace)));
    }

    #[test]
    fn jsonl_reader_accounts_for_every_line(
        lines in prop::collection::vec(prop::collection::vec(any::<u8>().prop_filter("one line", |b| *b != b'\n'), 0..60), 0..8)
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fuzz.jsonl");
        let mut f = std::fs::File::create(&path).unwrap();
        for l in &lines {
            f.write_all(l).unwrap();
            f.write_all(b"\n").unwrap();
        }
        drop(f);
        // Every line is an article, a reject or blank (with deduplication, a
        // repeated id becomes a reject too).
        let options = IngestOptions { dedupe_ids: true, ..Default::default() };
        let got = read_inputs(&[path], options).unwrap();
        let blank = lines.iter().filter(|l| String::from_utf8_lossy(l).trim().is_empty()).count();
        prop_assert_eq!(got.articles.len() + got.rejects.len() + blank, lines.len());
    }
}

/// Random articles built from a small vocabulary, with some copies, so that
/// stories form.
/// The terms of `text` by the analyzer's own choice of path, and by the
/// general (`tokenizers`) path.
fn both_paths(text: &str) -> (Vec<String>, Vec<String>) {
    let analyzer = Analyzer::new();
    let mut chosen = Vec::new();
    analyzer.for_each_term(text, |t| chosen.push(t.to_owned())).unwrap();
    let mut general = Vec::new();
    analyzer.for_each_term_general(text, |t| general.push(t.to_owned())).unwrap();
    (chosen, general)
}

fn corpus() -> impl Strategy<Value = Vec<(String, String)>> {
    let words = prop::sample::select(vec![
        "harbour", "minister", "flights", "budget", "storm", "election", "court", "rates", "strike", "vaccine",
        "river", "bridge", "talks", "border", "market", "police", "school", "fire", "trade", "energy",
    ]);
    let text = prop::collection::vec(words, 20..60).prop_map(|w| w.join(" "));
    prop::collection::vec((text, 0usize..3), 2..14).prop_map(|docs| {
        let mut out: Vec<(String, String)> = Vec::new();
        for (i, (text, copies)) in docs.into_iter().enumerate() {
            out.push((format!("d{i:02}"), text.clone()));
            for c in 0..copies {
                // The first copy is an exact duplicate, the second has a word added.
                let copy = if c == 0 { text.clone() } else { format!("{text} extra{c}") };
                out.push((format!("d{i:02}c{c}"), copy));
            }
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn pipeline_invariants_hold(docs in corpus(), seed in any::<u64>()) {
        let articles: Vec<Article> = docs.iter().map(|(id, t)| Article::new(id.clone(), t.clone())).collect();
        let pipeline = Pipeline::new(PipelineParams::default().check().unwrap()).with_pair_records(true);
        let result = pipeline.run(articles.clone()).unwrap();
        // Every article exactly once.
        prop_assert_eq!(result.articles.len(), docs.len());
        // The pair records explain every story: its members are linked by family edges and story links.
        let index: HashMap<&str, usize> = result.articles.iter().enumerate().map(|(d, a)| (a.id.as_str(), d)).collect();
        let mut linked: Vec<usize> = (0..docs.len()).collect();
        fn root(linked: &[usize], mut d: usize) -> usize {
            while linked[d] != d {
                d = linked[d];
            }
            d
        }
        let records = result.pair_records(pipeline.params());
        for record in records.iter().filter(|r| r.family_edge || r.story_link) {
            let (a, b) = (root(&linked, index[record.a]), root(&linked, index[record.b]));
            linked[a] = b;
        }
        for (cluster, members) in result.clustering.multi_member() {
            let first = root(&linked, members[0] as usize);
            prop_assert!(members.iter().all(|&d| root(&linked, d as usize) == first), "story {} is not explained", cluster);
        }
        // Every family lies inside one story, and is explained by family edges alone.
        let mut in_family: Vec<usize> = (0..docs.len()).collect();
        for record in records.iter().filter(|r| r.family_edge) {
            let (a, b) = (root(&in_family, index[record.a]), root(&in_family, index[record.b]));
            in_family[a] = b;
        }
        for (family, members) in result.families.multi_member() {
            let story = result.clustering.assignment[members[0] as usize];
            prop_assert!(members.iter().all(|&d| result.clustering.assignment[d as usize] == story), "family {} spans stories", family);
            let first = root(&in_family, members[0] as usize);
            prop_assert!(members.iter().all(|&d| root(&in_family, d as usize) == first), "family {} is not explained", family);
        }
        // One canonical per multi-member story; derived_from stays inside the family and leads to its original.
        for (cluster, members) in result.clustering.multi_member() {
            let canon: Vec<_> = members.iter().filter(|&&d| result.assignments[d as usize].role == Role::Canonical).collect();
            prop_assert_eq!(canon.len(), 1, "cluster {}", cluster);
            for &d in members {
                let mut at = d;
                for _ in 0..members.len() {
                    match result.assignments[at as usize].derived_from {
                        Some(p) => {
                            prop_assert_eq!(result.families.assignment[p as usize], result.families.assignment[d as usize]);
                            at = p;
                        }
                        None => break,
                    }
                }
                let root = &result.assignments[at as usize];
                prop_assert!(root.role == Role::Canonical || root.role == Role::Independent);
            }
        }
        let linked: std::collections::HashSet<usize> =
            result.links.iter().flat_map(|l| [l.a as usize, l.b as usize]).collect();
        for (doc, a) in result.assignments.iter().enumerate() {
            let alone = result.clustering.clusters[result.clustering.assignment[doc] as usize].len() == 1;
            prop_assert_eq!(alone, a.role == Role::Unique);
            // An article linked to another never claims that nobody else tells its story.
            let claims_alone = a.evidence.iter().any(|e| e == "no other article tells this story");
            prop_assert!(!(linked.contains(&doc) && claims_alone), "{:?}", a.evidence);
        }
        // Input order does not matter.
        let mut shuffled = articles;
        let n = shuffled.len();
        for i in (1..n).rev() {
            let j = (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64) % (i as u64 + 1)) as usize;
            shuffled.swap(i, j);
        }
        let again = pipeline.run(shuffled).unwrap();
        let by_id = |r: &newsdedup::RunResult| -> HashMap<String, (u32, Role)> {
            r.articles.iter().enumerate().map(|(d, a)| (a.id.clone(), (r.clustering.assignment[d], r.assignments[d].role))).collect()
        };
        prop_assert_eq!(by_id(&result), by_id(&again));
    }
}
