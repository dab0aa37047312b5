//! The stages run apart, as an engine runs them: files read from their
//! bytes, lines counted per partition and merged, articles analyzed in
//! partitions and their state moved through Arrow IPC, the rest run from
//! the analyses, or from signatures made in the partitions with the
//! batch's statistics summed over them. The output must be the one-process
//! run's, byte for byte.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use common::*;
use newsdedup::candidates::{CandidateStats, ProposedPair};
use newsdedup::clean::{BoilerplateModel, LineStats};
use newsdedup::exchange::{
    analyzed_from_batch, analyzed_to_batch, articles_from_batch, articles_to_batch, component_groups_from_batch,
    component_groups_to_batch, decided_from_batch, decided_to_batch, facts_table_from_batch, from_bytes, read_ipc,
    signatures_from_batch, signatures_to_batch, to_bytes, write_ipc,
};
use newsdedup::grouping::{components, group_components, ComponentMember};
use newsdedup::ingest::{read_file_bytes, read_inputs, read_jsonl_lines, IngestOptions};
use newsdedup::key_groups::{
    postings, proposals, shared_keys, verify_proposed, Candidates, KeyKind, NumberedPosting, Proposed, SharedKeys,
    Verdict, Verified,
};
use newsdedup::output::{article_records, write_jsonl};
use newsdedup::params::ValidParams;
use newsdedup::pipeline::{boilerplate_of, line_stats, Analysis, Analyzed, GroupedApart};
use newsdedup::signature::{BatchStats, Signature};
use newsdedup::story_groups::{decide, StoryRow};
use newsdedup::verify::PairSide;
use newsdedup::{Article, DocId, Pipeline, PipelineParams, RunResult};

fn pipeline() -> Pipeline {
    Pipeline::new(PipelineParams::default().check().unwrap())
}

fn jsonl(result: &RunResult) -> String {
    let mut out = Vec::new();
    write_jsonl(&mut out, &article_records(result)).unwrap();
    String::from_utf8(out).unwrap()
}

/// Through an Arrow IPC stream and back.
fn crossed(articles: &[Article]) -> Vec<Article> {
    let bytes = write_ipc(&articles_to_batch(articles).unwrap()).unwrap();
    read_ipc(&bytes).unwrap().iter().flat_map(|b| articles_from_batch(b).unwrap()).collect()
}

/// Where an engine hands over to the driver: after analysis, after
/// signing, with the candidate pairs it proposed by grouping keys, with
/// their verdicts, or with the verdicts and then the roles of the stories
/// the driver grouped.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Handover {
    Analyses,
    Signatures,
    Pairs,
    Edges,
    Roles,
}

/// The run an engine makes with `partitions` partitions.
fn run_apart(files: &[PathBuf], partitions: usize, handover: Handover) -> RunResult {
    let mut articles: Vec<Article> = files
        .iter()
        .flat_map(|f| {
            let read = read_file_bytes(&f.display().to_string(), std::fs::read(f).unwrap(), &Default::default());
            crossed(&read.unwrap().articles)
        })
        .collect();
    articles.sort_by(|a, b| a.id.cmp(&b.id));
    // Lines are counted in the partitions, which merge in any order.
    let parts: Vec<Vec<u8>> = (0..partitions)
        .rev()
        .map(|p| {
            let part: Vec<Article> = articles.iter().skip(p).step_by(partitions).cloned().collect();
            to_bytes(&line_stats(&part).unwrap()).unwrap()
        })
        .collect();
    let counts = parts.iter().map(|c| from_bytes::<LineStats>(c, "line counts").unwrap());
    let model: BoilerplateModel = from_bytes(&to_bytes(&boilerplate_of(counts)).unwrap(), "model").unwrap();
    // Partitions deal the articles out, each in reverse id order.
    let pipeline = pipeline();
    let mut parts = Vec::new();
    for p in 0..partitions {
        let part: Vec<Article> = articles.iter().skip(p).step_by(partitions).rev().cloned().collect();
        let analyzed: Vec<_> = part.iter().map(|a| pipeline.analyze(a, &model).unwrap()).collect();
        let batch = analyzed_to_batch(&part, &analyzed).unwrap();
        parts.push(analyzed_from_batch(&read_ipc(&write_ipc(&batch).unwrap()).unwrap()[0]).unwrap());
    }
    if handover == Handover::Analyses {
        let (kept, analyses): (Vec<Vec<Article>>, Vec<Vec<Analysis>>) = parts.into_iter().unzip();
        let analyses = analyses.into_iter().flatten().collect();
        return pipeline.run_from_analyses(kept.concat(), model, analyses).unwrap();
    }
    // Each partition counts its own articles; the driver sums the counts in
    // reverse partition order and hands the sum back to each.
    let counted: Vec<Vec<u8>> = parts
        .iter()
        .map(|(_, analyses)| {
            let mut stats = BatchStats::default();
            analyses.iter().for_each(|a| stats.add(&a.terms, &a.anchors, &a.analyzed.lang));
            to_bytes(&stats).unwrap()
        })
        .collect();
    let mut batch = BatchStats::default();
    counted.iter().rev().for_each(|c| batch.merge(from_bytes(c, "batch statistics").unwrap()));
    let batch: BatchStats = from_bytes(&to_bytes(&batch).unwrap(), "batch statistics").unwrap();
    let (mut kept, mut analyzed, mut signatures, mut sides) = (Vec::new(), Vec::new(), Vec::new(), HashMap::new());
    for (part, analyses) in parts {
        let stop_words = pipeline.stop_words(analyses.iter().map(|a| &*a.analyzed.lang));
        let signer = pipeline.signer(&batch, &stop_words);
        let signed: Vec<Signature> =
            analyses.iter().map(|a| signer.sign(&a.terms, &a.anchors, &a.analyzed.lang)).collect();
        for ((article, a), signature) in part.iter().zip(&analyses).zip(&signed) {
            let facts = a.analyzed.pair_facts(article.published_day());
            let side = signer.side(signature, &a.analyzed.lang, facts);
            sides.insert(article.id.clone(), from_bytes::<PairSide>(&to_bytes(&side).unwrap(), "side").unwrap());
        }
        let table = signatures_to_batch(part.iter().map(|a| a.id.as_str()).zip(&signed)).unwrap();
        signatures.extend(signatures_from_batch(&read_ipc(&write_ipc(&table).unwrap()).unwrap()[0]).unwrap());
        // The articles and their facts cross apart from the signatures, in reverse.
        let table = analyzed_to_batch(&part, &analyses).unwrap();
        let (read, facts) = facts_table_from_batch(&read_ipc(&write_ipc(&table).unwrap()).unwrap()[0]).unwrap();
        kept.extend(read.into_iter().rev());
        analyzed.extend(facts.into_iter().rev());
    }
    let proposed = propose(&kept, &analyzed, &signatures, pipeline.params());
    match handover {
        Handover::Pairs => {
            let candidates = Candidates::Proposed(proposed);
            pipeline.run_from_candidates(kept, model, analyzed, signatures, &batch, candidates).unwrap()
        }
        Handover::Edges => {
            let candidates = Candidates::Verified(verify_apart(proposed, &kept, sides, &pipeline));
            pipeline.run_from_candidates(kept, model, analyzed, signatures, &batch, candidates).unwrap()
        }
        Handover::Roles => {
            let verified = verify_apart(proposed, &kept, sides.clone(), &pipeline);
            let apart = grouped_apart(&kept, &analyzed, signatures, sides, verified, &pipeline);
            pipeline.finish_apart(kept, model, analyzed, &batch, apart).unwrap()
        }
        _ => pipeline.run_from_signatures(kept, model, analyzed, signatures, &batch).unwrap(),
    }
}

/// What an engine does with the proposed pairs when it verifies them too:
/// merges the repeats, and has 3 tasks each verify the pairs of some first
/// articles with the sides of the articles of their pairs.
fn verify_apart(
    proposed: Proposed,
    articles: &[Article],
    sides: HashMap<String, PairSide>,
    pipeline: &Pipeline,
) -> Verified {
    let mut ids: Vec<&str> = articles.iter().map(|a| a.id.as_str()).collect();
    ids.sort_unstable();
    let mut merged: BTreeMap<(u64, u64), (bool, u16)> = BTreeMap::new();
    for p in &proposed.pairs {
        let pair = merged.entry((p.a, p.b)).or_default();
        pair.0 |= p.by_terms;
        pair.1 = pair.1.max(p.wording_shared);
    }
    let side_of = |n: u64| sides[ids[((n - 7) / 1000) as usize]].clone();
    let mut verdicts = Vec::new();
    for task in 0..3 {
        let pairs: Vec<ProposedPair<u64>> = merged
            .iter()
            .filter(|((a, _), _)| a % 3 == task)
            .map(|(&(a, b), &(by_terms, wording_shared))| ProposedPair { a, b, by_terms, wording_shared })
            .collect();
        let mut numbers: Vec<u64> = pairs.iter().flat_map(|p| [p.a, p.b]).collect();
        numbers.sort_unstable();
        numbers.dedup();
        let task_sides = numbers.iter().rev().map(|&n| (n, side_of(n))).collect();
        verdicts.extend(verify_proposed(&pairs, task_sides, pipeline.params(), pipeline.pair_model()).unwrap());
    }
    Verified { numbers: proposed.numbers, verdicts, stats: proposed.stats }
}

/// What an engine does with the verdicts when it groups the batch and
/// decides the roles too: numbers the articles from 0 in id order, labels
/// the components of the verified graph (exact repeats linked to their
/// first copy), has 3 tasks each group some components, in reverse order,
/// and 3 decide the roles of some stories.
fn grouped_apart(
    articles: &[Article],
    analyzed: &[Analyzed],
    signatures: Vec<(String, Signature)>,
    sides: HashMap<String, PairSide>,
    verified: Verified,
    pipeline: &Pipeline,
) -> GroupedApart {
    let mut ids: Vec<&str> = articles.iter().map(|a| a.id.as_str()).collect();
    ids.sort_unstable();
    let place = |id: &str| ids.binary_search(&id).unwrap() as DocId;
    // `verify_apart` numbered the articles 1000 apart from 7.
    let verdicts: Vec<Verdict> =
        verified.verdicts.iter().map(|v| Verdict { a: (v.a - 7) / 1000, b: (v.b - 7) / 1000, ..*v }).collect();
    let mut first: HashMap<u64, DocId> = HashMap::new();
    for (article, a) in articles.iter().zip(analyzed).filter(|(_, a)| a.body.term_count > 0) {
        let kept = first.entry(a.body.hash).or_insert(place(&article.id));
        *kept = (*kept).min(place(&article.id));
    }
    let duplicate_of = |article: &Article, a: &Analyzed| {
        Some(first[&a.body.hash]).filter(|&f| a.body.term_count > 0 && f != place(&article.id))
    };
    let mut graph: Vec<(DocId, DocId)> = verdicts
        .iter()
        .filter(|v| v.edge.is_some() || v.link.is_some())
        .map(|v| (v.a as DocId, v.b as DocId))
        .collect();
    graph.extend(
        articles.iter().zip(analyzed).filter_map(|(article, a)| Some((duplicate_of(article, a)?, place(&article.id)))),
    );
    let labelled: HashMap<DocId, DocId> = components(&graph).into_iter().collect();
    let mut apart =
        GroupedApart { candidates: CandidateStats { pairs: verdicts.len(), ..verified.stats }, ..Default::default() };
    for task in 0..3 {
        let members: Vec<ComponentMember> = articles
            .iter()
            .zip(analyzed)
            .rev()
            .filter_map(|(article, a)| {
                let component = *labelled.get(&place(&article.id))?;
                (component % 3 == task).then(|| ComponentMember {
                    component,
                    doc: place(&article.id),
                    id: article.id.clone(),
                    lang: a.lang.to_string(),
                    term_count: a.body.term_count,
                    text_bytes: article.text.len(),
                    duplicate_of: duplicate_of(article, a),
                })
            })
            .collect();
        let theirs: Vec<Verdict> = verdicts
            .iter()
            .rev()
            .filter(|v| labelled.get(&(v.a as DocId)).is_some_and(|c| c % 3 == task))
            .copied()
            .collect();
        let grouped = group_components(members, theirs, pipeline.params()).unwrap();
        let table = component_groups_to_batch(&grouped).unwrap();
        let (grouped, counts) =
            component_groups_from_batch(&read_ipc(&write_ipc(&table).unwrap()).unwrap()[0]).unwrap();
        apart.members.extend(grouped);
        apart.counts.merge(counts);
    }
    let articles: HashMap<String, (Article, Analyzed)> =
        articles.iter().cloned().zip(analyzed.iter().cloned()).map(|(a, f)| (a.id.clone(), (a, f))).collect();
    let shingles: HashMap<String, Vec<u32>> = signatures.into_iter().map(|(id, s)| (id, s.shingles)).collect();
    // Each story's members to one of 3 tasks, in reverse order.
    for task in 0..3 {
        let rows: Vec<StoryRow> = apart
            .members
            .iter()
            .rev()
            .filter(|m| m.several && m.story % 3 == task)
            .map(|m| {
                let (article, facts) = articles[&m.id].clone();
                StoryRow {
                    story: m.story,
                    doc: m.doc,
                    family: m.family,
                    alone: m.alone.clone(),
                    article,
                    analyzed: facts,
                    vector: sides[&m.id].vector.clone(),
                    shingles: shingles[&m.id].clone(),
                }
            })
            .collect();
        let table = decided_to_batch(&decide(rows).unwrap()).unwrap();
        let part = decided_from_batch(&read_ipc(&write_ipc(&table).unwrap()).unwrap()[0]).unwrap();
        apart.decided.assignments.extend(part.assignments);
        apart.decided.credited.extend(part.credited);
    }
    apart
}

/// What an engine does with the signatures (`newsdedup::key_groups`):
/// numbers the articles in id order (not from 0, not one apart), leaves
/// exact duplicates out, counts the keys, moves each key's postings to one
/// of 3 tasks (`shared_keys`), then each article's rows to one of 2
/// (`proposals`). `articles[i]` and `analyzed[i]` go together; the
/// signatures come in any order.
fn propose(
    articles: &[Article],
    analyzed: &[Analyzed],
    signatures: &[(String, Signature)],
    params: &ValidParams,
) -> Proposed {
    let mut ids: Vec<&str> = articles.iter().map(|a| a.id.as_str()).collect();
    ids.sort_unstable();
    let number = |id: &str| 1000 * ids.binary_search(&id).unwrap() as u64 + 7;
    // An exact duplicate: a later article (by id) with the same body.
    let mut first: HashMap<u64, &str> = HashMap::new();
    for (article, a) in articles.iter().zip(analyzed).filter(|(_, a)| a.body.term_count > 0) {
        let kept = first.entry(a.body.hash).or_insert(&article.id);
        *kept = (*kept).min(&article.id);
    }
    let duplicate: HashSet<&str> = articles
        .iter()
        .zip(analyzed)
        .filter(|(article, a)| a.body.term_count > 0 && first[&a.body.hash] != article.id)
        .map(|(article, _)| article.id.as_str())
        .collect();
    let mut by_key: Vec<Vec<NumberedPosting>> = vec![Vec::new(); 3];
    let mut lists: HashMap<(KeyKind, u64), usize> = HashMap::new();
    for (id, signature) in signatures.iter().filter(|(id, _)| !duplicate.contains(id.as_str())) {
        for p in postings(signature, params.cross_language()) {
            *lists.entry((p.kind, p.key)).or_default() += 1;
            let posting = NumberedPosting { kind: p.kind, key: p.key, order: p.order, doc: number(id), keys: p.keys };
            by_key[(p.key % 3) as usize].push(posting);
        }
    }
    let stats = CandidateStats {
        keys: lists.len(),
        pruned_keys: lists.values().filter(|&&n| n > params.max_postings()).count(),
        pairs: 0,
    };
    let mut by_doc: Vec<Vec<SharedKeys>> = vec![Vec::new(); 2];
    for task in by_key {
        for row in shared_keys(task, params.max_postings()) {
            by_doc[(row.doc % 2) as usize].push(row);
        }
    }
    let pairs = by_doc.iter().rev().flat_map(|task| proposals(task, params)).collect();
    Proposed { numbers: ids.iter().map(|id| number(id)).collect(), pairs, stats }
}

fn assert_same_apart(files: &[PathBuf]) {
    let whole = pipeline().run(read_inputs(files, IngestOptions::default()).unwrap().articles).unwrap();
    let expected = jsonl(&whole);
    for handover in [Handover::Analyses, Handover::Signatures, Handover::Pairs, Handover::Edges, Handover::Roles] {
        for partitions in [1, 2, 7] {
            let apart = run_apart(files, partitions, handover);
            assert!(apart.articles.len() == whole.articles.len(), "{handover:?}, {partitions} partitions");
            assert!(jsonl(&apart) == expected, "{handover:?}, {partitions} partitions: output differs");
        }
    }
}

#[test]
fn seeds_run_apart_as_in_one_process() {
    assert_same_apart(&seed_files());
}

#[test]
fn labelled_sets_run_apart_as_in_one_process() {
    let Some(eval) = shared_eval() else { return skip("../shared/eval is not beside the repository") };
    for set in ["ecbplus", "ntrex-crosslingual"] {
        assert_same_apart(&[eval.join(set).join("articles.jsonl")]);
    }
}

#[test]
fn analyses_must_match_the_articles() {
    let articles = vec![Article::new("a", "one text"), Article::new("b", "another text")];
    let analysis = pipeline().analyze(&articles[0], &BoilerplateModel::default()).unwrap();
    let err = pipeline().run_from_analyses(articles, BoilerplateModel::default(), vec![analysis]).unwrap_err();
    assert!(err.to_string().contains("2 articles but 1 analyses"), "{err}");
}

#[test]
fn signatures_must_be_the_articles() {
    let pipeline = pipeline();
    let articles = vec![Article::new("a", "one text about a harbour"), Article::new("b", "another text")];
    let analyses: Vec<Analysis> =
        articles.iter().map(|a| pipeline.analyze(a, &BoilerplateModel::default()).unwrap()).collect();
    let mut batch = BatchStats::default();
    analyses.iter().for_each(|a| batch.add(&a.terms, &a.anchors, &a.analyzed.lang));
    let stop_words = pipeline.stop_words(analyses.iter().map(|a| &*a.analyzed.lang));
    let signer = pipeline.signer(&batch, &stop_words);
    let signed = |ids: [&str; 2]| -> Vec<(String, Signature)> {
        ids.iter()
            .zip(&analyses)
            .map(|(id, a)| (id.to_string(), signer.sign(&a.terms, &a.anchors, &a.analyzed.lang)))
            .collect()
    };
    let facts = || analyses.iter().map(|a| a.analyzed.clone()).collect::<Vec<_>>();
    let run = |signatures| {
        pipeline.run_from_signatures(articles.clone(), BoilerplateModel::default(), facts(), signatures, &batch)
    };
    let err = run(signed(["a", "c"])).unwrap_err().to_string();
    assert!(err.contains("article \"b\" meets the signature of \"c\""), "{err}");
    let err = run(signed(["a", "b"]).into_iter().take(1).collect()).unwrap_err().to_string();
    assert!(err.contains("2 articles, 2 analyses and 1 signatures"), "{err}");
}

#[test]
fn a_file_read_from_bytes_keeps_its_notices() {
    let path = Path::new("data/examples/feed-broken.jsonl");
    let read =
        read_file_bytes("feed-broken.jsonl", std::fs::read(root().join(path)).unwrap(), &Default::default()).unwrap();
    let from_file = read_inputs(&[root().join(path)], IngestOptions { dedupe_ids: true, ..Default::default() });
    let from_file = from_file.unwrap();
    assert!(!read.rejects.is_empty());
    let reasons = |r: &[newsdedup::ingest::Reject]| r.iter().map(|r| (r.line, r.reason.clone())).collect::<Vec<_>>();
    assert_eq!(reasons(&read.rejects), reasons(&from_file.rejects));
    // Handed over line by line, in two splits, as Spark's text source reads it.
    let bytes = std::fs::read(root().join(path)).unwrap();
    let lines: Vec<(&str, u64, &[u8])> =
        bytes.split(|&b| b == b'\n').enumerate().map(|(i, l)| ("feed-broken.jsonl", i as u64 + 1, l)).collect();
    let (first, second) = lines.split_at(2);
    let mut by_lines = read_jsonl_lines(first.iter().copied(), &Default::default()).unwrap();
    by_lines.append(read_jsonl_lines(second.iter().copied(), &Default::default()).unwrap());
    assert_eq!(reasons(&by_lines.rejects), reasons(&read.rejects));
    let ids = |a: &[Article]| a.iter().map(|a| (a.id.clone(), a.origin.line)).collect::<Vec<_>>();
    assert_eq!(ids(&by_lines.articles), ids(&read.articles));

    let err = read_file_bytes("feed.unknown", b"{}".to_vec(), &Default::default()).unwrap_err();
    assert!(err.to_string().contains("unknown file type"), "{err}");
}
