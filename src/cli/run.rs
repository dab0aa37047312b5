//! `newsdedup run`: cluster articles and write the output contract.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use newsdedup::ingest::{read_inputs, Ingested, UnparsedTimes};
use newsdedup::output;
use newsdedup::pipeline::{Pipeline, StageHook};
use newsdedup::progress::Progress;
use newsdedup::{report, Article};

use super::{ExitWith, InputArgs, PipelineArgs, EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, EXIT_OUTPUT};

/// Arguments of `newsdedup run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Directories or files: .txt (id = file stem), .jsonl or .ndjson
    /// (fields id, text, and optionally title, url, source, published_at,
    /// lang; see --columns), .json (an array of such objects), .csv (a header
    /// row), .warc (HTML responses; the article text is extracted), each
    /// optionally gzip- or zstd-compressed, and .parquet; "-" reads standard
    /// input (JSONL unless --input-format says otherwise). With none,
    /// articles piped to standard input are read; from a terminal, the five
    /// sample articles of data/seeds (embedded in the binary) are used, and
    /// the run says so.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Output directory for articles.jsonl (or .csv, .parquet),
    /// clusters.jsonl, report.html and rejects.jsonl; "-" streams the
    /// per-article table to stdout (the summary then goes to stderr) and
    /// writes the other files only where --clusters, --report and
    /// --rejects say.
    #[arg(long, short, default_value = "out", value_name = "DIR")]
    pub out: PathBuf,
    /// Write clusters.jsonl here (instead of into the --out directory).
    #[arg(long, value_name = "FILE")]
    pub clusters: Option<PathBuf>,
    /// Write the HTML report here (instead of into the --out directory).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Write the skipped records here (instead of into the --out directory).
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    /// Format of the per-article table: jsonl (articles.jsonl, the default),
    /// csv (articles.csv) or parquet (articles.parquet, for pandas, DuckDB,
    /// Spark).
    #[arg(long, value_enum, default_value_t = FormatArg::Jsonl)]
    pub format: FormatArg,
    /// Leave stories with fewer articles than this out of clusters.jsonl and
    /// report.html (every article stays in the per-article table).
    #[arg(long, default_value_t = 2, value_name = "N", value_parser = clap::value_parser!(u32).range(2..))]
    pub min_cluster_size: u32,
    /// Also write every candidate pair with its cosine, containments and
    /// verdict to this JSONL file, then each exact duplicate's link to its
    /// first copy ("exact_duplicate": true): together, every link a story
    /// was built from (for tuning and for explaining a merge).
    #[arg(long, value_name = "FILE")]
    pub pairs: Option<PathBuf>,
    /// No progress bars and no summary.
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Add diagnostics to the summary: candidate pairs and links, the
    /// chain guard's work, each stage's time and peak memory.
    #[arg(long, short)]
    pub verbose: bool,
    #[command(flatten)]
    pub pipeline: PipelineArgs,
}

impl RunArgs {
    /// `run` on the embedded sample with default settings.
    pub fn default_sample(out: PathBuf) -> RunArgs {
        RunArgs {
            inputs: Vec::new(),
            out,
            clusters: None,
            report: None,
            rejects: None,
            input: InputArgs::default(),
            format: FormatArg::Jsonl,
            min_cluster_size: 2,
            pairs: None,
            quiet: false,
            verbose: false,
            pipeline: PipelineArgs::default(),
        }
    }
}

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// One JSON object a line.
    Jsonl,
    /// Comma-separated, with a header row.
    Csv,
    /// Apache Parquet, typed columns.
    Parquet,
}

impl FormatArg {
    fn table(self) -> output::TableFormat {
        match self {
            FormatArg::Jsonl => output::TableFormat::Jsonl,
            FormatArg::Csv => output::TableFormat::Csv,
            FormatArg::Parquet => output::TableFormat::Parquet,
        }
    }
}

/// The five seed articles, compiled in so that a bare `newsdedup` works anywhere.
const SAMPLE: &[(&str, &str)] = &[
    ("000_5f97ec60a494b16d", include_str!("../../data/seeds/000_5f97ec60a494b16d.txt")),
    ("001_d7953fad1e213ce3", include_str!("../../data/seeds/001_d7953fad1e213ce3.txt")),
    ("002_016c80076eb90be0", include_str!("../../data/seeds/002_016c80076eb90be0.txt")),
    ("003_1ce87198c77fd6fd", include_str!("../../data/seeds/003_1ce87198c77fd6fd.txt")),
    ("004_afea1828c0acbd92", include_str!("../../data/seeds/004_afea1828c0acbd92.txt")),
];

fn sample_articles() -> Vec<Article> {
    SAMPLE
        .iter()
        .map(|(id, text)| {
            let mut a = Article::new(*id, *text);
            a.title = text.lines().map(str::trim).find(|l| !l.is_empty()).map(str::to_owned);
            a.origin.path = format!("data/seeds/{id}.txt").into();
            a
        })
        .collect()
}

/// Is standard input a file, a pipe or a socket (what `cat feed | newsdedup
/// run` gives), rather than a terminal or nothing (`/dev/null`, closed)?
fn stdin_is_piped() -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        use std::os::unix::fs::FileTypeExt;
        let Ok(fd) = std::io::stdin().as_fd().try_clone_to_owned() else { return false };
        let Ok(meta) = std::fs::File::from(fd).metadata() else { return false };
        let kind = meta.file_type();
        kind.is_file() || kind.is_fifo() || kind.is_socket()
    }
    #[cfg(not(unix))]
    {
        use std::io::IsTerminal;
        !std::io::stdin().is_terminal()
    }
}

/// Runs the pipeline and writes its outputs.
pub fn run(args: RunArgs, cancel: Arc<AtomicBool>) -> anyhow::Result<ExitCode> {
    args.pipeline.configure_threads()?;
    let params = args.pipeline.params()?;
    let piped = args.inputs.is_empty() && stdin_is_piped();
    let inputs = if piped { vec![PathBuf::from("-")] } else { args.inputs.clone() };
    let ingested = if args.inputs.is_empty() && !piped {
        if !args.quiet {
            eprintln!(
                "newsdedup: no input given: running on the five sample articles embedded from data/seeds \
                 (give files or directories, or pipe articles in)"
            );
        }
        Ingested { articles: sample_articles(), ..Default::default() }
    } else {
        if piped && !args.quiet {
            // Said before reading: a pipe that never closes would otherwise look like a hang.
            eprintln!("newsdedup: no input given: reading articles from standard input");
        }
        read_inputs(&inputs, args.input.options()).exit_with(EXIT_INPUT)?
    };
    for r in &ingested.rejects {
        eprintln!("newsdedup: skipped {}: {}", r.place(), r.reason);
    }
    let time_warnings = ingested.unparsed_times.iter().map(UnparsedTimes::notice);
    for w in ingested.warnings.iter().cloned().chain(time_warnings) {
        eprintln!("newsdedup: warning: {}: {}", w.place(), w.reason);
    }
    if ingested.articles.is_empty() {
        let names: Vec<String> = inputs
            .iter()
            .map(|p| if p.as_os_str() == "-" { "standard input".to_string() } else { p.display().to_string() })
            .collect();
        let skipped = match ingested.rejects.len() {
            0 => "it holds none".to_string(),
            n => format!("{} skipped", report::count(n, "record", "records")),
        };
        return Err(anyhow::anyhow!("no readable articles in {} ({skipped})", names.join(", "))).exit_with(EXIT_INPUT);
    }
    let progress = if args.quiet { Progress::hidden() } else { Progress::stderr() };
    let pipeline = Pipeline::new(params)
        .with_progress(progress)
        .with_cancel(cancel)
        .with_pair_records(args.pairs.is_some())
        .with_stage_hook(StageHook::new(|_| newsdedup::memory::release_freed()));
    let result = pipeline.run(ingested.articles);
    // The only file the pipeline itself writes is its temporary file.
    let code = if matches!(result, Err(newsdedup::Error::Io { .. })) { EXIT_OUTPUT } else { EXIT_INTERNAL };
    let result = result.exit_with(code)?;
    let rejects_file = match (&args.rejects, args.out.as_os_str() == "-") {
        (Some(path), _) => Some(path.display().to_string()),
        (None, false) => Some(args.out.join("rejects.jsonl").display().to_string()),
        (None, true) => None,
    };
    let notes = report::SummaryNotes {
        rejects: &ingested.rejects,
        repaired: &ingested.warnings,
        rejects_file,
        verbose: args.verbose,
    };
    let summary = report::summary(&result, &notes).exit_with(EXIT_INPUT)?;
    let min_size = args.min_cluster_size as usize;
    let streamed = args.out.as_os_str() == "-";
    if streamed {
        // Stdout itself (not its lock) so that the Parquet writer, which
        // wants a Send writer, can stream to it too.
        let mut lock = std::io::BufWriter::new(std::io::stdout());
        args.format
            .table()
            .write(&mut lock, &result)
            .and_then(|_| lock.flush())
            .context("cannot write to stdout")
            .exit_with(EXIT_OUTPUT)?;
    } else {
        let options = output::OutputOptions { format: args.format.table(), min_cluster_size: min_size };
        output::write_dir(&result, &args.out, options).context("cannot write the output").exit_with(EXIT_OUTPUT)?;
        output::write_rejects(&args.out.join("rejects.jsonl"), &ingested.rejects).exit_with(EXIT_OUTPUT)?;
    }
    // Files named on their own, beside or instead of the directory's.
    let mut written: Vec<String> = Vec::new();
    if let Some(path) = &args.clusters {
        output::write_clusters(&result, path, min_size).exit_with(EXIT_OUTPUT)?;
        written.push(path.display().to_string());
    }
    if let Some(path) = &args.report {
        output::write_report(&result, path, min_size).exit_with(EXIT_OUTPUT)?;
        written.push(path.display().to_string());
    }
    if let Some(path) = &args.rejects {
        output::write_rejects(path, &ingested.rejects).exit_with(EXIT_OUTPUT)?;
        written.push(path.display().to_string());
    }
    if streamed {
        let missing: Vec<String> = [
            (args.clusters.is_some(), "clusters.jsonl", "--clusters"),
            (args.report.is_some(), "report.html", "--report"),
            (args.rejects.is_some() || ingested.rejects.is_empty(), "rejects.jsonl", "--rejects"),
        ]
        .into_iter()
        .filter(|&(written, _, _)| !written)
        .map(|(_, name, flag)| format!("{name} ({flag} FILE)"))
        .collect();
        if !args.quiet {
            eprint!("{summary}");
        }
        if !missing.is_empty() {
            eprintln!("newsdedup: with --out - these were not written: {}", missing.join(", "));
        }
    } else if !args.quiet {
        // Written, not printed: a closed pipe (`| head`) is an error to handle, not a panic.
        let mut stdout = std::io::stdout().lock();
        let dir = args.out.display();
        let table = args.format.table().file_name();
        writeln!(stdout, "{summary}wrote {dir}/{table}, {dir}/clusters.jsonl and {dir}/report.html")?;
        stdout.flush()?;
    }
    if !written.is_empty() && !args.quiet {
        eprintln!("newsdedup: wrote {}", written.join(", "));
    }
    if let Some(path) = &args.pairs {
        let records = result.pair_records(pipeline.params());
        output::write_atomic(path, |w| output::write_jsonl(w, &records))
            .context("cannot write --pairs")
            .exit_with(EXIT_OUTPUT)?;
    }
    Ok(ExitCode::from(EXIT_OK))
}
