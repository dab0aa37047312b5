//! Vectorize: term hashes → sublinear TF-IDF vectors, L2-normalised.
//!
//! IDF from a batch of five articles is noise, and IDF from a million is
//! good. [`IdfModel`] blends the two: the batch's smoothed IDF and a
//! per-language table shipped in `models/idf/` (built from `wordfreq` by
//! `scripts/build_idf.sh`), weighted as if the table were
//! [`DEFAULT_PRIOR_DOCS`] articles of evidence:
//!
//! ```text
//! idf(t) = (N · idf_batch(t) + N0 · idf_table(t)) / (N + N0)
//! idf_batch(t) = ln((1 + N) / (1 + df(t))) + 1
//! ```
//!
//! For languages without a table the batch IDF is used alone. Stop words of
//! the article's language ([`StopWords`], ISO lists of the `stop-words`
//! crate) get zero weight: measured, ECB+ BCubed F1 0.737 → 0.755 and the
//! syndication mean 0.9914 → 0.9909.
//!
//! Vietnamese separates syllables, not words, by spaces; its vectors also
//! carry adjacent syllable pairs ([`indexes_word_pairs`]), which stand for
//! its two-syllable words. (Pairs for every language were measured and not
//! kept: they sharpen copies but lower the cosine of independent rewrites
//! below what the seeds need; see docs/evaluation.md.)

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use crate::error::{Error, Result};
pub use crate::params::DEFAULT_PRIOR_DOCS;
use crate::tokenize::{indexes_word_pairs, pair_hash, term_hash, TermHash};

macro_rules! embedded_tables {
    ($($lang:literal),* $(,)?) => {
        &[$(($lang, include_bytes!(concat!("../models/idf/", $lang, ".tsv.gz")) as &[u8])),*]
    };
}

/// The IDF tables compiled into the binary (`models/idf/*.tsv.gz`).
const EMBEDDED: &[(&str, &[u8])] = embedded_tables!(
    "ar", "bg", "bn", "ca", "cs", "da", "de", "el", "en", "es", "fa", "fi", "fil", "fr", "he", "hi", "hu", "id", "is",
    "it", "ko", "lt", "lv", "mk", "ms", "nb", "nl", "pl", "pt", "ro", "ru", "sh", "sk", "sl", "sv", "ta", "tr", "uk",
    "ur", "vi",
);

/// One language's IDF table.
#[derive(Debug, Clone, Default)]
pub struct LangIdf {
    idf: FxHashMap<TermHash, f32>,
    unseen: f32,
}

impl LangIdf {
    /// Parses a gzipped `term<TAB>idf` table whose first line is `#unseen<TAB>idf`.
    pub fn from_gzip(bytes: &[u8], name: &Path) -> Result<LangIdf> {
        let mut text = String::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_string(&mut text)
            .map_err(|e| Error::Model { path: name.to_path_buf(), reason: format!("cannot decompress: {e}") })?;
        Self::parse(&text, name)
    }

    fn parse(text: &str, name: &Path) -> Result<LangIdf> {
        let mut table = LangIdf::default();
        for (i, line) in text.lines().enumerate() {
            let bad =
                || Error::Model { path: name.to_path_buf(), reason: format!("line {}: expected term<TAB>idf", i + 1) };
            let (term, value) = line.split_once('\t').ok_or_else(bad)?;
            let value: f32 = value.parse().map_err(|_| bad())?;
            if term == "#unseen" {
                table.unseen = value;
            } else {
                table.idf.insert(term_hash(term), value);
            }
        }
        if table.idf.is_empty() || table.unseen <= 0.0 {
            return Err(Error::Model { path: name.to_path_buf(), reason: "empty table or no #unseen line".into() });
        }
        Ok(table)
    }

    /// The table's IDF of a term (the `unseen` value for terms it lacks).
    pub fn get(&self, term: TermHash) -> f32 {
        self.idf.get(&term).copied().unwrap_or(self.unseen)
    }

    /// Number of terms in the table.
    pub fn len(&self) -> usize {
        self.idf.len()
    }

    /// True when the table holds no terms.
    pub fn is_empty(&self) -> bool {
        self.idf.is_empty()
    }
}

/// Per-language IDF tables, loaded on first use.
#[derive(Debug, Default)]
pub struct IdfModel {
    tables: BTreeMap<String, (&'static [u8], OnceLock<Option<LangIdf>>)>,
}

impl IdfModel {
    /// The tables compiled into the binary.
    pub fn embedded() -> IdfModel {
        let tables = EMBEDDED.iter().map(|(lang, bytes)| (lang.to_string(), (*bytes, OnceLock::new()))).collect();
        IdfModel { tables }
    }

    /// No tables: batch IDF only.
    pub fn none() -> IdfModel {
        IdfModel::default()
    }

    /// The languages this model has a table for.
    pub fn languages(&self) -> impl Iterator<Item = &str> {
        self.tables.keys().map(String::as_str)
    }

    /// The table for `lang`, if shipped. Embedded tables are validated by the
    /// test suite, so a decode failure here is reported as "no table".
    pub fn table(&self, lang: &str) -> Option<&LangIdf> {
        let (bytes, cell) = self.tables.get(lang)?;
        cell.get_or_init(|| LangIdf::from_gzip(bytes, Path::new(lang)).ok()).as_ref()
    }
}

/// Document frequencies of one batch (mergeable across chunks).
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct DocFreq {
    /// Articles counted.
    pub docs: u32,
    df: FxHashMap<TermHash, u32>,
}

impl DocFreq {
    /// Counts one article's distinct terms.
    pub fn add(&mut self, distinct_terms: impl IntoIterator<Item = TermHash>) {
        self.add_counted(1, distinct_terms.into_iter().map(|t| (t, 1)));
    }

    /// Counts `docs` articles whose terms are given with the number of
    /// those articles holding each (terms counted 0 times are skipped).
    pub fn add_counted(&mut self, docs: u32, counts: impl IntoIterator<Item = (TermHash, u32)>) {
        self.docs += docs;
        for (t, n) in counts.into_iter().filter(|&(_, n)| n > 0) {
            *self.df.entry(t).or_insert(0) += n;
        }
    }

    /// Counts one article's terms given with repeats (`terms` is left
    /// sorted and deduplicated).
    pub fn add_with_repeats(&mut self, terms: &mut Vec<TermHash>) {
        self.docs += 1;
        self.count_distinct(terms);
    }

    /// Counts terms given with repeats once each, for an article already
    /// counted (`terms` is left sorted and deduplicated).
    pub fn count_distinct(&mut self, terms: &mut Vec<TermHash>) {
        terms.sort_unstable();
        terms.dedup();
        self.add_counted(0, terms.iter().map(|&t| (t, 1)));
    }

    /// Adds another chunk's counts.
    pub fn merge(&mut self, other: DocFreq) {
        self.docs += other.docs;
        for (t, n) in other.df {
            *self.df.entry(t).or_insert(0) += n;
        }
    }

    /// Number of articles containing `term`.
    pub fn get(&self, term: TermHash) -> u32 {
        self.df.get(&term).copied().unwrap_or(0)
    }

    /// Each term seen with its number of articles, in no set order.
    pub fn counts(&self) -> impl Iterator<Item = (TermHash, u32)> + '_ {
        self.df.iter().map(|(&t, &n)| (t, n))
    }

    /// Distinct terms seen.
    pub fn vocabulary(&self) -> usize {
        self.df.len()
    }
}

/// Stop words per language (from the `stop-words` crate's ISO lists),
/// normalized and hashed by the analyzer so they match the terms.
#[derive(Debug, Default, Clone)]
pub struct StopWords {
    by_lang: BTreeMap<String, rustc_hash::FxHashSet<TermHash>>,
}

impl StopWords {
    /// The stop words of `langs` (languages without a list get none).
    pub fn for_languages<'l>(
        langs: impl IntoIterator<Item = &'l str>,
        analyzer: &crate::tokenize::Analyzer,
    ) -> StopWords {
        let mut by_lang = BTreeMap::new();
        for lang in langs {
            if by_lang.contains_key(lang) {
                continue;
            }
            let mut set = rustc_hash::FxHashSet::default();
            for word in stop_words::lookup(lang).unwrap_or(&[]) {
                // A stop word that splits into several terms ("aujourd'hui") is left alone.
                if let Ok(terms) = analyzer.term_hashes(word) {
                    if let [one] = terms.as_slice() {
                        set.insert(*one);
                    }
                }
            }
            by_lang.insert(lang.to_string(), set);
        }
        StopWords { by_lang }
    }

    /// The stop words of `lang`, if it has any.
    pub fn of(&self, lang: &str) -> Option<&rustc_hash::FxHashSet<TermHash>> {
        self.by_lang.get(lang)
    }
}

/// Computes the blended IDF of terms for one batch.
#[derive(Debug)]
pub struct Weighting<'a> {
    df: &'a DocFreq,
    model: &'a IdfModel,
    prior_docs: f32,
    stop_words: Option<&'a StopWords>,
    /// The batch IDF of each document frequency (0 to the batch's size),
    /// worked out once.
    batch_idf_of_df: Vec<f32>,
}

impl<'a> Weighting<'a> {
    /// Blends `df` (the batch) with `model` (the shipped tables).
    pub fn new(df: &'a DocFreq, model: &'a IdfModel, prior_docs: f32) -> Self {
        let batch_idf_of_df = (0..=df.docs).map(|d| smoothed_idf(df.docs, d)).collect();
        Weighting { df, model, prior_docs, stop_words: None, batch_idf_of_df }
    }

    /// Gives the stop words of each language zero weight.
    pub fn with_stop_words(mut self, stop_words: &'a StopWords) -> Self {
        self.stop_words = Some(stop_words);
        self
    }

    /// The batch's smoothed IDF of a term.
    pub fn batch_idf(&self, term: TermHash) -> f32 {
        self.batch_idf_of(self.df.get(term))
    }

    /// The batch's smoothed IDF of a term that `df` of its articles have.
    fn batch_idf_of(&self, df: u32) -> f32 {
        match self.batch_idf_of_df.get(df as usize) {
            Some(&idf) => idf,
            None => smoothed_idf(self.df.docs, df),
        }
    }

    /// The blended IDF of a word pair: the table has no pairs, so a pair is
    /// taken to be at least as rare as its rarer word.
    pub fn pair_idf(&self, pair: TermHash, first: TermHash, second: TermHash, table: Option<&LangIdf>) -> f32 {
        let batch = self.batch_idf(pair);
        match table {
            Some(t) => {
                let n = self.df.docs as f32;
                let model = t.get(first).max(t.get(second));
                (n * batch + self.prior_docs * model) / (n + self.prior_docs)
            }
            None => batch,
        }
    }

    /// The blended IDF of a term in an article of language `lang`.
    pub fn idf(&self, term: TermHash, table: Option<&LangIdf>) -> f32 {
        self.idf_of(term, self.df.get(term), table)
    }

    /// [`Weighting::idf`] of a term that `df` of the batch's articles have.
    fn idf_of(&self, term: TermHash, df: u32, table: Option<&LangIdf>) -> f32 {
        let batch = self.batch_idf_of(df);
        match table {
            Some(t) => {
                let n = self.df.docs as f32;
                (n * batch + self.prior_docs * t.get(term)) / (n + self.prior_docs)
            }
            None => batch,
        }
    }

    /// The sublinear TF-IDF vector of one article, keeping its `max_terms`
    /// heaviest terms, L2-normalised.
    pub fn vectorize(&self, terms: &[TermHash], lang: &str, max_terms: usize) -> SparseVec {
        let table = self.model.table(lang);
        // Room for every term at once: growing by doubling rehashes it several times.
        let mut counts: FxHashMap<TermHash, u32> = FxHashMap::with_capacity_and_hasher(terms.len(), Default::default());
        for &t in terms {
            *counts.entry(t).or_insert(0) += 1;
        }
        let stops = self.stop_words.and_then(|s| s.of(lang));
        let stop = |t: TermHash| stops.is_some_and(|s| s.contains(&t));
        let weighted: Vec<(TermHash, f32, ())> = counts
            .into_iter()
            .filter(|(t, _)| !stop(*t))
            .map(|(t, tf)| (t, (1.0 + (tf as f32).ln()) * self.idf(t, table), ()))
            .collect();
        self.finish(weighted, |_| (), terms, lang, table, max_terms).0
    }

    /// The vector from an article's weighted terms (stop words may be
    /// there at weight 0): its word pairs added where the language has
    /// them (each tagged by `tag_pair`), the heaviest `max_terms` kept,
    /// L2-normalised; with the tags of its terms, in the vector's order.
    fn finish<X: Copy>(
        &self,
        mut weighted: Vec<(TermHash, f32, X)>,
        tag_pair: impl Fn(TermHash) -> X,
        terms: &[TermHash],
        lang: &str,
        table: Option<&LangIdf>,
        max_terms: usize,
    ) -> (SparseVec, Vec<X>) {
        if indexes_word_pairs(lang) {
            let mut pairs: FxHashMap<TermHash, (u32, TermHash, TermHash)> = FxHashMap::default();
            for w in terms.windows(2) {
                pairs.entry(pair_hash(w[0], w[1])).or_insert((0, w[0], w[1])).0 += 1;
            }
            weighted.extend(
                pairs
                    .into_iter()
                    .map(|(p, (tf, a, b))| (p, (1.0 + (tf as f32).ln()) * self.pair_idf(p, a, b, table), tag_pair(p))),
            );
        }
        weighted.retain(|(_, w, _)| *w > 0.0);
        if weighted.len() > max_terms {
            // The heaviest; ties by hash so the cut is deterministic.
            weighted.select_nth_unstable_by(max_terms, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            weighted.truncate(max_terms);
        }
        // As `SparseVec::normalized`: summed in term order.
        weighted.sort_unstable_by_key(|&(t, _, _)| t);
        let norm = weighted.iter().map(|&(_, w, _)| w * w).sum::<f32>().sqrt();
        let scale = if norm > 0.0 { 1.0 / norm } else { 0.0 };
        let vector = SparseVec {
            terms: weighted.iter().map(|e| e.0).collect(),
            weights: weighted.iter().map(|e| e.1 * scale).collect(),
        };
        (vector, weighted.iter().map(|e| e.2).collect())
    }
}

/// Vectorizes the articles of one piece of
/// [`PackedTerms`](crate::tokenize::PackedTerms) from their term numbers:
/// each vocabulary entry is looked up once (its number in [`SharedTerms`]
/// and its number of articles) and its IDF worked out once per language,
/// not once per article holding it; terms are counted in an array. The
/// vectors are [`Weighting::vectorize`]'s.
#[derive(Debug)]
pub struct PieceVectorizer<'w> {
    weighting: &'w Weighting<'w>,
    vocabulary: &'w [TermHash],
    shared: &'w SharedTerms,
    /// Per entry: its id in `shared` ([`NOT_SHARED`] for a term one article
    /// has) and its number of articles. All are looked up at once, in one
    /// loop whose lookups (each a likely cache miss) overlap: most entries
    /// of a piece are used, by one of its articles.
    found: Vec<(u32, u32)>,
    /// Per language met: each entry's IDF (0 for a stop word), NaN until needed.
    idf_by_lang: Vec<(&'w str, Vec<f32>)>,
    /// Uses of each entry in the article at hand (zeroed after it).
    counts: Vec<u32>,
    /// The entries the article at hand uses, in first use.
    used: Vec<u32>,
}

/// The id of a term that only one article has (see [`PieceVector`]).
pub const NOT_SHARED: u32 = u32::MAX;

/// A vector made by a [`PieceVectorizer`], with the number of each of its
/// terms in the batch's [`SharedTerms`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PieceVector {
    /// The vector.
    pub vector: SparseVec,
    /// Aligned with the vector's terms: each one's id, [`NOT_SHARED`] for
    /// a term no other article has.
    pub ids: Vec<u32>,
}

impl PieceVector {
    /// The ids of the `k` heaviest terms that another article also has
    /// (ties broken by hash), heaviest first: the terms
    /// [`SparseVec::top_terms_where`] gives, by id.
    pub fn top_shared_ids(&self, k: usize) -> Vec<u32> {
        self.vector.top_at(k, |i| self.ids[i] != NOT_SHARED, |i| self.ids[i])
    }
}

impl<'w> PieceVectorizer<'w> {
    /// A vectorizer for articles numbered over `vocabulary`, whose terms
    /// `shared` numbers ([`SharedTerms::new`] of the batch's frequencies,
    /// which counted these articles: a term it leaves out has one article).
    pub fn new(
        weighting: &'w Weighting<'w>,
        vocabulary: &'w [TermHash],
        shared: &'w SharedTerms,
    ) -> PieceVectorizer<'w> {
        let mut vectorizer = PieceVectorizer {
            weighting,
            vocabulary,
            shared,
            found: Vec::new(),
            idf_by_lang: Vec::new(),
            counts: vec![0; vocabulary.len()],
            used: Vec::new(),
        };
        vectorizer.found = vocabulary.iter().map(|&t| vectorizer.find(t)).collect();
        vectorizer
    }

    /// A term's id in `shared` and its number of articles.
    fn find(&self, term: TermHash) -> (u32, u32) {
        match self.shared.find(term) {
            Some((id, Some(df))) => (id, df),
            Some((id, None)) => (id, self.weighting.df.get(term)),
            None => (NOT_SHARED, 1),
        }
    }

    /// The vector of an article of language `lang` whose terms are
    /// `numbers` (indexes into the vocabulary); `terms` are the same terms
    /// as hashes, read for word pairs (see [`indexes_word_pairs`]).
    pub fn vectorize(&mut self, numbers: &[u32], terms: &[TermHash], lang: &'w str, max_terms: usize) -> PieceVector {
        let weighting = self.weighting;
        let table = weighting.model.table(lang);
        let slot = match self.idf_by_lang.iter().position(|(l, _)| *l == lang) {
            Some(slot) => slot,
            None => {
                self.idf_by_lang.push((lang, vec![f32::NAN; self.vocabulary.len()]));
                self.idf_by_lang.len() - 1
            }
        };
        for &n in numbers {
            let count = &mut self.counts[n as usize];
            if *count == 0 {
                self.used.push(n);
            }
            *count += 1;
        }
        let stops = weighting.stop_words.and_then(|s| s.of(lang));
        let mut weighted = Vec::with_capacity(self.used.len());
        for &n in &self.used {
            let n = n as usize;
            let term = self.vocabulary[n];
            let (id, df) = self.found[n];
            let idf = &mut self.idf_by_lang[slot].1[n];
            if idf.is_nan() {
                *idf = if stops.is_some_and(|s| s.contains(&term)) { 0.0 } else { weighting.idf_of(term, df, table) };
            }
            let tf = std::mem::take(&mut self.counts[n]);
            weighted.push((term, (1.0 + (tf as f32).ln()) * *idf, id));
        }
        self.used.clear();
        let tag_pair = |pair| self.find(pair).0;
        let (vector, ids) = weighting.finish(weighted, tag_pair, terms, lang, table, max_terms);
        PieceVector { vector, ids }
    }
}

/// Smoothed IDF of a term in `df` of a batch's `docs` documents.
fn smoothed_idf(docs: u32, df: u32) -> f32 {
    let n = docs as f32;
    ((1.0 + n) / (1.0 + df as f32)).ln() + 1.0
}

/// A sparse, L2-normalised vector sorted by term hash.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SparseVec {
    /// Term hashes, ascending.
    pub terms: Vec<TermHash>,
    /// Weights, aligned with `terms`.
    pub weights: Vec<f32>,
}

impl SparseVec {
    /// Builds a unit vector from (term, weight) pairs in any order.
    pub fn normalized(mut pairs: Vec<(TermHash, f32)>) -> SparseVec {
        // Summed in term order: the norm does not depend on the pairs' order.
        pairs.sort_unstable_by_key(|(t, _)| *t);
        let norm = pairs.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        let scale = if norm > 0.0 { 1.0 / norm } else { 0.0 };
        SparseVec { terms: pairs.iter().map(|p| p.0).collect(), weights: pairs.iter().map(|p| p.1 * scale).collect() }
    }

    /// Number of non-zero terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// True for the zero vector (an empty article).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Cosine similarity with another unit vector.
    pub fn cosine(&self, other: &SparseVec) -> f32 {
        self.overlap(other).0
    }

    /// Cosine with another unit vector and the number of terms both have.
    pub fn overlap(&self, other: &SparseVec) -> (f32, usize) {
        let (mut i, mut j, mut dot, mut shared) = (0, 0, 0.0f32, 0);
        while i < self.terms.len() && j < other.terms.len() {
            match self.terms[i].cmp(&other.terms[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    dot += self.weights[i] * other.weights[j];
                    shared += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        (dot.min(1.0), shared)
    }

    /// The `k` heaviest terms (ties broken by hash).
    pub fn top_terms(&self, k: usize) -> Vec<TermHash> {
        self.top_terms_where(k, |_| true)
    }

    /// The `k` heaviest terms that satisfy `keep` (ties broken by hash).
    pub fn top_terms_where(&self, k: usize, keep: impl Fn(TermHash) -> bool) -> Vec<TermHash> {
        self.top_at(k, |i| keep(self.terms[i]), |i| self.terms[i])
    }

    /// What `pick` gives for each of the `k` heaviest terms whose places
    /// `keep` (ties broken by hash), heaviest first.
    fn top_at<T>(&self, k: usize, keep: impl Fn(usize) -> bool, pick: impl Fn(usize) -> T) -> Vec<T> {
        let heavier = |&a: &usize, &b: &usize| {
            self.weights[b].total_cmp(&self.weights[a]).then(self.terms[a].cmp(&self.terms[b]))
        };
        // Most of the heaviest terms are usually kept: `keep` is first asked
        // only of the heaviest few, in order. Every term outside them is
        // lighter, so k kept among them are the answer.
        let few = k.saturating_mul(TOP_TERMS_TRIED);
        if k > 0 && self.terms.len() > few {
            let mut idx: Vec<usize> = (0..self.terms.len()).collect();
            idx.select_nth_unstable_by(few, heavier);
            idx.truncate(few);
            idx.sort_unstable_by(heavier);
            let mut top = Vec::with_capacity(k);
            top.extend(idx.iter().copied().filter(|&i| keep(i)).take(k).map(&pick));
            if top.len() == k {
                return top;
            }
        }
        let mut idx: Vec<usize> = (0..self.terms.len()).filter(|&i| keep(i)).collect();
        if idx.len() > k {
            idx.select_nth_unstable_by(k, heavier);
            idx.truncate(k);
        }
        idx.sort_unstable_by(heavier);
        // Collected into a new list: `idx.into_iter()...collect()` would
        // reuse idx's room, the size of the whole vector, for a few terms.
        let mut top = Vec::with_capacity(idx.len());
        top.extend(idx.iter().map(|&i| pick(i)));
        top
    }
}

/// How many times `k` of a vector's heaviest terms
/// [`SparseVec::top_terms_where`] tries before it filters the whole vector.
const TOP_TERMS_TRIED: usize = 4;

/// A batch's TF-IDF vectors laid out for taking many cosines: terms only
/// one article has are dropped (they add nothing to a cosine between two),
/// the others numbered densely ([`SharedTerms`]), the vectors of each run of
/// [`PIECE`] articles in one flat list, 4 bytes a term ([`VectorPiece`]).
/// With one article spread over a dense table ([`CosineTable`]), a cosine
/// costs one table read per term of the other article, without branches.
///
/// Built from pieces made in parallel ([`PairVectors::from_pieces`]), so a
/// batch's full vectors never have to be held at once.
#[derive(Debug, Clone, Default)]
pub struct PairVectors {
    shared: SharedTerms,
    pieces: Vec<VectorPiece>,
}

/// Articles per [`VectorPiece`] (the last may have fewer).
pub const PIECE: usize = 2048;

/// The terms that two or more articles of a batch have, numbered in hash
/// order.
#[derive(Debug, Clone, Default)]
pub struct SharedTerms {
    ids: FxHashMap<TermHash, u32>,
    /// The term each id stands for.
    terms: Vec<TermHash>,
    /// Made from one batch's frequencies ([`SharedTerms::new`]): each
    /// term's number of articles, by id. Empty otherwise.
    counts: Vec<u32>,
}

impl SharedTerms {
    /// The terms `df` counts in two articles or more, with their counts.
    pub fn new(df: &DocFreq) -> SharedTerms {
        let mut counted: Vec<(TermHash, u32)> = df.counts().filter(|&(_, n)| n >= 2).collect();
        counted.sort_unstable();
        let (terms, counts) = counted.into_iter().unzip();
        SharedTerms::numbered(terms, counts)
    }

    /// The terms any of `dfs` counts in two articles or more.
    pub fn of_any(dfs: &[&DocFreq]) -> SharedTerms {
        let shared = dfs.iter().flat_map(|df| df.df.iter().filter(|&(_, &n)| n >= 2).map(|(&t, _)| t));
        let mut terms: Vec<TermHash> = shared.collect();
        terms.sort_unstable();
        terms.dedup();
        SharedTerms::numbered(terms, Vec::new())
    }

    /// Numbers `terms`, ascending and distinct, in order.
    fn numbered(terms: Vec<TermHash>, counts: Vec<u32>) -> SharedTerms {
        let ids = terms.iter().enumerate().map(|(id, &t)| (t, id as u32)).collect();
        SharedTerms { ids, terms, counts }
    }

    /// A term's id and, if counted, its number of articles; `None` for a
    /// term that fewer than two articles have.
    pub fn find(&self, term: TermHash) -> Option<(u32, Option<u32>)> {
        self.ids.get(&term).map(|&id| (id, self.counts.get(id as usize).copied()))
    }

    /// Number of shared terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// True when no term is shared.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

/// Unit vectors over the terms two or more of them have (a term of one
/// vector alone meets no other), in [`PIECE`]s of consecutive vectors laid
/// out as a [`VectorPiece`] is (4 bytes a term, no allocation per vector),
/// for taking one cosine at a time by merging two term lists. A weight too
/// small for 16 bits is held as the smallest one, so that weight 0 marks
/// the entries that bridge wide gaps, which are never counted as shared.
/// The anchor vectors are held so.
#[derive(Debug, Clone, Default)]
pub struct FlatVectors {
    pieces: Vec<FlatPiece>,
}

/// Up to [`PIECE`] consecutive vectors of a [`FlatVectors`].
#[derive(Debug, Clone, Default)]
pub struct FlatPiece(VectorPiece);

impl FlatPiece {
    /// Appends the next vector, without its unshared terms.
    pub fn push(&mut self, vector: &SparseVec, shared: &SharedTerms) {
        self.0.push_with(vector, shared, |w| quantized(w).max(1));
    }

    /// Appends the next vector, made with the batch's shared terms (as
    /// [`FlatPiece::push`] with them, without looking a term up).
    pub fn push_numbered(&mut self, v: &PieceVector) {
        self.0.push_numbered_with(v, |w| quantized(w).max(1));
    }
}

impl FlatVectors {
    /// Vectors laid out piece by piece (each piece's vectors pushed with
    /// the same [`SharedTerms`]; every piece but the last holds [`PIECE`]).
    pub fn from_pieces(mut pieces: Vec<FlatPiece>) -> FlatVectors {
        pieces.iter_mut().for_each(|p| p.0.shrink_to_fit());
        FlatVectors { pieces }
    }

    /// Lays out vectors made elsewhere, over the terms two or more of them have.
    pub fn from_vectors(vectors: &[SparseVec]) -> FlatVectors {
        let mut df = DocFreq::default();
        let mut terms = Vec::new();
        for v in vectors {
            terms.clear();
            terms.extend_from_slice(&v.terms);
            df.add_with_repeats(&mut terms);
        }
        let shared = SharedTerms::new(&df);
        let pieces = vectors
            .chunks(PIECE)
            .map(|chunk| {
                let mut piece = FlatPiece::default();
                chunk.iter().for_each(|v| piece.push(v, &shared));
                piece
            })
            .collect();
        FlatVectors::from_pieces(pieces)
    }

    /// Number of vectors.
    pub fn len(&self) -> usize {
        self.pieces.iter().map(|p| p.0.len()).sum()
    }

    /// True when no vector is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn entries(&self, doc: usize) -> (&[u16], &[u16]) {
        self.pieces[doc / PIECE].0.entries(doc % PIECE)
    }

    /// Cosine of vectors `a` and `b` and the number of terms both have:
    /// the count is [`SparseVec::overlap`]'s for the vectors as made, the
    /// cosine within 2.5e-4 of it at the default 256 terms (each weight is
    /// held within 1/131,070, and a unit vector's n weights sum to at most
    /// √n). The products are summed as integers, so the cosine does not
    /// depend on the order of the sum.
    pub fn overlap(&self, a: usize, b: usize) -> (f32, usize) {
        let ((gx, wx), (gy, wy)) = (self.entries(a), self.entries(b));
        let (Some(&first_x), Some(&first_y)) = (gx.first(), gy.first()) else {
            return (0.0, 0);
        };
        let (mut i, mut j, mut dot, mut shared) = (0, 0, 0u64, 0);
        let (mut x, mut y) = (u32::from(first_x), u32::from(first_y));
        loop {
            let (step_x, step_y) = match x.cmp(&y) {
                std::cmp::Ordering::Less => (true, false),
                std::cmp::Ordering::Greater => (false, true),
                std::cmp::Ordering::Equal => {
                    let product = u64::from(wx[i]) * u64::from(wy[j]);
                    dot += product;
                    shared += usize::from(product > 0);
                    (true, true)
                }
            };
            if step_x {
                i += 1;
                let Some(&gap) = gx.get(i) else { break };
                x += u32::from(gap);
            }
            if step_y {
                j += 1;
                let Some(&gap) = gy.get(j) else { break };
                y += u32::from(gap);
            }
        }
        let cosine = dot as f64 / (65535.0f64 * 65535.0);
        ((cosine as f32).min(1.0), shared)
    }

    /// Cosine of vectors `a` and `b`.
    pub fn cosine(&self, a: usize, b: usize) -> f32 {
        self.overlap(a, b).0
    }
}

/// The compact vectors of up to [`PIECE`] consecutive articles, 4 bytes a
/// term: at a million articles the vectors are the largest thing a batch
/// holds, and 8-byte (id, weight) pairs took 1.4 GiB.
///
/// A term is held as the gap from the previous term's id (ids ascend), a
/// gap too wide for 16 bits bridged by entries of weight 0, which add
/// nothing to any sum; its weight, at most 1 in a unit vector, in 65535ths
/// (within 8e-6 of the weight computed).
#[derive(Debug, Clone, Default)]
pub struct VectorPiece {
    /// Where each article's entries start in `gaps` and `weights`; one
    /// more entry than articles.
    starts: Vec<u32>,
    gaps: Vec<u16>,
    weights: Vec<u16>,
}

/// A weight of a unit vector (at most 1) in 65535ths.
fn quantized(weight: f32) -> u16 {
    (weight.clamp(0.0, 1.0) * 65535.0).round() as u16
}

/// A vector as a batch's [`PairVectors`] holds it: only the terms `df`
/// counts in two articles or more, each weight in 65535ths. Vectors held
/// apart from their batch (an engine verifying pairs on its workers) lay
/// out with [`PairVectors::from_held`].
pub fn held(vector: &SparseVec, df: &DocFreq) -> SparseVec {
    let (terms, weights) = vector
        .terms
        .iter()
        .zip(&vector.weights)
        .filter(|(&t, _)| df.get(t) >= 2)
        .map(|(&t, &w)| (t, weight_of(quantized(w))))
        .unzip();
    SparseVec { terms, weights }
}

/// The weight a 16-bit weight stands for.
fn weight_of(quantized: u16) -> f32 {
    f32::from(quantized) * (1.0 / 65535.0)
}

impl VectorPiece {
    /// Appends the next article's vector, without its unshared terms.
    pub fn push(&mut self, vector: &SparseVec, shared: &SharedTerms) {
        self.push_with(vector, shared, quantized);
    }

    /// Appends the next vector, made with the batch's shared terms (as
    /// [`VectorPiece::push`] with them, without looking a term up).
    pub fn push_numbered(&mut self, v: &PieceVector) {
        self.push_numbered_with(v, quantized);
    }

    fn push_numbered_with(&mut self, v: &PieceVector, quantize: impl Fn(f32) -> u16) {
        let numbered = v.ids.iter().zip(&v.vector.weights).filter(|&(&id, _)| id != NOT_SHARED);
        self.push_entries(numbered.map(|(&id, &w)| (id, w)), quantize);
    }

    /// Appends the next vector, each weight held as `quantize` gives it.
    fn push_with(&mut self, vector: &SparseVec, shared: &SharedTerms, quantize: impl Fn(f32) -> u16) {
        let numbered = vector.terms.iter().zip(&vector.weights).filter_map(|(t, &w)| Some((*shared.ids.get(t)?, w)));
        self.push_entries(numbered, quantize);
    }

    /// Appends the next vector from its (id, weight) entries, ids ascending.
    fn push_entries(&mut self, entries: impl Iterator<Item = (u32, f32)>, quantize: impl Fn(f32) -> u16) {
        if self.starts.is_empty() {
            self.starts.push(0);
        }
        let mut last = 0u32;
        for (id, w) in entries {
            let mut gap = id - last;
            while gap > u32::from(u16::MAX) {
                self.gaps.push(u16::MAX);
                self.weights.push(0);
                gap -= u32::from(u16::MAX);
            }
            self.gaps.push(gap as u16);
            self.weights.push(quantize(w));
            last = id;
        }
        self.starts.push(self.gaps.len() as u32);
    }

    /// Gives back unused room.
    pub fn shrink_to_fit(&mut self) {
        self.starts.shrink_to_fit();
        self.gaps.shrink_to_fit();
        self.weights.shrink_to_fit();
    }

    fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// Article `doc`'s gaps and 16-bit weights.
    fn entries(&self, doc: usize) -> (&[u16], &[u16]) {
        let range = self.starts[doc] as usize..self.starts[doc + 1] as usize;
        (&self.gaps[range.clone()], &self.weights[range])
    }

    /// Article `doc`'s entries: (shared term id, weight), ids ascending,
    /// including the bridging entries of weight 0.
    fn of(&self, doc: usize) -> impl Iterator<Item = (u32, f32)> + '_ {
        let range = self.starts[doc] as usize..self.starts[doc + 1] as usize;
        self.gaps[range.clone()].iter().zip(&self.weights[range]).scan(0u32, |id, (&gap, &w)| {
            *id += u32::from(gap);
            Some((*id, weight_of(w)))
        })
    }
}

impl PairVectors {
    /// Lays out `vectors`, keeping the terms `df` counts in two articles or more.
    pub fn new(vectors: &[SparseVec], df: &DocFreq) -> PairVectors {
        PairVectors::laid_out(vectors, SharedTerms::new(df))
    }

    /// Lays out `vectors`, keeping the terms of `shared`.
    fn laid_out(vectors: &[SparseVec], shared: SharedTerms) -> PairVectors {
        let pieces = vectors
            .chunks(PIECE)
            .map(|chunk| {
                let mut piece = VectorPiece::default();
                chunk.iter().for_each(|v| piece.push(v, &shared));
                piece
            })
            .collect();
        PairVectors::from_pieces(shared, pieces)
    }

    /// Lays out vectors already [`held`] with their batch's document
    /// frequencies, keeping every term: the cosines of any two are the
    /// ones of the batch's [`PairVectors`], to the bit (the terms are
    /// summed in the same hash order; a weight held is held again
    /// unchanged).
    pub fn from_held(vectors: &[SparseVec]) -> PairVectors {
        let mut terms: Vec<TermHash> = vectors.iter().flat_map(|v| v.terms.iter().copied()).collect();
        terms.sort_unstable();
        terms.dedup();
        PairVectors::laid_out(vectors, SharedTerms::numbered(terms, Vec::new()))
    }

    /// Joins pieces of [`PIECE`] articles each (the last may have fewer),
    /// in article order, made with `shared`.
    pub fn from_pieces(shared: SharedTerms, pieces: Vec<VectorPiece>) -> PairVectors {
        let last = pieces.len().saturating_sub(1);
        assert!(
            pieces.iter().enumerate().all(|(i, p)| p.len() == PIECE || (i == last && p.len() <= PIECE)),
            "pieces of {PIECE} articles"
        );
        // Laid out, the vectors are read by term number: the table that
        // numbered the terms (6 MiB at a million articles) and the counts go.
        let shared = SharedTerms { terms: shared.terms, ..SharedTerms::default() };
        PairVectors { shared, pieces }
    }

    /// Article `doc`'s vector as held: without the terms no other article
    /// has (so no longer of unit length), weights in 16 bits. Its cosine
    /// with another article's is the [`CosineTable`]'s, to the bit, and
    /// within 3e-4 of the full vectors' (of up to 256 terms, the default
    /// `--max-terms`).
    pub fn vector(&self, doc: usize) -> SparseVec {
        let (terms, weights) =
            self.of(doc).filter(|&(_, w)| w > 0.0).map(|(id, w)| (self.shared.terms[id as usize], w)).unzip();
        SparseVec { terms, weights }
    }

    /// Number of articles.
    pub fn len(&self) -> usize {
        self.pieces.iter().map(VectorPiece::len).sum()
    }

    /// True when there are no articles.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn of(&self, doc: usize) -> impl Iterator<Item = (u32, f32)> + '_ {
        self.pieces[doc / PIECE].of(doc % PIECE)
    }

    /// The raw bits of article `doc`'s first entry (0 without any): read
    /// only to bring its vector into cache ([`crate::verify::Verifier::gather`]).
    pub fn first_entry_bits(&self, doc: usize) -> u32 {
        let piece = &self.pieces[doc / PIECE];
        let start = piece.starts[doc % PIECE] as usize;
        let gap = piece.gaps.get(start).copied().unwrap_or(0);
        let weight = piece.weights.get(start).copied().unwrap_or(0);
        u32::from(gap) << 16 | u32::from(weight)
    }
}

/// One article of a [`PairVectors`] spread over a dense table, for its
/// cosines with others. The sum runs over the other article's terms in
/// ascending hash order, adding nothing where the first lacks a term, as
/// [`SparseVec::overlap`] does: the two give the same value to the bit.
#[derive(Debug, Clone)]
pub struct CosineTable<'a> {
    vectors: &'a PairVectors,
    dense: Vec<f32>,
    loaded: Option<usize>,
}

impl<'a> CosineTable<'a> {
    /// An empty table over `vectors`.
    pub fn new(vectors: &'a PairVectors) -> CosineTable<'a> {
        CosineTable { vectors, dense: vec![0.0; vectors.shared.len()], loaded: None }
    }

    /// Cosine of two different articles `a` and `b` (unit vectors); cheapest
    /// when calls with the same `a` come together.
    pub fn cosine(&mut self, a: usize, b: usize) -> f32 {
        if self.loaded != Some(a) {
            if let Some(old) = self.loaded {
                self.vectors.of(old).for_each(|(id, _)| self.dense[id as usize] = 0.0);
            }
            self.vectors.of(a).for_each(|(id, w)| self.dense[id as usize] = w);
            self.loaded = Some(a);
        }
        let dot = self.vectors.of(b).fold(0.0f32, |dot, (id, w)| dot + self.dense[id as usize] * w);
        dot.min(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_vectors_give_sparse_vectors_cosines_and_shared_counts() {
        // Over two pieces, terms shared by few vectors and terms of one alone.
        let mut seed = 7u64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            seed >> 33
        };
        let vectors: Vec<SparseVec> = (0..PIECE + 40)
            .map(|_| {
                let pairs = (0..1 + next() % 12).map(|_| (next() % 300, 0.1 + (next() % 1000) as f32 / 100.0));
                let mut pairs: Vec<(TermHash, f32)> = pairs.collect();
                pairs.sort_unstable_by_key(|p| p.0);
                pairs.dedup_by_key(|p| p.0);
                SparseVec::normalized(pairs)
            })
            .collect();
        let flat = FlatVectors::from_vectors(&vectors);
        assert_eq!(flat.len(), vectors.len());
        let mut compared = 0;
        for a in (0..vectors.len()).step_by(7) {
            for b in [0, 1, a / 2, PIECE - 1, PIECE, PIECE + 39] {
                let (x, n) = vectors[a].overlap(&vectors[b]);
                let (y, m) = flat.overlap(a, b);
                assert_eq!(n, m, "vectors {a} and {b}: terms in common");
                assert!((x - y).abs() < 2e-4, "vectors {a} and {b}: cosine {x} held as {y}");
                compared += usize::from(n > 0);
            }
        }
        assert!(compared > 100, "too few pairs share a term: {compared}");
    }

    #[test]
    fn flat_vectors_bridge_wide_gaps_without_sharing_the_bridges() {
        // Two vectors of every term make 140,001 terms shared; the others
        // skip more than 16 bits of term numbers at once.
        let everything = |w: f32| SparseVec::normalized((0..=140_000).map(|t| (t, w)).collect());
        let vectors = vec![
            everything(1.0),
            everything(2.0),
            SparseVec::normalized(vec![(0, 1.0), (70_000, 2.0), (140_000, 3.0)]),
            SparseVec::normalized(vec![(0, 3.0), (70_000, 2.0), (140_000, 1.0)]),
            // Where the first bridge of the two above lies.
            SparseVec::normalized(vec![(65_535, 1.0)]),
        ];
        let flat = FlatVectors::from_vectors(&vectors);
        for (a, b) in [(2, 3), (2, 4), (3, 4), (0, 2), (1, 4)] {
            let (x, n) = vectors[a].overlap(&vectors[b]);
            let (y, m) = flat.overlap(a, b);
            assert_eq!(n, m, "vectors {a} and {b}: terms in common");
            assert!((x - y).abs() < 2e-4, "vectors {a} and {b}: cosine {x} held as {y}");
        }
        assert_eq!(flat.overlap(2, 4), (0.0, 0));
    }

    #[test]
    fn held_vectors_give_the_batch_cosines_to_the_bit() {
        // 40 articles of 30 terms from a pool of 120, and 3 of their own each
        // (which the batch's vectors do not hold).
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            state >> 11
        };
        let pool: Vec<TermHash> = (0..120).map(|_| next()).collect();
        let vectors: Vec<SparseVec> = (0..40)
            .map(|_| {
                let mut terms: Vec<(TermHash, f32)> = Vec::new();
                for _ in 0..30 {
                    let term = pool[(next() % 120) as usize];
                    terms.push((term, 1.0 + (next() % 1000) as f32 / 100.0));
                }
                terms.extend((0..3).map(|_| (next(), 2.0)));
                terms.sort_by_key(|&(t, _)| t);
                terms.dedup_by_key(|&mut (t, _)| t);
                SparseVec::normalized(terms)
            })
            .collect();
        let mut df = DocFreq::default();
        vectors.iter().for_each(|v| df.add(v.terms.iter().copied()));
        let whole = PairVectors::new(&vectors, &df);
        // A worker holds a part of the batch's vectors, held.
        let part: Vec<SparseVec> = vectors[10..30].iter().map(|v| held(v, &df)).collect();
        let part = PairVectors::from_held(&part);
        let (mut batch, mut worker) = (CosineTable::new(&whole), CosineTable::new(&part));
        for a in 10..30 {
            for b in (10..30).filter(|&b| b != a) {
                assert_eq!(batch.cosine(a, b).to_bits(), worker.cosine(a - 10, b - 10).to_bits(), "{a} {b}");
            }
        }
    }

    #[test]
    fn every_embedded_table_loads() {
        let model = IdfModel::embedded();
        for lang in model.languages() {
            let table = model.table(lang).unwrap_or_else(|| panic!("table {lang} does not load"));
            assert!(table.len() > 1000, "{lang}: {} terms", table.len());
        }
    }

    #[test]
    fn english_table_ranks_names_above_function_words() {
        let model = IdfModel::embedded();
        let en = model.table("en").unwrap();
        assert!(en.get(term_hash("the")) < 0.5);
        assert!(en.get(term_hash("haftar")) > en.get(term_hash("telegraph")));
        assert!(en.get(term_hash("telegraph")) > en.get(term_hash("government")));
    }

    #[test]
    fn small_batches_lean_on_the_table() {
        let model = IdfModel::embedded();
        let mut df = DocFreq::default();
        for _ in 0..5 {
            df.add([term_hash("the"), term_hash("minsk")]);
        }
        let w = Weighting::new(&df, &model, DEFAULT_PRIOR_DOCS);
        let en = model.table("en");
        // In the batch both terms are in every article; the table still tells them apart.
        assert!(w.idf(term_hash("minsk"), en) > 5.0 * w.idf(term_hash("the"), en).max(0.1));
    }

    #[test]
    fn table_and_rebuilt_cosines_agree_and_stay_near_the_full_ones() {
        // Pseudo-random vectors with partly shared terms.
        let mut next = crate::testing::xorshift(7);
        let pick = |r: u64| if r % 3 == 0 { r % 64 } else { r };
        let vectors: Vec<SparseVec> = (0..60)
            .map(|_| {
                let len = 1 + (next() % 300) as usize;
                dedup(SparseVec::normalized((0..len).map(|_| (pick(next()), (next() % 100) as f32 / 10.0)).collect()))
            })
            .collect();
        let mut df = DocFreq::default();
        vectors.iter().for_each(|v| df.add(v.terms.iter().copied()));
        let compact = PairVectors::new(&vectors, &df);
        let mut table = CosineTable::new(&compact);
        // (Never an article with itself: its own terms are dropped from the table.)
        for a in 0..vectors.len() {
            for b in (0..vectors.len()).rev().filter(|&b| b != a) {
                let held = table.cosine(a, b);
                assert_eq!(held.to_bits(), compact.vector(a).cosine(&compact.vector(b)).to_bits(), "{a} {b}");
                assert!((held - vectors[a].cosine(&vectors[b])).abs() <= 3e-4, "{a} {b}: {held}");
            }
        }
    }

    #[test]
    fn a_gap_between_ids_wider_than_16_bits_is_bridged() {
        // Articles 0 and 1 share 100,000 terms; article 2 has the first and
        // the last of them, 99,999 ids apart.
        let wide: Vec<(TermHash, f32)> = (0..100_000).map(|t| (t, 1.0 + (t % 5) as f32)).collect();
        let vectors = vec![
            SparseVec::normalized(wide.clone()),
            SparseVec::normalized(wide.iter().map(|&(t, w)| (t, 6.0 - w)).collect()),
            SparseVec::normalized(vec![(0, 1.0), (99_999, 2.0)]),
        ];
        let mut df = DocFreq::default();
        vectors.iter().for_each(|v| df.add(v.terms.iter().copied()));
        let compact = PairVectors::new(&vectors, &df);
        assert_eq!(compact.vector(2).terms, vec![0, 99_999]);
        let mut table = CosineTable::new(&compact);
        for (a, b) in [(2, 0), (0, 2), (1, 2), (0, 1)] {
            let held = table.cosine(a, b);
            assert_eq!(held.to_bits(), compact.vector(a).cosine(&compact.vector(b)).to_bits(), "{a} {b}");
            // (Weights of 100,000-term vectors are too small for 16 bits to
            // keep the 0-1 cosine within the bound; a vectorized article has
            // at most a few hundred terms.)
            if a == 2 || b == 2 {
                assert!((held - vectors[a].cosine(&vectors[b])).abs() <= 3e-4, "{a} {b}: {held}");
            }
        }
    }

    #[test]
    fn vectors_in_several_pieces_keep_their_order() {
        // Article i has terms i and i + 1, so every term but the first and
        // last is shared, and neighbours overlap across piece boundaries.
        let n = 2 * PIECE + 5;
        let vectors: Vec<SparseVec> =
            (0..n as u64).map(|i| SparseVec::normalized(vec![(i, 1.0 + (i % 7) as f32), (i + 1, 2.0)])).collect();
        let mut df = DocFreq::default();
        vectors.iter().for_each(|v| df.add(v.terms.iter().copied()));
        let compact = PairVectors::new(&vectors, &df);
        assert_eq!(compact.len(), n);
        let mut table = CosineTable::new(&compact);
        for a in [0, PIECE - 1, PIECE, 2 * PIECE - 1, 2 * PIECE, n - 3] {
            let b = a + 1;
            assert_eq!(table.cosine(a, b).to_bits(), compact.vector(a).cosine(&compact.vector(b)).to_bits(), "{a} {b}");
            assert!(table.cosine(a, b) > 0.0);
            assert_eq!(compact.vector(b).terms, vectors[b].terms, "article {b} keeps both terms");
        }
        assert_eq!(compact.vector(0).terms, vec![1], "term 0 is article 0's alone");
        assert_eq!(compact.vector(n - 1).terms, vec![n as u64 - 1], "so is the last article's last term");
    }

    #[test]
    fn piece_vectors_are_the_per_article_ones_with_the_shared_terms_ids() {
        // English (with stop words and a shipped table), Vietnamese (word
        // pairs) and a language with neither, in one piece.
        let analyzer = crate::tokenize::Analyzer::new();
        let texts = [
            ("en", "The minister said the talks in Minsk would go on, the minister said."),
            ("vi", "Bộ trưởng nói rằng các cuộc đàm phán sẽ tiếp tục tại Minsk."),
            ("en", "Talks in Minsk: the minister and the envoy met again on Monday."),
            ("xx", "zorp blarg zorp minsk minsk minsk"),
            ("vi", "Các cuộc đàm phán tại Minsk sẽ tiếp tục, bộ trưởng nói."),
        ];
        let lists: Vec<Vec<TermHash>> = texts.iter().map(|(_, t)| analyzer.term_hashes(t).unwrap()).collect();
        let mut df = DocFreq::default();
        for list in &lists {
            let mut distinct = list.clone();
            distinct.extend(list.windows(2).map(|w| pair_hash(w[0], w[1])));
            df.add_with_repeats(&mut distinct);
        }
        let model = IdfModel::embedded();
        let stop_words = StopWords::for_languages(["en", "vi", "xx"], &analyzer);
        let weighting = Weighting::new(&df, &model, DEFAULT_PRIOR_DOCS).with_stop_words(&stop_words);
        let packed = crate::tokenize::PackedTerms::pack(lists.iter().map(Vec::as_slice));
        // Two ways to number the shared terms: from this batch's counts,
        // and (as the anchors are) from several tables, here one more that
        // shares two words only one article has, so that their counts come
        // from `df` and their ids differ from the first table's.
        let mut extra = DocFreq::default();
        for _ in 0..2 {
            extra.add_with_repeats(&mut analyzer.term_hashes("zorp blarg").unwrap());
        }
        for shared in [SharedTerms::new(&df), SharedTerms::of_any(&[&df, &extra])] {
            let mut piece = PieceVectorizer::new(&weighting, packed.vocabulary(), &shared);
            let (mut numbers, mut some_shared, mut some_not) = (Vec::new(), false, false);
            // Terms of one article that the second table shares.
            let mut some_counted_once = false;
            let (mut numbered, mut looked_up) = (VectorPiece::default(), VectorPiece::default());
            for (doc, ((lang, _), list)) in texts.iter().zip(&lists).enumerate() {
                packed.numbers_into(doc, &mut numbers);
                for max_terms in [3, 100] {
                    let whole = weighting.vectorize(list, lang, max_terms);
                    assert!(!whole.is_empty());
                    let made = piece.vectorize(&numbers, list, lang, max_terms);
                    assert_eq!(made.vector, whole, "{lang} {doc} {max_terms}");
                    // Each term's id is the shared terms' own, word pairs too.
                    for (&t, &id) in whole.terms.iter().zip(&made.ids) {
                        assert_eq!(shared.find(t).map(|(id, _)| id), (id != NOT_SHARED).then_some(id), "{lang} {t}");
                        (some_shared, some_not) = (some_shared || id != NOT_SHARED, some_not || id == NOT_SHARED);
                        some_counted_once |= id != NOT_SHARED && df.get(t) < 2;
                    }
                    let keys: Vec<TermHash> =
                        made.top_shared_ids(4).iter().map(|&id| shared.terms[id as usize]).collect();
                    assert_eq!(keys, whole.top_terms_where(4, |t| shared.find(t).is_some()));
                    numbered.push_numbered(&made);
                    looked_up.push(&whole, &shared);
                }
            }
            assert!(some_shared && some_not);
            assert_eq!(some_counted_once, shared.counts.is_empty());
            assert_eq!(
                (numbered.starts, numbered.gaps, numbered.weights),
                (looked_up.starts, looked_up.gaps, looked_up.weights)
            );
        }
    }

    /// Keeps the first weight of a repeated term (the random vectors above may repeat one).
    fn dedup(v: SparseVec) -> SparseVec {
        let mut pairs: Vec<(TermHash, f32)> = v.terms.into_iter().zip(v.weights).collect();
        pairs.dedup_by_key(|p| p.0);
        SparseVec::normalized(pairs)
    }

    #[test]
    fn top_terms_are_the_heaviest_in_order_and_hold_no_spare_room() {
        let v = SparseVec::normalized((1..=300).map(|t| (t, (t % 50) as f32)).collect());
        let top = v.top_terms(4);
        // Weight 49 is held by terms 49, 99, ... 299; ties go to the smaller hash.
        assert_eq!(top, vec![49, 99, 149, 199]);
        assert_eq!(top.capacity(), 4);
        assert_eq!(v.top_terms_where(2, |t| t % 2 == 0), vec![48, 98]);
        // Too few kept among the heaviest tried: the whole vector is filtered.
        assert_eq!(v.top_terms_where(3, |t| t % 50 < 30), vec![29, 79, 129]);
        assert_eq!(v.top_terms_where(2, |t| t == 7 || t == 300), vec![7, 300]);
        let where_ = v.top_terms_where(12, |t| t % 3 != 0);
        assert_eq!(where_.capacity(), 12);
        let mut by_filter: Vec<(f32, u64)> =
            v.terms.iter().zip(&v.weights).filter(|(t, _)| *t % 3 != 0).map(|(&t, &w)| (-w, t)).collect();
        by_filter.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        assert_eq!(where_, by_filter.iter().take(12).map(|p| p.1).collect::<Vec<_>>());
    }

    #[test]
    fn cosine_of_identical_vectors_is_one() {
        let v = SparseVec::normalized(vec![(3, 1.0), (1, 2.0)]);
        assert!((v.cosine(&v) - 1.0).abs() < 1e-6);
        let w = SparseVec::normalized(vec![(2, 1.0)]);
        assert_eq!(v.cosine(&w), 0.0);
    }

    #[test]
    fn malformed_table_is_an_error_naming_the_line() {
        let err = LangIdf::parse("#unseen\t9\nword-without-tab\n", Path::new("xx")).unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
    }
}
