//! The data model shared by the stages: an input [`Article`], its [`Text`]
//! and where it came from.

use std::borrow::Cow;
use std::fs::File;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use rustc_hash::FxHashMap;

use crate::columns::Keys;
use crate::error::{Error, Result};

/// Index of an article inside one batch (its position after sorting by id).
pub type DocId = u32;

/// Where a record was read from, for messages that name file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The input file, its name shared by all the articles read from it.
    pub path: Arc<str>,
    /// 1-based line of a JSONL record; 0 for a whole `.txt` file.
    pub line: u64,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.path)
        } else {
            write!(f, "{}:{}", self.path, self.line)
        }
    }
}

/// One input article, as read. Only `id` and `text` are required.
#[derive(Debug, Clone)]
pub struct Article {
    /// Stable, user-given id (file stem for `.txt` input).
    pub id: String,
    /// Headline, when the input has one.
    pub title: Option<String>,
    /// The article text, lines separated by `\n`.
    pub text: Text,
    /// Page URL, when known.
    pub url: Option<String>,
    /// Publisher name, when known.
    pub source: Option<String>,
    /// Publication time as given (ISO 8601 sorts correctly as text).
    pub published_at: Option<String>,
    /// Language code given by the input; detected when absent.
    pub lang: Option<String>,
    /// The `WARC-Record-ID` of a page read from a WARC file (its id is its URL).
    pub warc_record_id: Option<String>,
    /// Where the record was read from.
    pub origin: Origin,
}

impl Article {
    /// An article with only an id and a text, for tests and library users.
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Self {
        let id = id.into();
        Article {
            origin: Origin { path: format!("<{id}>").into(), line: 0 },
            id,
            title: None,
            text: Text::from(text.into()),
            url: None,
            source: None,
            published_at: None,
            lang: None,
            warc_record_id: None,
        }
    }
}

/// The time a `published_at` value gives, as [`Article::published_time`] reads it.
pub fn publication_time(published_at: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    let text = published_at.trim();
    chrono::DateTime::parse_from_rfc3339(text).or_else(|_| chrono::DateTime::parse_from_rfc2822(text)).ok().or_else(
        || {
            let day = chrono::NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()?;
            Some(day.and_hms_opt(0, 0, 0)?.and_utc().fixed_offset())
        },
    )
}

/// The day a `published_at` value gives, in days since 1970-01-01 UTC ([`Article::published_day`]).
pub fn publication_day(published_at: &str) -> Option<f32> {
    Some(publication_time(published_at)?.timestamp() as f32 / 86_400.0)
}

impl Article {
    /// The publication time, when `published_at` is RFC 3339
    /// (`2025-08-10T09:00:00Z`), RFC 2822 as RSS feeds write it (`Sun, 10
    /// Aug 2025 09:00:00 +0000`), or begins with a date (`2025-08-10`, read
    /// as midnight UTC); `None` otherwise.
    pub fn published_time(&self) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        publication_time(self.published_at.as_deref()?)
    }

    /// The publication time in days since 1970-01-01 UTC ([`Article::published_time`]).
    pub fn published_day(&self) -> Option<f32> {
        publication_day(self.published_at.as_deref()?)
    }

    /// `published_at` for the output: RFC 3339 where it parses
    /// ([`Article::published_time`]), as given where it does not.
    pub fn published_at_rfc3339(&self) -> Option<String> {
        match self.published_time() {
            Some(time) => Some(time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
            None => self.published_at.clone(),
        }
    }

    /// The outlet: `source` as given, else the host of `url` without its
    /// `www.` (`https://www.example.com/a` → `example.com`).
    pub fn outlet(&self) -> Option<Cow<'_, str>> {
        if let Some(source) = self.source.as_deref().filter(|s| !s.trim().is_empty()) {
            return Some(Cow::Borrowed(source));
        }
        let url = url::Url::parse(self.url.as_deref()?.trim()).ok()?;
        let host = url.host_str()?;
        Some(Cow::Owned(host.strip_prefix("www.").unwrap_or(host).to_string()))
    }
}

/// An article's text: held in memory, or left in its uncompressed JSONL
/// input file and parsed again from there each time a stage reads it, so
/// that a batch's texts (most of what it reads) are never all held.
#[derive(Debug, Clone)]
pub struct Text(Repr);

#[derive(Debug, Clone)]
enum Repr {
    Held(String),
    InFile(Box<FileSpan>),
}

/// Where a line lies in its file.
#[derive(Debug, Clone, Copy)]
pub struct LineSpan {
    /// 1-based line number.
    pub line: u64,
    /// Byte offset of its start.
    pub offset: u64,
    /// Its length in bytes.
    pub bytes: usize,
}

/// Where a JSONL record lies in its file, and what its text was when read.
#[derive(Debug, Clone)]
struct FileSpan {
    path: Arc<PathBuf>,
    /// Where the file's records keep their text.
    keys: Arc<Keys>,
    /// 1-based line, for messages.
    line: u64,
    /// Byte offset of the record's line.
    offset: u64,
    /// Bytes of the line.
    line_bytes: usize,
    /// Bytes of the text (after `\r\n` became `\n`).
    text_bytes: usize,
    /// Hash of the text, to tell that the file still holds it.
    text_hash: u64,
}

impl Text {
    /// A text that is left in its JSONL file: `line_bytes` bytes at
    /// `offset` hold the record (line `line`) whose text field (found by
    /// `keys`; with `\r\n` read as `\n`) is `text`, as the file must still
    /// hold it whenever it is read again.
    pub fn in_file(path: Arc<PathBuf>, keys: Arc<Keys>, at: LineSpan, text: &str) -> Text {
        let text_hash = xxhash_rust::xxh3::xxh3_64(text.as_bytes());
        let LineSpan { line, offset, bytes: line_bytes } = at;
        Text(Repr::InFile(Box::new(FileSpan {
            path,
            keys,
            line,
            offset,
            line_bytes,
            text_bytes: text.len(),
            text_hash,
        })))
    }

    /// The text. One left in its file is read and parsed again; an error
    /// names the file and line when the file no longer holds it.
    pub fn read(&self) -> Result<Cow<'_, str>> {
        match &self.0 {
            Repr::Held(text) => Ok(Cow::Borrowed(text)),
            Repr::InFile(span) => span.read().map(Cow::Owned),
        }
    }

    /// Length of the text in bytes.
    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Held(text) => text.len(),
            Repr::InFile(span) => span.text_bytes,
        }
    }

    /// True for an empty text.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when the text is held in memory rather than read from its file.
    pub fn is_held(&self) -> bool {
        matches!(self.0, Repr::Held(_))
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        Text(Repr::Held(text))
    }
}

impl FileSpan {
    fn read(&self) -> Result<String> {
        let changed = |what: String| Error::BadRecord {
            path: self.path.to_path_buf(),
            line: self.line,
            reason: format!(
                "the file changed while it was being processed ({what}); run again on a file that stays put"
            ),
        };
        let mut bytes = vec![0; self.line_bytes];
        let file = open_input(&self.path).map_err(|e| changed(format!("cannot open it again: {e}")))?;
        crate::spill::read_exact_at(&file, &mut bytes, self.offset).map_err(|e| changed(e.to_string()))?;
        let text = self
            .keys
            .parse_text(&bytes)
            .map_err(|e| changed(format!("the record no longer parses: {e}")))?
            .ok_or_else(|| changed("the record has no text".into()))?;
        let text = if text.contains('\r') { text.replace("\r\n", "\n") } else { text };
        if text.len() != self.text_bytes || xxhash_rust::xxh3::xxh3_64(text.as_bytes()) != self.text_hash {
            return Err(changed("the record's text is not the one first read".into()));
        }
        Ok(text)
    }
}

/// A batch's articles packed into one buffer, for the stages that do not
/// read them (candidates and verify, the run's peak): about 40 bytes an
/// article of a JSONL file whose text is left in the file, against about
/// 300 as records (a 216-byte [`Article`], its id and where its text lies,
/// each allocated apart). File names and key tables stay shared.
#[derive(Debug, Default)]
pub struct PackedArticles {
    bytes: Vec<u8>,
    articles: usize,
    /// The distinct origin paths, by first use.
    origins: Vec<Arc<str>>,
    /// The distinct files that texts are left in, with their keys, by first use.
    files: Vec<(Arc<PathBuf>, Arc<Keys>)>,
}

impl PackedArticles {
    /// Packs `articles`, each freed as it is packed.
    pub fn pack(articles: Vec<Article>) -> PackedArticles {
        let mut packed = PackedArticles { articles: articles.len(), ..PackedArticles::default() };
        let (mut origin_numbers, mut file_numbers) = (FxHashMap::default(), FxHashMap::default());
        for article in articles {
            let Article { id, title, text, url, source, published_at, lang, warc_record_id, origin } = article;
            packed.put_str(&id);
            let optional = [title, url, source, published_at, lang, warc_record_id];
            let present =
                optional.iter().enumerate().fold(0u8, |flags, (i, field)| flags | (u8::from(field.is_some()) << i));
            packed.bytes.push(present);
            optional.iter().flatten().for_each(|field| packed.put_str(field));
            let next = packed.origins.len() as u64;
            let number = *origin_numbers.entry(Arc::as_ptr(&origin.path) as *const u8 as usize).or_insert(next);
            if number == next {
                packed.origins.push(origin.path);
            }
            packed.put_number(number);
            packed.put_number(origin.line);
            match text.0 {
                Repr::Held(text) => {
                    packed.bytes.push(0);
                    packed.put_str(&text);
                }
                Repr::InFile(span) => {
                    packed.bytes.push(1);
                    let key = (Arc::as_ptr(&span.path) as usize, Arc::as_ptr(&span.keys) as usize);
                    let next = packed.files.len() as u64;
                    let number = *file_numbers.entry(key).or_insert(next);
                    if number == next {
                        packed.files.push((Arc::clone(&span.path), Arc::clone(&span.keys)));
                    }
                    packed.put_number(number);
                    for n in [span.line, span.offset, span.line_bytes as u64, span.text_bytes as u64] {
                        packed.put_number(n);
                    }
                    packed.bytes.extend_from_slice(&span.text_hash.to_le_bytes());
                }
            }
        }
        packed.bytes.shrink_to_fit();
        packed
    }

    /// The articles as they were packed, in the same order.
    pub fn unpack(self) -> Vec<Article> {
        let mut at = 0;
        let mut articles = Vec::with_capacity(self.articles);
        for _ in 0..self.articles {
            let id = self.str_at(&mut at);
            let present = self.bytes[at];
            at += 1;
            let [title, url, source, published_at, lang, warc_record_id] =
                std::array::from_fn(|i| (present & (1 << i) != 0).then(|| self.str_at(&mut at)));
            let path = Arc::clone(&self.origins[self.number_at(&mut at) as usize]);
            let origin = Origin { path, line: self.number_at(&mut at) };
            let kind = self.bytes[at];
            at += 1;
            let text = if kind == 0 {
                Text(Repr::Held(self.str_at(&mut at)))
            } else {
                let (path, keys) = &self.files[self.number_at(&mut at) as usize];
                let [line, offset, line_bytes, text_bytes] = std::array::from_fn(|_| self.number_at(&mut at));
                let text_hash = u64::from_le_bytes(self.bytes[at..at + 8].try_into().expect("8 bytes"));
                at += 8;
                Text(Repr::InFile(Box::new(FileSpan {
                    path: Arc::clone(path),
                    keys: Arc::clone(keys),
                    line,
                    offset,
                    line_bytes: line_bytes as usize,
                    text_bytes: text_bytes as usize,
                    text_hash,
                })))
            };
            articles.push(Article { id, title, text, url, source, published_at, lang, warc_record_id, origin });
        }
        articles
    }

    /// Number of articles packed.
    pub fn len(&self) -> usize {
        self.articles
    }

    /// True when no article is packed.
    pub fn is_empty(&self) -> bool {
        self.articles == 0
    }

    /// Appends `n` in 7-bit groups, low first (LEB128).
    fn put_number(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.bytes.push((n as u8) | 0x80);
            n >>= 7;
        }
        self.bytes.push(n as u8);
    }

    fn put_str(&mut self, s: &str) {
        self.put_number(s.len() as u64);
        self.bytes.extend_from_slice(s.as_bytes());
    }

    fn number_at(&self, at: &mut usize) -> u64 {
        let (mut n, mut shift) = (0u64, 0);
        loop {
            let byte = self.bytes[*at];
            *at += 1;
            n |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return n;
            }
            shift += 7;
        }
    }

    fn str_at(&self, at: &mut usize) -> String {
        let len = self.number_at(at) as usize;
        let bytes = &self.bytes[*at..*at + len];
        *at += len;
        // Packed from a `str`, so whole characters.
        String::from_utf8_lossy(bytes).into_owned()
    }
}

/// Input files held open for reading texts again (opening a file for
/// each read cost more than the read), the latest used last. At most
/// [`OPEN_INPUT_FILES`], however many files a batch has.
static OPEN_INPUTS: Mutex<Vec<(Arc<PathBuf>, Arc<File>)>> = Mutex::new(Vec::new());

/// Most input files held open at once.
const OPEN_INPUT_FILES: usize = 8;

/// The input file `path` (one [`Text::in_file`] was given), open.
fn open_input(path: &Arc<PathBuf>) -> std::io::Result<Arc<File>> {
    // A panic elsewhere while holding the lock leaves the list whole.
    let mut open = OPEN_INPUTS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(at) = open.iter().position(|(p, _)| Arc::ptr_eq(p, path)) {
        let entry = open.remove(at);
        let file = Arc::clone(&entry.1);
        open.push(entry);
        return Ok(file);
    }
    let file = Arc::new(File::open(&**path)?);
    if open.len() == OPEN_INPUT_FILES {
        open.remove(0);
    }
    open.push((Arc::clone(path), Arc::clone(&file)));
    Ok(file)
}

/// Closes the input files held open for reading texts again (the next
/// read opens its file anew). [`crate::Pipeline::run`] and
/// [`crate::output::write_dir`] call it as they end; a caller that reads
/// texts otherwise may call it when done.
pub fn close_input_files() {
    OPEN_INPUTS.lock().unwrap_or_else(PoisonError::into_inner).clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_articles_come_back_as_they_were() {
        let dir = tempfile::tempdir().unwrap();
        let (one, two) = (Arc::new(dir.path().join("one.jsonl")), Arc::new(dir.path().join("two.jsonl")));
        let (first, second, third) = (
            "{\"id\":\"a\",\"text\":\"first\"}\n",
            "{\"id\":\"b\",\"text\":\"sé\\r\\ncond\"}\n",
            "{\"id\":\"c\",\"text\":\"third\"}\n",
        );
        std::fs::write(&*one, format!("{first}{second}")).unwrap();
        std::fs::write(&*two, third).unwrap();
        let keys = Arc::new(crate::columns::Columns::default().keys());
        let in_file = |path: &Arc<PathBuf>, line: u64, offset: usize, record: &str, text: &str| {
            let at = LineSpan { line, offset: offset as u64, bytes: record.len() };
            Text::in_file(Arc::clone(path), Arc::clone(&keys), at, text)
        };
        let (names_one, names_two): (Arc<str>, Arc<str>) = ("one.jsonl".into(), "two.jsonl".into());
        let mut articles = vec![
            Article {
                origin: Origin { path: Arc::clone(&names_one), line: 1 },
                text: in_file(&one, 1, 0, first, "first"),
                ..Article::new("a", "")
            },
            Article {
                title: Some("Ünïcode title".into()),
                url: Some("https://example.com/b".into()),
                published_at: Some("2024-05-01T10:00:00Z".into()),
                warc_record_id: Some(String::new()),
                origin: Origin { path: Arc::clone(&names_one), line: 2 },
                text: in_file(&one, 2, first.len(), second, "sé\ncond"),
                ..Article::new("b", "")
            },
            Article {
                source: Some("Wire".into()),
                lang: Some("fr".into()),
                origin: Origin { path: Arc::clone(&names_two), line: 1 },
                text: in_file(&two, 1, 0, third, "third"),
                ..Article::new("c", "")
            },
            Article::new("held, with a long id ".repeat(20), "a text held in memory ".repeat(30)),
        ];
        articles[3].origin.line = 300;
        let before: Vec<String> = articles.iter().map(|a| format!("{a:?}")).collect();
        let packed = PackedArticles::pack(articles);
        assert_eq!((packed.len(), packed.origins.len(), packed.files.len()), (4, 3, 2));
        let after = packed.unpack();
        assert_eq!(after.iter().map(|a| format!("{a:?}")).collect::<Vec<_>>(), before);
        // Shared names stay shared, and texts left in files read again.
        assert!(Arc::ptr_eq(&after[0].origin.path, &after[1].origin.path));
        assert_eq!(after[1].text.read().unwrap(), "sé\ncond");
        assert_eq!(after[2].text.read().unwrap(), "third");
        assert_eq!(after[3].text.read().unwrap(), "a text held in memory ".repeat(30));
        close_input_files();
    }

    #[test]
    fn a_text_left_in_its_file_is_read_again_and_a_changed_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        let first = "{\"id\":\"x\",\"text\":\"one line\"}\n";
        let second = "{\"id\":\"y\",\"text\":\"two\\r\\nlines\"}\n";
        std::fs::write(&path, format!("{first}{second}")).unwrap();
        let path = Arc::new(path);
        let keys = Arc::new(crate::columns::Columns::default().keys());
        let at = LineSpan { line: 2, offset: first.len() as u64, bytes: second.len() };
        let text = Text::in_file(path.clone(), keys, at, "two\nlines");
        assert_eq!(text.read().unwrap(), "two\nlines");
        assert_eq!(text.len(), 9);
        // Another text of the same length, then a shorter file.
        std::fs::write(&*path, format!("{first}{}", second.replace("two", "six"))).unwrap();
        let err = text.read().unwrap_err().to_string();
        assert!(err.contains("a.jsonl:2") && err.contains("changed"), "{err}");
        std::fs::write(&*path, first).unwrap();
        assert!(text.read().unwrap_err().to_string().contains("a.jsonl:2"));
        // Gone: a file still held open reads as it does now (too short);
        // once closed, it cannot be opened again.
        std::fs::remove_file(&*path).unwrap();
        assert!(matches!(text.read(), Err(Error::BadRecord { line: 2, .. })));
        close_input_files();
        let err = text.read().unwrap_err().to_string();
        assert!(err.contains("a.jsonl:2") && err.contains("cannot open it again"), "{err}");
    }
}
