//! `newsdedup index`: the persistent story index (docs/index.md).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use newsdedup::index::{identity, IndexError, Store};
use newsdedup::pair_model::PairModel;
use newsdedup::PipelineParams;

use super::{Failure, EXIT_INPUT, EXIT_OK, EXIT_OUTPUT};

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
    },
    /// Print what an index holds, as one JSON object: its format version,
    /// articles, batches, stories, families and bytes on disk.
    Stats {
        /// Directory of the index.
        #[arg(long, value_name = "DIR")]
        index: PathBuf,
    },
}

/// Runs an `index` subcommand.
pub fn run(args: IndexArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        IndexCommand::Create { dir } => {
            let params = PipelineParams::default().check()?;
            let store = checked(Store::create(&dir, &identity(&params, PairModel::embedded())))?;
            eprintln!("newsdedup: made an empty index in {}", dir.display());
            drop(store);
        }
        IndexCommand::Stats { index } => {
            let stats = checked(Store::open(&index, None).and_then(|s| s.stats()))?;
            println!("{}", serde_json::to_string(&stats).context("writing the index's statistics")?);
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}

/// An index's error with its exit code: a database that fails is the
/// output's fault, anything else (no index, another's format, a writer
/// busy) the input's.
fn checked<T>(result: Result<T, IndexError>) -> anyhow::Result<T> {
    result.map_err(|e| {
        let code = if matches!(e, IndexError::Database { .. }) { EXIT_OUTPUT } else { EXIT_INPUT };
        anyhow::Error::new(Failure { code, error: e.into() })
    })
}
