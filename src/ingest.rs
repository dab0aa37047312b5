//! Ingest: input paths → [`Article`]s.
//!
//! Reads directories of `.txt` files (id = file stem, first non-empty line
//! taken as the title; `labels.jsonl` is left out of a directory walk), CSV
//! files ([`Columns`]), WARC files (HTML responses), JSONL files and JSONL
//! on standard input (`-`); any of them gzip- or zstd-compressed (by magic
//! bytes, `.gz`/`.zst` names also walked). JSONL records, CSV and Parquet
//! rows carry `id`, `text` and optionally `title`, `url`, `source`,
//! `published_at`, `lang`, under those names, common aliases or the names
//! `--columns` gives ([`crate::columns`]); other fields are ignored. A record that
//! cannot be used becomes a [`Reject`] naming file and line; with `strict` it
//! becomes an error instead. Articles come back sorted by id, so nothing
//! downstream depends on the order of the input.

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::article::{Article, LineSpan, Origin, Text};
pub use crate::columns::Columns;
use crate::columns::{Field, Keys, Values};
use crate::error::{Error, Result};

/// A record that was read but could not become an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reject {
    /// The input file.
    pub path: String,
    /// 1-based line (0 for a whole file).
    pub line: u64,
    /// Why it was rejected.
    pub reason: String,
}

impl Reject {
    /// `path:line`, or the path alone for a whole file.
    pub fn place(&self) -> String {
        Origin { path: self.path.as_str().into(), line: self.line }.to_string()
    }
}

/// The records of one file whose publication times are not dates: the
/// first of them, and how many there are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnparsedTimes {
    /// The first such record; its `reason` is the time it gives.
    pub first: Reject,
    /// Records of the file with such times.
    pub count: u64,
}

impl UnparsedTimes {
    /// The warning given for the file, at its first such record.
    pub fn notice(&self) -> Reject {
        let times = if self.count == 1 { "time" } else { "times" };
        Reject {
            reason: format!(
                "{} publication {times} not read as a date (the first: {:?}; RFC 3339, RFC 2822 or YYYY-MM-DD \
                 are): kept as given in articles.jsonl and CSV, null in Parquet, not used as evidence",
                self.count, self.first.reason
            ),
            ..self.first.clone()
        }
    }

    /// The counts of parts of files read apart, one per file (in the order
    /// files first appear): the first record by line, the counts summed.
    pub fn merge(parts: impl IntoIterator<Item = UnparsedTimes>) -> Vec<UnparsedTimes> {
        let mut files: Vec<UnparsedTimes> = Vec::new();
        let mut index: rustc_hash::FxHashMap<String, usize> = Default::default();
        for part in parts {
            match index.get(&part.first.path) {
                Some(&at) => {
                    let file = &mut files[at];
                    file.count += part.count;
                    if part.first.line < file.first.line {
                        file.first = part.first;
                    }
                }
                None => {
                    index.insert(part.first.path.clone(), files.len());
                    files.push(part);
                }
            }
        }
        files
    }
}

/// What ingestion produced: the articles (sorted by id) and the rejects.
#[derive(Debug, Default)]
pub struct Ingested {
    /// Readable articles, sorted by id, ids unique.
    pub articles: Vec<Article>,
    /// Unreadable records, in input order.
    pub rejects: Vec<Reject>,
    /// Records read with a repair (invalid UTF-8 replaced), in input order.
    pub warnings: Vec<Reject>,
    /// One per file whose records give publication times that are not
    /// dates ([`Article::published_time`]): those times are kept as given
    /// but weigh nothing.
    pub unparsed_times: Vec<UnparsedTimes>,
}

impl Ingested {
    /// Adds what reading another part of the input gave (articles, rejects,
    /// warnings), after this part's.
    pub fn append(&mut self, later: Ingested) {
        self.articles.extend(later.articles);
        self.rejects.extend(later.rejects);
        self.warnings.extend(later.warnings);
        let times = std::mem::take(&mut self.unparsed_times);
        self.unparsed_times = UnparsedTimes::merge(times.into_iter().chain(later.unparsed_times));
    }
}

/// What to do with bytes that are not UTF-8.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum InvalidUtf8 {
    /// Replace them with U+FFFD and keep the article, with a warning.
    #[default]
    Lossy,
    /// Reject the record.
    Reject,
}

/// How ingestion treats problems.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Turn the first bad record into an error instead of a reject.
    pub strict: bool,
    /// Invalid UTF-8: repair (default) or reject.
    pub invalid_utf8: InvalidUtf8,
    /// Keep the first record of a repeated id and reject the others
    /// (otherwise a repeated id is an error naming both places).
    pub dedupe_ids: bool,
    /// Where each field is read from in CSV, Parquet and JSONL input.
    pub columns: Columns,
    /// The format of every input file and of standard input; `None` tells
    /// files by their extension and reads standard input as JSONL.
    pub format: Option<InputFormat>,
}

/// Reads every input path (files or directories) into one batch; `-` reads
/// JSONL from standard input.
pub fn read_inputs(paths: &[PathBuf], options: IngestOptions) -> Result<Ingested> {
    let options = &options;
    let mut out = Ingested::default();
    for path in paths {
        if path.as_os_str() == "-" {
            read_stdin(options, &mut out)?;
            continue;
        }
        let meta = fs::metadata(path).map_err(|e| Error::io(path, e))?;
        if meta.is_dir() {
            let files = article_files(path)?;
            if files.is_empty() {
                return Err(Error::BadInput {
                    path: path.clone(),
                    reason: "directory holds no article files (.txt, .jsonl, .csv, .warc, .parquet)".into(),
                });
            }
            for file in files {
                read_file(&file, options, &mut out)?;
            }
        } else {
            read_file(path, options, &mut out)?;
        }
    }
    out.unparsed_times = unparsed_times(&out.articles);
    check_unique_ids(&mut out, options.dedupe_ids)?;
    Ok(out)
}

/// A warning per file whose articles give publication times that do not
/// parse, at the first of them, in read order.
fn unparsed_times(articles: &[Article]) -> Vec<UnparsedTimes> {
    let mut files: Vec<UnparsedTimes> = Vec::new();
    let mut index: rustc_hash::FxHashMap<&str, usize> = Default::default();
    for a in articles {
        let Some(given) = a.published_at.as_deref().filter(|_| a.published_time().is_none()) else { continue };
        let at = *index.entry(&a.origin.path).or_insert_with(|| {
            let first = Reject { path: a.origin.path.to_string(), line: a.origin.line, reason: given.to_string() };
            files.push(UnparsedTimes { first, count: 0 });
            files.len() - 1
        });
        files[at].count += 1;
    }
    files
}

/// The article files of a directory (recursively), sorted by path.
fn article_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).map_err(|e| Error::io(&d, e))? {
            let entry = entry.map_err(|e| Error::io(&d, e))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| Error::io(&path, e))?;
            if kind.is_dir() {
                stack.push(path);
            } else if is_article_file(&path) {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Whether a directory walk reads `path` as an article file: a known
/// extension, and not a label file.
pub fn is_article_file(path: &Path) -> bool {
    InputFormat::of(path).is_some() && !is_label_file(path)
}

/// Label files (`labels.jsonl`, the evaluation format) sit beside the
/// articles they label; a directory walk leaves them out.
fn is_label_file(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "labels.jsonl")
}

/// An input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// One article a file: id = file stem, the first line its title.
    Text,
    /// One JSON object a line.
    Jsonl,
    /// A JSON array of objects, or JSON objects one a line.
    Json,
    /// Comma-separated, a header row naming the columns.
    Csv,
    /// Web ARChive: HTML responses, their main text extracted.
    Warc,
    /// Apache Parquet.
    Parquet,
}

impl InputFormat {
    /// The format called `name` (`txt`, `jsonl`, `json`, `csv`, `warc`,
    /// `parquet`), as `--input-format` names it.
    pub fn named(name: &str) -> Option<InputFormat> {
        InputFormat::of(Path::new(&format!("file.{name}")))
    }

    /// The format named by the extension under any compression suffix
    /// (`a.jsonl.gz` is JSONL).
    fn of(path: &Path) -> Option<InputFormat> {
        match inner_name(path).rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).as_deref() {
            Some("txt") => Some(InputFormat::Text),
            Some("jsonl" | "ndjson") => Some(InputFormat::Jsonl),
            Some("json") => Some(InputFormat::Json),
            Some("csv") => Some(InputFormat::Csv),
            Some("warc") => Some(InputFormat::Warc),
            Some("parquet") => Some(InputFormat::Parquet),
            _ => None,
        }
    }
}

/// The file name without a `.gz` or `.zst` suffix.
fn inner_name(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    for suffix in [".gz", ".zst"] {
        if name.to_ascii_lowercase().ends_with(suffix) {
            return name[..name.len() - suffix.len()].to_string();
        }
    }
    name
}

/// Opens a file, decompressing gzip or zstd, recognised by their magic
/// bytes whatever the extension.
fn open_decompressed(path: &Path) -> Result<Box<dyn BufRead>> {
    Ok(open_input(path)?.0)
}

/// Opens a file as [`open_decompressed`] does, and says whether it is
/// read as it lies (not compressed), so that its bytes can be read again
/// by offset.
fn open_input(path: &Path) -> Result<(Box<dyn BufRead>, bool)> {
    let file = BufReader::new(fs::File::open(path).map_err(|e| Error::io(path, e))?);
    decompressed(Box::new(file)).map_err(|e| Error::io(path, e))
}

/// The stream `reader` holds, gzip or zstd decompressed (told by their
/// magic bytes), and whether it was read as it lies.
fn decompressed(mut reader: Box<dyn BufRead>) -> std::io::Result<(Box<dyn BufRead>, bool)> {
    let head = reader.fill_buf()?;
    Ok(if head.starts_with(&[0x1f, 0x8b]) {
        (Box::new(BufReader::new(flate2::bufread::MultiGzDecoder::new(reader))), false)
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        (Box::new(BufReader::new(zstd::Decoder::with_buffer(reader)?)), false)
    } else {
        (reader, true)
    })
}

/// Reads standard input: decompressed like a file, in the format
/// `--input-format` names (JSONL by default).
fn read_stdin(options: &IngestOptions, out: &mut Ingested) -> Result<()> {
    let path = Path::new("<stdin>");
    let stdin = BufReader::new(std::io::stdin());
    let (reader, _) = decompressed(Box::new(stdin)).map_err(|e| Error::io(path, e))?;
    match options.format.unwrap_or(InputFormat::Jsonl) {
        InputFormat::Jsonl => read_jsonl(reader, path, None, options, out),
        InputFormat::Json => read_json(reader, path, options, out),
        InputFormat::Csv => read_csv(reader, path, options, out),
        InputFormat::Warc => read_warc(reader, path, options, out),
        InputFormat::Parquet => {
            let mut bytes = Vec::new();
            let mut reader = reader;
            reader.read_to_end(&mut bytes).map_err(|e| Error::io(path, e))?;
            read_parquet(bytes::Bytes::from(bytes), path, options, out)
        }
        InputFormat::Text => Err(Error::BadInput {
            path: path.to_path_buf(),
            reason: "standard input has no file name to be an article's id: read it as jsonl, json, csv, warc or \
                     parquet (--input-format)"
                .into(),
        }),
    }
}

/// Reads a `.json` file: a JSON array of article objects (each numbered
/// from 1 in messages, as "line"), or else JSON objects one a line (JSONL).
fn read_json(mut reader: impl BufRead, path: &Path, options: &IngestOptions, out: &mut Ingested) -> Result<()> {
    let starts_array = loop {
        let head = reader.fill_buf().map_err(|e| Error::io(path, e))?;
        match head.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(at) => break head[at] == b'[',
            None if head.is_empty() => break false,
            None => {
                let n = head.len();
                reader.consume(n);
            }
        }
    };
    if !starts_array {
        return read_jsonl(reader, path, None, options, out);
    }
    let records: Vec<serde_json::Value> = match serde_json::from_reader(reader) {
        Ok(records) => records,
        Err(e) => return reject(path, 0, format!("malformed JSON array, no article read: {e}"), options, out),
    };
    let shown: Arc<str> = path.display().to_string().into();
    let keys = options.columns.keys();
    let start = out.articles.len();
    for (index, record) in records.into_iter().enumerate() {
        let number = index as u64 + 1;
        match parse_record(&record.to_string(), &keys) {
            Ok(mut article) => {
                article.origin = Origin { path: shown.clone(), line: number };
                out.articles.push(article);
            }
            Err(reason) => reject(path, number, format!("record {number} of the array: {reason}"), options, out)?,
        }
    }
    check_given_keys(path, &out.articles[start..], &options.columns)
}

fn read_file(path: &Path, options: &IngestOptions, out: &mut Ingested) -> Result<()> {
    match options.format.or_else(|| InputFormat::of(path)) {
        Some(InputFormat::Text) => read_text_file(path, open_decompressed(path)?, options, out),
        Some(InputFormat::Jsonl) => {
            let (reader, plain) = open_input(path)?;
            // A pipe (mkfifo, /dev/stdin) cannot be read a second time.
            let regular = fs::metadata(path).is_ok_and(|m| m.is_file());
            let reread = (plain && regular).then(|| Arc::new(path.to_path_buf()));
            read_jsonl(reader, path, reread, options, out)
        }
        Some(InputFormat::Json) => read_json(open_decompressed(path)?, path, options, out),
        Some(InputFormat::Csv) => read_csv(open_decompressed(path)?, path, options, out),
        Some(InputFormat::Warc) => read_warc(open_decompressed(path)?, path, options, out),
        Some(InputFormat::Parquet) => {
            let file = fs::File::open(path).map_err(|e| Error::io(path, e))?;
            read_parquet(file, path, options, out)
        }
        None => Err(unknown_type(path)),
    }
}

/// The error for a file whose format neither its name nor the options tell.
fn unknown_type(path: &Path) -> Error {
    Error::BadInput {
        path: path.to_path_buf(),
        reason: "unknown file type: expected .txt, .jsonl, .ndjson, .json, .csv, .warc (optionally .gz or .zst) \
                 or .parquet, or name the format with --input-format"
            .into(),
    }
}

/// Reads one input file handed over as its bytes (as an engine such as
/// Spark reads files from any filesystem it knows), in the format that
/// `options` names or `name` tells; gzip and zstd are decompressed. The
/// articles keep file order and their ids are not checked for repeats:
/// the engine checks them over all its files.
pub fn read_file_bytes(name: &str, bytes: Vec<u8>, options: &IngestOptions) -> Result<Ingested> {
    let path = Path::new(name);
    let mut out = Ingested::default();
    let Some(format) = options.format.or_else(|| InputFormat::of(path)) else { return Err(unknown_type(path)) };
    let open = |bytes: Vec<u8>| {
        decompressed(Box::new(std::io::Cursor::new(bytes))).map(|(reader, _)| reader).map_err(|e| Error::io(path, e))
    };
    match format {
        InputFormat::Text => read_text_file(path, open(bytes)?, options, &mut out)?,
        InputFormat::Jsonl => read_jsonl(open(bytes)?, path, None, options, &mut out)?,
        InputFormat::Json => read_json(open(bytes)?, path, options, &mut out)?,
        InputFormat::Csv => read_csv(open(bytes)?, path, options, &mut out)?,
        InputFormat::Warc => read_warc(open(bytes)?, path, options, &mut out)?,
        InputFormat::Parquet => read_parquet(bytes::Bytes::from(bytes), path, options, &mut out)?,
    }
    out.unparsed_times = unparsed_times(&out.articles);
    Ok(out)
}

fn reject(path: &Path, line: u64, reason: String, options: &IngestOptions, out: &mut Ingested) -> Result<()> {
    if options.strict {
        return Err(Error::BadRecord { path: path.to_path_buf(), line, reason });
    }
    out.rejects.push(Reject { path: path.display().to_string(), line, reason });
    Ok(())
}

/// Reads a `.txt` article from `reader`: the file stem is its id, its first
/// line its title.
fn read_text_file(path: &Path, mut reader: impl Read, options: &IngestOptions, out: &mut Ingested) -> Result<()> {
    let Some(id) = path
        .file_name()
        .and_then(|s| s.to_str())
        .map(|_| inner_name(path))
        .and_then(|n| n.rsplit_once('.').map(|(stem, _)| stem.to_string()))
    else {
        return reject(path, 0, "file name is not valid UTF-8, so it cannot be an id".into(), options, out);
    };
    let mut bytes = Vec::new();
    if let Err(e) = reader.read_to_end(&mut bytes) {
        return reject(path, 0, format!("cannot read: {e}"), options, out);
    }
    if let Some(at) = memchr_nul(&bytes) {
        return reject(path, 0, format!("binary file (NUL byte at offset {at}), not an article"), options, out);
    }
    let text = match decode(bytes, path, 0, options) {
        Ok((text, warning)) => {
            out.warnings.extend(warning);
            text
        }
        Err(reason) => return reject(path, 0, reason, options, out),
    };
    let text = text.replace("\r\n", "\n");
    if text.trim().is_empty() {
        return reject(path, 0, "empty article".into(), options, out);
    }
    let title =
        text.lines().map(str::trim).find(|l| !l.is_empty()).filter(|l| l.chars().count() <= 200).map(str::to_owned);
    let mut article = Article::new(id, text);
    article.title = title;
    article.origin = Origin { path: path.display().to_string().into(), line: 0 };
    out.articles.push(article);
    Ok(())
}

/// Reads JSONL records from `reader`; `path` names it in messages. A read
/// error (a truncated or corrupt compressed file) rejects the rest of it.
/// With `reread` (the reader is that file, uncompressed), texts longer
/// than [`HELD_TEXT_BYTES`] are left in the file ([`Text::in_file`]).
fn read_jsonl(
    reader: impl BufRead,
    path: &Path,
    reread: Option<Arc<PathBuf>>,
    options: &IngestOptions,
    out: &mut Ingested,
) -> Result<()> {
    let start = out.articles.len();
    read_jsonl_records(reader, path, reread, options, out)?;
    check_given_keys(path, &out.articles[start..], &options.columns)
}

/// A JSON input must use every optional key `--columns` names: a name that
/// no record has is a typing slip, not a field that happens to be empty.
fn check_given_keys(path: &Path, read: &[Article], columns: &Columns) -> Result<()> {
    if read.is_empty() {
        return Ok(());
    }
    let has = |a: &Article, field: Field| match field {
        Field::Title => a.title.is_some(),
        Field::Url => a.url.is_some(),
        Field::Source => a.source.is_some(),
        Field::PublishedAt => a.published_at.is_some(),
        Field::Lang => a.lang.is_some(),
        Field::Id | Field::Text => true,
    };
    for field in Field::ALL {
        if let Some(name) = columns.given(field) {
            if !read.iter().any(|a| has(a, field)) {
                return Err(Error::BadInput {
                    path: path.to_path_buf(),
                    reason: format!("--columns reads {:?} from {name:?}, but no record has that key", field.name()),
                });
            }
        }
    }
    Ok(())
}

/// [`read_jsonl`] without the check of the keys `--columns` names.
fn read_jsonl_records(
    mut reader: impl BufRead,
    path: &Path,
    reread: Option<Arc<PathBuf>>,
    options: &IngestOptions,
    out: &mut Ingested,
) -> Result<()> {
    // One copy of the name, shared by the file's articles.
    let shown: Arc<str> = path.display().to_string().into();
    let keys = Arc::new(options.columns.keys());
    let mut place = LinePlace::default();
    let mut batch = read_batch(&mut reader, &mut place);
    loop {
        // A batch of lines is parsed on every core while the next is read
        // (the reader stays on this thread), and taken in line order: what
        // a line-by-line read would do.
        let LineBatch { lines, failure } = batch;
        let done = lines.len() < PARSE_BATCH_LINES || failure.is_some();
        let (parsed, next) = std::thread::scope(|scope| {
            let parsing = scope.spawn(|| {
                let parse = |raw| parse_line(raw, path, reread.as_ref(), &keys, options);
                lines.into_par_iter().map(parse).collect::<Vec<ParsedLine>>()
            });
            let next = (!done).then(|| read_batch(&mut reader, &mut place));
            let parsed = parsing.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (parsed, next)
        });
        parsed.into_iter().try_for_each(|line| take_line(line, path, &shown, options, out))?;
        if let Some((line_no, reason)) = failure {
            return reject(path, line_no, reason, options, out);
        }
        match next {
            Some(next) => batch = next,
            None => return Ok(()),
        }
    }
}

/// Where a JSONL reader is: lines read so far, and the byte offset of the next.
#[derive(Default)]
struct LinePlace {
    line_no: u64,
    offset: u64,
}

/// Up to [`PARSE_BATCH_LINES`] lines of a JSONL file, as read.
struct LineBatch {
    lines: Vec<RawLine>,
    /// The line that could not be read, and why, if reading stopped short.
    failure: Option<(u64, String)>,
}

/// Reads the next batch of lines from `reader`, at `place`.
fn read_batch(reader: &mut impl BufRead, place: &mut LinePlace) -> LineBatch {
    let mut lines: Vec<RawLine> = Vec::with_capacity(PARSE_BATCH_LINES);
    while lines.len() < PARSE_BATCH_LINES {
        let mut bytes = Vec::new();
        match reader.read_until(b'\n', &mut bytes) {
            Ok(0) => break,
            Ok(n) => {
                place.line_no += 1;
                lines.push(RawLine { line_no: place.line_no, offset: place.offset, bytes });
                place.offset += n as u64;
            }
            Err(e) => {
                let failure = Some((place.line_no + 1, format!("cannot read further: {e}")));
                return LineBatch { lines, failure };
            }
        }
    }
    LineBatch { lines, failure: None }
}

/// Takes one parsed line into `out`: its article, or its reject, and any warning.
fn take_line(
    line: ParsedLine,
    path: &Path,
    shown: &Arc<str>,
    options: &IngestOptions,
    out: &mut Ingested,
) -> Result<()> {
    if let Some(warning) = line.warning {
        out.warnings.push(warning);
    }
    match line.outcome {
        LineOutcome::Blank => Ok(()),
        LineOutcome::Article(mut article) => {
            article.origin = Origin { path: shown.clone(), line: line.line_no };
            out.articles.push(*article);
            Ok(())
        }
        LineOutcome::Rejected(reason) => reject(path, line.line_no, reason, options, out),
    }
}

/// Reads JSONL records handed over line by line (an engine's split of a
/// file): each line's file, its number there and its bytes, as the file
/// reader reads them. Checks of a whole file (a key named in `--columns`
/// that no record has) are left to the caller.
pub fn read_jsonl_lines<'a>(
    lines: impl IntoIterator<Item = (&'a str, u64, &'a [u8])>,
    options: &IngestOptions,
) -> Result<Ingested> {
    let keys = Arc::new(options.columns.keys());
    let mut out = Ingested::default();
    let mut shown: Option<Arc<str>> = None;
    for (name, line_no, bytes) in lines {
        let path = Path::new(name);
        let shown = match &shown {
            Some(s) if **s == *name => s.clone(),
            _ => shown.insert(Arc::from(name)).clone(),
        };
        let raw = RawLine { line_no, offset: 0, bytes: bytes.to_vec() };
        take_line(parse_line(raw, path, None, &keys, options), path, &shown, options, &mut out)?;
    }
    out.unparsed_times = unparsed_times(&out.articles);
    Ok(out)
}

/// Lines of a JSONL file parsed together (in parallel) before they are taken in order.
const PARSE_BATCH_LINES: usize = 4096;

/// One line of a JSONL file as read: its number, where it starts, its bytes.
struct RawLine {
    line_no: u64,
    offset: u64,
    bytes: Vec<u8>,
}

/// What one line of a JSONL file holds.
struct ParsedLine {
    line_no: u64,
    /// A repair made to read it (invalid UTF-8 replaced).
    warning: Option<Reject>,
    outcome: LineOutcome,
}

enum LineOutcome {
    /// Nothing but whitespace.
    Blank,
    Article(Box<Article>),
    Rejected(String),
}

/// Decodes and parses one line; a text that can be read again from the
/// file (`reread`) is left there.
fn parse_line(
    raw: RawLine,
    path: &Path,
    reread: Option<&Arc<PathBuf>>,
    keys: &Arc<Keys>,
    options: &IngestOptions,
) -> ParsedLine {
    let RawLine { line_no, offset, bytes } = raw;
    let n = bytes.len();
    let done = |warning, outcome| ParsedLine { line_no, warning, outcome };
    let (line, warning) = match decode(bytes, path, line_no, options) {
        Ok(decoded) => decoded,
        Err(reason) => return done(None, LineOutcome::Rejected(reason)),
    };
    let record = line.trim();
    if record.is_empty() {
        return done(warning, LineOutcome::Blank);
    }
    match parse_record(record, keys) {
        Ok(mut article) => {
            // A repaired line would not read back as it was kept.
            if let Some(file) = reread.filter(|_| warning.is_none() && article.text.len() > HELD_TEXT_BYTES) {
                // Hashed where it lies, not copied first.
                let at = LineSpan { line: line_no, offset, bytes: n };
                let held = article.text.read().expect("a parsed text is held in memory");
                let in_file = Text::in_file(file.clone(), keys.clone(), at, &held);
                article.text = in_file;
            }
            done(warning, LineOutcome::Article(Box::new(article)))
        }
        Err(reason) => done(warning, LineOutcome::Rejected(reason)),
    }
}

/// Texts up to this many bytes are held in memory even when they could be
/// read again from their file (they take less room than where they lie).
const HELD_TEXT_BYTES: usize = 64;

fn memchr_nul(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == 0)
}

/// Decodes bytes as UTF-8, repairing (with a warning) or rejecting (`Err`
/// with the reason) invalid sequences by policy.
fn decode(
    bytes: Vec<u8>,
    path: &Path,
    line: u64,
    options: &IngestOptions,
) -> std::result::Result<(String, Option<Reject>), String> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok((text, None)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            match options.invalid_utf8 {
                InvalidUtf8::Reject => Err(format!("not valid UTF-8 (invalid byte at offset {at})")),
                InvalidUtf8::Lossy => {
                    let warning = Reject {
                        path: path.display().to_string(),
                        line,
                        reason: format!("invalid UTF-8 at offset {at} replaced with U+FFFD"),
                    };
                    Ok((String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(warning)))
                }
            }
        }
    }
}

/// One article from a JSON object, its fields found by `keys`
/// ([`Columns::keys`]): for callers that hold records rather than files
/// (the Python package). An error says what is wrong with the record.
pub fn article_from_json(json: &str, keys: &Keys) -> std::result::Result<Article, String> {
    parse_record(json, keys)
}

fn parse_record(line: &str, keys: &Keys) -> std::result::Result<Article, String> {
    let values = keys.parse(line).map_err(|e| format!("malformed JSON: {e}"))?;
    build_article(values, "field")
}

/// Checks a record's id and text and builds the article (`what` is "field"
/// or "column", for messages).
fn build_article(values: Values, what: &str) -> std::result::Result<Article, String> {
    let [id, text, title, url, source, published_at, lang] = values;
    let id = id.filter(|s| !s.trim().is_empty()).ok_or_else(|| format!("missing {what} \"id\""))?;
    let text = text.ok_or_else(|| format!("article {id:?}: missing {what} \"text\""))?;
    let present = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
    let title = present(title);
    if text.trim().is_empty() && title.is_none() {
        return Err(format!("article {id:?}: empty text"));
    }
    // Most texts have no carriage return: they are kept as parsed, not copied.
    let text = if text.contains('\r') { text.replace("\r\n", "\n") } else { text };
    let mut article = Article::new(id, text);
    article.title = title;
    article.url = present(url);
    article.source = present(source);
    article.published_at = present(published_at);
    article.lang = present(lang);
    Ok(article)
}

/// Reads the `response` records of a WARC file: the article text is
/// extracted from the HTML by `dom_smoothie` (a Readability port), with the
/// page's title, outlet and publication time from its head (JSON-LD
/// `headline`, `publisher.name` and `datePublished`; else `og:title`,
/// `og:site_name`, `article:published_time` and `<title>`). The target URI
/// is the article's `url` and its id (the second record of one URI gets
/// `#2` after it, and so on, in file order), the record id is kept as
/// `warc_record_id`. Records are numbered from 1 in messages (as "line").
/// Other record types (request, metadata, warcinfo) hold no article.
fn read_warc(reader: impl BufRead, path: &Path, options: &IngestOptions, out: &mut Ingested) -> Result<()> {
    // One copy of the name, shared by the file's articles.
    let shown: Arc<str> = path.display().to_string().into();
    let mut seen_uris: rustc_hash::FxHashMap<String, u32> = Default::default();
    for (index, record) in warc::WarcReader::new(reader).iter_records().enumerate() {
        let number = index as u64 + 1;
        let record = match record {
            Ok(r) => r,
            // The stream cannot be trusted past a malformed record.
            Err(e) => {
                return reject(path, number, format!("malformed WARC record, rest of file skipped: {e}"), options, out)
            }
        };
        if *record.warc_type() != warc::RecordType::Response {
            continue;
        }
        let url = record.header(warc::WarcHeader::TargetURI).map(|u| u.trim().to_string()).filter(|u| !u.is_empty());
        let record_id = record.warc_id().trim_matches(['<', '>']).trim_start_matches("urn:uuid:").to_string();
        let id = match &url {
            Some(url) => {
                let seen = seen_uris.entry(url.clone()).or_insert(0);
                *seen += 1;
                if *seen == 1 {
                    url.clone()
                } else {
                    format!("{url}#{seen}")
                }
            }
            None => record_id.clone(),
        };
        match html_article(record.body(), url.as_deref()) {
            Ok(page) => {
                let values = [Some(id), Some(page.text), page.title, url, page.site_name, page.published_time, None];
                match build_article(values, "field") {
                    Ok(mut article) => {
                        article.warc_record_id = Some(record_id);
                        article.origin = Origin { path: shown.clone(), line: number };
                        out.articles.push(article);
                    }
                    Err(reason) => reject(path, number, reason, options, out)?,
                }
            }
            Err(reason) => reject(path, number, format!("record {record_id}: {reason}"), options, out)?,
        }
    }
    Ok(())
}

/// What an HTML page says of itself: its main text and head metadata.
struct Page {
    text: String,
    title: Option<String>,
    site_name: Option<String>,
    published_time: Option<String>,
}

/// The main text and metadata of an HTTP response holding an HTML page.
fn html_article(http: &[u8], url: Option<&str>) -> std::result::Result<Page, String> {
    let split = http.windows(4).position(|w| w == b"\r\n\r\n").ok_or("no HTTP header in the response")?;
    let (head, body) = (String::from_utf8_lossy(&http[..split]).to_lowercase(), &http[split + 4..]);
    let status_ok = head.split_whitespace().nth(1).is_some_and(|code| code.starts_with('2'));
    if !status_ok {
        return Err(format!("HTTP status is not 2xx ({})", head.lines().next().unwrap_or("")));
    }
    if head.lines().any(|l| l.starts_with("content-type:") && !l.contains("html")) {
        return Err("not an HTML page".into());
    }
    let html = String::from_utf8_lossy(body);
    let absolute = url.filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    let mut readability = dom_smoothie::Readability::new(html.as_ref(), absolute, None).map_err(|e| e.to_string())?;
    let article = readability.parse().map_err(|e| format!("no article text found: {e}"))?;
    let present = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    Ok(Page {
        text: article.text_content.to_string(),
        title: present(Some(article.title)),
        site_name: present(article.site_name),
        published_time: present(article.published_time),
    })
}

/// Reads a Parquet file's rows; columns are named as for CSV ([`Columns`])
/// and hold strings (an integer id is read as its decimal text). Rows are
/// numbered from 1 in messages.
fn read_parquet<R: parquet::file::reader::ChunkReader + 'static>(
    source: R,
    path: &Path,
    options: &IngestOptions,
    out: &mut Ingested,
) -> Result<()> {
    use arrow_array::{Array, Int32Array, Int64Array, LargeStringArray, StringArray};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    // One copy of the name, shared by the file's articles.
    let shown: Arc<str> = path.display().to_string().into();
    let bad = |reason: String| Error::BadInput { path: path.to_path_buf(), reason };
    let reader = match ParquetRecordBatchReaderBuilder::try_new(source).and_then(|b| b.build()) {
        Ok(reader) => reader,
        Err(e) => return reject(path, 0, format!("not a readable Parquet file: {e}"), options, out),
    };
    let cols = &options.columns;
    let mut row = 0u64;
    for batch in reader {
        let batch = match batch {
            Ok(batch) => batch,
            Err(e) => {
                return reject(
                    path,
                    row + 1,
                    format!("unreadable Parquet data, rest of file skipped: {e}"),
                    options,
                    out,
                )
            }
        };
        let schema = batch.schema();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        let at = cols.locate(&names).map_err(|reason| bad(format!("Parquet file has {reason}")))?;
        // One column as optional strings per row.
        let strings = |at: Option<usize>| -> std::result::Result<Vec<Option<String>>, String> {
            let Some(i) = at else { return Ok(vec![None; batch.num_rows()]) };
            let column = batch.column(i);
            let any = column.as_any();
            let get = |r: usize, f: &dyn Fn(usize) -> String| (!column.is_null(r)).then(|| f(r));
            let n = batch.num_rows();
            if let Some(a) = any.downcast_ref::<StringArray>() {
                Ok((0..n).map(|r| get(r, &|r| a.value(r).to_string())).collect())
            } else if let Some(a) = any.downcast_ref::<LargeStringArray>() {
                Ok((0..n).map(|r| get(r, &|r| a.value(r).to_string())).collect())
            } else if let Some(a) = any.downcast_ref::<Int64Array>() {
                Ok((0..n).map(|r| get(r, &|r| a.value(r).to_string())).collect())
            } else if let Some(a) = any.downcast_ref::<Int32Array>() {
                Ok((0..n).map(|r| get(r, &|r| a.value(r).to_string())).collect())
            } else {
                Err(format!("column {:?} holds {}, not text", names[i], column.data_type()))
            }
        };
        let mut columns = at
            .iter()
            .map(|&at| strings(at).map(Vec::into_iter))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(bad)?;
        for _ in 0..batch.num_rows() {
            row += 1;
            let values: Values = std::array::from_fn(|f| columns[f].next().flatten());
            match build_article(values, "column") {
                Ok(mut article) => {
                    article.origin = Origin { path: shown.clone(), line: row };
                    out.articles.push(article);
                }
                Err(reason) => reject(path, row, reason, options, out)?,
            }
        }
    }
    Ok(())
}

/// Reads CSV records (a header row names the columns, see [`Columns`]).
fn read_csv(reader: impl Read, path: &Path, options: &IngestOptions, out: &mut Ingested) -> Result<()> {
    // One copy of the name, shared by the file's articles.
    let shown: Arc<str> = path.display().to_string().into();
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = match csv.headers() {
        Ok(h) => h.clone(),
        Err(e) => return reject(path, 1, format!("unreadable CSV header: {e}"), options, out),
    };
    let names: Vec<&str> = headers.iter().collect();
    let at = options
        .columns
        .locate(&names)
        .map_err(|reason| Error::BadInput { path: path.to_path_buf(), reason: format!("CSV header has {reason}") })?;
    for record in csv.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                reject(path, line, format!("malformed CSV: {e}"), options, out)?;
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let values: Values = at.map(|i| i.and_then(|i| record.get(i)).map(str::to_owned));
        match build_article(values, "column") {
            Ok(mut article) => {
                article.origin = Origin { path: shown.clone(), line };
                out.articles.push(article);
            }
            Err(reason) => reject(path, line, reason, options, out)?,
        }
    }
    Ok(())
}

/// Sorts by id and fails on the first id that occurs twice, naming both places.
/// With `dedupe`, later records of a repeated id become rejects.
fn check_unique_ids(out: &mut Ingested, dedupe: bool) -> Result<()> {
    // Stable: records of one id stay in input order, next to each other, so
    // the one kept is the first read.
    out.articles.sort_by(|a, b| a.id.cmp(&b.id));
    let (mut rejects, mut repeated) = (Vec::new(), None);
    out.articles.dedup_by(|later, first| {
        if later.id != first.id {
            return false;
        }
        if dedupe {
            rejects.push(repeated_id(&later.id, &first.origin, &later.origin));
        } else if repeated.is_none() {
            repeated = Some(Error::DuplicateId {
                id: later.id.clone(),
                first: first.origin.to_string(),
                second: later.origin.to_string(),
            });
        }
        true
    });
    if let Some(error) = repeated {
        return Err(error);
    }
    out.rejects.extend(rejects);
    Ok(())
}

/// The records `--dedupe-ids` skips among `records` (`(id, where read)`,
/// in read order): every record of an id after the first read, as a
/// reject naming where the first was read; in id order, then read order,
/// as a whole reading gives them. For an engine that reads the parts of a
/// batch apart and finds the repeats after.
pub fn repeated_ids<'a>(records: impl IntoIterator<Item = (&'a str, &'a Origin)>) -> Vec<Reject> {
    let mut records: Vec<(&str, &Origin)> = records.into_iter().collect();
    // Stable: the records of one id stay in read order.
    records.sort_by_key(|&(id, _)| id);
    records
        .chunk_by(|a, b| a.0 == b.0)
        .flat_map(|same| same[1..].iter().map(|&(id, again)| repeated_id(id, same[0].1, again)))
        .collect()
}

/// The reject of a record whose id was read before, at `first`.
fn repeated_id(id: &str, first: &Origin, again: &Origin) -> Reject {
    Reject {
        path: again.path.to_string(),
        line: again.line,
        reason: format!("duplicate id {id:?}, first read at {first}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
        let p = dir.join(name);
        fs::write(&p, body).unwrap();
        p
    }

    #[test]
    fn jsonl_missing_text_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "a.jsonl", "{\"id\":\"a\",\"text\":\"x y\"}\n{\"id\":\"b\"}\n");
        let err =
            read_inputs(std::slice::from_ref(&p), IngestOptions { strict: true, ..Default::default() }).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("a.jsonl:2") && msg.contains("\"text\""), "{msg}");
        let ok = read_inputs(&[p], IngestOptions::default()).unwrap();
        assert_eq!(ok.articles.len(), 1);
        assert_eq!(ok.rejects.len(), 1);
        assert_eq!(ok.rejects[0].line, 2);
    }

    #[test]
    fn lines_parsed_in_batches_keep_their_order_numbers_and_rejects() {
        let dir = tempfile::tempdir().unwrap();
        // Past the first batch: a blank line early, a bad record and a line
        // of invalid UTF-8 in the second batch; texts long enough to stay in the file.
        let lines = PARSE_BATCH_LINES + 900;
        let mut body = Vec::new();
        for n in 1..=lines {
            match n {
                10 => body.extend_from_slice(b"   "),
                4500 => body.extend_from_slice(b"{\"id\":\"bad\"}"),
                4600 => body.extend_from_slice(
                    b"{\"id\":\"u\",\"text\":\"caf\xe9 story text long enough to stay in its file on disk\"}",
                ),
                _ => body.extend_from_slice(
                    format!("{{\"id\":\"a{n:05}\",\"text\":\"story {n} has a text long enough to stay in its file\"}}")
                        .as_bytes(),
                ),
            }
            body.push(b'\n');
        }
        let p = dir.path().join("many.jsonl");
        fs::write(&p, &body).unwrap();
        let got = read_inputs(std::slice::from_ref(&p), IngestOptions::default()).unwrap();
        assert_eq!(got.articles.len(), lines - 2);
        assert_eq!(got.rejects.iter().map(|r| r.line).collect::<Vec<_>>(), [4500]);
        // The repaired line is kept, held in memory (it would not read back as kept).
        assert_eq!(got.warnings.iter().map(|r| r.line).collect::<Vec<_>>(), [4600]);
        let repaired = got.articles.iter().find(|a| a.id == "u").unwrap();
        assert!(repaired.text.is_held() && repaired.text.read().unwrap().contains('\u{FFFD}'));
        // Each record's id names its line: every one is where it was read.
        for a in got.articles.iter().filter(|a| a.id.starts_with('a')) {
            assert_eq!(a.id[1..].parse::<u64>().unwrap(), a.origin.line, "{}", a.id);
        }
        let later = got.articles.iter().find(|a| a.id == "a04601").unwrap();
        assert_eq!(later.text.read().unwrap(), "story 4601 has a text long enough to stay in its file");
        let err = read_inputs(&[p], IngestOptions { strict: true, ..Default::default() }).unwrap_err().to_string();
        assert!(err.contains("many.jsonl:4500"), "{err}");
    }

    #[test]
    fn jsonl_line_ends_in_a_text_are_read_as_newlines_in_memory_and_in_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let long = "a text long enough to be left in its file rather than held in memory";
        let body = format!(
            "{{\"id\":\"crlf\",\"text\":\"one\\r\\ntwo {long}\"}}\n{{\"id\":\"lf\",\"text\":\"one\\ntwo {long}\"}}\n{{\"id\":\"short\",\"text\":\"a\\r\\nb\"}}\n"
        );
        let p = write(dir.path(), "a.jsonl", &body);
        let got = read_inputs(&[p], IngestOptions::default()).unwrap();
        let text = |id: &str| got.articles.iter().find(|a| a.id == id).unwrap().text.read().unwrap().into_owned();
        assert_eq!(text("crlf"), format!("one\ntwo {long}"));
        assert_eq!(text("lf"), format!("one\ntwo {long}"));
        assert_eq!(text("short"), "a\nb");
        assert!(!got.articles.iter().find(|a| a.id == "crlf").unwrap().text.is_held());
    }

    #[test]
    fn jsonl_unknown_fields_are_ignored_and_metadata_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "a.jsonl", "{\"id\":7,\"text\":\"t\",\"source\":\"S\",\"extra\":[1]}\n");
        let got = read_inputs(&[p], IngestOptions::default()).unwrap();
        assert_eq!(got.articles[0].id, "7");
        assert_eq!(got.articles[0].source.as_deref(), Some("S"));
    }

    #[test]
    fn duplicate_ids_name_both_places() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "a.jsonl", "{\"id\":\"x\",\"text\":\"1\"}\n{\"id\":\"x\",\"text\":\"2\"}\n");
        let msg = read_inputs(&[p], IngestOptions::default()).unwrap_err().to_string();
        assert!(msg.contains("a.jsonl:1") && msg.contains("a.jsonl:2"), "{msg}");
    }

    #[test]
    fn text_directory_uses_file_stem_and_first_line_as_title() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "b.txt", "\nHeadline here\nBody text.\n");
        write(dir.path(), "a.txt", "Other\nbody");
        write(dir.path(), "notes.md", "ignored");
        write(dir.path(), "labels.jsonl", "{\"id\":\"a\",\"story\":\"s\"}\n");
        let got = read_inputs(&[dir.path().to_path_buf()], IngestOptions::default()).unwrap();
        let ids: Vec<_> = got.articles.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(got.articles[1].title.as_deref(), Some("Headline here"));
    }

    #[test]
    fn repeats_found_after_reading_parts_apart_are_those_a_whole_reading_skips() {
        let dir = tempfile::tempdir().unwrap();
        let lines = ["y", "x", "y", "z", "x", "y"].map(|id| format!("{{\"id\":\"{id}\",\"text\":\"t\"}}\n")).concat();
        let a = write(dir.path(), "a.jsonl", &lines);
        let b = write(dir.path(), "b.jsonl", "{\"id\":\"x\",\"text\":\"t\"}\n");
        let whole = read_inputs(&[a, b], IngestOptions { dedupe_ids: true, ..Default::default() }).unwrap();
        // Every record of both files, in read order, as the parts' readers saw them.
        let all = [&lines[..], "{\"id\":\"x\",\"text\":\"t\"}\n"];
        let mut records = Vec::new();
        for (file, body) in ["a.jsonl", "b.jsonl"].iter().zip(all) {
            let path: Arc<str> = dir.path().join(file).display().to_string().into();
            for (i, line) in body.lines().enumerate() {
                let id = serde_json::from_str::<serde_json::Value>(line).unwrap()["id"].as_str().unwrap().to_string();
                records.push((id, Origin { path: Arc::clone(&path), line: i as u64 + 1 }));
            }
        }
        let found = repeated_ids(records.iter().map(|(id, at)| (id.as_str(), at)));
        assert_eq!(found, whole.rejects);
        assert_eq!(found.len(), 4);
    }

    #[test]
    fn duplicate_ids_can_be_deduplicated_keeping_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "a.jsonl", "{\"id\":\"x\",\"text\":\"first\"}\n{\"id\":\"x\",\"text\":\"second\"}\n");
        let got = read_inputs(&[p], IngestOptions { dedupe_ids: true, ..Default::default() }).unwrap();
        assert_eq!(got.articles.len(), 1);
        assert_eq!(got.articles[0].text.read().unwrap(), "first");
        assert!(got.rejects[0].reason.contains("first read at"), "{:?}", got.rejects);
    }

    #[test]
    fn invalid_utf8_is_repaired_with_a_warning_or_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.txt");
        fs::write(&p, b"Caf\xe9 story text\n").unwrap();
        let lossy = read_inputs(std::slice::from_ref(&p), IngestOptions::default()).unwrap();
        assert_eq!(lossy.articles[0].text.read().unwrap(), "Caf\u{FFFD} story text\n");
        assert_eq!(lossy.warnings.len(), 1);
        let strict = IngestOptions { invalid_utf8: InvalidUtf8::Reject, ..Default::default() };
        let rejected = read_inputs(&[p], strict).unwrap();
        assert!(rejected.articles.is_empty());
        assert!(rejected.rejects[0].reason.contains("offset 3"));
    }

    #[test]
    fn binary_txt_file_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("img.txt");
        fs::write(&p, b"\x89PNG\r\n\x1a\n\0\0\0").unwrap();
        let got = read_inputs(&[p], IngestOptions::default()).unwrap();
        assert!(got.rejects[0].reason.contains("binary"), "{:?}", got.rejects);
    }

    #[test]
    fn non_utf8_file_name_is_rejected_not_dropped() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
        fs::write(dir.path().join(name), "Some story.").unwrap();
        let got = read_inputs(&[dir.path().to_path_buf()], IngestOptions::default()).unwrap();
        assert!(got.articles.is_empty());
        assert_eq!(got.rejects.len(), 1);
        assert!(got.rejects[0].reason.contains("file name"));
    }

    #[test]
    fn compressed_jsonl_is_read_by_magic_bytes() {
        use std::io::Write as _;
        let dir = tempfile::tempdir().unwrap();
        let body = b"{\"id\":\"a\",\"text\":\"one\"}\n{\"id\":\"b\",\"text\":\"two\"}\n";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(body).unwrap();
        // Named .jsonl although gzipped: the magic bytes decide.
        let p = dir.path().join("a.jsonl");
        fs::write(&p, gz.finish().unwrap()).unwrap();
        let z = dir.path().join("b.jsonl.zst");
        let other = b"{\"id\":\"c\",\"text\":\"three\"}\n{\"id\":\"d\",\"text\":\"four\"}\n";
        fs::write(&z, zstd::encode_all(&other[..], 3).unwrap()).unwrap();
        let got = read_inputs(&[dir.path().to_path_buf()], IngestOptions::default()).unwrap();
        let ids: Vec<_> = got.articles.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c", "d"]);
    }

    #[test]
    fn compressed_text_file_keeps_its_stem_as_id() {
        use std::io::Write as _;
        let dir = tempfile::tempdir().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"Headline\nBody.").unwrap();
        fs::write(dir.path().join("story-1.txt.gz"), gz.finish().unwrap()).unwrap();
        let got = read_inputs(&[dir.path().to_path_buf()], IngestOptions::default()).unwrap();
        assert_eq!(got.articles[0].id, "story-1");
        assert_eq!(got.articles[0].text.read().unwrap(), "Headline\nBody.");
    }

    #[test]
    fn truncated_gzip_keeps_what_was_read_and_rejects_the_rest() {
        use std::io::Write as _;
        let dir = tempfile::tempdir().unwrap();
        let lines: String =
            (0..200).map(|i| format!("{{\"id\":\"x{i}\",\"text\":\"article number {i} text\"}}\n")).collect();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
        gz.write_all(lines.as_bytes()).unwrap();
        let bytes = gz.finish().unwrap();
        let p = dir.path().join("cut.jsonl.gz");
        fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
        let got = read_inputs(&[p], IngestOptions::default()).unwrap();
        assert!(!got.articles.is_empty() && got.articles.len() < 200);
        assert!(got.rejects.last().unwrap().reason.contains("cannot read further"), "{:?}", got.rejects);
    }

    #[test]
    fn csv_with_renamed_columns() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "feed.csv",
            "guid,body,headline\n7,\"First story, with a comma\",Head\n8,,\n,no id here,\n",
        );
        let options = IngestOptions {
            columns: Columns::parse("id=guid,text=body,title=headline").unwrap(),
            ..Default::default()
        };
        let got = read_inputs(&[p], options).unwrap();
        assert_eq!(got.articles.len(), 1);
        assert_eq!(got.articles[0].text.read().unwrap(), "First story, with a comma");
        assert_eq!(got.articles[0].title.as_deref(), Some("Head"));
        let lines: Vec<u64> = got.rejects.iter().map(|r| r.line).collect();
        assert_eq!(lines, [3, 4], "{:?}", got.rejects);
    }

    #[test]
    fn csv_without_the_named_columns_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "feed.csv", "a,b\n1,2\n");
        let msg = read_inputs(&[p], IngestOptions::default()).unwrap_err().to_string();
        assert!(msg.contains("--columns") && msg.contains("a,b"), "{msg}");
        assert!(Columns::parse("body").is_err());
        assert!(Columns::parse("summary=x").unwrap_err().contains("unknown field"));
    }

    #[test]
    fn warc_response_records_become_articles() {
        let page = |title: &str, body: &str| {
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><head><title>{title} | Site</title>\
                 <meta property=\"og:site_name\" content=\"Coast Times\">\
                 <meta property=\"article:published_time\" content=\"2025-08-09T18:30:00+02:00\"></head>\
                 <body><nav>Home | World | Sport</nav><article><h1>{title}</h1><p>{body}</p><p>{body}</p></article>\
                 <footer>Copyright</footer></body></html>"
            )
        };
        let record = |id: &str, kind: &str, uri: &str, payload: &str| {
            format!(
                "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{id}>\r\nWARC-Date: 2025-08-10T09:00:00Z\r\n\
                 WARC-Target-URI: {uri}\r\nContent-Length: {}\r\n\r\n{payload}\r\n\r\n",
                payload.len()
            )
        };
        let text = "Flights between Benghazi and Minsk rose sharply in June, European officials said on Friday, \
                    raising fears of a new crisis on the border of the European Union.";
        let warc = [
            record("11111111-aaaa", "response", "https://example.com/a", &page("Flights rise", text)),
            record("22222222-bbbb", "request", "https://example.com/a", "GET /a HTTP/1.1\r\n\r\n"),
            record("44444444-dddd", "response", "https://example.com/a", &page("Flights rise", text)),
            record(
                "33333333-cccc",
                "response",
                "https://example.com/img",
                "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\nPNG",
            ),
        ]
        .concat();
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "crawl.warc", &warc);
        let got = read_inputs(&[p], IngestOptions::default()).unwrap();
        assert_eq!(got.articles.len(), 2, "{:?}", got.rejects);
        let a = &got.articles[0];
        assert_eq!(a.id, "https://example.com/a", "a page's id is its URL");
        assert_eq!(a.warc_record_id.as_deref(), Some("11111111-aaaa"));
        assert_eq!(a.url.as_deref(), Some("https://example.com/a"));
        assert_eq!(a.source.as_deref(), Some("Coast Times"));
        assert_eq!(a.published_at.as_deref(), Some("2025-08-09T18:30:00+02:00"), "the page's time, not the crawl's");
        assert!(a.title.as_deref().is_some_and(|t| t.starts_with("Flights rise")), "{:?}", a.title);
        let again = &got.articles[1];
        assert_eq!(
            (again.id.as_str(), again.warc_record_id.as_deref()),
            ("https://example.com/a#2", Some("44444444-dddd"))
        );
        let text = a.text.read().unwrap();
        assert!(text.contains("Benghazi and Minsk"), "{text}");
        assert!(!text.contains("Home | World"), "navigation is not article text: {text}");
        assert_eq!(got.rejects.len(), 1);
        assert!(got.rejects[0].reason.contains("not an HTML page"));
    }

    #[test]
    fn times_that_are_not_dates_are_warned_of_once_per_file() {
        let dir = tempfile::tempdir().unwrap();
        let feed = "{\"id\":\"a\",\"text\":\"x\",\"published_at\":\"2025-01-01\"}\n\
                    {\"id\":\"b\",\"text\":\"x\",\"published_at\":\"yesterday\"}\n\
                    {\"id\":\"c\",\"text\":\"x\",\"published_at\":\"soon\"}\n";
        let other = "{\"id\":\"d\",\"text\":\"x\",\"published_at\":\"Mon, 03 Feb 2025 10:00:00 GMT\"}\n";
        let paths = [write(dir.path(), "feed.jsonl", feed), write(dir.path(), "other.jsonl", other)];
        let got = read_inputs(&paths, IngestOptions::default()).unwrap();
        assert_eq!(got.articles.len(), 4, "every article is kept");
        assert_eq!(got.unparsed_times.len(), 1, "{:?}", got.unparsed_times);
        let warning = &got.unparsed_times[0].notice();
        assert!(warning.place().ends_with("feed.jsonl:2"), "{}", warning.place());
        assert!(warning.reason.starts_with("2 publication times") && warning.reason.contains("\"yesterday\""));
        let b = got.articles.iter().find(|a| a.id == "b").unwrap();
        assert_eq!(b.published_at.as_deref(), Some("yesterday"), "kept as given");
    }

    #[test]
    fn empty_directory_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_inputs(&[dir.path().to_path_buf()], IngestOptions::default()).unwrap_err();
        assert!(err.to_string().contains("no article files"));
    }
}
