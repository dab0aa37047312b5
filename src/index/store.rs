//! The index's store: one SQLite database, `DIR/index.sqlite`, with its
//! write-ahead log on (docs/index.md, "Storage").
//!
//! - Every change is one transaction ([`Store::writer`]): a crash or a kill
//!   leaves the last committed state, which SQLite's journal restores on
//!   the next open.
//! - The write lock is taken when the writer starts, before any work: a
//!   second writer stops at once with [`IndexError::Busy`].
//! - Readers read the last committed state while a writer works: they
//!   never see a half-written batch.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};

use super::ids::{GroupId, Number};
use super::postings::{self, Posted};

/// The format this build reads and writes; an index of another is refused.
pub const FORMAT_VERSION: u32 = 3;

/// The database's file in an index directory.
pub const DATABASE: &str = "index.sqlite";

/// The tables of format 3 (docs/index.md, "Storage").
const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE batches (
    batch INTEGER PRIMARY KEY,
    added_at INTEGER NOT NULL,
    articles INTEGER NOT NULL,
    boilerplate BLOB
);
CREATE TABLE articles (
    doc INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    batch INTEGER NOT NULL REFERENCES batches(batch),
    published_day REAL,
    body INTEGER,
    component INTEGER NOT NULL,
    family INTEGER NOT NULL,
    story INTEGER NOT NULL,
    row BLOB NOT NULL
);
CREATE INDEX articles_by_story ON articles(story);
CREATE INDEX articles_by_component ON articles(component);
CREATE INDEX articles_by_body ON articles(body) WHERE body IS NOT NULL;
CREATE TABLE texts (doc INTEGER PRIMARY KEY, record BLOB NOT NULL);
CREATE TABLE postings (kind INTEGER, key INTEGER, docs BLOB NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID;
CREATE TABLE pairs (a INTEGER PRIMARY KEY, partners BLOB NOT NULL);
CREATE TABLE doc_freq (kind INTEGER, term INTEGER, count INTEGER NOT NULL, PRIMARY KEY (kind, term)) WITHOUT ROWID;
";

/// What can go wrong with an index, besides its inputs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// `create` was given a directory that already holds an index.
    #[error("{0}: an index is already there (open it, or remove the directory to start again)")]
    Exists(PathBuf),

    /// The directory holds no index.
    #[error("{0}: no index here (`newsdedup index create {0}` makes one)")]
    Missing(PathBuf),

    /// The index was written in a format this build does not read.
    #[error("{path}: index format version {found}; this build reads version {FORMAT_VERSION}")]
    Version {
        /// The index directory.
        path: PathBuf,
        /// The version the index records.
        found: u32,
    },

    /// The index was made with other pipeline parameters than this build's.
    #[error("{0}: the index was made with other parameters or another pair model than this build's")]
    Parameters(PathBuf),

    /// Another process is writing to the index.
    #[error("{0}: another process is adding to or evicting from this index; try again when it is done")]
    Busy(PathBuf),

    /// The pipeline failed on an article of the batch (its text unreadable, say).
    #[error(transparent)]
    Run(#[from] crate::error::Error),

    /// The database failed or holds something it should not.
    #[error("{path}: {reason}")]
    Database {
        /// The index directory.
        path: PathBuf,
        /// SQLite's message, or what is malformed.
        reason: String,
    },
}

/// An open index.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    conn: Connection,
}

/// What `newsdedup index stats` tells of an index.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoreStats {
    /// Format version.
    pub format_version: u32,
    /// Articles held.
    pub articles: u64,
    /// Batches added.
    pub batches: u64,
    /// Stories (one article or more).
    pub stories: u64,
    /// Families (one article or more).
    pub families: u64,
    /// Bytes of the database and its log on disk.
    pub bytes: u64,
}

impl Store {
    /// Makes an index in `dir` (created if missing) for a pipeline whose
    /// parameters and pair model `identity` describes; `params` (JSON) are
    /// the parameters, kept for the adds ([`Store::params`]).
    pub fn create(dir: &Path, identity: &str, params: &str) -> Result<Store, IndexError> {
        let file = dir.join(DATABASE);
        if file.exists() {
            return Err(IndexError::Exists(dir.to_path_buf()));
        }
        std::fs::create_dir_all(dir).map_err(|e| database(dir, e))?;
        let mut store = Store::connect(dir, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)?;
        let tx = store.conn.transaction_with_behavior(TransactionBehavior::Exclusive).map_err(|e| database(dir, e))?;
        tx.execute_batch(SCHEMA).map_err(|e| database(dir, e))?;
        let mut meta = tx.prepare("INSERT INTO meta VALUES (?1, ?2)").map_err(|e| database(dir, e))?;
        let values =
            [("format_version", FORMAT_VERSION.to_string()), ("identity", identity.into()), ("params", params.into())];
        for (key, value) in values {
            meta.execute(params![key, value.as_bytes()]).map_err(|e| database(dir, e))?;
        }
        drop(meta);
        tx.commit().map_err(|e| database(dir, e))?;
        Ok(store)
    }

    /// Opens the index in `dir`, made for the pipeline `identity`
    /// describes (`None`: for reading only, any pipeline).
    pub fn open(dir: &Path, identity: Option<&str>) -> Result<Store, IndexError> {
        if !dir.join(DATABASE).is_file() {
            return Err(IndexError::Missing(dir.to_path_buf()));
        }
        let store = Store::connect(dir, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        let found: u32 = store
            .meta("format_version")?
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| database(dir, "no format version in the index's meta table"))?;
        if found != FORMAT_VERSION {
            return Err(IndexError::Version { path: dir.to_path_buf(), found });
        }
        if identity.is_some_and(|identity| store.meta("identity").ok().flatten().as_deref() != Some(identity)) {
            return Err(IndexError::Parameters(dir.to_path_buf()));
        }
        Ok(store)
    }

    /// Another connection to an index opened by [`Store::open`], for
    /// reading only: it reads the last committed state, beside a change
    /// (an add reads the stored articles on several threads so).
    pub fn read_only(dir: &Path) -> Result<Store, IndexError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(dir.join(DATABASE), flags).map_err(|e| database(dir, e))?;
        Ok(Store { dir: dir.to_path_buf(), conn })
    }

    fn connect(dir: &Path, flags: OpenFlags) -> Result<Store, IndexError> {
        let conn = Connection::open_with_flags(dir.join(DATABASE), flags).map_err(|e| database(dir, e))?;
        // A writer that meets another's lock stops at once rather than wait.
        conn.busy_timeout(std::time::Duration::ZERO).map_err(|e| database(dir, e))?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(|e| busy_or(dir, e))?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(|e| database(dir, e))?;
        Ok(Store { dir: dir.to_path_buf(), conn })
    }

    /// A value of the meta table, as text.
    fn meta(&self, key: &str) -> Result<Option<String>, IndexError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get::<_, Vec<u8>>(0))
            .optional()
            .map(|v| v.map(|bytes| String::from_utf8_lossy(&bytes).into_owned()))
            .map_err(|e| database(&self.dir, e))
    }

    /// The index's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The pipeline parameters the index was made with (JSON).
    pub fn params(&self) -> Result<String, IndexError> {
        self.meta("params")?.ok_or_else(|| database(&self.dir, "no parameters in the index's meta table"))
    }

    /// Reads of the last committed state.
    pub fn reader(&self) -> Reader<'_> {
        Reader { dir: &self.dir, conn: &self.conn }
    }

    /// Starts the one transaction of a change, holding the write lock
    /// until it is committed or dropped (then nothing of it is kept).
    pub fn writer(&mut self) -> Result<Writer<'_>, IndexError> {
        let dir = self.dir.clone();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| busy_or(&dir, e))?;
        Ok(Writer { dir, tx })
    }

    /// Checks the database whole (SQLite's `integrity_check`): an error
    /// naming what is wrong, if anything is.
    pub fn check(&self) -> Result<(), IndexError> {
        let verdict: String =
            self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(|e| database(&self.dir, e))?;
        if verdict == "ok" {
            Ok(())
        } else {
            Err(database(&self.dir, format!("the database is damaged: {verdict}")))
        }
    }

    /// Counts of what the index holds.
    pub fn stats(&self) -> Result<StoreStats, IndexError> {
        let count = |sql: &str| -> Result<u64, IndexError> {
            self.conn.query_row(sql, [], |r| r.get::<_, i64>(0)).map(|n| n as u64).map_err(|e| database(&self.dir, e))
        };
        let bytes = ["", "-wal"]
            .iter()
            .filter_map(|suffix| std::fs::metadata(self.dir.join(format!("{DATABASE}{suffix}"))).ok())
            .map(|m| m.len())
            .sum();
        Ok(StoreStats {
            format_version: FORMAT_VERSION,
            articles: count("SELECT count(*) FROM articles")?,
            batches: count("SELECT count(*) FROM batches")?,
            stories: count("SELECT count(DISTINCT story) FROM articles")?,
            families: count("SELECT count(DISTINCT family) FROM articles")?,
            bytes,
        })
    }
}

/// One stored article: what the `articles` and `texts` tables hold of it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredArticle {
    /// Its number: its place in insertion order.
    pub number: Number,
    /// Its id.
    pub id: String,
    /// The batch that added it.
    pub batch: i64,
    /// Its publication day, when it has one.
    pub published_day: Option<f64>,
    /// The hash of its cleaned body, when it has terms (exact repeats share it).
    pub body: Option<u64>,
    /// Its component of the verified graph: the component's smallest number.
    pub component: Number,
    /// Its family's id.
    pub family: GroupId,
    /// Its story's id.
    pub story: GroupId,
    /// Its output row (JSON, zstd).
    pub row: Vec<u8>,
    /// The record as read: text and the fields the output carries (zstd).
    pub record: Vec<u8>,
}

/// Reads of the index's tables, in a reader's snapshot or inside a change.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'c> {
    dir: &'c Path,
    conn: &'c Connection,
}

impl Reader<'_> {
    /// The index's directory.
    pub fn dir(&self) -> &Path {
        self.dir
    }

    /// The article numbered `number`, if the index holds it.
    pub fn article(&self, number: Number) -> Result<Option<StoredArticle>, IndexError> {
        self.conn
            .query_row(
                "SELECT a.id, a.batch, a.published_day, a.body, a.component, a.family, a.story, a.row, t.record
                 FROM articles a JOIN texts t ON t.doc = a.doc WHERE a.doc = ?1",
                [number as i64],
                |r| {
                    Ok(StoredArticle {
                        number,
                        id: r.get(0)?,
                        batch: r.get(1)?,
                        published_day: r.get(2)?,
                        body: r.get::<_, Option<i64>>(3)?.map(|h| h as u64),
                        component: r.get::<_, i64>(4)? as Number,
                        family: r.get::<_, i64>(5)? as GroupId,
                        story: r.get::<_, i64>(6)? as GroupId,
                        row: r.get(7)?,
                        record: r.get(8)?,
                    })
                },
            )
            .optional()
            .map_err(|e| database(self.dir, e))
    }

    /// The number of the article of `id`, if the index holds it.
    pub fn number_of(&self, id: &str) -> Result<Option<Number>, IndexError> {
        self.conn
            .query_row("SELECT doc FROM articles WHERE id = ?1", [id], |r| r.get::<_, i64>(0))
            .optional()
            .map(|n| n.map(|n| n as Number))
            .map_err(|e| database(self.dir, e))
    }

    /// The posting list of key `key` of index `kind` (empty when none).
    pub fn postings(&self, kind: i32, key: u64) -> Result<Vec<Posted>, IndexError> {
        let packed: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT docs FROM postings WHERE kind = ?1 AND key = ?2", params![kind, key as i64], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| database(self.dir, e))?;
        match packed {
            None => Ok(Vec::new()),
            Some(bytes) => postings::unpack(&bytes)
                .ok_or_else(|| database(self.dir, format!("the posting list of key {key:016x} is malformed"))),
        }
    }

    /// The document frequency of each of `terms` in index `kind` (0 for a term never seen).
    pub fn doc_freq(&self, kind: i32, terms: &[u64]) -> Result<Vec<u64>, IndexError> {
        let mut query = self
            .conn
            .prepare_cached("SELECT count FROM doc_freq WHERE kind = ?1 AND term = ?2")
            .map_err(|e| database(self.dir, e))?;
        terms
            .iter()
            .map(|&term| {
                query
                    .query_row(params![kind, term as i64], |r| r.get::<_, i64>(0))
                    .optional()
                    .map(|n| n.map_or(0, |n| n as u64))
                    .map_err(|e| database(self.dir, e))
            })
            .collect()
    }

    /// A counter of the meta table (0 before it is first set).
    pub fn counter(&self, key: &str) -> Result<u64, IndexError> {
        let value: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| database(self.dir, e))?;
        match value {
            None => Ok(0),
            Some(bytes) => std::str::from_utf8(&bytes)
                .ok()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| database(self.dir, format!("meta {key}: not a count"))),
        }
    }

    /// The boilerplate model (as stored) that batch `batch`'s articles were cleaned with.
    pub fn boilerplate(&self, batch: i64) -> Result<Vec<u8>, IndexError> {
        self.conn
            .query_row("SELECT boilerplate FROM batches WHERE batch = ?1", [batch], |r| r.get::<_, Option<Vec<u8>>>(0))
            .optional()
            .map_err(|e| database(self.dir, e))?
            .flatten()
            .ok_or_else(|| database(self.dir, format!("batch {batch} has no boilerplate model")))
    }

    /// The first stored article (by number) whose cleaned body hashes to `body`.
    pub fn first_with_body(&self, body: u64) -> Result<Option<Number>, IndexError> {
        self.conn
            .prepare_cached("SELECT min(doc) FROM articles WHERE body = ?1")
            .and_then(|mut q| q.query_row([body as i64], |r| r.get::<_, Option<i64>>(0)))
            .map(|n| n.map(|n| n as Number))
            .map_err(|e| database(self.dir, e))
    }

    /// The articles published before `day` (days since 1970), and those
    /// without a publication time added before `added` (Unix seconds), by
    /// number.
    pub fn older_than(&self, day: f64, added: i64) -> Result<Vec<Number>, IndexError> {
        let mut query = self
            .conn
            .prepare(
                "SELECT a.doc FROM articles a JOIN batches b ON b.batch = a.batch
                 WHERE (a.published_day IS NOT NULL AND a.published_day < ?1)
                    OR (a.published_day IS NULL AND b.added_at < ?2)
                 ORDER BY a.doc",
            )
            .map_err(|e| database(self.dir, e))?;
        let rows = query.query_map(params![day, added], |r| r.get::<_, i64>(0)).map_err(|e| database(self.dir, e))?;
        rows.map(|n| n.map(|n| n as Number).map_err(|e| database(self.dir, e))).collect()
    }

    /// The component of the article numbered `number`, if the index holds it.
    pub fn component_of(&self, number: Number) -> Result<Option<Number>, IndexError> {
        self.conn
            .prepare_cached("SELECT component FROM articles WHERE doc = ?1")
            .and_then(|mut q| q.query_row([number as i64], |r| r.get::<_, i64>(0)).optional())
            .map(|c| c.map(|c| c as Number))
            .map_err(|e| database(self.dir, e))
    }

    /// Every article of the components `components` (by their smallest numbers), ascending.
    pub fn members_of(&self, components: &[Number]) -> Result<Vec<Number>, IndexError> {
        let mut query = self
            .conn
            .prepare_cached("SELECT doc FROM articles WHERE component = ?1")
            .map_err(|e| database(self.dir, e))?;
        let mut found = Vec::new();
        for &c in components {
            let rows = query.query_map([c as i64], |r| r.get::<_, i64>(0)).map_err(|e| database(self.dir, e))?;
            for row in rows {
                found.push(row.map_err(|e| database(self.dir, e))? as Number);
            }
        }
        found.sort_unstable();
        found.dedup();
        Ok(found)
    }

    /// Calls `visit` with each article's id and stored row, in id order.
    pub fn for_each_row(&self, mut visit: impl FnMut(&str, &[u8]) -> Result<(), IndexError>) -> Result<(), IndexError> {
        let mut query =
            self.conn.prepare("SELECT id, row FROM articles ORDER BY id").map_err(|e| database(self.dir, e))?;
        let mut rows = query.query([]).map_err(|e| database(self.dir, e))?;
        while let Some(row) = rows.next().map_err(|e| database(self.dir, e))? {
            let id = row.get_ref(0).and_then(|v| v.as_str().map_err(Into::into)).map_err(|e| database(self.dir, e))?;
            let bytes =
                row.get_ref(1).and_then(|v| v.as_blob().map_err(Into::into)).map_err(|e| database(self.dir, e))?;
            visit(id, bytes)?;
        }
        Ok(())
    }

    /// The stored verdicts of the pairs of each of `numbers` with later
    /// articles (as [`super::codec::encode_partners`] packed them), for those that have any.
    pub fn partners_of(&self, numbers: &[Number]) -> Result<Vec<(Number, Vec<u8>)>, IndexError> {
        let mut query =
            self.conn.prepare_cached("SELECT partners FROM pairs WHERE a = ?1").map_err(|e| database(self.dir, e))?;
        let mut found = Vec::new();
        for &n in numbers {
            let packed: Option<Vec<u8>> =
                query.query_row([n as i64], |r| r.get(0)).optional().map_err(|e| database(self.dir, e))?;
            found.extend(packed.map(|p| (n, p)));
        }
        Ok(found)
    }
}

/// The one transaction of a change ([`Store::writer`]).
#[derive(Debug)]
pub struct Writer<'s> {
    dir: PathBuf,
    tx: rusqlite::Transaction<'s>,
}

impl Writer<'_> {
    /// Records a batch of `articles` added at `added_at` (Unix seconds),
    /// cleaned with `boilerplate` (the model as stored); its number.
    pub fn new_batch(&self, added_at: i64, articles: u64, boilerplate: &[u8]) -> Result<i64, IndexError> {
        self.tx
            .execute(
                "INSERT INTO batches (added_at, articles, boilerplate) VALUES (?1, ?2, ?3)",
                params![added_at, articles as i64, boilerplate],
            )
            .map_err(|e| database(&self.dir, e))?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Sets a counter of the meta table.
    pub fn set_counter(&self, key: &str, value: u64) -> Result<(), IndexError> {
        self.tx
            .execute("INSERT OR REPLACE INTO meta VALUES (?1, ?2)", params![key, value.to_string().as_bytes()])
            .map(drop)
            .map_err(|e| database(&self.dir, e))
    }

    /// A stored article's new component, groups and row (its text unchanged).
    pub fn regroup(
        &self,
        number: Number,
        component: Number,
        family: GroupId,
        story: GroupId,
        row: &[u8],
    ) -> Result<(), IndexError> {
        let changed = self
            .tx
            .prepare_cached("UPDATE articles SET component = ?2, family = ?3, story = ?4, row = ?5 WHERE doc = ?1")
            .and_then(|mut q| q.execute(params![number as i64, component as i64, family as i64, story as i64, row]))
            .map_err(|e| database(&self.dir, e))?;
        if changed == 1 {
            Ok(())
        } else {
            Err(database(&self.dir, format!("article number {number} is not in the index")))
        }
    }

    /// Reads inside the change: what it wrote so far, and the rest as committed.
    pub fn reader(&self) -> Reader<'_> {
        Reader { dir: &self.dir, conn: &self.tx }
    }

    /// Stores an article (a new one, or a stored one's new groups and row).
    pub fn put_article(&self, article: &StoredArticle) -> Result<(), IndexError> {
        let a = article;
        let values = params![
            a.number as i64,
            a.id,
            a.batch,
            a.published_day,
            a.body.map(|h| h as i64),
            a.component as i64,
            a.family as i64,
            a.story as i64,
            a.row
        ];
        self.tx
            .prepare_cached("INSERT OR REPLACE INTO articles VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
            .and_then(|mut q| q.execute(values))
            .and_then(|_| self.tx.prepare_cached("INSERT OR REPLACE INTO texts VALUES (?1, ?2)"))
            .and_then(|mut q| q.execute(params![a.number as i64, a.record]))
            .map(drop)
            .map_err(|e| database(&self.dir, e))
    }

    /// Sets the posting list of key `key` of index `kind` (what the change read, with its additions).
    pub fn put_postings(&self, kind: i32, key: u64, list: &[Posted]) -> Result<(), IndexError> {
        let packed = postings::pack(list.iter().copied());
        self.tx
            .prepare_cached("INSERT OR REPLACE INTO postings VALUES (?1, ?2, ?3)")
            .and_then(|mut q| q.execute(params![kind, key as i64, packed]))
            .map(drop)
            .map_err(|e| database(&self.dir, e))
    }

    /// Sets the verdicts of article `a`'s pairs with later articles
    /// (packed; none: the article has no such pair).
    pub fn put_partners(&self, a: Number, packed: Option<&[u8]>) -> Result<(), IndexError> {
        let done = match packed {
            Some(packed) => self
                .tx
                .prepare_cached("INSERT OR REPLACE INTO pairs VALUES (?1, ?2)")
                .and_then(|mut q| q.execute(params![a as i64, packed])),
            None => self.tx.prepare_cached("DELETE FROM pairs WHERE a = ?1").and_then(|mut q| q.execute([a as i64])),
        };
        done.map(drop).map_err(|e| database(&self.dir, e))
    }

    /// Adds `delta` to the document frequency of each term of index `kind`
    /// (a negative delta when articles leave); a count that reaches 0 goes.
    pub fn add_doc_freq(&self, kind: i32, deltas: &[(u64, i64)]) -> Result<(), IndexError> {
        let mut upsert = self
            .tx
            .prepare_cached(
                "INSERT INTO doc_freq VALUES (?1, ?2, ?3)
                 ON CONFLICT (kind, term) DO UPDATE SET count = count + excluded.count",
            )
            .map_err(|e| database(&self.dir, e))?;
        let mut gone = self
            .tx
            .prepare_cached("DELETE FROM doc_freq WHERE kind = ?1 AND term = ?2 AND count <= 0")
            .map_err(|e| database(&self.dir, e))?;
        for &(term, delta) in deltas {
            upsert.execute(params![kind, term as i64, delta]).map_err(|e| database(&self.dir, e))?;
            // Only a term that lost articles can have reached 0.
            if delta < 0 {
                gone.execute(params![kind, term as i64]).map_err(|e| database(&self.dir, e))?;
            }
        }
        Ok(())
    }

    /// Removes the articles `gone` (their rows, texts and the verdicts of
    /// their pairs with later articles: those with earlier ones are the
    /// earlier articles', rewritten by the caller) and takes them out of
    /// every posting list (a scan of the lists: an article's keys are not
    /// kept); batches left without articles go too.
    pub fn remove(&self, gone: &[Number]) -> Result<(), IndexError> {
        let db = |e: rusqlite::Error| database(&self.dir, e);
        for sql in [
            "DELETE FROM articles WHERE doc = ?1",
            "DELETE FROM texts WHERE doc = ?1",
            "DELETE FROM pairs WHERE a = ?1",
        ] {
            let mut delete = self.tx.prepare_cached(sql).map_err(db)?;
            for &n in gone {
                delete.execute([n as i64]).map_err(db)?;
            }
        }
        let gone: rustc_hash::FxHashSet<Number> = gone.iter().copied().collect();
        let mut changed: Vec<(i32, i64, Vec<Posted>)> = Vec::new();
        {
            let mut scan = self.tx.prepare("SELECT kind, key, docs FROM postings").map_err(db)?;
            let mut rows = scan.query([]).map_err(db)?;
            while let Some(row) = rows.next().map_err(db)? {
                let (kind, key): (i32, i64) = (row.get(0).map_err(db)?, row.get(1).map_err(db)?);
                let bytes = row.get_ref(2).and_then(|v| v.as_blob().map_err(Into::into)).map_err(db)?;
                let list = postings::unpack(bytes)
                    .ok_or_else(|| database(&self.dir, format!("the posting list of key {key:016x} is malformed")))?;
                if list.iter().any(|p| gone.contains(&p.number)) {
                    changed.push((kind, key, list.into_iter().filter(|p| !gone.contains(&p.number)).collect()));
                }
            }
        }
        for (kind, key, list) in changed {
            if list.is_empty() {
                self.tx.execute("DELETE FROM postings WHERE kind = ?1 AND key = ?2", params![kind, key]).map_err(db)?;
            } else {
                self.put_postings(kind, key as u64, &list)?;
            }
        }
        self.tx
            .execute("DELETE FROM batches WHERE batch NOT IN (SELECT DISTINCT batch FROM articles)", [])
            .map_err(db)?;
        Ok(())
    }

    /// Makes the change the index's state, all of it at once.
    pub fn commit(self) -> Result<(), IndexError> {
        self.tx.commit().map_err(|e| database(&self.dir, e))
    }
}

/// SQLite's "database is locked" as [`IndexError::Busy`], any other failure as itself.
fn busy_or(dir: &Path, e: rusqlite::Error) -> IndexError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            IndexError::Busy(dir.to_path_buf())
        }
        _ => database(dir, e),
    }
}

/// A database failure, or a malformed value, in the index at `dir`.
pub(crate) fn database(dir: &Path, e: impl std::fmt::Display) -> IndexError {
    IndexError::Database { path: dir.to_path_buf(), reason: e.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_is_created_once_and_opened_for_its_pipeline() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(dir.path(), "params A", "{}").unwrap();
        assert_eq!(store.stats().unwrap().articles, 0);
        drop(store);
        assert!(matches!(Store::create(dir.path(), "params A", "{}"), Err(IndexError::Exists(_))));
        Store::open(dir.path(), Some("params A")).unwrap();
        Store::open(dir.path(), None).unwrap();
        let err = Store::open(dir.path(), Some("params B")).unwrap_err();
        assert!(err.to_string().contains("other parameters"), "{err}");
    }

    #[test]
    fn an_index_of_another_format_or_none_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let err = Store::open(dir.path(), None).unwrap_err();
        assert!(err.to_string().contains("no index here"), "{err}");
        let store = Store::create(dir.path(), "p", "{}").unwrap();
        store.conn.execute("UPDATE meta SET value = CAST('7' AS BLOB) WHERE key = 'format_version'", []).unwrap();
        drop(store);
        let err = Store::open(dir.path(), None).unwrap_err();
        assert!(err.to_string().contains("index format version 7; this build reads version 3"), "{err}");
    }

    #[test]
    fn what_a_change_writes_reads_back_inside_it_and_after_its_commit() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(dir.path(), "p", "{}").unwrap();
        let article = StoredArticle {
            number: 0,
            id: "a1".into(),
            batch: 1,
            published_day: Some(20_000.5),
            body: Some(u64::MAX),
            component: 0,
            family: 4,
            story: 4,
            row: b"row".to_vec(),
            record: b"text".to_vec(),
        };
        let posted = |number| Posted { number, order: 1, keys: 9 };
        let writer = store.writer().unwrap();
        writer.new_batch(100, 1, b"model").unwrap();
        writer.put_article(&article).unwrap();
        writer.put_postings(2, u64::MAX, &[posted(7)]).unwrap();
        writer.put_postings(2, u64::MAX, &[posted(7), posted(0)]).unwrap();
        writer.put_partners(0, Some(b"verdicts")).unwrap();
        writer.put_partners(3, Some(b"gone")).unwrap();
        writer.put_partners(3, None).unwrap();
        writer.add_doc_freq(1, &[(5, 2), (6, 1)]).unwrap();
        writer.add_doc_freq(1, &[(5, 1), (6, -1)]).unwrap();
        assert_eq!(writer.reader().article(0).unwrap().as_ref(), Some(&article));
        assert_eq!(store_stats_inside(&writer), 1);
        writer.commit().unwrap();
        let reader = store.reader();
        assert_eq!(reader.article(0).unwrap(), Some(article));
        assert_eq!(reader.number_of("a1").unwrap(), Some(0));
        assert_eq!(reader.postings(2, u64::MAX).unwrap(), vec![posted(0), posted(7)]);
        assert_eq!(reader.postings(2, 1).unwrap(), vec![]);
        assert_eq!(reader.partners_of(&[7, 3, 0]).unwrap(), vec![(0, b"verdicts".to_vec())]);
        assert_eq!(reader.doc_freq(1, &[5, 6, 8]).unwrap(), vec![3, 0, 0]);
        assert_eq!(reader.first_with_body(u64::MAX).unwrap(), Some(0));
        assert_eq!(reader.first_with_body(1).unwrap(), None);
        assert_eq!(reader.members_of(&[0, 3]).unwrap(), vec![0]);
        assert_eq!(reader.boilerplate(1).unwrap(), b"model".to_vec());
        assert_eq!(reader.counter("next_story").unwrap(), 0);
        let writer = store.writer().unwrap();
        writer.set_counter("next_story", 5).unwrap();
        writer.regroup(0, 0, 9, 9, b"new row").unwrap();
        assert!(writer.regroup(3, 3, 1, 1, b"").is_err(), "no article 3");
        writer.commit().unwrap();
        let reader = store.reader();
        assert_eq!(reader.counter("next_story").unwrap(), 5);
        let stored = reader.article(0).unwrap().unwrap();
        assert_eq!((stored.family, stored.story, stored.row), (9, 9, b"new row".to_vec()));
        let mut rows = Vec::new();
        reader
            .for_each_row(|id, row| {
                rows.push((id.to_string(), row.to_vec()));
                Ok(())
            })
            .unwrap();
        assert_eq!(rows, vec![("a1".to_string(), b"new row".to_vec())]);
    }

    fn store_stats_inside(writer: &Writer) -> i64 {
        writer.tx.query_row("SELECT count(*) FROM articles", [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_second_writer_stops_at_once_and_readers_see_the_last_commit() {
        let dir = tempfile::tempdir().unwrap();
        let mut first = Store::create(dir.path(), "p", "{}").unwrap();
        let mut second = Store::open(dir.path(), None).unwrap();
        let reader = Store::open(dir.path(), None).unwrap();
        let writer = first.writer().unwrap();
        writer.new_batch(1, 0, b"").unwrap();
        let err = second.writer().unwrap_err();
        assert!(matches!(err, IndexError::Busy(_)), "{err}");
        assert!(err.to_string().contains("another process is adding"), "{err}");
        assert_eq!(reader.stats().unwrap().batches, 0, "a reader sees no uncommitted batch");
        let late = Store::open(dir.path(), None).expect("a reader opens while a change is written");
        assert_eq!(late.stats().unwrap().batches, 0);
        writer.commit().unwrap();
        assert_eq!(reader.stats().unwrap().batches, 1);
        // Dropped without a commit, a change leaves nothing.
        second.writer().unwrap().new_batch(2, 0, b"").unwrap();
        assert_eq!(reader.stats().unwrap().batches, 1);
    }
}
