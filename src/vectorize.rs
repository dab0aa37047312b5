//! The vectorize stage of a batch analyzed here: the batch's document
//! frequencies, counted from each piece's packed terms and anchors; then,
//! piece by piece, each article's vector, candidate keys, sketch and anchor
//! vector, its shingles for the roles stage spilled to a temporary file;
//! then the pieces joined in article order. [`crate::pipeline`] runs it.
//!
//! Each piece is vectorized, laid out compactly and cut to its keys at
//! once, and its packed terms and anchors freed: the batch's full vectors
//! are never all held.

use rayon::prelude::*;

use crate::candidates::{self, IndexKeys, KeyLists, TermKeys};
use crate::error::Result;
use crate::memory;
use crate::params::ValidParams;
use crate::sketch::ShingleSketch;
use crate::spill::{SpilledLists, SpilledPiece};
use crate::tfidf::{
    DocFreq, FlatPiece, FlatVectors, PairVectors, PieceVector, PieceVectorizer, SharedTerms, VectorPiece, Weighting,
    PIECE,
};
use crate::tokenize::{indexes_word_pairs, pair_hash, shingles as shingle_hashes, PackedTerms, TermHash};

/// The document frequencies a batch analyzed here is weighted by.
#[derive(Default)]
pub struct Frequencies {
    /// Of terms, and of the word pairs that the vectors of some languages add.
    pub terms: DocFreq,
    /// Of anchors (numbers and names).
    pub anchors: DocFreq,
    /// Of pairs of consecutive anchors, in those languages.
    pub anchor_pairs: DocFreq,
}

impl Frequencies {
    /// Counted over each [`PIECE`] of articles (of languages `langs`), from
    /// its packed terms and anchors.
    pub fn of(langs: &[&str], packed_terms: &[PackedTerms], packed_anchors: &[PackedTerms]) -> Frequencies {
        let mut total = Frequencies::default();
        in_order(
            packed_terms.len(),
            |piece| {
                let langs = &langs[piece * PIECE..langs.len().min((piece + 1) * PIECE)];
                let (anchors, anchor_pairs) = anchor_frequencies(langs, &packed_anchors[piece]);
                Frequencies { terms: term_frequencies(langs, &packed_terms[piece]), anchors, anchor_pairs }
            },
            |part| {
                total.terms.merge(part.terms);
                total.anchors.merge(part.anchors);
                total.anchor_pairs.merge(part.anchor_pairs);
            },
        );
        total
    }
}

/// Document frequencies of one piece's terms (and of Vietnamese syllable pairs).
fn term_frequencies(langs: &[&str], packed: &PackedTerms) -> DocFreq {
    // Each vocabulary entry's articles, counted in an array: an article
    // counts once for an entry whose last article it is not.
    let vocabulary = packed.vocabulary();
    let (mut holding, mut last_doc) = (vec![0u32; vocabulary.len()], vec![u32::MAX; vocabulary.len()]);
    let mut df = DocFreq::default();
    let (mut numbers, mut pairs) = (Vec::new(), Vec::new());
    for (i, lang) in langs.iter().enumerate() {
        packed.numbers_into(i, &mut numbers);
        for &n in &numbers {
            let n = n as usize;
            holding[n] += u32::from(last_doc[n] != i as u32);
            last_doc[n] = i as u32;
        }
        if indexes_word_pairs(lang) {
            pairs.clear();
            pairs.extend(numbers.windows(2).map(|w| pair_hash(vocabulary[w[0] as usize], vocabulary[w[1] as usize])));
            df.count_distinct(&mut pairs);
        }
    }
    df.add_counted(langs.len() as u32, vocabulary.iter().copied().zip(holding));
    df
}

/// Document frequencies of one piece's anchors, and of their word pairs
/// where the language's vectors add them.
fn anchor_frequencies(langs: &[&str], packed: &PackedTerms) -> (DocFreq, DocFreq) {
    let (mut anchors, mut anchor_pairs) = (DocFreq::default(), DocFreq::default());
    let (mut list, mut pairs) = (Vec::new(), Vec::new());
    for (i, lang) in langs.iter().enumerate() {
        packed.list_into(i, &mut list);
        if indexes_word_pairs(lang) {
            pairs.clear();
            pairs.extend(list.windows(2).map(|w| pair_hash(w[0], w[1])));
            anchor_pairs.count_distinct(&mut pairs);
        }
        anchors.add_with_repeats(&mut list);
    }
    (anchors, anchor_pairs)
}

/// Counts parts `0..parts` in parallel, a few at a time, and hands each
/// count to `merge` in part order, merging one window of counts while the
/// next is counted. The parts' counts are never all held: per-part
/// frequency tables together hold many times the batch's vocabulary (they
/// made the run's peak at 100k articles).
fn in_order<T: Send>(parts: usize, count: impl Fn(usize) -> T + Sync, mut merge: impl FnMut(T) + Send) {
    let window = 2 * rayon::current_num_threads();
    let mut counted: Vec<T> = Vec::new();
    for start in (0..parts).step_by(window) {
        let (next, ()) = rayon::join(
            || (start..parts.min(start + window)).into_par_iter().map(&count).collect(),
            || counted.drain(..).for_each(&mut merge),
        );
        counted = next;
    }
    counted.into_iter().for_each(merge);
}

/// Vectorizes each article of a packed piece (of languages `langs`) over
/// the piece's vocabulary, and hands `each` its place, its terms (as
/// hashes, in order) and its vector.
fn vectorize_each<'a>(
    packed: &PackedTerms,
    weighting: &'a Weighting<'a>,
    shared: &'a SharedTerms,
    langs: &[&'a str],
    params: &ValidParams,
    mut each: impl FnMut(usize, &[TermHash], PieceVector),
) {
    let vocabulary = packed.vocabulary();
    let mut vectorizer = PieceVectorizer::new(weighting, vocabulary, shared);
    let (mut numbers, mut hashes) = (Vec::new(), Vec::new());
    for (i, &lang) in langs.iter().enumerate() {
        packed.numbers_into(i, &mut numbers);
        hashes.clear();
        hashes.extend(numbers.iter().map(|&n| vocabulary[n as usize]));
        let vector = vectorizer.vectorize(&numbers, &hashes, lang, params.max_terms());
        each(i, &hashes, vector);
    }
}

/// What every piece of a batch is vectorized with.
pub struct Tables<'a> {
    /// The terms' weights.
    pub weighting: &'a Weighting<'a>,
    /// The terms two articles or more have, numbered.
    pub shared: &'a SharedTerms,
    /// The anchors' weights (the batch's frequencies alone).
    pub anchor_weighting: &'a Weighting<'a>,
    /// The anchors (and anchor pairs) two articles or more have, numbered.
    pub anchor_shared: &'a SharedTerms,
    /// The anchors' frequencies, for their candidate keys.
    pub anchor_df: &'a DocFreq,
    /// The run's parameters.
    pub params: &'a ValidParams,
}

/// What the vectorize stage made of one piece of articles.
pub struct Vectorized {
    vectors: VectorPiece,
    /// Each active article's term keys for the candidate index, by number
    /// among the shared terms (none for exact duplicates).
    keys: KeyLists<u32>,
    sketches: Vec<ShingleSketch>,
    /// Where the roles stage's shingles were written.
    shingles: SpilledPiece,
    anchor_vectors: FlatPiece,
    /// Each active article's anchor keys, in cross-language mode.
    anchor_keys: KeyLists,
}

/// The vectorized pieces of a batch joined in article order.
pub struct Joined {
    /// The articles' vectors over the shared terms.
    pub vectors: PairVectors,
    /// Their candidate keys.
    pub keys: IndexKeys,
    /// Their shingle sketches.
    pub sketches: Vec<ShingleSketch>,
    /// Their anchor vectors.
    pub anchor_vectors: FlatVectors,
}

/// While the vectorized pieces are joined, their freed room is handed back
/// after each this many (see [`memory::release_freed`]).
const RELEASE_EVERY: usize = 32;

impl Vectorized {
    /// Vectorizes one piece of articles of languages `langs` (`active`:
    /// which of them have candidate keys; an exact duplicate has none),
    /// whose terms and anchors are `terms` and `anchors`, and writes their
    /// shingle sets to `shingles`. The piece's terms are freed before its
    /// anchors are vectorized.
    pub fn piece<'a>(
        tables: &Tables<'a>,
        langs: &[&'a str],
        active: &[bool],
        terms: PackedTerms,
        anchors: PackedTerms,
        shingles: &SpilledLists,
    ) -> Result<Vectorized> {
        let params = tables.params;
        let mut vectors = VectorPiece::default();
        let mut keys = KeyLists::default();
        let mut sketches = Vec::with_capacity(langs.len());
        let mut shingle_sets = Vec::with_capacity(langs.len());
        vectorize_each(&terms, tables.weighting, tables.shared, langs, params, |i, hashes, v| {
            keys.push(if active[i] { candidates::shared_term_keys_of(&v, params) } else { Vec::new() });
            vectors.push_numbered(&v);
            let full = shingle_hashes(hashes, params.shingle_size());
            let (sketch, set) = ShingleSketch::with_set(&full, params.sketch_size());
            sketches.push(sketch);
            shingle_sets.push(set.to_words());
        });
        drop(terms);
        let (mut anchor_vectors, mut anchor_keys) = (FlatPiece::default(), KeyLists::default());
        vectorize_each(&anchors, tables.anchor_weighting, tables.anchor_shared, langs, params, |i, _, v| {
            if params.cross_language() {
                let anchor_keys_of = || candidates::term_keys_of(&v.vector, tables.anchor_df, params);
                anchor_keys.push(if active[i] { anchor_keys_of() } else { Vec::new() });
            }
            anchor_vectors.push_numbered(&v);
        });
        vectors.shrink_to_fit();
        Ok(Vectorized {
            vectors,
            keys,
            sketches,
            shingles: shingles.write_piece(&shingle_sets)?,
            anchor_vectors,
            anchor_keys,
        })
    }

    /// Joins a batch's pieces, in article order, over `shared` (the terms
    /// two articles or more have); `shingles` learns where each piece's
    /// shingles were written. Anchor keys are kept in cross-language mode.
    pub fn join(
        pieces: Vec<Vectorized>,
        shared: SharedTerms,
        shingles: &mut SpilledLists,
        cross_language: bool,
    ) -> Joined {
        let mut vector_pieces = Vec::with_capacity(pieces.len());
        let mut anchor_pieces = Vec::with_capacity(pieces.len());
        let articles = pieces.iter().map(|p| p.sketches.len()).sum();
        let (mut term_keys, mut sketches) = (KeyLists::<u32>::default(), Vec::with_capacity(articles));
        term_keys.reserve(articles, pieces.iter().map(|p| p.keys.total()).sum());
        let mut anchor_keys = KeyLists::default();
        let mut spilled = Vec::with_capacity(pieces.len());
        for (i, piece) in pieces.into_iter().enumerate() {
            vector_pieces.push(piece.vectors);
            term_keys.append(piece.keys);
            sketches.extend(piece.sketches);
            spilled.push(piece.shingles);
            anchor_pieces.push(piece.anchor_vectors);
            anchor_keys.append(piece.anchor_keys);
            // The keys and sketch lists just copied are freed: their room
            // goes back as the joined ones grow (at a million articles, it
            // made this stage's peak).
            if i % RELEASE_EVERY == RELEASE_EVERY - 1 {
                memory::release_freed();
            }
        }
        shingles.set_pieces(spilled);
        Joined {
            vectors: PairVectors::from_pieces(shared, vector_pieces),
            keys: IndexKeys { terms: TermKeys::Numbers(term_keys), anchors: cross_language.then_some(anchor_keys) },
            sketches,
            anchor_vectors: FlatVectors::from_pieces(anchor_pieces),
        }
    }
}
