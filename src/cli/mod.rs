//! Command line: clap parses the arguments ("low" args), which are then
//! validated into pipeline parameters before any input is read.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use newsdedup::params;

pub mod eval;
pub mod run;

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: `eval` scored below `--min-bcubed-f1`.
pub const EXIT_BELOW_THRESHOLD: u8 = 1;
/// Exit code: an error (bad arguments, unreadable input, failed write).
pub const EXIT_ERROR: u8 = 2;

/// Groups news articles that tell the same story and marks the canonical
/// source and its syndicated copies.
///
/// With no subcommand, runs `newsdedup run` on the five sample articles
/// embedded from data/seeds and writes to ./out.
#[derive(Debug, Parser)]
#[command(name = "newsdedup", version, about, long_about = None, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

const EXIT_CODES: &str = "Exit codes: 0 success; 1 eval below --min-bcubed-f1; 2 error (usage, input, output).";

#[derive(Debug, Subcommand)]
enum Command {
    /// Cluster articles into stories and mark canonical and syndicated copies.
    Run(run::RunArgs),
    /// Score a run against labeled clusters.
    Eval(eval::EvalArgs),
}

/// Knobs of the pipeline shared by `run` and `eval`.
#[derive(Debug, Clone, Args)]
pub struct PipelineArgs {
    /// TF-IDF cosine at or above which two articles tell the same story.
    #[arg(long, default_value_t = params::DEFAULT_MIN_COSINE, value_name = "X")]
    pub min_cosine: f32,
    /// Share of one article's 5-term shingles inside the other that accepts a
    /// pair with lower cosine (excerpts, copies with material added).
    #[arg(long, default_value_t = params::DEFAULT_MIN_CONTAINMENT, value_name = "X")]
    pub min_containment: f32,
    /// Cosine below which no pair is accepted, whatever its containment.
    #[arg(long, default_value_t = params::DEFAULT_CONTAINMENT_FLOOR, value_name = "X")]
    pub containment_floor: f32,
    /// Use batch IDF only, not the shipped per-language tables in models/idf.
    #[arg(long)]
    pub no_idf_tables: bool,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

impl Default for PipelineArgs {
    fn default() -> Self {
        PipelineArgs {
            min_cosine: params::DEFAULT_MIN_COSINE,
            min_containment: params::DEFAULT_MIN_CONTAINMENT,
            containment_floor: params::DEFAULT_CONTAINMENT_FLOOR,
            no_idf_tables: false,
            threads: None,
        }
    }
}

impl PipelineArgs {
    /// Validated parameters.
    pub fn params(&self) -> anyhow::Result<newsdedup::ValidParams> {
        Ok(newsdedup::PipelineParams::new()
            .min_cosine(self.min_cosine)
            .min_containment(self.min_containment)
            .containment_floor(self.containment_floor)
            .use_idf_tables(!self.no_idf_tables)
            .check()?)
    }

    /// Sets the size of the global thread pool.
    pub fn configure_threads(&self) -> anyhow::Result<()> {
        if let Some(n) = self.threads {
            if n == 0 {
                anyhow::bail!("--threads must be at least 1");
            }
            rayon::ThreadPoolBuilder::new().num_threads(n).build_global()?;
        }
        Ok(())
    }
}

/// Parses the arguments and runs the command.
pub fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Run(args)) => run::run(args),
        Some(Command::Eval(args)) => eval::run(args),
        None => run::run(run::RunArgs::default_sample(PathBuf::from("out"))),
    }
}
