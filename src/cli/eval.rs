//! `newsdedup eval`: score a run against labeled clusters.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use newsdedup::eval::{self, Prediction};
use newsdedup::ingest::read_inputs;
use newsdedup::output;
use newsdedup::pipeline::Pipeline;
use newsdedup::progress::Progress;

use super::{ExitWith, InputArgs, PipelineArgs, EXIT_BELOW_THRESHOLD, EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, EXIT_OUTPUT};

/// Arguments of `newsdedup eval`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  newsdedup eval ../shared/eval/ecbplus\n  newsdedup eval --labels labels.jsonl --predictions out/articles.jsonl --json"
)]
pub struct EvalArgs {
    /// A task folder holding articles.jsonl and labels.jsonl: runs the
    /// pipeline on the articles and scores the result.
    #[arg(
        value_name = "TASK_DIR",
        conflicts_with_all = ["predictions", "labels"],
        required_unless_present_any = ["predictions", "labels"]
    )]
    pub task: Option<PathBuf>,
    /// Labels (JSONL: id, story, optional role, kind, derived_from).
    #[arg(long, value_name = "FILE", requires = "predictions")]
    pub labels: Option<PathBuf>,
    /// An existing articles.jsonl to score instead of running the pipeline.
    #[arg(long, value_name = "FILE", requires = "labels")]
    pub predictions: Option<PathBuf>,
    /// Label field that defines a cluster.
    #[arg(long, default_value = "story", value_name = "FIELD")]
    pub label_field: String,
    /// Which predicted level is scored against the labels: "story" (the
    /// `cluster` field: every report of one event) or "family" (the
    /// `family` field: an original and what was made from it; an
    /// `independent` article, the original of its family, counts as that
    /// family's canonical). ../shared/eval/README.md says which level each
    /// set labels.
    #[arg(long, value_enum, default_value_t = Level::Story)]
    pub level: Level,
    /// Print one JSON object (key names as in shared/eval/score.py).
    #[arg(long)]
    pub json: bool,
    /// Also list the misjudged articles: each with its labelled story and
    /// predicted cluster, the articles of other stories it was put with,
    /// those of its own it was kept from, and any wrong role, source or
    /// kind (with --json, under "misjudged").
    #[arg(long)]
    pub errors: bool,
    /// Exit with code 1 when BCubed F1 is below X.
    #[arg(long, value_name = "X")]
    pub min_bcubed_f1: Option<f64>,
    /// Also write the run's articles.jsonl here (TASK_DIR mode).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub pipeline: PipelineArgs,
}

/// The predicted level scored against the labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Level {
    /// `cluster`: every report of one event.
    Story,
    /// `family`: an original and every article made from it.
    Family,
}

impl Level {
    /// The `articles.jsonl` field that holds this level.
    pub fn field(self) -> &'static str {
        match self {
            Level::Story => "cluster",
            Level::Family => "family",
        }
    }
}

/// Ids of each list shown per misjudged article in the text output.
const MISJUDGED_IDS_SHOWN: usize = 5;

/// Runs the evaluation.
pub fn run(args: EvalArgs, cancel: Arc<AtomicBool>) -> anyhow::Result<ExitCode> {
    let (labels_path, predictions) = match (&args.task, &args.labels, &args.predictions) {
        (Some(task), _, _) => {
            let labels = task.join("labels.jsonl");
            (labels, run_pipeline(&args, task, cancel.clone())?)
        }
        (None, Some(labels), Some(preds)) => {
            (labels.clone(), eval::read_predictions(preds, args.level.field()).exit_with(EXIT_INPUT)?)
        }
        _ => {
            return Err(anyhow::anyhow!("give a TASK_DIR, or both --labels and --predictions"))
                .exit_with(super::EXIT_USAGE)
        }
    };
    let predictions = match args.level {
        Level::Story => predictions,
        Level::Family => predictions.into_iter().map(eval::Prediction::at_family_level).collect(),
    };
    let labels = eval::read_labels(&labels_path, &args.label_field).exit_with(EXIT_INPUT)?;
    let report = eval::score(&labels, &predictions).context("cannot score").exit_with(EXIT_INPUT)?;
    let misjudged = args.errors.then(|| eval::misjudged(&labels, &predictions));
    // Written, not printed: a closed pipe (`| head`) is an error to handle, not a panic.
    let mut stdout = std::io::stdout().lock();
    if args.json {
        let mut json = serde_json::to_value(&report)?;
        if let (Some(misjudged), Some(object)) = (&misjudged, json.as_object_mut()) {
            object.insert("misjudged".into(), serde_json::to_value(misjudged)?);
        }
        writeln!(stdout, "{}", serde_json::to_string(&json)?)?;
    } else {
        write!(stdout, "{}", eval::table(&report))?;
        if let Some(misjudged) = &misjudged {
            write!(stdout, "{}", eval::misjudged_table(misjudged, MISJUDGED_IDS_SHOWN))?;
        }
    }
    stdout.flush()?;
    match args.min_bcubed_f1 {
        Some(min) if report.clusters.bcubed_f1 < min => {
            eprintln!("newsdedup: BCubed F1 {:.4} is below --min-bcubed-f1 {min}", report.clusters.bcubed_f1);
            Ok(ExitCode::from(EXIT_BELOW_THRESHOLD))
        }
        _ => Ok(ExitCode::from(EXIT_OK)),
    }
}

fn run_pipeline(args: &EvalArgs, task: &std::path::Path, cancel: Arc<AtomicBool>) -> anyhow::Result<Vec<Prediction>> {
    args.pipeline.configure_threads()?;
    let params = args.pipeline.params()?;
    let input = task.join("articles.jsonl");
    let ingested = read_inputs(std::slice::from_ref(&input), args.input.options()).exit_with(EXIT_INPUT)?;
    for r in &ingested.rejects {
        eprintln!("newsdedup: skipped {}: {} (it will count as missing)", r.place(), r.reason);
    }
    let progress = if args.json { Progress::hidden() } else { Progress::stderr() };
    let pipeline = Pipeline::new(params).with_progress(progress).with_cancel(cancel);
    let result = pipeline.run(ingested.articles).exit_with(EXIT_INTERNAL)?;
    if let Some(dir) = &args.out {
        output::write_dir(&result, dir, output::OutputOptions::default()).exit_with(EXIT_OUTPUT)?;
    }
    Ok(output::article_records(&result)
        .into_iter()
        .map(|r| Prediction {
            id: r.id.to_string(),
            cluster: match args.level {
                Level::Story => r.cluster,
                Level::Family => r.family,
            }
            .to_string(),
            role: Some(r.role.as_str().to_string()),
            kind: r.kind.map(|k| k.as_str().to_string()),
            canonical: r.canonical.map(|c| serde_json::Value::String(c.to_string())),
            derived_from: r.derived_from.map(str::to_owned),
        })
        .collect())
}
