//! `newsdedup index`: the persistent story index (docs/index.md).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Subcommand};
use newsdedup::index::{self, identity, IndexError, Store};
use newsdedup::ingest::{read_inputs, UnparsedTimes};
use newsdedup::output;
use newsdedup::pair_model::PairModel;
use newsdedup::pipeline::Pipeline;
use newsdedup::report;

use super::{ExitWith, Failure, InputArgs, PipelineArgs, EXIT_INPUT, EXIT_OK, EXIT_OUTPUT, EXIT_USAGE};

/// Arguments of `newsdedup index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    #[command(subcommand)]
    command: IndexCommand,
}

#[derive(Debug, Subcommand)]
enum IndexCommand {
    /// Make an empty index in DIR (created if missing), for this build's
    /// pipeline: its parameters and pair model are recorded, and an index
    /// is only added to with the same.
    Create {
        /// Directory of the index.
        dir: PathBuf,
        #[command(flatten)]
        pipeline: PipelineArgs,
    },
    /// Add a batch of articles: each is matched against the stories the
    /// index holds and joins a family and story or starts new ones; the
    /// stories it touches are grouped again and their roles decided again
    /// (a late original becomes canonical). Ids the index already holds
    /// are left as they are and named. The new and changed rows
    /// (articles.jsonl's schema, with the index's stable story and family
    /// ids) are the delta. One transaction: interrupted, the index keeps
    /// its last state.
    Add {
        /// Directory of the index.
        #[arg(long, value_name = "DIR")]
        index: PathBuf,
        /// Files or directories to add, in any format `run` reads.
        #[arg(value_name = "INPUT", required = true)]
        inputs: Vec<PathBuf>,
        /// Write the delta here ("-": standard output).
        #[arg(long, default_value = "-", value_name = "FILE")]
        delta: PathBuf,
        #[command(flatten)]
        input: InputArgs,
        /// No summary.
        #[arg(long, short)]
        quiet: bool,
        /// Each step's time in the summary.
        #[arg(long, short, conflicts_with = "quiet")]
        verbose: bool,
        /// Worker threads (default: one per core).
        #[arg(long, value_name = "N")]
        threads: Option<usize>,
    },
    /// Remove the articles older than AGE, with their postings, pairs,
    /// statistics and texts: by `published_at`, or for an article without
    /// one by when it was added. The stories they leave are grouped again
    /// and their roles decided again. The delta holds a line
    /// {"id": ..., "evicted": true} for each article removed, then the
    /// changed rows of those that stay. One transaction.
    Evict {
        /// Directory of the index.
        #[arg(long, value_name = "DIR")]
        index: PathBuf,
        /// The age past which articles go: "7d", "36h", "2w".
        #[arg(long, value_name = "AGE", value_parser = humantime::parse_duration)]
        older_than: std::time::Duration,
        /// Measure ages from this time (RFC 3339) instead of now, to replay
        /// an archive.
        #[arg(long, value_name = "TIME")]
        now: Option<String>,
        /// Write the delta here ("-": standard output).
        #[arg(long, default_value = "-", value_name = "FILE")]
        delta: PathBuf,
        /// No summary.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Print what an index holds, as one JSON object: its format version,
    /// articles, batches, stories, families and bytes on disk.
    Stats {
        /// Directory of the index.
        #[arg(long, value_name = "DIR")]
        index: PathBuf,
    },
    /// Write the index's current state as `run` writes a batch's:
    /// articles.jsonl and clusters.jsonl, the same schema, with the index's
    /// stable story (`cluster`) and family ids. Reads the last committed
    /// state, also while an add runs.
    Export {
        /// Directory of the index.
        #[arg(long, value_name = "DIR")]
        index: PathBuf,
        /// Output directory (created if missing).
        #[arg(long, short, value_name = "DIR")]
        out: PathBuf,
        /// Leave stories with fewer articles than this out of clusters.jsonl.
        #[arg(long, default_value_t = 2, value_name = "N", value_parser = clap::value_parser!(u32).range(2..))]
        min_cluster_size: u32,
    },
}

/// Runs an `index` subcommand.
pub fn run(args: IndexArgs, cancel: Arc<AtomicBool>) -> anyhow::Result<ExitCode> {
    match args.command {
        IndexCommand::Create { dir, pipeline } => {
            let params = pipeline.params()?;
            let json = serde_json::to_string(&params).context("recording the parameters")?;
            drop(checked(Store::create(&dir, &identity(&params, PairModel::embedded()), &json))?);
            eprintln!("newsdedup: made an empty index in {}", dir.display());
        }
        IndexCommand::Add { index, inputs, delta, input, quiet, verbose, threads } => {
            PipelineArgs { threads, ..PipelineArgs::default() }.configure_threads()?;
            let (mut store, params) = checked(index::open_for_change(&index))?;
            let ingested = read_inputs(&inputs, input.options()).exit_with(EXIT_INPUT)?;
            for r in &ingested.rejects {
                eprintln!("newsdedup: skipped {}: {}", r.place(), r.reason);
            }
            let time_warnings = ingested.unparsed_times.iter().map(UnparsedTimes::notice);
            for w in ingested.warnings.iter().cloned().chain(time_warnings) {
                eprintln!("newsdedup: warning: {}: {}", w.place(), w.reason);
            }
            let pipeline = Pipeline::new(params).with_cancel(cancel);
            let added = checked(index::add(&mut store, &pipeline, ingested.articles, unix_now()))?;
            for id in &added.already_held {
                eprintln!("newsdedup: {id} is in the index already: left as it is");
            }
            write_delta(&delta, &added.delta, "the batch is added")?;
            if !quiet {
                let skipped = match ingested.rejects.len() {
                    0 => String::new(),
                    n => format!(", {} skipped", report::count(n, "unreadable record", "unreadable records")),
                };
                eprintln!(
                    "newsdedup: added {} to {} ({} already held{skipped}); {} stored articles regrouped, {} rows in the delta",
                    report::count(added.added, "article", "articles"),
                    index.display(),
                    added.already_held.len(),
                    added.regrouped,
                    added.delta.len(),
                );
                if verbose {
                    eprintln!(
                        "newsdedup: {} pairs verified ({} joined), {} stored articles analyzed again",
                        added.verified, added.joined, added.analyzed_again
                    );
                    for (step, seconds) in &added.seconds {
                        eprintln!("newsdedup:   {step}: {seconds:.2} s");
                    }
                }
            }
        }
        IndexCommand::Evict { index, older_than, now, delta, quiet } => {
            let (mut store, params) = checked(index::open_for_change(&index))?;
            let now = match &now {
                Some(time) => newsdedup::article::publication_time(time)
                    .ok_or_else(|| anyhow::anyhow!("--now {time:?}: not an RFC 3339 time"))
                    .exit_with(EXIT_USAGE)?
                    .timestamp(),
                None => unix_now(),
            };
            let cutoff = now.saturating_sub(i64::try_from(older_than.as_secs()).unwrap_or(i64::MAX));
            let pipeline = Pipeline::new(params).with_cancel(cancel);
            let evicted = checked(index::evict(&mut store, &pipeline, cutoff as f64 / 86_400.0, cutoff))?;
            let tombstones =
                evicted.evicted.iter().map(|id| serde_json::json!({"id": id, "evicted": true}).to_string());
            let rows: Vec<String> = tombstones.chain(evicted.delta.iter().cloned()).collect();
            write_delta(&delta, &rows, "the articles are evicted")?;
            if !quiet {
                eprintln!(
                    "newsdedup: evicted {} from {} in {:.2} s; {} articles that stay regrouped, {} of their rows changed",
                    report::count(evicted.evicted.len(), "article", "articles"),
                    index.display(),
                    evicted.seconds,
                    evicted.regrouped,
                    evicted.delta.len()
                );
            }
        }
        IndexCommand::Stats { index } => {
            let stats = checked(Store::open(&index, None).and_then(|s| s.stats()))?;
            println!("{}", serde_json::to_string(&stats).context("writing the index's statistics")?);
        }
        IndexCommand::Export { index, out, min_cluster_size } => {
            let store = checked(Store::open(&index, None))?;
            let exported = checked(index::export(&store, &out, min_cluster_size as usize))?;
            eprintln!(
                "newsdedup: wrote {} and {} (articles.jsonl, clusters.jsonl) to {}",
                report::count(exported.articles, "article", "articles"),
                report::count(exported.stories, "story", "stories"),
                out.display()
            );
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}

/// An index's error with its exit code: a database that fails, or a file
/// that cannot be written, is the output's fault; anything else (no
/// index, another's format, a writer busy, an unreadable article) the
/// input's.
fn checked<T>(result: Result<T, IndexError>) -> anyhow::Result<T> {
    result.map_err(|e| {
        let code = match &e {
            IndexError::Database { .. } | IndexError::Run(newsdedup::Error::Io { .. }) => EXIT_OUTPUT,
            _ => EXIT_INPUT,
        };
        anyhow::Error::new(Failure { code, error: e.into() })
    })
}

/// Seconds since 1970 now.
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Writes the delta of a committed change (`what`) to `path` ("-": standard output).
fn write_delta(path: &std::path::Path, rows: &[String], what: &str) -> anyhow::Result<()> {
    let write = |w: &mut dyn Write| -> std::io::Result<()> {
        for row in rows {
            w.write_all(row.as_bytes())?;
            w.write_all(b"\n")?;
        }
        w.flush()
    };
    let committed = format!("{what}; `newsdedup index export` writes the whole state");
    if path.as_os_str() == "-" {
        write(&mut std::io::BufWriter::new(std::io::stdout().lock()))
            .with_context(|| format!("cannot write the delta to standard output ({committed})"))
            .exit_with(EXIT_OUTPUT)
    } else {
        output::write_atomic(path, |w| write(w))
            .with_context(|| format!("cannot write the delta ({committed})"))
            .exit_with(EXIT_OUTPUT)
    }
}
