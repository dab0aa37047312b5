//! Which embedded store suits the persistent story index (issue 32):
//! SQLite (rusqlite, bundled) or redb, on the index's own access pattern.
//!
//! An index of N articles is built in batches of 10,000 (one transaction
//! each), then a batch of 10,000 is added the way `index add` reads and
//! writes: each new article reads the posting lists of its 20 candidate
//! keys, then the stored state of every article those lists name, and
//! writes its own state, postings and verified pairs. Per article: a
//! 700-byte state blob, 20 keys (lists of about 5 articles), 6 pairs.
//!
//!   cargo run --release --manifest-path scripts/store_choice/Cargo.toml -- [N] [DIR] [sqlite|redb|both]
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use redb::ReadableDatabase;

const BATCH: u64 = 10_000;
const KEYS: usize = 20;
const PAIRS: usize = 6;
const STATE_BYTES: usize = 700;

/// One article as the index stores it.
struct Article {
    doc: u64,
    state: Vec<u8>,
    keys: Vec<u64>,
    pairs: Vec<(u64, [u8; 16])>,
}

fn article(rng: &mut StdRng, doc: u64, key_pool: u64) -> Article {
    // Half repeated bytes, half random: about what compressed rows look like.
    let mut state = vec![b'x'; STATE_BYTES];
    rng.fill(&mut state[..STATE_BYTES / 2]);
    let keys = (0..KEYS).map(|_| rng.gen_range(0..key_pool)).collect();
    let pairs = (0..PAIRS).map(|_| (rng.gen_range(0..doc.max(1)), rng.r#gen())).collect();
    Article { doc, state, keys, pairs }
}

trait Store {
    fn write(&mut self, batch: &[Article]);
    /// The docs of the posting lists of `keys`, then the states of those docs: bytes read.
    fn read_candidates(&self, keys: &[u64]) -> usize;
    /// Read and write in one transaction, as `index add` does.
    fn add(&mut self, batch: &[Article]) -> usize;
}

struct Sqlite(rusqlite::Connection);

impl Sqlite {
    fn open(path: &Path) -> Sqlite {
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS articles (doc INTEGER PRIMARY KEY, state BLOB NOT NULL);
             CREATE TABLE IF NOT EXISTS postings (key INTEGER, doc INTEGER, PRIMARY KEY (key, doc)) WITHOUT ROWID;
             CREATE TABLE IF NOT EXISTS pairs (a INTEGER, b INTEGER, verdict BLOB, PRIMARY KEY (a, b)) WITHOUT ROWID;",
        )
        .unwrap();
        Sqlite(conn)
    }

    fn insert(tx: &rusqlite::Transaction, batch: &[Article]) {
        let mut art = tx.prepare_cached("INSERT INTO articles VALUES (?1, ?2)").unwrap();
        let mut post = tx.prepare_cached("INSERT OR IGNORE INTO postings VALUES (?1, ?2)").unwrap();
        let mut pair = tx.prepare_cached("INSERT OR REPLACE INTO pairs VALUES (?1, ?2, ?3)").unwrap();
        for a in batch {
            art.execute(rusqlite::params![a.doc as i64, a.state]).unwrap();
            for &k in &a.keys {
                post.execute(rusqlite::params![k as i64, a.doc as i64]).unwrap();
            }
            for (other, verdict) in &a.pairs {
                pair.execute(rusqlite::params![*other as i64, a.doc as i64, &verdict[..]]).unwrap();
            }
        }
    }

    fn read(conn: &rusqlite::Connection, keys: &[u64]) -> usize {
        let mut list = conn.prepare_cached("SELECT doc FROM postings WHERE key = ?1").unwrap();
        let mut state = conn.prepare_cached("SELECT state FROM articles WHERE doc = ?1").unwrap();
        let mut docs = BTreeSet::new();
        for &k in keys {
            let rows = list.query_map([k as i64], |r| r.get::<_, i64>(0)).unwrap();
            docs.extend(rows.map(Result::unwrap));
        }
        docs.iter().map(|d| state.query_row([d], |r| r.get::<_, Vec<u8>>(0)).unwrap().len()).sum()
    }
}

impl Store for Sqlite {
    fn write(&mut self, batch: &[Article]) {
        let tx = self.0.transaction().unwrap();
        Sqlite::insert(&tx, batch);
        tx.commit().unwrap();
    }

    fn read_candidates(&self, keys: &[u64]) -> usize {
        Sqlite::read(&self.0, keys)
    }

    fn add(&mut self, batch: &[Article]) -> usize {
        let tx = self.0.transaction().unwrap();
        let read = batch.iter().map(|a| Sqlite::read(&tx, &a.keys)).sum();
        Sqlite::insert(&tx, batch);
        tx.commit().unwrap();
        read
    }
}

const ARTICLES: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("articles");
const POSTINGS: redb::TableDefinition<(u64, u64), ()> = redb::TableDefinition::new("postings");
const PAIRS_TABLE: redb::TableDefinition<(u64, u64), &[u8]> = redb::TableDefinition::new("pairs");

struct Redb(redb::Database);

impl Redb {
    fn insert(tx: &redb::WriteTransaction, batch: &[Article]) {
        let mut art = tx.open_table(ARTICLES).unwrap();
        let mut post = tx.open_table(POSTINGS).unwrap();
        let mut pair = tx.open_table(PAIRS_TABLE).unwrap();
        for a in batch {
            art.insert(a.doc, a.state.as_slice()).unwrap();
            for &k in &a.keys {
                post.insert((k, a.doc), ()).unwrap();
            }
            for (other, verdict) in &a.pairs {
                pair.insert((*other, a.doc), &verdict[..]).unwrap();
            }
        }
    }

    fn read(
        art: &impl redb::ReadableTable<u64, &'static [u8]>,
        post: &impl redb::ReadableTable<(u64, u64), ()>,
        keys: &[u64],
    ) -> usize {
        let mut docs = BTreeSet::new();
        for &k in keys {
            for entry in post.range((k, 0)..=(k, u64::MAX)).unwrap() {
                docs.insert(entry.unwrap().0.value().1);
            }
        }
        docs.iter().map(|&d| art.get(d).unwrap().unwrap().value().len()).sum()
    }
}

impl Store for Redb {
    fn write(&mut self, batch: &[Article]) {
        let tx = self.0.begin_write().unwrap();
        Redb::insert(&tx, batch);
        tx.commit().unwrap();
    }

    fn read_candidates(&self, keys: &[u64]) -> usize {
        let tx = self.0.begin_read().unwrap();
        let (art, post) = (tx.open_table(ARTICLES).unwrap(), tx.open_table(POSTINGS).unwrap());
        Redb::read(&art, &post, keys)
    }

    fn add(&mut self, batch: &[Article]) -> usize {
        let tx = self.0.begin_write().unwrap();
        let read = {
            let (art, post) = (tx.open_table(ARTICLES).unwrap(), tx.open_table(POSTINGS).unwrap());
            batch.iter().map(|a| Redb::read(&art, &post, &a.keys)).sum()
        };
        Redb::insert(&tx, batch);
        tx.commit().unwrap();
        read
    }
}

fn peak_rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().metadata().unwrap().len()).sum()
}

fn run(name: &str, n: u64, dir: &Path, mut store: Box<dyn Store>) {
    let mut rng = StdRng::seed_from_u64(42);
    let pool = n * KEYS as u64 / 5;
    let started = Instant::now();
    let mut doc = 0;
    while doc < n {
        let batch: Vec<Article> = (doc..(doc + BATCH).min(n)).map(|d| article(&mut rng, d, pool)).collect();
        store.write(&batch);
        doc += BATCH;
    }
    let build = started.elapsed().as_secs_f64();
    let size = dir_bytes(dir);
    let lookups: Vec<Vec<u64>> = (0..1000).map(|_| (0..KEYS).map(|_| rng.gen_range(0..pool)).collect()).collect();
    let started = Instant::now();
    let read: usize = lookups.iter().map(|keys| store.read_candidates(keys)).sum();
    let lookup_ms = started.elapsed().as_secs_f64() * 1000.0 / 1000.0;
    let batch: Vec<Article> = (n..n + BATCH).map(|d| article(&mut rng, d, pool)).collect();
    let started = Instant::now();
    let added_read = store.add(&batch);
    let add = started.elapsed().as_secs_f64();
    println!(
        "| {name} | {n} | {build:.1} | {:.0} | {lookup_ms:.3} ({read} B read) | {add:.2} ({added_read} B read) | {} |",
        size as f64 / n as f64,
        peak_rss_mib()
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().map_or(1_000_000, |a| a.parse().unwrap());
    let base = PathBuf::from(args.next().unwrap_or_else(|| "/tmp/store-choice".into()));
    let which = args.next().unwrap_or_else(|| "both".into());
    println!(
        "| store | articles | build s | bytes per article | candidate lookup ms (20 keys) | add 10k s | peak RSS MiB |"
    );
    println!("|---|---|---|---|---|---|---|");
    if which == "both" || which == "sqlite" {
        let dir = base.join("sqlite");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        run("SQLite (WAL)", n, &dir, Box::new(Sqlite::open(&dir.join("index.sqlite"))));
    }
    if which == "both" || which == "redb" {
        let dir = base.join("redb");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        run("redb", n, &dir, Box::new(Redb(redb::Database::create(dir.join("index.redb")).unwrap())));
    }
}
