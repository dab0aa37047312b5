//! Per-article signatures made one article at a time, given the statistics
//! of the whole batch: what the stages after vectorize read of an article
//! (its TF-IDF vector and candidate keys, its shingle sketch and the
//! shingles the roles stage compares, its anchor vector and keys).
//!
//! [`crate::Pipeline::run`] makes the same signatures a piece of articles
//! at a time; this is the form for an engine whose workers each hold a part
//! of the batch ([`BatchStats`] of the parts merge in any order, then every
//! worker signs its own articles), and for an index that keeps the
//! statistics between batches.

use serde::{Deserialize, Serialize};

use crate::candidates::term_keys_of;
use crate::params::ValidParams;
use crate::sketch::ShingleSketch;
use crate::tfidf::{held, DocFreq, IdfModel, SparseVec, StopWords, Weighting};
use crate::tokenize::{indexes_word_pairs, pair_hash, shingles as shingle_hashes, TermHash};
use crate::verify::{PairFacts, PairSide};

/// The statistics of a batch that an article's signature depends on.
/// Those of the parts of a batch merge, in any order, into the batch's.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BatchStats {
    /// Document frequencies of terms (and of Vietnamese syllable pairs).
    pub terms: DocFreq,
    /// Document frequencies of anchors (numbers and names).
    pub anchors: DocFreq,
}

impl BatchStats {
    /// Counts one analyzed article: its terms and anchors in text order, its language.
    pub fn add(&mut self, terms: &[TermHash], anchors: &[TermHash], lang: &str) {
        let mut distinct = terms.to_vec();
        self.terms.add_with_repeats(&mut distinct);
        if indexes_word_pairs(lang) {
            let mut pairs: Vec<TermHash> = terms.windows(2).map(|w| pair_hash(w[0], w[1])).collect();
            self.terms.count_distinct(&mut pairs);
        }
        let mut distinct = anchors.to_vec();
        self.anchors.add_with_repeats(&mut distinct);
    }

    /// Adds the counts of another part of the batch.
    pub fn merge(&mut self, other: BatchStats) {
        self.terms.merge(other.terms);
        self.anchors.merge(other.anchors);
    }
}

/// What the stages after vectorize read of one article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signature {
    /// TF-IDF vector, at most `max_terms` terms.
    pub vector: SparseVec,
    /// Candidate keys: the heaviest terms another article also has.
    pub keys: Vec<TermHash>,
    /// Shingle sketch.
    pub sketch: ShingleSketch,
    /// Every shingle's hash (its high 32 bits), in text order, for the roles stage.
    pub shingles: Vec<u32>,
    /// Anchor vector (numbers and names).
    pub anchor_vector: SparseVec,
    /// Candidate keys of the anchor vector (read in cross-language mode).
    pub anchor_keys: Vec<TermHash>,
}

/// Signs articles with a batch's statistics.
#[derive(Debug)]
pub struct Signer<'a> {
    params: &'a ValidParams,
    stats: &'a BatchStats,
    terms: Weighting<'a>,
    anchors: Weighting<'a>,
}

impl<'a> Signer<'a> {
    /// A signer with the batch's statistics, the shipped IDF tables, the
    /// stop words of the articles' languages and no IDF tables for anchors.
    pub fn new(
        params: &'a ValidParams,
        stats: &'a BatchStats,
        idf: &'a IdfModel,
        no_tables: &'a IdfModel,
        stop_words: &'a StopWords,
    ) -> Signer<'a> {
        Signer {
            params,
            stats,
            terms: Weighting::new(&stats.terms, idf, params.idf_prior_docs()).with_stop_words(stop_words),
            anchors: Weighting::new(&stats.anchors, no_tables, 0.0).with_stop_words(stop_words),
        }
    }

    /// The signature of an article of language `lang` whose terms and anchors
    /// (in text order) are given.
    pub fn sign(&self, terms: &[TermHash], anchors: &[TermHash], lang: &str) -> Signature {
        let params = self.params;
        let vector = self.terms.vectorize(terms, lang, params.max_terms());
        let keys = term_keys_of(&vector, &self.stats.terms, params);
        let full = shingle_hashes(terms, params.shingle_size());
        let shingles = full.iter().map(|&h| (h >> 32) as u32).collect();
        let sketch = ShingleSketch::new(&full, params.sketch_size());
        let anchor_vector = self.anchors.vectorize(anchors, lang, params.max_terms());
        let anchor_keys = term_keys_of(&anchor_vector, &self.stats.anchors, params);
        Signature { vector, keys, sketch, shingles, anchor_vector, anchor_keys }
    }

    /// What verification reads of an article signed `signature`, of
    /// language `lang`, with `facts`: for an engine that verifies pairs
    /// on its workers ([`crate::key_groups::verify_proposed`]).
    pub fn side(&self, signature: &Signature, lang: &str, facts: PairFacts) -> PairSide {
        PairSide {
            vector: held(&signature.vector, &self.stats.terms),
            sketch: signature.sketch.clone(),
            anchors: signature.anchor_vector.clone(),
            lang: lang.to_string(),
            facts,
        }
    }
}
