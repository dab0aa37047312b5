//! `newsdedup eval` (issue 4).
use std::process::ExitCode;
use clap::Args;

/// Arguments of `newsdedup eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {}

/// Not yet built.
pub fn run(_args: EvalArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("eval is not built yet")
}
