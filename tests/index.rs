//! `newsdedup index`: the persistent story index, through its command
//! line and its library calls.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use common::{read_jsonl, seeds_dir, shared_eval, skip};
use newsdedup::index::{self, Store};
use newsdedup::ingest::{read_inputs, IngestOptions};
use newsdedup::{Article, Pipeline, PipelineParams};
use serde_json::Value;

fn newsdedup(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_newsdedup")).args(args).output().unwrap()
}

#[test]
fn an_index_is_made_once_and_its_stats_read() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("stories");
    let index = index.to_str().unwrap();
    let made = newsdedup(&["index", "create", index]);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let stats = newsdedup(&["index", "stats", "--index", index]);
    assert!(stats.status.success(), "{}", String::from_utf8_lossy(&stats.stderr));
    let stats: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!((stats["format_version"].as_u64(), stats["articles"].as_u64()), (Some(3), Some(0)));
    let again = newsdedup(&["index", "create", index]);
    assert_eq!(again.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&again.stderr).contains("an index is already there"));
}

#[test]
fn a_directory_without_an_index_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let stats = newsdedup(&["index", "stats", "--index", dir.path().to_str().unwrap()]);
    assert_eq!(stats.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&stats.stderr).contains("no index here"),
        "{}",
        String::from_utf8_lossy(&stats.stderr)
    );
}

/// Set in the child process of the kill test: the index it writes to.
const CHILD: &str = "NEWSDEDUP_INDEX_WRITER_CHILD";

#[test]
fn a_writer_killed_mid_change_leaves_the_last_commit_readable() {
    use newsdedup::index::Store;
    use std::io::{BufRead, BufReader};

    if let Ok(dir) = std::env::var(CHILD) {
        // The child: one committed batch is there; it writes batches into
        // one transaction until it is killed, never committing.
        let mut store = Store::open(std::path::Path::new(&dir), None).unwrap();
        let writer = store.writer().unwrap();
        for i in 0.. {
            writer.new_batch(i, 1_000, b"").unwrap();
            if i == 1_000 {
                println!("writing");
            }
        }
        unreachable!();
    }
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::create(dir.path(), "p", "{}").unwrap();
    let writer = store.writer().unwrap();
    writer.new_batch(0, 5, b"").unwrap();
    writer.commit().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["a_writer_killed_mid_change_leaves_the_last_commit_readable", "--exact", "--nocapture"])
        .env(CHILD, dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(lines.map_while(Result::ok).any(|l| l == "writing"), "the child never got to write");
    // While the child writes, a reader sees the last commit, and no writer gets in.
    assert_eq!(store.stats().unwrap().batches, 1);
    assert!(store.writer().is_err());
    child.kill().unwrap();
    child.wait().unwrap();
    drop(store);
    let store = Store::open(dir.path(), None).unwrap();
    store.check().unwrap();
    assert_eq!(store.stats().unwrap().batches, 1, "nothing of the killed change is kept");
    let mut store = store;
    store.writer().unwrap().commit().unwrap();
}

/// A fresh index in `dir` for `params`, and the pipeline it adds with.
fn fresh_index(dir: &Path, params: PipelineParams) -> (Store, Pipeline) {
    let params = params.check().unwrap();
    let json = serde_json::to_string(&params).unwrap();
    let store =
        Store::create(dir, &index::identity(&params, newsdedup::pair_model::PairModel::embedded()), &json).unwrap();
    (store, Pipeline::new(params))
}

fn articles_of(path: &Path) -> Vec<Article> {
    read_inputs(&[path.to_path_buf()], IngestOptions { strict: true, ..Default::default() }).unwrap().articles
}

/// The groups of `field` in an `articles.jsonl`: each a set of ids.
fn groups(rows: &[Value], field: &str) -> BTreeSet<BTreeSet<String>> {
    let mut by: BTreeMap<u64, BTreeSet<String>> = BTreeMap::new();
    for r in rows {
        by.entry(r[field].as_u64().unwrap()).or_default().insert(r["id"].as_str().unwrap().to_string());
    }
    by.into_values().collect()
}

/// The pairwise F1 of partition `b` against partition `a`.
fn pair_f1(a: &BTreeSet<BTreeSet<String>>, b: &BTreeSet<BTreeSet<String>>) -> f64 {
    let pairs = |p: &BTreeSet<BTreeSet<String>>| -> BTreeSet<(String, String)> {
        let mut out = BTreeSet::new();
        for g in p {
            let g: Vec<&String> = g.iter().collect();
            for i in 0..g.len() {
                for j in i + 1..g.len() {
                    out.insert((g[i].clone(), g[j].clone()));
                }
            }
        }
        out
    };
    let (x, y) = (pairs(a), pairs(b));
    if x.is_empty() && y.is_empty() {
        return 1.0;
    }
    2.0 * x.intersection(&y).count() as f64 / (x.len() + y.len()) as f64
}

fn run_rows(articles: Vec<Article>, params: PipelineParams, dir: &Path) -> Vec<Value> {
    let result = Pipeline::new(params.check().unwrap()).run(articles).unwrap();
    newsdedup::output::write_dir(&result, dir, Default::default()).unwrap();
    read_jsonl(&dir.join("articles.jsonl"))
}

fn export_rows(store: &Store, dir: &Path) -> Vec<Value> {
    index::export(store, dir, 2).unwrap();
    read_jsonl(&dir.join("articles.jsonl"))
}

#[test]
fn a_late_original_becomes_canonical_and_the_seeds_added_one_by_one_give_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, pipeline) = fresh_index(&dir.path().join("index"), PipelineParams::default());
    let mut seeds = articles_of(&seeds_dir());
    // The Telegraph's original (002) comes last, after the copies made from it.
    let original = seeds.iter().position(|a| a.id.starts_with("002_")).unwrap();
    let late = seeds.remove(original);
    for article in seeds.clone() {
        let added = index::add(&mut store, &pipeline, vec![article], 0).unwrap();
        assert_eq!(added.added, 1);
    }
    let before = export_rows(&store, &dir.path().join("before"));
    let canonical_before: Vec<&str> =
        before.iter().filter(|r| r["role"] == "canonical").map(|r| r["id"].as_str().unwrap()).collect();
    assert!(!canonical_before.iter().any(|id| id.starts_with("002_")), "002 is not in the index yet");
    let added = index::add(&mut store, &pipeline, vec![late.clone()], 0).unwrap();
    // The delta holds the new row and the copies' changed rows.
    let delta: Vec<Value> = added.delta.iter().map(|r| serde_json::from_str(r).unwrap()).collect();
    let in_delta: BTreeSet<&str> = delta.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(in_delta.contains(late.id.as_str()), "{in_delta:?}");
    for r in delta.iter().filter(|r| r["id"].as_str().unwrap() != late.id) {
        assert_eq!(r["canonical"], late.id.as_str(), "{r}");
    }
    assert!(in_delta.len() >= 2, "the copies' rows changed: {in_delta:?}");
    let after = export_rows(&store, &dir.path().join("after"));
    let ran = run_rows(articles_of(&seeds_dir()), PipelineParams::default(), &dir.path().join("run"));
    assert_eq!(groups(&after, "cluster"), groups(&ran, "cluster"));
    assert_eq!(groups(&after, "family"), groups(&ran, "family"));
    let roles = |rows: &[Value]| -> BTreeMap<String, (Value, Value)> {
        rows.iter()
            .map(|r| (r["id"].as_str().unwrap().to_string(), (r["role"].clone(), r["derived_from"].clone())))
            .collect()
    };
    assert_eq!(roles(&after), roles(&ran));
    // Story ids are stable: a story that gained a member kept its id.
    let story_of = |rows: &[Value], id: &str| {
        rows.iter().find(|r| r["id"].as_str().unwrap().starts_with(id)).unwrap()["cluster"].clone()
    };
    assert_eq!(story_of(&before, "000_"), story_of(&after, "000_"));
    // Adding an article the index holds changes nothing.
    let again = index::add(&mut store, &pipeline, vec![late], 0).unwrap();
    assert_eq!((again.added, again.already_held.len(), again.delta.len()), (0, 1, 0));
}

/// The labelled set `name` dealt at random (fixed seed) to `k` batches.
fn batches_of(path: &Path, k: usize) -> Vec<Vec<Article>> {
    let mut articles = articles_of(path);
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for i in (1..articles.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        articles.swap(i, (state % (i as u64 + 1)) as usize);
    }
    let mut batches = vec![Vec::new(); k];
    for (i, a) in articles.into_iter().enumerate() {
        batches[i % k].push(a);
    }
    batches
}

#[test]
fn adding_a_labelled_set_in_batches_agrees_with_one_run() {
    let Some(eval) = shared_eval() else { return skip("../shared/eval is not there") };
    for (set, k) in [("ecbplus", 3), ("ntrex-syndication/eng", 5)] {
        let articles = eval.join(set).join("articles.jsonl");
        let dir = tempfile::tempdir().unwrap();
        let (mut store, pipeline) = fresh_index(&dir.path().join("index"), PipelineParams::default());
        for batch in batches_of(&articles, k) {
            index::add(&mut store, &pipeline, batch, 0).unwrap();
        }
        let exported = export_rows(&store, &dir.path().join("export"));
        let ran = run_rows(articles_of(&articles), PipelineParams::default(), &dir.path().join("run"));
        assert_eq!(exported.len(), ran.len(), "{set}: every article once");
        // Measured in docs/index.md ("Equivalence"): 0.92 to 1.0 over the
        // sets and splits; one run's candidate cap is not what an index
        // that grows can apply, so not every group is the run's.
        for field in ["cluster", "family"] {
            let f1 = pair_f1(&groups(&ran, field), &groups(&exported, field));
            assert!(f1 >= 0.9, "{set} {field}: pairwise F1 against one run {f1:.4}");
        }
        // Scored against the labels, at the level the set labels, the index
        // does about as well as the run (ECB+ over five splits in
        // docs/index.md: -0.011 to +0.008 BCubed F1).
        let level = if set == "ecbplus" { "cluster" } else { "family" };
        let labels = newsdedup::eval::read_labels(&eval.join(set).join("labels.jsonl"), "story").unwrap();
        let scored = |name: &str| {
            let predictions =
                newsdedup::eval::read_predictions(&dir.path().join(name).join("articles.jsonl"), level).unwrap();
            newsdedup::eval::score(&labels, &predictions).unwrap().clusters.bcubed_f1
        };
        let (run_f1, index_f1) = (scored("run"), scored("export"));
        assert!(index_f1 >= run_f1 - 0.02, "{set}: BCubed F1 {index_f1:.4} from the index, {run_f1:.4} from one run");
    }
}

#[test]
fn the_same_adds_give_byte_identical_exports() {
    let Some(eval) = shared_eval() else { return skip("../shared/eval is not there") };
    let articles = eval.join("ntrex-syndication/vie/articles.jsonl");
    let dir = tempfile::tempdir().unwrap();
    let mut exports = Vec::new();
    for attempt in ["one", "two"] {
        let (mut store, pipeline) = fresh_index(&dir.path().join(attempt), PipelineParams::default());
        for batch in batches_of(&articles, 3) {
            index::add(&mut store, &pipeline, batch, 0).unwrap();
        }
        let out = dir.path().join(format!("{attempt}-export"));
        index::export(&store, &out, 2).unwrap();
        exports.push(["articles.jsonl", "clusters.jsonl"].map(|f| std::fs::read(out.join(f)).unwrap()));
    }
    assert!(exports[0][1].len() > 100, "stories were exported");
    assert!(exports[0] == exports[1], "two runs of the same adds export the same bytes");
}

#[test]
fn index_add_writes_the_delta_and_export_the_state_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let (index, seeds) = (index.to_str().unwrap(), seeds_dir());
    assert!(newsdedup(&["index", "create", index]).status.success());
    let delta = dir.path().join("delta.jsonl");
    let added =
        newsdedup(&["index", "add", "--index", index, seeds.to_str().unwrap(), "--delta", delta.to_str().unwrap()]);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    assert!(String::from_utf8_lossy(&added.stderr).contains("added 5 articles"));
    assert_eq!(read_jsonl(&delta).len(), 5);
    // Again: every id is held already, and named; the delta (on stdout) is empty.
    let again = newsdedup(&["index", "add", "--index", index, seeds.to_str().unwrap()]);
    assert!(again.status.success());
    assert!(again.stdout.is_empty());
    assert!(String::from_utf8_lossy(&again.stderr).contains("002_016c80076eb90be0 is in the index already"));
    let out = dir.path().join("export");
    let exported = newsdedup(&["index", "export", "--index", index, "--out", out.to_str().unwrap()]);
    assert!(exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));
    let rows = read_jsonl(&out.join("articles.jsonl"));
    assert_eq!(rows.len(), 5);
    let clusters = read_jsonl(&out.join("clusters.jsonl"));
    assert_eq!(clusters.len(), 1);
    assert_eq!(clusters[0]["canonical"], "002_016c80076eb90be0");
    let stats = newsdedup(&["index", "stats", "--index", index]);
    let stats: Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(
        (stats["articles"].as_u64(), stats["stories"].as_u64(), stats["batches"].as_u64()),
        (Some(5), Some(3), Some(1))
    );
}

#[test]
fn evicted_articles_leave_their_stories_and_can_come_back() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, pipeline) = fresh_index(&dir.path().join("index"), PipelineParams::default());
    let mut seeds = articles_of(&seeds_dir());
    for a in &mut seeds {
        // The two copies of the Telegraph's report are a week older than the rest.
        let old = a.id.starts_with("000_") || a.id.starts_with("001_");
        a.published_at = Some(if old { "2024-01-01T08:00:00Z" } else { "2024-01-09T08:00:00Z" }.to_string());
    }
    index::add(&mut store, &pipeline, seeds.clone(), 1_700_000_000).unwrap();
    let before = export_rows(&store, &dir.path().join("before"));
    assert_eq!(before.iter().filter(|r| r["role"] == "syndicated").count(), 2);
    // Seven days before 2024-01-10T12:00Z.
    let cutoff = newsdedup::article::publication_time("2024-01-03T12:00:00Z").unwrap().timestamp();
    let evicted = index::evict(&mut store, &pipeline, cutoff as f64 / 86_400.0, cutoff).unwrap();
    assert_eq!(evicted.evicted.len(), 2, "{:?}", evicted.evicted);
    assert!(evicted.evicted.iter().all(|id| id.starts_with("000_") || id.starts_with("001_")));
    // The Telegraph's report is alone in its story now: its row changed.
    let changed: Vec<Value> = evicted.delta.iter().map(|r| serde_json::from_str(r).unwrap()).collect();
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_eq!(
        (changed[0]["id"].as_str(), changed[0]["role"].as_str()),
        (Some("002_016c80076eb90be0"), Some("unique"))
    );
    let after = export_rows(&store, &dir.path().join("after"));
    assert_eq!(after.len(), 3);
    assert_eq!(store.stats().unwrap().articles, 3);
    store.check().unwrap();
    // Added again, the copies find the report through the posting lists
    // and the statistics that the eviction left: the same groups as before.
    let copies: Vec<Article> =
        seeds.into_iter().filter(|a| a.id.starts_with("000_") || a.id.starts_with("001_")).collect();
    index::add(&mut store, &pipeline, copies, 1_700_000_100).unwrap();
    let again = export_rows(&store, &dir.path().join("again"));
    assert_eq!(groups(&again, "cluster"), groups(&before, "cluster"));
    assert_eq!(groups(&again, "family"), groups(&before, "family"));
    // Without publication times, articles go by when they were added.
    let (mut undated, pipeline) = fresh_index(&dir.path().join("undated"), PipelineParams::default());
    index::add(&mut undated, &pipeline, articles_of(&seeds_dir()), 1_000).unwrap();
    assert!(index::evict(&mut undated, &pipeline, 1e9, 1_000).unwrap().evicted.is_empty(), "added at the cutoff");
    assert_eq!(index::evict(&mut undated, &pipeline, 1e9, 1_001).unwrap().evicted.len(), 5);
    assert_eq!(undated.stats().unwrap().articles, 0);
    assert_eq!(undated.stats().unwrap().batches, 0);
}

#[test]
fn index_evict_on_the_command_line_writes_tombstones() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let index = index.to_str().unwrap();
    assert!(newsdedup(&["index", "create", index]).status.success());
    let seeds = seeds_dir();
    assert!(newsdedup(&["index", "add", "--index", index, seeds.to_str().unwrap(), "-q"]).status.success());
    let kept = newsdedup(&["index", "evict", "--index", index, "--older-than", "7d"]);
    assert!(kept.status.success(), "{}", String::from_utf8_lossy(&kept.stderr));
    assert!(kept.stdout.is_empty(), "added just now: nothing is a week old");
    let gone = newsdedup(&["index", "evict", "--index", index, "--older-than", "1d", "--now", "2100-01-01T00:00:00Z"]);
    assert!(gone.status.success(), "{}", String::from_utf8_lossy(&gone.stderr));
    let lines: Vec<Value> =
        String::from_utf8_lossy(&gone.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 5);
    assert!(lines.iter().all(|l| l["evicted"] == true));
    let bad = newsdedup(&["index", "evict", "--index", index, "--older-than", "a week"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn an_add_killed_midway_leaves_the_index_as_it_was() {
    let Some(eval) = shared_eval() else { return skip("../shared/eval is not there") };
    let batch = eval.join("ntrex-crosslingual/articles.jsonl");
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let index = index.to_str().unwrap();
    assert!(newsdedup(&["index", "create", index]).status.success());
    assert!(newsdedup(&["index", "add", "--index", index, seeds_dir().to_str().unwrap(), "-q"]).status.success());
    let mut killed_running = 0;
    for delay in [200, 3_000] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_newsdedup"))
            .args(["index", "add", "--index", index, batch.to_str().unwrap(), "--delta", "/dev/null", "-q"])
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let running = child.try_wait().unwrap().is_none();
        child.kill().unwrap();
        child.wait().unwrap();
        let store = Store::open(Path::new(index), None).unwrap();
        store.check().unwrap();
        let held = store.stats().unwrap().articles;
        if running && held == 5 {
            killed_running += 1;
            // The killed writer's lock went with it: an export reads the last state.
            assert_eq!(export_rows(&store, &dir.path().join(format!("export{delay}"))).len(), 5);
        } else {
            // The add was done before the kill: all of it is there.
            assert_eq!(held, 5 + 2_952, "after {delay} ms");
            break;
        }
    }
    assert!(killed_running >= 1, "no kill landed while the add ran");
}

#[test]
fn a_stored_row_changes_only_with_the_delta() {
    let Some(eval) = shared_eval() else { return skip("../shared/eval is not there") };
    let dir = tempfile::tempdir().unwrap();
    let (mut store, pipeline) = fresh_index(&dir.path().join("index"), PipelineParams::default());
    let [first, second, third] = {
        let mut parts = batches_of(&eval.join("ntrex-syndication/deu/articles.jsonl"), 3);
        parts[0].extend(articles_of(&seeds_dir()));
        [parts.remove(0), parts.remove(0), parts.remove(0)]
    };
    index::add(&mut store, &pipeline, first, 0).unwrap();
    for batch in [second, third] {
        let before = export_rows(&store, &dir.path().join("before"));
        let added = index::add(&mut store, &pipeline, batch, 0).unwrap();
        let in_delta: BTreeMap<String, Value> = added
            .delta
            .iter()
            .map(|r| {
                let row: Value = serde_json::from_str(r).unwrap();
                (row["id"].as_str().unwrap().to_string(), row)
            })
            .collect();
        let after: BTreeMap<String, Value> = export_rows(&store, &dir.path().join("after"))
            .into_iter()
            .map(|r| (r["id"].as_str().unwrap().to_string(), r))
            .collect();
        let mut unchanged = 0;
        for row in &before {
            let id = row["id"].as_str().unwrap();
            match in_delta.get(id) {
                Some(changed) => assert_eq!(&after[id], changed, "{id}: the export holds the delta's row"),
                None => {
                    assert_eq!(&after[id], row, "{id} changed without being in the delta");
                    unchanged += 1;
                }
            }
        }
        assert!(unchanged > 0 && in_delta.len() > added.added, "some stored rows changed, others not");
    }
}

#[cfg(unix)]
#[test]
fn a_delta_written_to_a_pipe_or_a_device_leaves_it_in_place() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let index = index.to_str().unwrap();
    assert!(newsdedup(&["index", "create", index]).status.success());
    let fifo = dir.path().join("delta.pipe");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let reading = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let added = newsdedup(&[
        "index",
        "add",
        "--index",
        index,
        seeds_dir().to_str().unwrap(),
        "--delta",
        fifo.to_str().unwrap(),
    ]);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    assert_eq!(reading.join().unwrap().lines().count(), 5);
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo(), "the pipe was not replaced by a file");
    // A written file's temporary sibling and rename would replace /dev/null.
    assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device());
}
