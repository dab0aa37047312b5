//! Output: the run's result → `articles.jsonl` and `clusters.jsonl`, as the
//! output contract in DESIGN.md describes. Files are written to a temporary
//! name in the target directory and renamed into place, so an interrupted run
//! never leaves a truncated file that looks complete.

use std::borrow::Cow;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::ingest::Reject;
use crate::pipeline::RunResult;
use crate::roles::{CopyKind, Role};

/// One line of `articles.jsonl`.
#[derive(Debug, Serialize)]
pub struct ArticleRecord<'a> {
    /// Article id.
    pub id: &'a str,
    /// Page URL, when the input gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<&'a str>,
    /// Headline, when the input gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<&'a str>,
    /// The outlet: as the input names it, else the URL's host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Cow<'a, str>>,
    /// Publication time, RFC 3339 where the input's parses (as given where not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    /// The publication time in microseconds since 1970 UTC, where it parses
    /// (Parquet's timestamp column).
    #[serde(skip)]
    pub published_micros: Option<i64>,
    /// The `WARC-Record-ID` of a page read from a WARC file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warc_record_id: Option<&'a str>,
    /// Story number: every report of one event.
    pub cluster: u32,
    /// Family number: an original and every article made from it (always
    /// inside one story).
    pub family: u32,
    /// Role in the story.
    pub role: Role,
    /// For syndicated copies: how it was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<CopyKind>,
    /// The story's canonical article.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canonical: Option<&'a str>,
    /// For syndicated copies: the member it was made from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub derived_from: Option<&'a str>,
    /// Language code.
    pub lang: &'a str,
    /// Cosine with `derived_from` (or the canonical).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub similarity: Option<f32>,
    /// Confidence in the role, 0..1.
    pub confidence: f32,
    /// Why.
    pub evidence: &'a [String],
}

/// One line of `clusters.jsonl` (stories with two or more members).
#[derive(Debug, Serialize)]
pub struct ClusterRecord<'a> {
    /// Story number.
    pub cluster: u32,
    /// The canonical article.
    pub canonical: &'a str,
    /// All members, by id.
    pub members: Vec<&'a str>,
    /// The story's families, each an original and the articles made from it.
    pub families: Vec<FamilyRecord<'a>>,
    /// Every derivation edge of the story, source to copy (the families' edges together).
    pub edges: Vec<EdgeRecord<'a>>,
}

/// One family of a story in `clusters.jsonl`.
#[derive(Debug, Serialize)]
pub struct FamilyRecord<'a> {
    /// Family number.
    pub family: u32,
    /// The original the others were made from.
    pub original: &'a str,
    /// Its members, by id.
    pub members: Vec<&'a str>,
    /// Its derivation edges, source to copy.
    pub edges: Vec<EdgeRecord<'a>>,
}

/// One derivation edge of a story.
#[derive(Debug, Serialize)]
pub struct EdgeRecord<'a> {
    /// The source.
    pub from: &'a str,
    /// The copy.
    pub to: &'a str,
    /// How the copy was made.
    pub kind: CopyKind,
    /// Cosine between the two.
    pub similarity: f32,
}

/// The `articles.jsonl` records, in id order.
pub fn article_records(result: &RunResult) -> Vec<ArticleRecord<'_>> {
    let id = |d: u32| result.articles[d as usize].id.as_str();
    result
        .articles
        .iter()
        .enumerate()
        .map(|(doc, article)| {
            let a = &result.assignments[doc];
            ArticleRecord {
                id: &article.id,
                url: article.url.as_deref(),
                title: article.title.as_deref(),
                source: article.outlet(),
                published_at: article.published_at_rfc3339(),
                published_micros: article.published_time().map(|t| t.timestamp_micros()),
                warc_record_id: article.warc_record_id.as_deref(),
                cluster: result.clustering.assignment[doc],
                family: result.families.assignment[doc],
                role: a.role,
                kind: a.kind,
                canonical: a.canonical.map(id),
                derived_from: a.derived_from.map(id),
                lang: &result.analyzed[doc].lang,
                similarity: a.similarity,
                confidence: a.confidence,
                evidence: &a.evidence,
            }
        })
        .collect()
}

/// What `clusters.jsonl` reads of an article's row.
#[derive(Debug, Clone, Copy)]
pub struct RowGroups<'a> {
    /// Article id.
    pub id: &'a str,
    /// Story number.
    pub cluster: u32,
    /// Family number.
    pub family: u32,
    /// Role in the story.
    pub role: Role,
    /// For syndicated copies: how it was made.
    pub kind: Option<CopyKind>,
    /// For syndicated copies: the member it was made from.
    pub derived_from: Option<&'a str>,
    /// Cosine with `derived_from`.
    pub similarity: Option<f32>,
}

/// The `clusters.jsonl` records of stories with at least `min_size`
/// members, in cluster order.
pub fn cluster_records(result: &RunResult, min_size: usize) -> Vec<ClusterRecord<'_>> {
    let id = |d: u32| result.articles[d as usize].id.as_str();
    let rows: Vec<RowGroups> = result
        .articles
        .iter()
        .enumerate()
        .map(|(doc, article)| {
            let a = &result.assignments[doc];
            RowGroups {
                id: &article.id,
                cluster: result.clustering.assignment[doc],
                family: result.families.assignment[doc],
                role: a.role,
                kind: a.kind,
                derived_from: a.derived_from.map(id),
                similarity: a.similarity,
            }
        })
        .collect();
    clusters_of_rows(&rows, min_size)
}

/// The `clusters.jsonl` records of the stories of at least `min_size`
/// (and two) members of `rows` (in id order), in story number order.
pub fn clusters_of_rows<'a>(rows: &[RowGroups<'a>], min_size: usize) -> Vec<ClusterRecord<'a>> {
    let mut stories: std::collections::BTreeMap<u32, Vec<usize>> = Default::default();
    let mut families: rustc_hash::FxHashMap<u32, Vec<usize>> = Default::default();
    for (at, row) in rows.iter().enumerate() {
        stories.entry(row.cluster).or_default().push(at);
        families.entry(row.family).or_default().push(at);
    }
    let edges_of = |members: &[usize]| -> Vec<EdgeRecord<'a>> {
        members
            .iter()
            .filter_map(|&at| {
                let r = &rows[at];
                Some(EdgeRecord {
                    from: r.derived_from?,
                    to: r.id,
                    kind: r.kind?,
                    similarity: r.similarity.unwrap_or(0.0),
                })
            })
            .collect()
    };
    stories
        .into_iter()
        .filter(|(_, members)| members.len() >= min_size.max(2))
        .map(|(cluster, members)| {
            let canonical = members.iter().find(|&&at| rows[at].role == Role::Canonical).map_or(members[0], |&at| at);
            let mut family_numbers: Vec<u32> = members.iter().map(|&at| rows[at].family).collect();
            family_numbers.sort_unstable();
            family_numbers.dedup();
            let families = family_numbers
                .into_iter()
                .map(|family| {
                    let family_members = &families[&family];
                    let original = family_members
                        .iter()
                        .find(|&&at| rows[at].derived_from.is_none())
                        .map_or(family_members[0], |&at| at);
                    FamilyRecord {
                        family,
                        original: rows[original].id,
                        members: family_members.iter().map(|&at| rows[at].id).collect(),
                        edges: edges_of(family_members),
                    }
                })
                .collect();
            ClusterRecord {
                cluster,
                canonical: rows[canonical].id,
                members: members.iter().map(|&at| rows[at].id).collect(),
                families,
                edges: edges_of(&members),
            }
        })
        .collect()
}

/// Writes JSON lines to `w`.
pub fn write_jsonl<T: Serialize>(w: &mut impl Write, records: &[T]) -> std::io::Result<()> {
    for r in records {
        serde_json::to_writer(&mut *w, r)?;
        w.write_all(b"\n")?;
    }
    Ok(())
}

/// How the per-article table is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TableFormat {
    /// `articles.jsonl`, one JSON object a line (the output contract).
    #[default]
    Jsonl,
    /// `articles.csv` with a header row; `evidence` joined with " | ".
    Csv,
    /// `articles.parquet`, the same columns typed (for pandas, DuckDB, Spark).
    Parquet,
}

impl TableFormat {
    /// The file name of the per-article table.
    pub fn file_name(self) -> &'static str {
        match self {
            TableFormat::Jsonl => "articles.jsonl",
            TableFormat::Csv => "articles.csv",
            TableFormat::Parquet => "articles.parquet",
        }
    }

    /// Writes the per-article table to `w`.
    pub fn write(self, w: &mut (impl Write + Send), result: &RunResult) -> std::io::Result<()> {
        let records = article_records(result);
        match self {
            TableFormat::Jsonl => write_jsonl(w, &records),
            TableFormat::Csv => write_csv(w, &records),
            TableFormat::Parquet => write_parquet(w, &records),
        }
    }
}

/// Writes article records as one Parquet row group.
pub fn write_parquet<W: Write + Send>(w: W, records: &[ArticleRecord<'_>]) -> std::io::Result<()> {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Float32Array, RecordBatch, StringArray, TimestampMicrosecondArray, UInt32Array};
    use arrow_schema::{DataType, Field, Schema, TimeUnit};

    let text = |values: Vec<Option<String>>| Arc::new(StringArray::from(values)) as ArrayRef;
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("url", DataType::Utf8, true),
        Field::new("title", DataType::Utf8, true),
        Field::new("source", DataType::Utf8, true),
        Field::new("published_at", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), true),
        Field::new("warc_record_id", DataType::Utf8, true),
        Field::new("cluster", DataType::UInt32, false),
        Field::new("family", DataType::UInt32, false),
        Field::new("role", DataType::Utf8, false),
        Field::new("kind", DataType::Utf8, true),
        Field::new("canonical", DataType::Utf8, true),
        Field::new("derived_from", DataType::Utf8, true),
        Field::new("lang", DataType::Utf8, false),
        Field::new("similarity", DataType::Float32, true),
        Field::new("confidence", DataType::Float32, false),
        Field::new("evidence", DataType::Utf8, false),
    ]));
    let columns: Vec<ArrayRef> = vec![
        text(records.iter().map(|r| Some(r.id.to_string())).collect()),
        text(records.iter().map(|r| r.url.map(str::to_owned)).collect()),
        text(records.iter().map(|r| r.title.map(str::to_owned)).collect()),
        text(records.iter().map(|r| r.source.as_deref().map(str::to_owned)).collect()),
        Arc::new(
            TimestampMicrosecondArray::from(records.iter().map(|r| r.published_micros).collect::<Vec<_>>())
                .with_timezone("UTC"),
        ),
        text(records.iter().map(|r| r.warc_record_id.map(str::to_owned)).collect()),
        Arc::new(UInt32Array::from(records.iter().map(|r| r.cluster).collect::<Vec<_>>())),
        Arc::new(UInt32Array::from(records.iter().map(|r| r.family).collect::<Vec<_>>())),
        text(records.iter().map(|r| Some(r.role.as_str().to_string())).collect()),
        text(records.iter().map(|r| r.kind.map(|k| k.as_str().to_string())).collect()),
        text(records.iter().map(|r| r.canonical.map(str::to_owned)).collect()),
        text(records.iter().map(|r| r.derived_from.map(str::to_owned)).collect()),
        text(records.iter().map(|r| Some(r.lang.to_string())).collect()),
        Arc::new(Float32Array::from(records.iter().map(|r| r.similarity).collect::<Vec<_>>())),
        Arc::new(Float32Array::from(records.iter().map(|r| r.confidence).collect::<Vec<_>>())),
        text(records.iter().map(|r| Some(r.evidence.join(" | "))).collect()),
    ];
    let to_io = |e: &dyn std::fmt::Display| std::io::Error::other(e.to_string());
    let batch = RecordBatch::try_new(schema.clone(), columns).map_err(|e| to_io(&e))?;
    let mut writer = parquet::arrow::ArrowWriter::try_new(w, schema, None).map_err(|e| to_io(&e))?;
    writer.write(&batch).map_err(|e| to_io(&e))?;
    writer.close().map_err(|e| to_io(&e))?;
    Ok(())
}

/// Writes article records as CSV with a header row.
pub fn write_csv(w: &mut impl Write, records: &[ArticleRecord<'_>]) -> std::io::Result<()> {
    let mut csv = csv::Writer::from_writer(w);
    csv.write_record([
        "id",
        "url",
        "title",
        "source",
        "published_at",
        "warc_record_id",
        "cluster",
        "family",
        "role",
        "kind",
        "canonical",
        "derived_from",
        "lang",
        "similarity",
        "confidence",
        "evidence",
    ])?;
    for r in records {
        csv.write_record([
            r.id.to_string(),
            r.url.unwrap_or("").to_string(),
            r.title.unwrap_or("").to_string(),
            r.source.as_deref().unwrap_or("").to_string(),
            r.published_at.clone().unwrap_or_default(),
            r.warc_record_id.unwrap_or("").to_string(),
            r.cluster.to_string(),
            r.family.to_string(),
            r.role.as_str().to_string(),
            r.kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
            r.canonical.unwrap_or("").to_string(),
            r.derived_from.unwrap_or("").to_string(),
            r.lang.to_string(),
            r.similarity.map(|x| x.to_string()).unwrap_or_default(),
            r.confidence.to_string(),
            r.evidence.join(" | "),
        ])?;
    }
    csv.flush()
}

/// What to write into an output directory.
#[derive(Debug, Clone, Copy)]
pub struct OutputOptions {
    /// Format of the per-article table.
    pub format: TableFormat,
    /// Stories smaller than this are left out of `clusters.jsonl` and the
    /// report (every article stays in the per-article table).
    pub min_cluster_size: usize,
}

impl Default for OutputOptions {
    fn default() -> Self {
        OutputOptions { format: TableFormat::Jsonl, min_cluster_size: 2 }
    }
}

/// Writes the per-article table (`articles.jsonl`, `.csv` or `.parquet`),
/// `clusters.jsonl` and the HTML report `report.html` into `dir` (created if
/// missing).
pub fn write_dir(result: &RunResult, dir: &Path, options: OutputOptions) -> Result<()> {
    let format = options.format;
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    write_atomic(&dir.join(format.file_name()), |w| format.write(w, result))?;
    // A table left by an earlier run in the other format would look current.
    for other in [TableFormat::Jsonl, TableFormat::Csv, TableFormat::Parquet].into_iter().filter(|f| *f != format) {
        let stale = dir.join(other.file_name());
        if stale.exists() {
            fs::remove_file(&stale).map_err(|e| Error::io(&stale, e))?;
        }
    }
    write_clusters(result, &dir.join("clusters.jsonl"), options.min_cluster_size)?;
    write_report(result, &dir.join("report.html"), options.min_cluster_size)
}

/// Writes the skipped records to `path`, or removes a stale file there
/// when there are none.
pub fn write_rejects(path: &Path, rejects: &[Reject]) -> Result<()> {
    if rejects.is_empty() {
        if path.exists() {
            fs::remove_file(path).map_err(|e| Error::io(path, e))?;
        }
        return Ok(());
    }
    write_atomic(path, |w| write_jsonl(w, rejects))
}

/// Writes `clusters.jsonl` (stories of at least `min_cluster_size`) to `path`.
pub fn write_clusters(result: &RunResult, path: &Path, min_cluster_size: usize) -> Result<()> {
    let clusters = cluster_records(result, min_cluster_size);
    write_atomic(path, |w| write_jsonl(w, &clusters))
}

/// Writes the HTML report (stories of at least `min_cluster_size`) to `path`.
pub fn write_report(result: &RunResult, path: &Path, min_cluster_size: usize) -> Result<()> {
    // The report reads texts again: close their files once it has them.
    let html = crate::report_html::html(result, min_cluster_size);
    crate::article::close_input_files();
    let html = html?;
    write_atomic(path, |w| w.write_all(html.as_bytes()))
}

/// Writes a file through a temporary sibling and a rename. A path that
/// is there and is no regular file (`/dev/null`, `/dev/stdout`, a named
/// pipe) is written to as it is: a rename would put a file in its place.
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<&mut fs::File>) -> std::io::Result<()>,
) -> Result<()> {
    if fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let mut file = fs::OpenOptions::new().write(true).open(path).map_err(|e| Error::io(path, e))?;
        let mut w = BufWriter::new(&mut file);
        return fill(&mut w).and_then(|_| w.flush()).map_err(|e| Error::io(path, e));
    }
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(Error::BadInput { path: dir.to_path_buf(), reason: "directory does not exist".into() });
    }
    // tempfile's own message already names the path; keep only the cause.
    let plain = |e: std::io::Error| match e.raw_os_error() {
        Some(code) => std::io::Error::from_raw_os_error(code),
        None => std::io::Error::new(e.kind(), e.kind().to_string()),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(dir, plain(e)))?;
    {
        let mut w = BufWriter::new(tmp.as_file_mut());
        fill(&mut w).and_then(|_| w.flush()).map_err(|e| Error::io(path, e))?;
    }
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    // Temporary files are created private (0600); outputs are ordinary files.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o644)).map_err(|e| Error::io(path, e))?;
    }
    tmp.persist(path).map_err(|e| Error::io(path, plain(e.error)))?;
    Ok(())
}
