//! Command line: clap parses the arguments ("low" args), which are then
//! validated into pipeline parameters before any input is read.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use newsdedup::params;

pub mod eval;
pub mod index;
pub mod run;

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: `eval` scored below `--min-bcubed-f1`.
pub const EXIT_BELOW_THRESHOLD: u8 = 1;
/// Exit code: bad arguments or parameters (also clap's own code).
pub const EXIT_USAGE: u8 = 2;
/// Exit code: the input cannot be used (missing path, no articles, a bad
/// record under `--strict`, a repeated id without `--dedupe-ids`).
pub const EXIT_INPUT: u8 = 3;
/// Exit code: an output file (or the run's temporary file) could not be written.
pub const EXIT_OUTPUT: u8 = 4;
/// Exit code: an internal error (a bug: please report it).
pub const EXIT_INTERNAL: u8 = 5;
/// Exit code: interrupted by Ctrl-C or a termination signal (128 + SIGINT).
pub const EXIT_INTERRUPTED: u8 = 130;

/// An error that knows its exit code.
#[derive(Debug)]
pub struct Failure {
    /// The process exit code.
    pub code: u8,
    /// What went wrong.
    pub error: anyhow::Error,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.error)
    }
}

impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.error.as_ref())
    }
}

/// Attaches an exit code to an error.
pub trait ExitWith<T> {
    /// Fails with `code` (an interruption keeps its own code).
    fn exit_with(self, code: u8) -> anyhow::Result<T>;
}

impl<T, E: Into<anyhow::Error>> ExitWith<T> for Result<T, E> {
    fn exit_with(self, code: u8) -> anyhow::Result<T> {
        self.map_err(|e| {
            let error: anyhow::Error = e.into();
            let is = |want: fn(&newsdedup::Error) -> bool| {
                error.chain().any(|c| c.downcast_ref::<newsdedup::Error>().is_some_and(want))
            };
            // An input record that cannot be read (at any stage: a text left
            // in its file is read again later) is the input's fault.
            let code = if is(|e| matches!(e, newsdedup::Error::Interrupted)) {
                EXIT_INTERRUPTED
            } else if is(|e| matches!(e, newsdedup::Error::BadRecord { .. })) {
                EXIT_INPUT
            } else {
                code
            };
            anyhow::Error::new(Failure { code, error })
        })
    }
}

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

const EXIT_CODES: &str = "Exit codes: 0 success; 1 eval below --min-bcubed-f1; 2 usage (bad arguments or \
parameters); 3 input (missing path, no articles, bad record with --strict, repeated id, input changed during \
the run); 4 output (cannot write it, or the temporary file in TMPDIR); 5 internal error; 130 interrupted (Ctrl-C, SIGTERM: no output is written).";

#[derive(Debug, Subcommand)]
enum Command {
    /// Cluster articles into stories and mark canonical and syndicated copies.
    Run(run::RunArgs),
    /// Score a run against labeled clusters.
    Eval(eval::EvalArgs),
    /// Keep stories between runs: a persistent index that each new batch is
    /// matched against (being built: `create` and `stats` so far).
    Index(index::IndexArgs),
}

/// How input problems are treated (shared by `run` and `eval`).
#[derive(Debug, Clone, Default, Args)]
pub struct InputArgs {
    /// Stop at the first unreadable record instead of skipping it and
    /// listing it in rejects.jsonl.
    #[arg(long)]
    pub strict: bool,
    /// Bytes that are not UTF-8: "lossy" replaces them with U+FFFD and warns,
    /// "reject" skips the record.
    #[arg(long, value_enum, default_value_t = Utf8Arg::Lossy, value_name = "POLICY")]
    pub invalid_utf8: Utf8Arg,
    /// Keep the first record of a repeated id and skip the others (default:
    /// a repeated id is an error naming both places).
    #[arg(long)]
    pub dedupe_ids: bool,
    /// Where fields are read from in CSV, Parquet and JSONL input, as
    /// field=column pairs: e.g. "id=guid,text=body". Fields: id, text,
    /// title, url, source, published_at, lang. A field not named here is
    /// read from its own name or a common alias (guid, body, content,
    /// maintext, headline, link, publisher, date, pubDate, language, ...);
    /// a table without a column named here is an error.
    #[arg(long, value_name = "MAP", value_parser = parse_columns)]
    pub columns: Option<newsdedup::ingest::Columns>,
    /// Read every input (and standard input) as this format, whatever the
    /// file names say; by default files are told by their extension and
    /// standard input is JSONL. Compression is always told by its magic bytes.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<InputFormatArg>,
}

/// `--input-format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormatArg {
    /// One JSON object a line (.jsonl, .ndjson).
    Jsonl,
    /// A JSON array of objects, or objects one a line (.json).
    Json,
    /// A header row, then one article a row (.csv).
    Csv,
    /// Web ARChive of HTML pages (.warc).
    Warc,
    /// Apache Parquet (.parquet).
    Parquet,
    /// One article a file, its name the id (.txt).
    Txt,
}

impl InputFormatArg {
    fn format(self) -> newsdedup::ingest::InputFormat {
        use newsdedup::ingest::InputFormat;
        match self {
            InputFormatArg::Jsonl => InputFormat::Jsonl,
            InputFormatArg::Json => InputFormat::Json,
            InputFormatArg::Csv => InputFormat::Csv,
            InputFormatArg::Warc => InputFormat::Warc,
            InputFormatArg::Parquet => InputFormat::Parquet,
            InputFormatArg::Txt => InputFormat::Text,
        }
    }
}

fn parse_columns(spec: &str) -> Result<newsdedup::ingest::Columns, String> {
    newsdedup::ingest::Columns::parse(spec)
}

/// `--invalid-utf8` values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Utf8Arg {
    /// Replace invalid bytes and warn.
    #[default]
    Lossy,
    /// Skip the record.
    Reject,
}

impl InputArgs {
    /// The ingest options these flags select.
    pub fn options(&self) -> newsdedup::ingest::IngestOptions {
        newsdedup::ingest::IngestOptions {
            strict: self.strict,
            invalid_utf8: match self.invalid_utf8 {
                Utf8Arg::Lossy => newsdedup::ingest::InvalidUtf8::Lossy,
                Utf8Arg::Reject => newsdedup::ingest::InvalidUtf8::Reject,
            },
            dedupe_ids: self.dedupe_ids,
            columns: self.columns.clone().unwrap_or_default(),
            format: self.input_format.map(InputFormatArg::format),
        }
    }
}

/// Knobs of the pipeline shared by `run` and `eval`.
#[derive(Debug, Clone, Args)]
pub struct PipelineArgs {
    /// P(derived), from the shipped pair model, at or above which two
    /// articles are one family: one made from the other (copy, edit,
    /// excerpt, rewrite). Higher keeps families to closer copies.
    #[arg(long, default_value_t = params::DEFAULT_FAMILY_THRESHOLD, value_name = "P")]
    pub family_threshold: f32,
    /// Mean P(same event) at or above which families join one story
    /// (average linkage: a family must be close to most of the story, not
    /// to one member). Higher gives smaller, surer stories.
    #[arg(long, default_value_t = params::DEFAULT_STORY_THRESHOLD, value_name = "P")]
    pub story_threshold: f32,
    /// TF-IDF cosine below which a candidate pair is not judged at all.
    #[arg(long, default_value_t = params::DEFAULT_MIN_PAIR_COSINE, value_name = "X")]
    pub min_pair_cosine: f32,
    /// Days over which P(same event) decays with the gap between two
    /// articles' `published_at` (exp(-gap / days); no effect without times).
    #[arg(long, default_value_t = params::DEFAULT_TIME_SCALE_DAYS, value_name = "DAYS")]
    pub time_scale_days: f32,
    /// Link translations: articles in different languages join one story
    /// when their anchors (numbers, Latin-script names) agree.
    #[arg(long)]
    pub cross_lingual: bool,
    /// Anchor cosine that links two articles in different languages (with
    /// --cross-lingual).
    #[arg(long, default_value_t = params::DEFAULT_MIN_ANCHOR_COSINE, value_name = "X")]
    pub min_anchor_cosine: f32,
    /// Use batch IDF only, not the shipped per-language tables in models/idf.
    #[arg(long)]
    pub no_idf_tables: bool,
    /// Weight of the shipped IDF tables against the batch's own IDF, in
    /// articles (higher trusts the tables longer as batches grow).
    #[arg(long, default_value_t = newsdedup::tfidf::DEFAULT_PRIOR_DOCS, value_name = "N")]
    pub idf_prior_docs: f32,
    /// Keep stop words in the TF-IDF vectors (default: weight zero).
    #[arg(long)]
    pub no_stop_words: bool,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

impl Default for PipelineArgs {
    fn default() -> Self {
        PipelineArgs {
            family_threshold: params::DEFAULT_FAMILY_THRESHOLD,
            story_threshold: params::DEFAULT_STORY_THRESHOLD,
            min_pair_cosine: params::DEFAULT_MIN_PAIR_COSINE,
            time_scale_days: params::DEFAULT_TIME_SCALE_DAYS,
            cross_lingual: false,
            min_anchor_cosine: params::DEFAULT_MIN_ANCHOR_COSINE,
            no_idf_tables: false,
            idf_prior_docs: newsdedup::tfidf::DEFAULT_PRIOR_DOCS,
            no_stop_words: false,
            threads: None,
        }
    }
}

impl PipelineArgs {
    /// Validated parameters.
    pub fn params(&self) -> anyhow::Result<newsdedup::ValidParams> {
        newsdedup::PipelineParams::new()
            .family_threshold(self.family_threshold)
            .story_threshold(self.story_threshold)
            .min_pair_cosine(self.min_pair_cosine)
            .time_scale_days(self.time_scale_days)
            .use_idf_tables(!self.no_idf_tables)
            .idf_prior_docs(self.idf_prior_docs)
            .stop_words(!self.no_stop_words)
            .cross_language(self.cross_lingual)
            .min_anchor_cosine(self.min_anchor_cosine)
            .check()
            .exit_with(EXIT_USAGE)
    }

    /// Sets the size of the global thread pool.
    pub fn configure_threads(&self) -> anyhow::Result<()> {
        if let Some(n) = self.threads {
            if n == 0 {
                return Err(anyhow::anyhow!("--threads must be at least 1")).exit_with(EXIT_USAGE);
            }
            rayon::ThreadPoolBuilder::new().num_threads(n).build_global().exit_with(EXIT_INTERNAL)?;
        }
        Ok(())
    }
}

/// A flag that Ctrl-C and SIGTERM set; a second signal exits at once.
pub fn cancel_on_signal() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let seen = flag.clone();
    // Failing to install the handler only means Ctrl-C kills the process
    // the ordinary way, which also never leaves a partial output file.
    let _ = ctrlc::set_handler(move || {
        if seen.swap(true, Ordering::SeqCst) {
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
        eprintln!("newsdedup: stopping (press Ctrl-C again to stop at once)");
    });
    flag
}

/// Parses the arguments and runs the command.
pub fn main() -> anyhow::Result<ExitCode> {
    // Before anything else, so that no signal finds the process without it.
    let cancel = cancel_on_signal();
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Run(args)) => run::run(args, cancel),
        Some(Command::Eval(args)) => eval::run(args, cancel),
        Some(Command::Index(args)) => index::run(args, cancel),
        None => run::run(run::RunArgs::default_sample(PathBuf::from("out")), cancel),
    }
}
