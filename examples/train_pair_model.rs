//! Fits the pair model (`models/pair_model.json`) on the labelled sets in
//! `../shared/eval` and the seeds, and reports its figures on the split it
//! did not see.
//!
//! ```text
//! cargo run --release --example train_pair_model            # writes models/pair_model.json
//! cargo run --release --example train_pair_model -- --check # fits and reports, writes nothing
//! ```
//!
//! Every candidate pair the pipeline judges is a sample, with the
//! features of [`PairFeatures`]. Its targets come from the labels, at the
//! level each set labels (`../shared/eval/README.md`):
//!
//! - ECB+ labels stories: a pair in one story is the same event; a pair of
//!   two stories is neither the same event nor derived. Whether one ECB+
//!   report was made from another is not labelled, so such a pair teaches
//!   only P(same event).
//! - The NTREX sets label families: a pair in one family is derived and the
//!   same event; a pair of two families is not derived, and teaches nothing
//!   of events (two NTREX documents may report one event).
//! - The seeds label both: 000, 001 and 002 are one family; 003 and 004 are
//!   apart at both levels.
//!
//! The split is by story unit, never by pair: an ECB+ topic (both of its
//! events on one side), an NTREX document (in every language and rendering
//! on one side). 70% of the units train, 30% test; a pair across the two is
//! dropped. Both models are `linfa-logistic` regressions; the figures on
//! the held-out units come first, then in-sample.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};
use newsdedup::eval::{score, Label, Prediction};
use newsdedup::ingest::{read_inputs, IngestOptions};
use newsdedup::output::article_records;
use newsdedup::pair_model::{Logistic, PairModel, Provenance, FORMAT_VERSION, INPUT_NAMES, WORDING_INPUTS};
use newsdedup::params::PipelineParams;
use newsdedup::pipeline::Pipeline;
use newsdedup::Article;
use serde_json::{json, Value};

/// Share of story units that train (the rest are held out).
const TRAIN_SHARE: u64 = 70;
/// L2 penalty of both regressions.
const ALPHA: f64 = 0.01;

/// Which level a set's labels mean.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Level {
    Story,
    Family,
    /// Both (the seeds: their families are their stories).
    Both,
}

/// One labelled set.
struct Task {
    name: String,
    articles: PathBuf,
    labels: PathBuf,
    level: Level,
}

/// One labelled article: its group at the set's level and its split unit.
struct Labelled {
    group: String,
    unit: String,
}

/// One judged pair with what the labels say of it.
struct Sample {
    inputs: [f64; INPUT_NAMES.len()],
    derived: Option<bool>,
    same_event: Option<bool>,
    train: bool,
}

fn main() -> anyhow::Result<()> {
    let check_only = std::env::args().any(|a| a == "--check");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let eval_dir = root.join("../shared/eval");
    if !eval_dir.is_dir() {
        bail!("{} is missing: the labelled sets are read from there", eval_dir.display());
    }
    let tasks = tasks(&eval_dir, root)?;
    let params = PipelineParams::new().check()?;

    let mut samples = Vec::new();
    let mut labelled_sets = Vec::new();
    for task in &tasks {
        let labels = read_labels(task)?;
        let articles = read_inputs(std::slice::from_ref(&task.articles), IngestOptions::default())
            .with_context(|| format!("cannot read {}", task.articles.display()))?
            .articles;
        let result = Pipeline::new(params.clone()).with_pair_records(true).run(articles.clone())?;
        let mut count = 0;
        for record in result.pair_records(&params).into_iter().filter(|r| r.judged && !r.exact_duplicate) {
            let (Some(x), Some(y)) = (labels.get(record.a), labels.get(record.b)) else { continue };
            let (x_train, y_train) = (is_train(&x.unit, task), is_train(&y.unit, task));
            if x_train != y_train {
                continue;
            }
            let together = x.group == y.group;
            let (derived, same_event) = match task.level {
                Level::Story => ((!together).then_some(false), Some(together)),
                Level::Family => (Some(together), together.then_some(true)),
                Level::Both => (Some(together), Some(together)),
            };
            samples.push(Sample { inputs: record.features.inputs(), derived, same_event, train: x_train });
            count += 1;
        }
        eprintln!("{}: {} articles, {count} judged pairs", task.name, articles.len());
        labelled_sets.push((articles, labels));
    }

    let derived = fit(&samples, |s| s.derived, &[])?;
    let same_event = fit(&samples, |s| s.same_event, &WORDING_INPUTS)?;
    let mut figures = BTreeMap::new();
    for (name, model, target) in [
        ("derived", &derived, (|s: &Sample| s.derived) as fn(&Sample) -> Option<bool>),
        ("same_event", &same_event, |s: &Sample| s.same_event),
    ] {
        let held_out = pair_figures(&samples, model, target, false);
        let in_sample = pair_figures(&samples, model, target, true);
        eprintln!("P({name}) pairs: held out {held_out}\n    in sample {in_sample}");
        figures.insert(format!("pairs_{name}"), json!({ "held_out": held_out, "in_sample": in_sample }));
    }

    let model = PairModel {
        version: FORMAT_VERSION,
        inputs: INPUT_NAMES.iter().map(|s| s.to_string()).collect(),
        derived,
        same_event,
        provenance: Provenance {
            command: "cargo run --release --example train_pair_model".into(),
            data: format!(
                "../shared/eval (ecbplus: story labels; ntrex-rewrites and ntrex-syndication/*: family labels) and \
                 ../shared/seeds; split by story unit (ECB+ topic, NTREX document), {TRAIN_SHARE}% train by xxh3 of the unit; \
                 linfa-logistic, L2 alpha {ALPHA}"
            ),
            figures: Value::Null,
        },
    };
    // End to end, at each set's level, on the held-out units and in sample.
    for (task, (articles, labels)) in tasks.iter().zip(&labelled_sets) {
        for held_out in [true, false] {
            let part: Vec<Article> = articles
                .iter()
                .filter(|a| labels.get(&a.id).is_some_and(|l| is_train(&l.unit, task) != held_out))
                .cloned()
                .collect();
            if part.len() < 2 {
                continue;
            }
            let result = Pipeline::new(params.clone()).with_pair_model(model.clone()).run(part)?;
            let mut row = serde_json::Map::new();
            for (level, story) in [("story", true), ("family", false)] {
                if (task.level == Level::Story && !story) || (task.level == Level::Family && story) {
                    continue;
                }
                let predictions: Vec<Prediction> = article_records(&result)
                    .iter()
                    .map(|r| Prediction {
                        id: r.id.to_string(),
                        cluster: if story { r.cluster } else { r.family }.to_string(),
                        role: None,
                        kind: None,
                        canonical: None,
                        derived_from: None,
                    })
                    .collect();
                let truth: Vec<Label> = predictions
                    .iter()
                    .map(|p| Label {
                        id: p.id.clone(),
                        group: labels[&p.id].group.clone(),
                        role: None,
                        kind: None,
                        derived_from: None,
                        derived_from_also_ok: Vec::new(),
                    })
                    .collect();
                let report = score(&truth, &predictions)?;
                let c = &report.clusters;
                row.insert(
                    level.into(),
                    json!({
                        "bcubed_f1": round4(c.bcubed_f1),
                        "bcubed_precision": round4(c.bcubed_precision),
                        "bcubed_recall": round4(c.bcubed_recall),
                        "pairwise_precision": round4(c.pairwise_precision),
                        "articles": c.n,
                    }),
                );
            }
            let split = if held_out { "held_out" } else { "in_sample" };
            eprintln!("{} {split}: {}", task.name, Value::Object(row.clone()));
            figures.entry(task.name.clone()).or_insert_with(|| json!({}))[split] = Value::Object(row);
        }
    }
    let mut model = model;
    model.provenance.figures = serde_json::to_value(&figures)?;
    if check_only {
        eprintln!("--check: models/pair_model.json left as it is");
        return Ok(());
    }
    let path = root.join("models/pair_model.json");
    std::fs::write(&path, serde_json::to_string_pretty(&model)? + "\n")
        .with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

/// The labelled sets: ECB+, ntrex-rewrites, every ntrex-syndication
/// language, and the seeds.
fn tasks(eval_dir: &Path, root: &Path) -> anyhow::Result<Vec<Task>> {
    let task = |name: &str, level| Task {
        name: name.to_string(),
        articles: eval_dir.join(name).join("articles.jsonl"),
        labels: eval_dir.join(name).join("labels.jsonl"),
        level,
    };
    let mut tasks = vec![task("ecbplus", Level::Story), task("ntrex-rewrites", Level::Family)];
    let mut languages: Vec<String> = std::fs::read_dir(eval_dir.join("ntrex-syndication"))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    languages.sort();
    tasks.extend(languages.iter().map(|l| task(&format!("ntrex-syndication/{l}"), Level::Family)));
    let seeds = root.join("../shared/seeds");
    tasks.push(Task {
        name: "seeds".into(),
        articles: seeds.clone(),
        labels: seeds.join("gold.json"),
        level: Level::Both,
    });
    Ok(tasks)
}

/// Each article's group and split unit, by id.
fn read_labels(task: &Task) -> anyhow::Result<BTreeMap<String, Labelled>> {
    let text =
        std::fs::read_to_string(&task.labels).with_context(|| format!("cannot read {}", task.labels.display()))?;
    let rows: Vec<Value> = if task.level == Level::Both {
        let gold: Value = serde_json::from_str(&text)?;
        gold["articles"].as_array().cloned().unwrap_or_default()
    } else {
        text.lines().map(serde_json::from_str).collect::<Result<_, _>>()?
    };
    let field = |row: &Value, key: &str| row.get(key).and_then(Value::as_str).map(str::to_owned);
    rows.iter()
        .map(|row| {
            let id = field(row, "id").context("a label without id")?;
            let group = field(row, "story").context("a label without story")?;
            // ECB+: both events of a topic on one side; NTREX: a document in
            // every language and rendering on one side.
            let unit = field(row, "topic")
                .or_else(|| field(row, "doc"))
                .unwrap_or_else(|| group.rsplit(':').next().unwrap_or(&group).to_string());
            Ok((id, Labelled { group, unit }))
        })
        .collect()
}

/// Does this unit train? The seeds always do: they are five articles.
fn is_train(unit: &str, task: &Task) -> bool {
    task.level == Level::Both || xxhash_rust::xxh3::xxh3_64(unit.as_bytes()) % 100 < TRAIN_SHARE
}

/// Fits one regression on the training samples that have a target, on
/// every input but those named in `without` (their weights are 0).
fn fit(samples: &[Sample], target: impl Fn(&Sample) -> Option<bool>, without: &[&str]) -> anyhow::Result<Logistic> {
    let rows: Vec<(&Sample, bool)> = samples.iter().filter(|s| s.train).filter_map(|s| Some((s, target(s)?))).collect();
    let columns: Vec<usize> = (0..INPUT_NAMES.len()).filter(|&j| !without.contains(&INPUT_NAMES[j])).collect();
    let x = Array2::from_shape_fn((rows.len(), columns.len()), |(i, j)| rows[i].0.inputs[columns[j]]);
    let y: Array1<&str> = rows.iter().map(|&(_, t)| if t { "yes" } else { "no" }).collect();
    let fitted = LogisticRegression::default().alpha(ALPHA).max_iterations(500).fit(&Dataset::new(x, y))?;
    // linfa's weights give P of its positive class, the more frequent label:
    // flip them when that is "no".
    let sign = if fitted.labels().pos.class == "yes" { 1.0 } else { -1.0 };
    let mut weights = vec![0.0; INPUT_NAMES.len()];
    for (&j, w) in columns.iter().zip(fitted.params()) {
        weights[j] = sign * w;
    }
    Ok(Logistic { intercept: sign * fitted.intercept(), weights })
}

/// Accuracy, precision, recall and log loss of `model` on one split.
fn pair_figures(samples: &[Sample], model: &Logistic, target: fn(&Sample) -> Option<bool>, train: bool) -> Value {
    let (mut tp, mut fp, mut fn_, mut tn, mut loss) = (0u64, 0u64, 0u64, 0u64, 0.0f64);
    for s in samples.iter().filter(|s| s.train == train) {
        let Some(truth) = target(s) else { continue };
        let p = f64::from(model.probability(&s.inputs)).clamp(1e-6, 1.0 - 1e-6);
        loss -= if truth { p.ln() } else { (1.0 - p).ln() };
        match (p >= 0.5, truth) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, true) => fn_ += 1,
            (false, false) => tn += 1,
        }
    }
    let n = (tp + fp + fn_ + tn).max(1) as f64;
    json!({
        "pairs": tp + fp + fn_ + tn,
        "positives": tp + fn_,
        "accuracy": round4((tp + tn) as f64 / n),
        "precision": round4(tp as f64 / (tp + fp).max(1) as f64),
        "recall": round4(tp as f64 / (tp + fn_).max(1) as f64),
        "log_loss": round4(loss / n),
    })
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}
