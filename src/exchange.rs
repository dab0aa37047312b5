//! The stages' state as Arrow record batches and compact bytes, for an
//! engine that runs the stages apart and moves their state between
//! machines (Spark, through the Python package in `python/`).
//!
//! The tables that cross: JSONL lines in ([`read_jsonl_batch`]); what
//! reading gave ([`read_schema`]: the articles as read,
//! [`article_schema`], then the notices of reading them,
//! [`notice_schema`]); the articles with their analyses
//! ([`analyzed_schema`]); the articles' signatures
//! ([`signature_schema`], and with what verification reads of each,
//! [`signed_sides_schema`]); and the candidate stage cut by
//! [`crate::key_groups`]: postings ([`postings_schema`]), the keys pairs
//! share ([`shared_keys_schema`]), proposed pairs ([`proposed_schema`]) and
//! verdicts ([`verdicts_schema`]); and the roles stage cut by
//! [`crate::story_groups`]: the members of the stories of several articles
//! ([`story_members_schema`]) and the roles decided ([`decided_schema`]).
//! The types are the ones Spark has: hashes (`u64`) are stored bit for bit
//! as `Int64` (lists of them packed in one binary value, 8 bytes each,
//! little-endian; an analysis's terms and anchors as numbers into a
//! vocabulary, [`AnalysesReader`]), counts as `Int32` or `Int64`. Batch
//! statistics that an engine merges (line
//! counts, the boilerplate model, [`crate::signature::BatchStats`]) and
//! signatures cross as bytes ([`to_bytes`], [`from_bytes`]). Batches cross
//! processes as Arrow IPC streams ([`write_ipc`], [`read_ipc`]).

use std::sync::Arc;

use arrow_array::builder::{
    BinaryBuilder, BooleanBuilder, Float32Builder, Int32Builder, Int64Builder, ListBuilder, StringBuilder,
};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Int32Type, Int64Type};
pub use arrow_array::RecordBatch;
use arrow_array::{
    Array, ArrayRef, ArrowPrimitiveType, BooleanArray, Float32Array, Int32Array, Int64Array, PrimitiveArray,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::article::{publication_day, Article, DocId, Origin, Text};
use crate::candidates::ProposedPair;
use crate::cluster::ClusterId;
use crate::error::{Error, Result};
use crate::grouping::{ComponentCounts, ComponentMember, GroupedComponents, GroupedMember};
use crate::ingest::{read_jsonl_lines, IngestOptions, Ingested, Reject, UnparsedTimes};
use crate::key_groups::{KeyKind, NumberedPosting, Posting, SharedKeys, Sides, Verdict};
use crate::language;
use crate::pipeline::{Analysis, Analyzed, BodyFacts, Decided};
use crate::roles::Assignment;
use crate::signature::Signature;
use crate::story_groups::StoryRow;
use crate::tfidf::PIECE;
use crate::tokenize::{unpack_list, PackedTerms, TermHash};
use crate::verify::{Edge, PairSide};

/// Columns of an articles table, in order: the fields an input record
/// gives, and where it was read.
pub fn article_schema() -> SchemaRef {
    let text = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
    Arc::new(Schema::new(vec![
        text("id", false),
        text("text", false),
        text("title", true),
        text("url", true),
        text("source", true),
        text("published_at", true),
        text("lang", true),
        text("warc_record_id", true),
        text("path", false),
        Field::new("line", DataType::Int64, false),
    ]))
}

/// `articles` as a table of [`article_schema`]; texts left in their files are read.
pub fn articles_to_batch(articles: &[Article]) -> Result<RecordBatch> {
    let mut columns: Vec<StringBuilder> = (0..9).map(|_| StringBuilder::new()).collect();
    let mut lines = Int64Builder::with_capacity(articles.len());
    for a in articles {
        let text = a.text.read()?;
        let values = [
            Some(a.id.as_str()),
            Some(&*text),
            a.title.as_deref(),
            a.url.as_deref(),
            a.source.as_deref(),
            a.published_at.as_deref(),
            a.lang.as_deref(),
            a.warc_record_id.as_deref(),
            Some(&*a.origin.path),
        ];
        for (column, value) in columns.iter_mut().zip(values) {
            column.append_option(value);
        }
        lines.append_value(i64::try_from(a.origin.line).unwrap_or(i64::MAX));
    }
    let mut arrays: Vec<ArrayRef> = columns.iter_mut().map(|c| Arc::new(c.finish()) as ArrayRef).collect();
    arrays.push(Arc::new(lines.finish()));
    batch(article_schema(), arrays)
}

/// The articles of a table with [`article_schema`]'s columns (others are
/// ignored; strings may be large).
pub fn articles_from_batch(batch: &RecordBatch) -> Result<Vec<Article>> {
    let id = strings(batch, "id")?;
    let text = strings(batch, "text")?;
    let optional = ["title", "url", "source", "published_at", "lang", "warc_record_id"]
        .map(|name| strings(batch, name))
        .into_iter()
        .collect::<Result<Vec<_>>>()?;
    let path = strings(batch, "path")?;
    let line = column(batch, "line", &DataType::Int64)?;
    let line = line.as_primitive::<Int64Type>();
    let value =
        |array: &arrow_array::StringArray, row: usize| array.is_valid(row).then(|| array.value(row).to_string());
    (0..batch.num_rows())
        .map(|row| {
            let required = |array: &arrow_array::StringArray, name: &str| {
                value(array, row).ok_or_else(|| Error::Exchange(format!("row {row}: `{name}` is null")))
            };
            let [title, url, source, published_at, lang, warc_record_id] =
                std::array::from_fn(|i| value(&optional[i], row));
            Ok(Article {
                id: required(&id, "id")?,
                title,
                text: Text::from(required(&text, "text")?),
                url,
                source,
                published_at,
                lang,
                warc_record_id,
                origin: Origin {
                    path: required(&path, "path")?.into(),
                    line: u64::try_from(line.value(row)).unwrap_or(0),
                },
            })
        })
        .collect()
}

/// Columns of a file's reading ([`read_to_batch`]): a notice's `kind` and
/// `reason` (null for an article), then [`article_schema`]'s columns (null
/// for a notice, but for `path` and `line`).
pub fn read_schema() -> SchemaRef {
    let mut fields = vec![Field::new("kind", DataType::Utf8, true), Field::new("reason", DataType::Utf8, true)];
    fields.extend(article_schema().fields().iter().map(|f| f.as_ref().clone().with_nullable(true)));
    Arc::new(Schema::new(fields))
}

/// All that reading gave, articles then notices, as one table of
/// [`read_schema`] (an engine's read step has one output).
pub fn read_to_batch(ingested: &Ingested) -> Result<RecordBatch> {
    let articles = articles_to_batch(&ingested.articles)?;
    let notices = notices_to_batch(ingested)?;
    let schema = read_schema();
    let (n, m) = (articles.num_rows(), notices.num_rows());
    let arrays = schema
        .fields()
        .iter()
        .map(|field| {
            let name = field.name();
            let part = |batch: &RecordBatch, rows: usize| match batch.column_by_name(name) {
                Some(column) => Arc::clone(column),
                None => arrow_array::new_null_array(field.data_type(), rows),
            };
            let (top, bottom) = (part(&articles, n), part(&notices, m));
            arrow_select::concat::concat(&[top.as_ref(), bottom.as_ref()])
                .map_err(|e| Error::Exchange(format!("column `{name}`: {e}")))
        })
        .collect::<Result<Vec<_>>>()?;
    batch(schema, arrays)
}

/// Reads the JSONL lines of a table with columns `path` (text), `line`
/// (its number in the file) and `bytes` (binary, or text), as
/// [`crate::ingest::read_jsonl_lines`] does.
pub fn read_jsonl_batch(batch: &RecordBatch, options: &IngestOptions) -> Result<Ingested> {
    let path = strings(batch, "path")?;
    let line = column(batch, "line", &DataType::Int64)?;
    let line = line.as_primitive::<Int64Type>();
    let bytes = column(batch, "bytes", &DataType::Binary)?;
    let bytes = bytes.as_binary::<i32>();
    if path.null_count() + line.null_count() + bytes.null_count() > 0 {
        return Err(Error::Exchange("JSONL lines: `path`, `line` or `bytes` is null".into()));
    }
    let lines = (0..batch.num_rows())
        .map(|row| (path.value(row), u64::try_from(line.value(row)).unwrap_or(0), bytes.value(row)));
    read_jsonl_lines(lines, options)
}

/// Columns of a notices table: records not read (`reject`), read with a
/// repair (`warning`), and the records of a file whose publication times
/// are not dates (`time`: the first of them, the time it gives as its
/// `reason`, and how many in `count`; 1 for the other kinds).
pub fn notice_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("kind", DataType::Utf8, false),
        Field::new("path", DataType::Utf8, false),
        Field::new("line", DataType::Int64, false),
        Field::new("reason", DataType::Utf8, false),
        Field::new("count", DataType::Int64, false),
    ]))
}

/// What reading left besides articles, as a table of [`notice_schema`], in read order.
pub fn notices_to_batch(ingested: &Ingested) -> Result<RecordBatch> {
    let (mut kind, mut path, mut line) = (StringBuilder::new(), StringBuilder::new(), Int64Builder::new());
    let (mut reason, mut count) = (StringBuilder::new(), Int64Builder::new());
    let ones = |notices: &[Reject]| notices.iter().map(|n| (n.clone(), 1)).collect::<Vec<_>>();
    let times = ingested.unparsed_times.iter().map(|t| (t.first.clone(), t.count)).collect();
    for (name, notices) in [("reject", ones(&ingested.rejects)), ("warning", ones(&ingested.warnings)), ("time", times)]
    {
        for (n, records) in notices {
            kind.append_value(name);
            path.append_value(&n.path);
            line.append_value(i64::try_from(n.line).unwrap_or(i64::MAX));
            reason.append_value(&n.reason);
            count.append_value(i64::try_from(records).unwrap_or(i64::MAX));
        }
    }
    let arrays: Vec<ArrayRef> = vec![
        Arc::new(kind.finish()),
        Arc::new(path.finish()),
        Arc::new(line.finish()),
        Arc::new(reason.finish()),
        Arc::new(count.finish()),
    ];
    batch(notice_schema(), arrays)
}

/// Where each article was read, as a table of [`notice_schema`]: kind
/// `id`, the article's id as its reason. What an engine that reads a batch
/// in parts looks through for repeated ids ([`places_from_batch`],
/// [`crate::ingest::repeated_ids`]).
pub fn places_to_batch(articles: &[Article]) -> Result<RecordBatch> {
    let n = articles.len();
    let arrays: Vec<ArrayRef> = vec![
        Arc::new(arrow_array::StringArray::from(vec![PLACE; n])),
        Arc::new(arrow_array::StringArray::from_iter_values(articles.iter().map(|a| &*a.origin.path))),
        Arc::new(Int64Array::from_iter_values(
            articles.iter().map(|a| i64::try_from(a.origin.line).unwrap_or(i64::MAX)),
        )),
        Arc::new(arrow_array::StringArray::from_iter_values(articles.iter().map(|a| a.id.as_str()))),
        Arc::new(Int64Array::from(vec![1; n])),
    ];
    batch(notice_schema(), arrays)
}

/// The kind of a notices table's rows that say where an article was read.
const PLACE: &str = "id";

/// The ids and places of a table of [`places_to_batch`]'s rows.
pub fn places_from_batch(batch: &RecordBatch) -> Result<Vec<(String, Origin)>> {
    let (kind, path, id) = (strings(batch, "kind")?, strings(batch, "path")?, strings(batch, "reason")?);
    let line = column(batch, "line", &DataType::Int64)?;
    let line = line.as_primitive::<Int64Type>();
    (0..batch.num_rows())
        .map(|row| {
            if kind.is_null(row)
                || kind.value(row) != PLACE
                || path.is_null(row)
                || id.is_null(row)
                || line.is_null(row)
            {
                return Err(Error::Exchange(format!("places row {row}: not an article's id and place")));
            }
            let origin = Origin { path: path.value(row).into(), line: u64::try_from(line.value(row)).unwrap_or(0) };
            Ok((id.value(row).to_string(), origin))
        })
        .collect()
}

/// The notices of a notices table, each kind in the table's order (the
/// articles are left empty).
pub fn notices_from_batch(batch: &RecordBatch) -> Result<Ingested> {
    let (kind, path, reason) = (strings(batch, "kind")?, strings(batch, "path")?, strings(batch, "reason")?);
    let (line, count) = (column(batch, "line", &DataType::Int64)?, column(batch, "count", &DataType::Int64)?);
    let (line, count) = (line.as_primitive::<Int64Type>(), count.as_primitive::<Int64Type>());
    let mut notices = Ingested::default();
    for row in 0..batch.num_rows() {
        if kind.is_null(row) || path.is_null(row) || reason.is_null(row) || line.is_null(row) || count.is_null(row) {
            return Err(Error::Exchange(format!("notices row {row}: a column is null")));
        }
        let notice = Reject {
            path: path.value(row).to_string(),
            line: u64::try_from(line.value(row)).unwrap_or(0),
            reason: reason.value(row).to_string(),
        };
        match kind.value(row) {
            "reject" => notices.rejects.push(notice),
            "warning" => notices.warnings.push(notice),
            "time" => notices
                .unparsed_times
                .push(UnparsedTimes { first: notice, count: u64::try_from(count.value(row)).unwrap_or(0) }),
            other => return Err(Error::Exchange(format!("notices row {row}: unknown kind {other:?}"))),
        }
    }
    Ok(notices)
}

/// The notices of parts of a batch read apart, as reading its files whole
/// in the order of `files` gives them: each kind in file order, then line
/// order, and one time notice per file.
pub fn gather_notices(parts: impl IntoIterator<Item = Ingested>, files: &[String]) -> Ingested {
    let mut all = Ingested::default();
    parts.into_iter().for_each(|part| all.append(part));
    let order: rustc_hash::FxHashMap<&str, usize> = files.iter().enumerate().map(|(i, f)| (f.as_str(), i)).collect();
    let place = |n: &Reject| (order.get(n.path.as_str()).copied().unwrap_or(usize::MAX), n.line);
    all.rejects.sort_by_key(place);
    all.warnings.sort_by_key(place);
    all.unparsed_times.sort_by_key(|t| place(&t.first));
    all
}

/// Columns of an analyses table: the article's id, then what
/// [`crate::Pipeline::analyze`] made of it: its facts ([`fact_fields`]),
/// its terms and its anchors, packed ([`PackedTerms`]: each a number into
/// a vocabulary, most used first, in 7-bit groups: a term takes about
/// 1.5 bytes, not the 8 of its hash), and the vocabulary, on the first row
/// of the rows packed together (8 bytes a hash, little-endian; null on the
/// rows after it). Rows are read in order ([`AnalysesReader`]): an engine
/// that re-batches a table keeps each task's rows in order.
pub fn analysis_schema() -> SchemaRef {
    let mut fields = vec![Field::new("id", DataType::Utf8, false)];
    fields.extend(fact_fields());
    fields.push(Field::new("terms", DataType::Binary, false));
    fields.push(Field::new("anchors", DataType::Binary, false));
    fields.push(Field::new("vocabulary", DataType::Binary, true));
    Arc::new(Schema::new(fields))
}

/// Columns of what the stages after analysis read of an article besides
/// its terms ([`Analyzed`]).
fn fact_fields() -> Vec<Field> {
    vec![
        Field::new("analyzed_lang", DataType::Utf8, false),
        Field::new("body_hash", DataType::Int64, false),
        Field::new("chars", DataType::Int32, false),
        Field::new("boilerplate_share", DataType::Float32, false),
        Field::new("removed_lines", DataType::Int32, false),
        Field::new("story_text", DataType::Int64, true),
        Field::new("term_count", DataType::Int32, false),
        Field::new("years", DataType::List(Arc::new(Field::new("item", DataType::Int32, true))), false),
    ]
}

/// The columns of [`fact_fields`] of some articles.
fn fact_columns<'a>(rows: impl IntoIterator<Item = &'a Analyzed>) -> Vec<ArrayRef> {
    let (mut lang, mut hash) = (StringBuilder::new(), Int64Builder::new());
    let (mut chars, mut share, mut removed) = (Int32Builder::new(), Float32Builder::new(), Int32Builder::new());
    let (mut story_text, mut term_count) = (Int64Builder::new(), Int32Builder::new());
    let mut years = ListBuilder::new(Int32Builder::new());
    for analyzed in rows {
        let body = &analyzed.body;
        lang.append_value(&*analyzed.lang);
        hash.append_value(body.hash as i64);
        chars.append_value(body.chars as i32);
        share.append_value(body.boilerplate_share);
        removed.append_value(body.removed_lines as i32);
        story_text.append_option(body.story_text.map(|h| h as i64));
        term_count.append_value(body.term_count as i32);
        years.append_value(analyzed.years.iter().map(|&y| Some(i32::from(y))));
    }
    vec![
        Arc::new(lang.finish()),
        Arc::new(hash.finish()),
        Arc::new(chars.finish()),
        Arc::new(share.finish()),
        Arc::new(removed.finish()),
        Arc::new(story_text.finish()),
        Arc::new(term_count.finish()),
        Arc::new(years.finish()),
    ]
}

/// The facts ([`fact_fields`]) of each row of `batch`.
fn facts_from_batch(batch: &RecordBatch) -> Result<Vec<Analyzed>> {
    let lang = strings(batch, "analyzed_lang")?;
    let int64 = |name| column(batch, name, &DataType::Int64);
    let int32 = |name| column(batch, name, &DataType::Int32);
    let (hash, story_text) = (int64("body_hash")?, int64("story_text")?);
    let (hash, story_text) = (hash.as_primitive::<Int64Type>(), story_text.as_primitive::<Int64Type>());
    let (chars, removed, term_count) = (int32("chars")?, int32("removed_lines")?, int32("term_count")?);
    let (chars, removed, term_count) = (
        chars.as_primitive::<Int32Type>(),
        removed.as_primitive::<Int32Type>(),
        term_count.as_primitive::<Int32Type>(),
    );
    let share = column(batch, "boilerplate_share", &DataType::Float32)?;
    let share = share.as_primitive::<Float32Type>();
    let years = column(batch, "years", &DataType::List(Arc::new(Field::new("item", DataType::Int32, true))))?;
    let years = years.as_list::<i32>();
    (0..batch.num_rows())
        .map(|row| {
            if lang.is_null(row) {
                return Err(Error::Exchange(format!("analyses row {row}: `analyzed_lang` is null")));
            }
            let years = years.value(row);
            let years = years.as_primitive::<Int32Type>().values().iter();
            Ok(Analyzed {
                body: BodyFacts {
                    hash: hash.value(row) as u64,
                    chars: chars.value(row) as u32,
                    boilerplate_share: share.value(row),
                    removed_lines: removed.value(row) as u32,
                    story_text: story_text.is_valid(row).then(|| story_text.value(row) as u64),
                    term_count: term_count.value(row) as u32,
                },
                lang: language::shared(lang.value(row)),
                years: years.map(|&y| u16::try_from(y).unwrap_or(0)).collect(),
            })
        })
        .collect()
}

/// Each article's analysis, with its id, as a table of [`analysis_schema`]
/// (packed by [`PIECE`] rows: a vocabulary's hash map stays small enough
/// to be fast).
pub fn analyses_to_batch<'a>(rows: impl IntoIterator<Item = (&'a str, &'a Analysis)>) -> Result<RecordBatch> {
    let rows: Vec<(&str, &Analysis)> = rows.into_iter().collect();
    let (mut id, mut terms, mut anchors) = (StringBuilder::new(), BinaryBuilder::new(), BinaryBuilder::new());
    let mut vocabulary = BinaryBuilder::new();
    for piece in rows.chunks(PIECE) {
        // One vocabulary for both lists of every row: terms and anchors alternate.
        let lists = piece.iter().flat_map(|(_, a)| [a.terms.as_slice(), a.anchors.as_slice()]);
        let packed = PackedTerms::pack(lists);
        for (row, &(doc_id, _)) in piece.iter().enumerate() {
            id.append_value(doc_id);
            terms.append_value(packed.list(2 * row));
            anchors.append_value(packed.list(2 * row + 1));
            if row == 0 {
                vocabulary.append_value(pack_hashes(packed.vocabulary()));
            } else {
                vocabulary.append_null();
            }
        }
    }
    let mut arrays: Vec<ArrayRef> = vec![Arc::new(id.finish())];
    arrays.extend(fact_columns(rows.iter().map(|(_, a)| &a.analyzed)));
    arrays.push(Arc::new(terms.finish()));
    arrays.push(Arc::new(anchors.finish()));
    arrays.push(Arc::new(vocabulary.finish()));
    batch(analysis_schema(), arrays)
}

/// Reads the analyses of [`analysis_schema`] tables given in their rows'
/// order: each row's lists are numbers into the last vocabulary before
/// them, which may lie in an earlier table.
#[derive(Debug, Clone, Default)]
pub struct AnalysesReader {
    vocabulary: Arc<[TermHash]>,
    seen: bool,
}

impl AnalysesReader {
    /// The ids and analyses of `batch`'s rows.
    pub fn read(&mut self, batch: &RecordBatch) -> Result<Vec<(String, Analysis)>> {
        let id = strings(batch, "id")?;
        let facts = facts_from_batch(batch)?;
        let (terms, anchors) =
            (column(batch, "terms", &DataType::Binary)?, column(batch, "anchors", &DataType::Binary)?);
        let (terms, anchors) = (terms.as_binary::<i32>(), anchors.as_binary::<i32>());
        let vocabularies = column(batch, "vocabulary", &DataType::Binary)?;
        let vocabularies = vocabularies.as_binary::<i32>();
        facts
            .into_iter()
            .enumerate()
            .map(|(row, analyzed)| {
                if id.is_null(row) || terms.is_null(row) || anchors.is_null(row) {
                    return Err(Error::Exchange(format!("analyses row {row}: `id`, `terms` or `anchors` is null")));
                }
                if vocabularies.is_valid(row) {
                    self.vocabulary = unpack_hashes(vocabularies.value(row))
                        .ok_or_else(|| {
                            Error::Exchange(format!(
                                "analyses row {row}: a vocabulary's length is not a multiple of 8 bytes"
                            ))
                        })?
                        .into();
                    self.seen = true;
                }
                let unpack = |packed: &arrow_array::BinaryArray| {
                    let list = packed.value(row);
                    if !self.seen && !list.is_empty() {
                        return Err(Error::Exchange(format!(
                            "analyses row {row}: packed terms before any vocabulary (the rows were not read in order)"
                        )));
                    }
                    unpack_list(list, &self.vocabulary).ok_or_else(|| {
                        Error::Exchange(format!(
                            "analyses row {row}: packed terms that are not numbers into its vocabulary"
                        ))
                    })
                };
                let analysis = Analysis { analyzed, terms: unpack(terms)?, anchors: unpack(anchors)? };
                Ok((id.value(row).to_string(), analysis))
            })
            .collect()
    }

    /// Moves past `batch` as [`AnalysesReader::read`] would, reading only
    /// its last vocabulary.
    fn skip(&mut self, batch: &RecordBatch) -> Result<()> {
        let vocabularies = column(batch, "vocabulary", &DataType::Binary)?;
        let vocabularies = vocabularies.as_binary::<i32>();
        if let Some(row) = (0..batch.num_rows()).rev().find(|&row| vocabularies.is_valid(row)) {
            let mut at_last = AnalysesReader::default();
            at_last.read(&batch.slice(row, 1))?;
            *self = at_last;
        }
        Ok(())
    }
}

/// Hashes as one binary value, each 8 bytes little-endian: Spark moves a
/// binary value as one copy, where it converts a list element by element.
fn pack_hashes(hashes: &[u64]) -> Vec<u8> {
    hashes.iter().flat_map(|h| h.to_le_bytes()).collect()
}

/// The hashes [`pack_hashes`] packed; `None` when the length is not a multiple of 8.
fn unpack_hashes(packed: &[u8]) -> Option<Vec<u64>> {
    let words = packed.chunks_exact(8);
    if !words.remainder().is_empty() {
        return None;
    }
    Some(words.map(|w| u64::from_le_bytes(w.try_into().expect("chunks of 8"))).collect())
}

/// Columns of an analyzed articles table: [`article_schema`]'s, then
/// [`analysis_schema`]'s but the id. What an engine's analyze step gives,
/// and the stages after it read.
pub fn analyzed_schema() -> SchemaRef {
    let mut fields: Vec<Field> = article_schema().fields().iter().map(|f| f.as_ref().clone()).collect();
    fields.extend(analysis_schema().fields().iter().skip(1).map(|f| f.as_ref().clone()));
    Arc::new(Schema::new(fields))
}

/// Articles with their analyses (`analyses[i]` being `articles[i]`'s), as a
/// table of [`analyzed_schema`].
pub fn analyzed_to_batch(articles: &[Article], analyses: &[Analysis]) -> Result<RecordBatch> {
    if articles.len() != analyses.len() {
        return Err(Error::Exchange(format!("{} articles but {} analyses", articles.len(), analyses.len())));
    }
    let read = articles_to_batch(articles)?;
    let analyzed = analyses_to_batch(articles.iter().map(|a| a.id.as_str()).zip(analyses))?;
    let mut columns = read.columns().to_vec();
    columns.extend(analyzed.columns().iter().skip(1).cloned());
    batch(analyzed_schema(), columns)
}

/// The articles and their analyses of a table with [`analyzed_schema`]'s
/// columns whose rows were packed together ([`analyzed_to_batch`]'s).
pub fn analyzed_from_batch(batch: &RecordBatch) -> Result<(Vec<Article>, Vec<Analysis>)> {
    analyzed_from_batches(std::slice::from_ref(batch))
}

/// Columns of a signatures table: an article's id and its [`Signature`]
/// (postcard bytes). What an engine's sign step gives.
pub fn signature_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("signature", DataType::Binary, false),
    ]))
}

/// Signatures with their articles' ids, as a table of [`signature_schema`].
pub fn signatures_to_batch<'a>(rows: impl IntoIterator<Item = (&'a str, &'a Signature)>) -> Result<RecordBatch> {
    let (mut id, mut encoded) = (StringBuilder::new(), BinaryBuilder::new());
    for (doc_id, signature) in rows {
        id.append_value(doc_id);
        encoded.append_value(to_bytes(signature)?);
    }
    batch(signature_schema(), vec![Arc::new(id.finish()), Arc::new(encoded.finish())])
}

/// The ids and signatures of a table with [`signature_schema`]'s columns.
pub fn signatures_from_batch(batch: &RecordBatch) -> Result<Vec<(String, Signature)>> {
    let id = strings(batch, "id")?;
    let encoded = column(batch, "signature", &DataType::Binary)?;
    let encoded = encoded.as_binary::<i32>();
    (0..batch.num_rows())
        .map(|row| {
            if id.is_null(row) || encoded.is_null(row) {
                return Err(Error::Exchange(format!("signatures row {row}: `id` or `signature` is null")));
            }
            Ok((id.value(row).to_string(), from_bytes(encoded.value(row), "signature")?))
        })
        .collect()
}

/// The articles and the facts of their analyses of a table with
/// [`article_schema`]'s columns and the facts of [`analysis_schema`] (an
/// analyzed articles table, whose terms and anchors may be left out).
pub fn facts_table_from_batch(batch: &RecordBatch) -> Result<(Vec<Article>, Vec<Analyzed>)> {
    Ok((articles_from_batch(batch)?, facts_from_batch(batch)?))
}

/// The articles and their analyses of analyzed articles tables given in
/// their rows' order ([`AnalysesReader`]), read in parallel.
pub fn analyzed_from_batches(batches: &[RecordBatch]) -> Result<(Vec<Article>, Vec<Analysis>)> {
    // Where each table's reading starts: the vocabulary before it.
    let mut reader = AnalysesReader::default();
    let mut readers = Vec::with_capacity(batches.len());
    for batch in batches {
        readers.push(reader.clone());
        reader.skip(batch)?;
    }
    let parts: Vec<(Vec<Article>, Vec<Analysis>)> = batches
        .par_iter()
        .zip(readers)
        .map(|(batch, mut reader)| {
            let analyses = reader.read(batch)?.into_iter().map(|(_, analysis)| analysis).collect();
            Ok((articles_from_batch(batch)?, analyses))
        })
        .collect::<Result<_>>()?;
    let (mut articles, mut analyses) = (Vec::new(), Vec::new());
    for (read, made) in parts {
        articles.extend(read);
        analyses.extend(made);
    }
    Ok((articles, analyses))
}

/// Columns of a postings table: one key of one article
/// ([`crate::key_groups::postings`]), with the article's id.
pub fn postings_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("kind", DataType::Int32, false),
        Field::new("key", DataType::Int64, false),
        Field::new("order", DataType::Int64, false),
        Field::new("id", DataType::Utf8, false),
        Field::new("keys", DataType::Int32, false),
    ]))
}

/// Articles' postings, with their ids, as a table of [`postings_schema`].
pub fn postings_to_batch<'a>(rows: impl IntoIterator<Item = (&'a str, &'a [Posting])>) -> Result<RecordBatch> {
    let (mut kind, mut key, mut order, mut id, mut keys) =
        (Int32Builder::new(), Int64Builder::new(), Int64Builder::new(), StringBuilder::new(), Int32Builder::new());
    for (doc_id, postings) in rows {
        for p in postings {
            kind.append_value(p.kind.code());
            key.append_value(p.key as i64);
            order.append_value(i64::from(p.order));
            id.append_value(doc_id);
            keys.append_value(p.keys as i32);
        }
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(kind.finish()),
        Arc::new(key.finish()),
        Arc::new(order.finish()),
        Arc::new(id.finish()),
        Arc::new(keys.finish()),
    ];
    batch(postings_schema(), columns)
}

/// The postings of numbered articles, of a table of [`postings_schema`]'s
/// columns with `doc` (the article's number) for `id`.
pub fn numbered_postings_from_batch(batch: &RecordBatch) -> Result<Vec<NumberedPosting>> {
    let kinds = kinds(batch)?;
    let [key, order, doc, keys] = primitives::<Int64Type, 4>(batch, ["key", "order", "doc", "keys"])?;
    kinds
        .into_iter()
        .enumerate()
        .map(|(row, kind)| {
            Ok(NumberedPosting {
                kind,
                key: key.value(row) as u64,
                order: number(order.value(row), "order")?,
                doc: number(doc.value(row), "doc")?,
                keys: number(keys.value(row), "keys")?,
            })
        })
        .collect()
}

/// Columns of a shared keys table: the keys two articles share in one
/// index, seen from one ([`crate::key_groups::shared_keys`]).
pub fn shared_keys_schema() -> SchemaRef {
    let int = |name: &str, data_type: DataType| Field::new(name, data_type, false);
    Arc::new(Schema::new(vec![
        int("kind", DataType::Int32),
        int("doc", DataType::Int64),
        int("other", DataType::Int64),
        int("shared", DataType::Int32),
        int("doc_keys", DataType::Int32),
        int("other_keys", DataType::Int32),
    ]))
}

/// Shared keys as a table of [`shared_keys_schema`].
pub fn shared_keys_to_batch(rows: &[SharedKeys]) -> Result<RecordBatch> {
    let int32 = |f: &dyn Fn(&SharedKeys) -> i32| Arc::new(Int32Array::from_iter_values(rows.iter().map(f))) as ArrayRef;
    let int64 = |f: &dyn Fn(&SharedKeys) -> u64| {
        Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| f(r) as i64))) as ArrayRef
    };
    let columns = vec![
        int32(&|r| r.kind.code()),
        int64(&|r| r.doc),
        int64(&|r| r.other),
        int32(&|r| i32::from(r.shared)),
        int32(&|r| r.doc_keys as i32),
        int32(&|r| r.other_keys as i32),
    ];
    batch(shared_keys_schema(), columns)
}

/// The rows of a table of [`shared_keys_schema`].
pub fn shared_keys_from_batch(batch: &RecordBatch) -> Result<Vec<SharedKeys>> {
    let kinds = kinds(batch)?;
    let [doc, other, shared, doc_keys, other_keys] =
        primitives::<Int64Type, 5>(batch, ["doc", "other", "shared", "doc_keys", "other_keys"])?;
    kinds
        .into_iter()
        .enumerate()
        .map(|(row, kind)| {
            Ok(SharedKeys {
                kind,
                doc: number(doc.value(row), "doc")?,
                other: number(other.value(row), "other")?,
                shared: number(shared.value(row), "shared")?,
                doc_keys: number(doc_keys.value(row), "doc_keys")?,
                other_keys: number(other_keys.value(row), "other_keys")?,
            })
        })
        .collect()
}

/// Columns of a proposed pairs table: two articles by number, the smaller
/// first, whether a term index proposed them and the wording keys they share.
pub fn proposed_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("a", DataType::Int64, false),
        Field::new("b", DataType::Int64, false),
        Field::new("by_terms", DataType::Boolean, false),
        Field::new("wording_shared", DataType::Int32, false),
    ]))
}

/// Proposed pairs as a table of [`proposed_schema`].
pub fn proposed_to_batch(pairs: &[ProposedPair<u64>]) -> Result<RecordBatch> {
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values(pairs.iter().map(|p| p.a as i64))),
        Arc::new(Int64Array::from_iter_values(pairs.iter().map(|p| p.b as i64))),
        Arc::new(BooleanArray::from_iter(pairs.iter().map(|p| Some(p.by_terms)))),
        Arc::new(Int32Array::from_iter_values(pairs.iter().map(|p| i32::from(p.wording_shared)))),
    ];
    batch(proposed_schema(), columns)
}

/// The proposed pairs of a table with columns `a`, `b` (numbers, the
/// smaller first), `by_terms` and `wording_shared`.
pub fn proposed_from_batch(batch: &RecordBatch) -> Result<Vec<ProposedPair<u64>>> {
    let [a, b, shared] = primitives::<Int64Type, 3>(batch, ["a", "b", "wording_shared"])?;
    let by_terms = column(batch, "by_terms", &DataType::Boolean)?;
    let by_terms = by_terms.as_boolean();
    (0..batch.num_rows())
        .map(|row| {
            let wording_shared = u16::try_from(shared.value(row))
                .map_err(|_| Error::Exchange(format!("pairs row {row}: `wording_shared` {}", shared.value(row))))?;
            Ok(ProposedPair {
                a: number(a.value(row), "a")?,
                b: number(b.value(row), "b")?,
                by_terms: by_terms.value(row),
                wording_shared,
            })
        })
        .collect()
}

/// Columns of a signatures table with what verification reads of each
/// article: [`signature_schema`]'s, then `side` (a
/// [`crate::verify::PairSide`], postcard bytes).
pub fn signed_sides_schema() -> SchemaRef {
    let mut fields: Vec<Field> = signature_schema().fields().iter().map(|f| f.as_ref().clone()).collect();
    fields.push(Field::new("side", DataType::Binary, false));
    Arc::new(Schema::new(fields))
}

/// Signatures with their articles' ids and sides, as a table of [`signed_sides_schema`].
pub fn signed_sides_to_batch<'a>(
    rows: impl IntoIterator<Item = (&'a str, &'a Signature, &'a PairSide)>,
) -> Result<RecordBatch> {
    let (mut id, mut signatures, mut sides) = (StringBuilder::new(), BinaryBuilder::new(), BinaryBuilder::new());
    for (doc_id, signature, side) in rows {
        id.append_value(doc_id);
        signatures.append_value(to_bytes(signature)?);
        sides.append_value(to_bytes(side)?);
    }
    let columns: Vec<ArrayRef> = vec![Arc::new(id.finish()), Arc::new(signatures.finish()), Arc::new(sides.finish())];
    batch(signed_sides_schema(), columns)
}

/// The publication day of each row of a table's `published_at` column
/// (none for every row of a table without it).
pub fn publication_days(batch: &RecordBatch) -> Result<Vec<Option<f32>>> {
    if batch.column_by_name("published_at").is_none() {
        return Ok(vec![None; batch.num_rows()]);
    }
    let published = strings(batch, "published_at")?;
    Ok(published.iter().map(|text| text.and_then(publication_day)).collect())
}

/// The pairs to verify and the sides of their articles, of a table whose
/// rows are either a pair (`a`, `b`, `by_terms`, `wording_shared`, as in
/// [`proposed_schema`]) or an article's side (`doc`, and `side`: its
/// [`PairSide`], postcard bytes), the other columns null.
pub fn verification_rows_from_batch(batch: &RecordBatch) -> Result<(Vec<ProposedPair<u64>>, Sides)> {
    let [a, b, shared, doc] = primitives::<Int64Type, 4>(batch, ["a", "b", "wording_shared", "doc"])?;
    let by_terms = column(batch, "by_terms", &DataType::Boolean)?;
    let by_terms = by_terms.as_boolean();
    let side = column(batch, "side", &DataType::Binary)?;
    let side = side.as_binary::<i32>();
    let (mut pairs, mut sides) = (Vec::new(), Sides::new());
    for row in 0..batch.num_rows() {
        if !a.is_null(row) {
            let wording_shared = u16::try_from(shared.value(row))
                .map_err(|_| Error::Exchange(format!("pairs row {row}: `wording_shared` {}", shared.value(row))))?;
            pairs.push(ProposedPair {
                a: number(a.value(row), "a")?,
                b: number(b.value(row), "b")?,
                by_terms: by_terms.value(row),
                wording_shared,
            });
        } else if !doc.is_null(row) && !side.is_null(row) {
            sides.push((number(doc.value(row), "doc")?, from_bytes(side.value(row), "pair side")?));
        } else {
            return Err(Error::Exchange(format!("verification row {row}: neither a pair nor an article's side")));
        }
    }
    Ok((pairs, sides))
}

/// Columns of a story members table: a member of a story of several
/// articles (`id`, its place `doc` in the batch), its `story` and
/// `family`, and its assignment alone (`alone`, postcard bytes). What the
/// driver hands an engine that decides roles story by story
/// ([`crate::story_groups`]).
pub fn story_members_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("doc", DataType::Int64, false),
        Field::new("story", DataType::Int64, false),
        Field::new("family", DataType::Int64, false),
        Field::new("alone", DataType::Binary, false),
    ]))
}

/// A member of a story of several articles as [`story_members_schema`] gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryMember {
    /// The article's id.
    pub id: String,
    /// Its place in the batch.
    pub doc: DocId,
    /// Its story.
    pub story: ClusterId,
    /// Its family.
    pub family: u32,
    /// Its assignment alone.
    pub alone: Assignment,
}

/// Columns of a component groups table: [`story_members_schema`]'s for
/// every member of a component of several articles (its story and family
/// named by their smallest member), whether its story has several
/// articles (`several`), and on the row of each component's smallest
/// member the component's counts (`counts`, postcard bytes). What the
/// engine's grouping tasks give ([`crate::grouping::group_components`]).
pub fn component_groups_schema() -> SchemaRef {
    let mut fields: Vec<Field> = story_members_schema().fields().iter().map(|f| f.as_ref().clone()).collect();
    fields.push(Field::new("several", DataType::Boolean, false));
    fields.push(Field::new("counts", DataType::Binary, true));
    Arc::new(Schema::new(fields))
}

/// The groups of a task's components, as a table of [`component_groups_schema`].
pub fn component_groups_to_batch(grouped: &GroupedComponents) -> Result<RecordBatch> {
    let counts: FxHashMap<DocId, &ComponentCounts> = grouped.counts.iter().map(|(c, n)| (*c, n)).collect();
    let (mut id, mut alone, mut counted) = (StringBuilder::new(), BinaryBuilder::new(), BinaryBuilder::new());
    let (mut doc, mut story, mut family) = (Int64Builder::new(), Int64Builder::new(), Int64Builder::new());
    let mut several = BooleanBuilder::new();
    for m in &grouped.members {
        id.append_value(&m.id);
        doc.append_value(i64::from(m.doc));
        story.append_value(i64::from(m.story));
        family.append_value(i64::from(m.family));
        alone.append_value(to_bytes(&m.alone)?);
        several.append_value(m.several);
        match counts.get(&m.doc) {
            Some(c) => counted.append_value(to_bytes(c)?),
            None => counted.append_null(),
        }
    }
    let arrays: Vec<ArrayRef> = vec![
        Arc::new(id.finish()),
        Arc::new(doc.finish()),
        Arc::new(story.finish()),
        Arc::new(family.finish()),
        Arc::new(alone.finish()),
        Arc::new(several.finish()),
        Arc::new(counted.finish()),
    ];
    batch(component_groups_schema(), arrays)
}

/// The members and the merged counts of a table of [`component_groups_schema`].
pub fn component_groups_from_batch(batch: &RecordBatch) -> Result<(Vec<GroupedMember>, ComponentCounts)> {
    let members = story_members_from_batch(batch)?;
    let several = column(batch, "several", &DataType::Boolean)?;
    let several = several.as_boolean();
    let counted = column(batch, "counts", &DataType::Binary)?;
    let counted = counted.as_binary::<i32>();
    let mut counts = ComponentCounts::default();
    let grouped = members
        .into_iter()
        .enumerate()
        .map(|(row, m)| {
            if several.is_null(row) {
                return Err(Error::Exchange(format!("component groups row {row}: `several` is null")));
            }
            if counted.is_valid(row) {
                counts.merge(from_bytes(counted.value(row), "component counts")?);
            }
            Ok(GroupedMember {
                doc: m.doc,
                id: m.id,
                family: m.family,
                story: m.story,
                several: several.value(row),
                alone: m.alone,
            })
        })
        .collect::<Result<_>>()?;
    Ok((grouped, counts))
}

/// Columns of a components table: each article of a component of several
/// articles (`doc`) and the component's smallest member (`component`).
pub fn components_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("doc", DataType::Int64, false),
        Field::new("component", DataType::Int64, false),
    ]))
}

/// Labelled articles as a table of [`components_schema`].
pub fn components_to_batch(labelled: &[(DocId, DocId)]) -> Result<RecordBatch> {
    let arrays: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values(labelled.iter().map(|&(doc, _)| i64::from(doc)))),
        Arc::new(Int64Array::from_iter_values(labelled.iter().map(|&(_, c)| i64::from(c)))),
    ];
    batch(components_schema(), arrays)
}

/// The pairs (`a`, `b`, places) of a table's columns of those names.
pub fn place_pairs_from_batch(batch: &RecordBatch) -> Result<Vec<(DocId, DocId)>> {
    let [a, b] = primitives::<Int64Type, 2>(batch, ["a", "b"])?;
    if a.null_count() + b.null_count() > 0 {
        return Err(Error::Exchange("a pair without its articles (`a` or `b` null)".to_string()));
    }
    a.values().iter().zip(b.values()).map(|(&a, &b)| Ok((number(a, "a")?, number(b, "b")?))).collect()
}

/// Columns of a component rows table: each row either a member of a
/// component (`component`, `doc`, `id`, `analyzed_lang`, `term_count`,
/// `text_bytes`, and `duplicate_of`: the first article it repeats exactly)
/// or a verdict of a pair of its ([`verdicts_schema`]'s columns, with
/// `component` too); the other shape's columns are null. What an engine's
/// grouping task reads ([`crate::grouping::group_components`]).
pub fn component_rows_schema() -> SchemaRef {
    let mut fields = vec![
        Field::new("component", DataType::Int64, false),
        Field::new("doc", DataType::Int64, true),
        Field::new("id", DataType::Utf8, true),
        Field::new("analyzed_lang", DataType::Utf8, true),
        Field::new("term_count", DataType::Int32, true),
        Field::new("text_bytes", DataType::Int64, true),
        Field::new("duplicate_of", DataType::Int64, true),
    ];
    fields.extend(verdicts_schema().fields().iter().map(|f| f.as_ref().clone().with_nullable(true)));
    Arc::new(Schema::new(fields))
}

/// The members and the verdicts of a table of [`component_rows_schema`].
pub fn component_rows_from_batch(batch: &RecordBatch) -> Result<(Vec<ComponentMember>, Vec<Verdict>)> {
    let [component, doc, text_bytes, duplicate_of] =
        primitives::<Int64Type, 4>(batch, ["component", "doc", "text_bytes", "duplicate_of"])?;
    let [term_count] = primitives::<Int32Type, 1>(batch, ["term_count"])?;
    let (id, lang) = (strings(batch, "id")?, strings(batch, "analyzed_lang")?);
    let verdicts = VerdictColumns::of(batch)?;
    let (mut members, mut found) = (Vec::new(), Vec::new());
    for row in 0..batch.num_rows() {
        if component.is_null(row) {
            return Err(Error::Exchange(format!("component rows row {row}: `component` is null")));
        }
        if doc.is_null(row) {
            found.push(verdicts.read(row)?);
            continue;
        }
        if id.is_null(row) || lang.is_null(row) || term_count.is_null(row) || text_bytes.is_null(row) {
            return Err(Error::Exchange(format!("component rows row {row}: a member's column is null")));
        }
        members.push(ComponentMember {
            component: number(component.value(row), "component")?,
            doc: number(doc.value(row), "doc")?,
            id: id.value(row).to_string(),
            lang: lang.value(row).to_string(),
            term_count: number(i64::from(term_count.value(row)), "term_count")?,
            text_bytes: number(text_bytes.value(row), "text_bytes")?,
            duplicate_of: duplicate_of
                .is_valid(row)
                .then(|| number(duplicate_of.value(row), "duplicate_of"))
                .transpose()?,
        });
    }
    Ok((members, found))
}

/// The members of a table with [`story_members_schema`]'s columns.
pub fn story_members_from_batch(batch: &RecordBatch) -> Result<Vec<StoryMember>> {
    let id = strings(batch, "id")?;
    let [doc, story, family] = primitives::<Int64Type, 3>(batch, ["doc", "story", "family"])?;
    let alone = column(batch, "alone", &DataType::Binary)?;
    let alone = alone.as_binary::<i32>();
    (0..batch.num_rows())
        .map(|row| {
            if id.is_null(row) || doc.is_null(row) || story.is_null(row) || family.is_null(row) || alone.is_null(row) {
                return Err(Error::Exchange(format!("story members row {row}: a column is null")));
            }
            Ok(StoryMember {
                id: id.value(row).to_string(),
                doc: number(doc.value(row), "doc")?,
                story: number(story.value(row), "story")?,
                family: number(family.value(row), "family")?,
                alone: from_bytes(alone.value(row), "assignment")?,
            })
        })
        .collect()
}

/// The rows of a table an engine joined for [`crate::story_groups::decide`]:
/// [`story_members_schema`]'s columns, an analyzed articles table's but the
/// terms ([`facts_table_from_batch`]), and a signed sides table's
/// `signature` and `side` ([`signed_sides_schema`]).
pub fn story_rows_from_batch(batch: &RecordBatch) -> Result<Vec<StoryRow>> {
    let members = story_members_from_batch(batch)?;
    let (articles, analyzed) = facts_table_from_batch(batch)?;
    let (signature, side) = (column(batch, "signature", &DataType::Binary)?, column(batch, "side", &DataType::Binary)?);
    let (signature, side) = (signature.as_binary::<i32>(), side.as_binary::<i32>());
    members
        .into_iter()
        .zip(articles.into_iter().zip(analyzed))
        .enumerate()
        .map(|(row, (m, (article, analyzed)))| {
            if signature.is_null(row) || side.is_null(row) {
                return Err(Error::Exchange(format!("story row {row}: `signature` or `side` is null")));
            }
            let signature: Signature = from_bytes(signature.value(row), "signature")?;
            let side: PairSide = from_bytes(side.value(row), "pair side")?;
            Ok(StoryRow {
                story: m.story,
                doc: m.doc,
                family: m.family,
                alone: m.alone,
                article,
                analyzed,
                vector: side.vector,
                shingles: signature.shingles,
            })
        })
        .collect()
}

/// Columns of a decided roles table: each row an article's role (`doc`,
/// `assignment`: postcard bytes) or a credit that joined families (`doc`
/// the copy, `source`, `credit` in words).
pub fn decided_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("doc", DataType::Int64, false),
        Field::new("assignment", DataType::Binary, true),
        Field::new("source", DataType::Int64, true),
        Field::new("credit", DataType::Utf8, true),
    ]))
}

/// The roles decided, as a table of [`decided_schema`].
pub fn decided_to_batch(decided: &Decided) -> Result<RecordBatch> {
    let (mut doc, mut assignment) = (Int64Builder::new(), BinaryBuilder::new());
    let (mut source, mut credit) = (Int64Builder::new(), StringBuilder::new());
    for (member, decision) in &decided.assignments {
        doc.append_value(i64::from(*member));
        assignment.append_value(to_bytes(decision)?);
        source.append_null();
        credit.append_null();
    }
    for (copy, from, words) in &decided.credited {
        doc.append_value(i64::from(*copy));
        assignment.append_null();
        source.append_value(i64::from(*from));
        credit.append_value(words);
    }
    let arrays: Vec<ArrayRef> = vec![
        Arc::new(doc.finish()),
        Arc::new(assignment.finish()),
        Arc::new(source.finish()),
        Arc::new(credit.finish()),
    ];
    batch(decided_schema(), arrays)
}

/// The roles of a table with [`decided_schema`]'s columns.
pub fn decided_from_batch(batch: &RecordBatch) -> Result<Decided> {
    let [doc, source] = primitives::<Int64Type, 2>(batch, ["doc", "source"])?;
    let assignment = column(batch, "assignment", &DataType::Binary)?;
    let assignment = assignment.as_binary::<i32>();
    let credit = strings(batch, "credit")?;
    let mut decided = Decided::default();
    for row in 0..batch.num_rows() {
        if doc.is_null(row) {
            return Err(Error::Exchange(format!("decided row {row}: `doc` is null")));
        }
        let member = number(doc.value(row), "doc")?;
        if assignment.is_valid(row) {
            decided.assignments.push((member, from_bytes(assignment.value(row), "assignment")?));
        } else if source.is_valid(row) && credit.is_valid(row) {
            decided.credited.push((member, number(source.value(row), "source")?, credit.value(row).to_string()));
        } else {
            return Err(Error::Exchange(format!("decided row {row}: neither a role nor a credit")));
        }
    }
    Ok(decided)
}

/// Columns of a verdicts table: a candidate pair by number, whether it is
/// a family edge and what it measured, and P(same event) when it is a story link.
pub fn verdicts_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("a", DataType::Int64, false),
        Field::new("b", DataType::Int64, false),
        Field::new("edge", DataType::Boolean, false),
        Field::new("cosine", DataType::Float32, false),
        Field::new("a_in_b", DataType::Float32, false),
        Field::new("b_in_a", DataType::Float32, false),
        Field::new("link", DataType::Float32, true),
    ]))
}

/// Verdicts as a table of [`verdicts_schema`].
pub fn verdicts_to_batch(verdicts: &[Verdict]) -> Result<RecordBatch> {
    let measure = |f: &dyn Fn(&Edge) -> f32| {
        Arc::new(Float32Array::from_iter_values(verdicts.iter().map(|v| v.edge.as_ref().map_or(0.0, f)))) as ArrayRef
    };
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values(verdicts.iter().map(|v| v.a as i64))),
        Arc::new(Int64Array::from_iter_values(verdicts.iter().map(|v| v.b as i64))),
        Arc::new(BooleanArray::from_iter(verdicts.iter().map(|v| Some(v.edge.is_some())))),
        measure(&|e| e.cosine),
        measure(&|e| e.a_in_b),
        measure(&|e| e.b_in_a),
        Arc::new(Float32Array::from_iter(verdicts.iter().map(|v| v.link))),
    ];
    batch(verdicts_schema(), columns)
}

/// The verdicts of a table of [`verdicts_schema`].
pub fn verdicts_from_batch(batch: &RecordBatch) -> Result<Vec<Verdict>> {
    let columns = VerdictColumns::of(batch)?;
    (0..batch.num_rows()).map(|row| columns.read(row)).collect()
}

/// The columns of [`verdicts_schema`] of a table.
struct VerdictColumns {
    ends: [PrimitiveArray<Int64Type>; 2],
    edge: arrow_array::BooleanArray,
    measures: [PrimitiveArray<Float32Type>; 4],
}

impl VerdictColumns {
    fn of(batch: &RecordBatch) -> Result<VerdictColumns> {
        Ok(VerdictColumns {
            ends: primitives::<Int64Type, 2>(batch, ["a", "b"])?,
            edge: column(batch, "edge", &DataType::Boolean)?.as_boolean().clone(),
            measures: primitives::<Float32Type, 4>(batch, ["cosine", "a_in_b", "b_in_a", "link"])?,
        })
    }

    /// The verdict of `row`.
    fn read(&self, row: usize) -> Result<Verdict> {
        let ([a, b], [cosine, a_in_b, b_in_a, link]) = (&self.ends, &self.measures);
        if a.is_null(row) || b.is_null(row) || self.edge.is_null(row) {
            return Err(Error::Exchange(format!("verdict row {row}: `a`, `b` or `edge` is null")));
        }
        let edge = self.edge.value(row).then(|| Edge {
            a: 0,
            b: 0,
            cosine: cosine.value(row),
            a_in_b: a_in_b.value(row),
            b_in_a: b_in_a.value(row),
        });
        let link = link.is_valid(row).then(|| link.value(row));
        Ok(Verdict { a: number(a.value(row), "a")?, b: number(b.value(row), "b")?, edge, link })
    }
}

/// The article numbers of a table's `doc` column.
pub fn numbers_from_batch(batch: &RecordBatch) -> Result<Vec<u64>> {
    let [doc] = primitives::<Int64Type, 1>(batch, ["doc"])?;
    doc.values().iter().map(|&n| number(n, "doc")).collect()
}

/// The key kinds of a table's `kind` column.
fn kinds(batch: &RecordBatch) -> Result<Vec<KeyKind>> {
    let kind = column(batch, "kind", &DataType::Int32)?;
    kind.as_primitive::<Int32Type>()
        .values()
        .iter()
        .map(|&code| KeyKind::from_code(code).ok_or_else(|| Error::Exchange(format!("no key kind {code}"))))
        .collect()
}

/// Columns `names` of `batch` as arrays of `T` (cast from what Spark hands
/// over, a narrower integer say).
fn primitives<T: ArrowPrimitiveType, const N: usize>(
    batch: &RecordBatch,
    names: [&str; N],
) -> Result<[PrimitiveArray<T>; N]> {
    let columns = names
        .iter()
        .map(|name| Ok(column(batch, name, &T::DATA_TYPE)?.as_primitive::<T>().clone()))
        .collect::<Result<Vec<_>>>()?;
    Ok(columns.try_into().expect("a column for each name"))
}

/// A count or number that cannot be negative, of column `name`.
fn number<T: TryFrom<i64>>(value: i64, name: &str) -> Result<T> {
    T::try_from(value).map_err(|_| Error::Exchange(format!("`{name}` {value} is out of range")))
}

/// `value` in postcard's compact binary form.
pub fn to_bytes<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    postcard::to_allocvec(value).map_err(|e| Error::Exchange(format!("cannot encode: {e}")))
}

/// A value that [`to_bytes`] encoded; `what` names it in the error.
pub fn from_bytes<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T> {
    postcard::from_bytes(bytes).map_err(|e| Error::Exchange(format!("cannot decode {what}: {e}")))
}

/// `batch` as an Arrow IPC stream.
pub fn write_ipc(batch: &RecordBatch) -> Result<Vec<u8>> {
    write_ipc_batches(std::slice::from_ref(batch))
}

/// Batches of one schema (the first's; at least one) as one Arrow IPC stream.
pub fn write_ipc_batches(batches: &[RecordBatch]) -> Result<Vec<u8>> {
    let encode = |e: arrow_schema::ArrowError| Error::Exchange(format!("cannot write an Arrow stream: {e}"));
    let first = batches.first().ok_or_else(|| Error::Exchange("an Arrow stream needs a batch".into()))?;
    let mut writer = arrow_ipc::writer::StreamWriter::try_new(Vec::new(), &first.schema()).map_err(encode)?;
    for batch in batches {
        writer.write(batch).map_err(encode)?;
    }
    writer.into_inner().map_err(encode)
}

/// The record batches of an Arrow IPC stream.
pub fn read_ipc(bytes: &[u8]) -> Result<Vec<RecordBatch>> {
    let decode = |e: arrow_schema::ArrowError| Error::Exchange(format!("cannot read an Arrow stream: {e}"));
    arrow_ipc::reader::StreamReader::try_new(bytes, None).map_err(decode)?.map(|batch| batch.map_err(decode)).collect()
}

fn batch(schema: SchemaRef, arrays: Vec<ArrayRef>) -> Result<RecordBatch> {
    RecordBatch::try_new(schema, arrays).map_err(|e| Error::Exchange(e.to_string()))
}

/// Column `name` of `batch` as `to` (Spark may hand over large strings or
/// lists, or narrower integers).
fn column(batch: &RecordBatch, name: &str, to: &DataType) -> Result<ArrayRef> {
    let array = batch.column_by_name(name).ok_or_else(|| Error::Exchange(format!("no column `{name}`")))?;
    if array.data_type() == to {
        return Ok(Arc::clone(array));
    }
    arrow_cast::cast(array, to).map_err(|e| Error::Exchange(format!("column `{name}`: {e}")))
}

/// String column `name` of `batch`.
fn strings(batch: &RecordBatch, name: &str) -> Result<arrow_array::StringArray> {
    Ok(column(batch, name, &DataType::Utf8)?.as_string::<i32>().clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean::BoilerplateModel;
    use crate::{Pipeline, PipelineParams};

    /// `batch` through an Arrow IPC stream and back.
    fn crossed(batch: &RecordBatch) -> RecordBatch {
        read_ipc(&write_ipc(batch).unwrap()).unwrap().remove(0)
    }

    #[test]
    fn the_candidate_stage_tables_cross_unchanged() {
        let shared = vec![
            SharedKeys { kind: KeyKind::Terms, doc: 3, other: 1 << 40, shared: 5, doc_keys: 12, other_keys: 9 },
            SharedKeys { kind: KeyKind::Wording, doc: 0, other: 7, shared: 2, doc_keys: 16, other_keys: 16 },
        ];
        assert_eq!(shared_keys_from_batch(&crossed(&shared_keys_to_batch(&shared).unwrap())).unwrap(), shared);
        let pairs = vec![
            ProposedPair { a: 1, b: 9, by_terms: true, wording_shared: 0 },
            ProposedPair { a: 2, b: 3, by_terms: false, wording_shared: 4 },
        ];
        assert_eq!(proposed_from_batch(&crossed(&proposed_to_batch(&pairs).unwrap())).unwrap(), pairs);
        let edge = Edge { a: 0, b: 0, cosine: 0.9, a_in_b: 0.8, b_in_a: 0.25 };
        let verdicts = vec![
            Verdict { a: 1, b: 9, edge: Some(edge), link: Some(0.97) },
            Verdict { a: 2, b: 3, edge: None, link: Some(0.6) },
            Verdict { a: 4, b: 5, edge: None, link: None },
        ];
        assert_eq!(verdicts_from_batch(&crossed(&verdicts_to_batch(&verdicts).unwrap())).unwrap(), verdicts);
    }

    #[test]
    fn articles_and_analyses_cross_unchanged() {
        let mut article = Article::new("a", "Line one of the story.\nSecond line with 2024 and Paris.");
        article.title = Some("Headline".into());
        article.published_at = Some("2024-05-01".into());
        article.origin = Origin { path: "in.jsonl".into(), line: 7 };
        let batch = read_ipc(&write_ipc(&articles_to_batch(std::slice::from_ref(&article)).unwrap()).unwrap()).unwrap();
        let back = articles_from_batch(&batch[0]).unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!((back[0].id.as_str(), back[0].title.as_deref()), ("a", Some("Headline")));
        assert_eq!(back[0].text.read().unwrap(), article.text.read().unwrap());
        assert_eq!(back[0].origin, article.origin);
        assert_eq!(back[0].url, None);

        let pipeline = Pipeline::new(PipelineParams::new().check().unwrap());
        let analysis = pipeline.analyze(&article, &BoilerplateModel::default()).unwrap();
        assert!(!analysis.terms.is_empty() && !analysis.analyzed.years.is_empty());
        let batch = analyses_to_batch([("a", &analysis)]).unwrap();
        let back = AnalysesReader::default().read(&read_ipc(&write_ipc(&batch).unwrap()).unwrap()[0]).unwrap();
        let (id, decoded) = &back[0];
        assert_eq!(id, "a");
        assert_eq!(decoded.terms, analysis.terms);
        assert_eq!(decoded.anchors, analysis.anchors);
        assert_eq!(decoded.analyzed.body, analysis.analyzed.body);
        assert_eq!(decoded.analyzed.years, analysis.analyzed.years);
        assert!(Arc::ptr_eq(&decoded.analyzed.lang, &analysis.analyzed.lang), "language codes stay shared");

        let both = analyzed_to_batch(std::slice::from_ref(&article), std::slice::from_ref(&analysis)).unwrap();
        let (articles, analyses) = analyzed_from_batch(&read_ipc(&write_ipc(&both).unwrap()).unwrap()[0]).unwrap();
        assert_eq!((articles[0].id.as_str(), articles[0].lang.as_deref()), ("a", None));
        assert_eq!(analyses[0].terms, analysis.terms);
        assert!(analyzed_to_batch(&[], std::slice::from_ref(&analysis)).is_err());
    }

    #[test]
    fn analyses_packed_together_read_back_however_the_rows_are_rebatched() {
        let pipeline = Pipeline::new(PipelineParams::new().check().unwrap());
        let texts = ["Rome: the council met on 4 May 2024.", "", "Die Stadt Rom plant 2025 neue Linien.", "Rome again"];
        // More than a piece: the first table holds two vocabularies.
        let articles: Vec<Article> =
            (0..PIECE + 4).map(|i| Article::new(format!("d{i:05}"), format!("{} {}", texts[i % 4], i / 4))).collect();
        let model = BoilerplateModel::default();
        let analyses: Vec<Analysis> = articles.iter().map(|a| pipeline.analyze(a, &model).unwrap()).collect();
        // Two tasks' tables, which an engine cuts again: one row, then
        // a piece (across the first table's second vocabulary), then the rest.
        let cut_at = PIECE + 2;
        let first = analyzed_to_batch(&articles[..cut_at], &analyses[..cut_at]).unwrap();
        let second = analyzed_to_batch(&articles[cut_at..], &analyses[cut_at..]).unwrap();
        let whole = arrow_select::concat::concat_batches(&first.schema(), [&first, &second]).unwrap();
        let cut = [whole.slice(0, 1), whole.slice(1, PIECE), whole.slice(PIECE + 1, 3)];
        let (read, back) = analyzed_from_batches(&cut).unwrap();
        assert_eq!(read.iter().map(|a| &a.id).collect::<Vec<_>>(), articles.iter().map(|a| &a.id).collect::<Vec<_>>());
        assert_eq!(back.len(), analyses.len());
        for (back, analysis) in back.iter().zip(&analyses) {
            assert_eq!((&back.terms, &back.anchors), (&analysis.terms, &analysis.anchors));
        }
        // Rows after the first of a piece cannot be read without it.
        let err = AnalysesReader::default().read(&cut[1]).unwrap_err().to_string();
        assert!(err.contains("before any vocabulary"), "{err}");
    }

    #[test]
    fn a_reading_holds_articles_then_notices() {
        let mut ingested = Ingested { articles: vec![Article::new("a", "text")], ..Default::default() };
        ingested.rejects.push(Reject { path: "in.jsonl".into(), line: 2, reason: "malformed JSON".into() });
        let batch = read_to_batch(&ingested).unwrap();
        assert_eq!(batch.num_rows(), 2);
        let kind = strings(&batch, "kind").unwrap();
        assert!(kind.is_null(0) && kind.value(1) == "reject");
        assert_eq!(articles_from_batch(&batch.slice(0, 1)).unwrap()[0].id, "a");
        assert_eq!(notices_from_batch(&notices_to_batch(&ingested).unwrap()).unwrap().rejects, ingested.rejects);
        let err = articles_from_batch(&batch).unwrap_err().to_string();
        assert!(err.contains("row 1: `id` is null"), "{err}");
    }

    #[test]
    fn notices_of_parts_read_apart_are_gathered_as_one_reading_gives_them() {
        let notice = |path: &str, line, reason: &str| Reject { path: path.into(), line, reason: reason.into() };
        let times = |path: &str, line, count| UnparsedTimes { first: notice(path, line, &format!("t{line}")), count };
        // The second range of b.jsonl, then a.jsonl, then b.jsonl's first range.
        let parts = [
            Ingested {
                rejects: vec![notice("b.jsonl", 90, "bad")],
                unparsed_times: vec![times("b.jsonl", 70, 3)],
                ..Default::default()
            },
            Ingested { rejects: vec![notice("a.jsonl", 4, "bad")], ..Default::default() },
            Ingested {
                rejects: vec![notice("b.jsonl", 2, "bad")],
                unparsed_times: vec![times("b.jsonl", 5, 2)],
                ..Default::default()
            },
        ];
        let crossed = parts.map(|p| notices_from_batch(&notices_to_batch(&p).unwrap()).unwrap());
        let files = ["a.jsonl".to_string(), "b.jsonl".to_string()];
        let all = gather_notices(crossed, &files);
        let places: Vec<String> = all.rejects.iter().map(Reject::place).collect();
        assert_eq!(places, ["a.jsonl:4", "b.jsonl:2", "b.jsonl:90"]);
        assert_eq!(all.unparsed_times, [times("b.jsonl", 5, 5)], "one per file, at its first record, counted in full");
        assert!(all.unparsed_times[0].notice().reason.starts_with("5 publication times"));
    }

    #[test]
    fn a_missing_column_is_named() {
        let batch = notices_to_batch(&Ingested::default()).unwrap();
        let err = AnalysesReader::default().read(&batch).unwrap_err().to_string();
        assert!(err.contains("no column `id`"), "{err}");
    }
}
