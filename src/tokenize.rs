//! Tokenize: cleaned text → a sequence of term hashes.
//!
//! Built on the `tokenizers` crate: the normalizer sequence is NFKC followed
//! by lowercasing (a no-op for scripts without case; no accent stripping,
//! which would corrupt Japanese voicing marks, Thai tone marks and Hindi vowel
//! signs), and Turkish İ, which lowercases to i + a combining dot, folded to i. The pre-tokenizer sequence splits on whitespace, removes
//! punctuation and splits where the Unicode script changes. Each piece is then
//! turned into terms by its script:
//!
//! | script | terms |
//! |---|---|
//! | Han, Hiragana, Katakana (written without spaces) | overlapping character bigrams |
//! | Thai, Lao, Khmer, Myanmar (no spaces, many combining marks) | overlapping character trigrams |
//! | everything else | the word itself (single letters dropped) |
//!
//! Terms are identified by a 64-bit hash of their text, so batches processed
//! on different machines agree on term ids without sharing a vocabulary.

use rustc_hash::FxHashMap;
use tokenizers::normalizers::replace::Replace;
use tokenizers::normalizers::{Lowercase, NormalizerWrapper, Sequence as NormalizerSequence, NFKC};
use tokenizers::pre_tokenizers::punctuation::Punctuation;
use tokenizers::pre_tokenizers::sequence::Sequence as PreTokenizerSequence;
use tokenizers::pre_tokenizers::unicode_scripts::UnicodeScripts;
use tokenizers::pre_tokenizers::whitespace::WhitespaceSplit;
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
use tokenizers::{
    NormalizedString, Normalizer, OffsetReferential, OffsetType, PreTokenizedString, PreTokenizer,
    SplitDelimiterBehavior,
};
use unicode_script::{Script, UnicodeScript};
use xxhash_rust::xxh3::xxh3_64;

use crate::error::{Error, Result};

/// A term's id: the xxh3 hash of its normalized text.
pub type TermHash = u64;

/// Hash of a term's text, as used everywhere a term is looked up.
pub fn term_hash(term: &str) -> TermHash {
    xxh3_64(term.as_bytes())
}

/// How a script is segmented into terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segmentation {
    /// Words separated by spaces: one term per word.
    Words,
    /// Chinese and Japanese: overlapping character bigrams.
    CharBigrams,
    /// Thai, Lao, Khmer, Myanmar: overlapping character trigrams.
    CharTrigrams,
}

/// The segmentation a script calls for.
pub fn segmentation_of(script: Script) -> Segmentation {
    match script {
        Script::Han | Script::Hiragana | Script::Katakana => Segmentation::CharBigrams,
        Script::Thai | Script::Lao | Script::Khmer | Script::Myanmar => Segmentation::CharTrigrams,
        _ => Segmentation::Words,
    }
}

/// Normalizes and splits text into terms (see the module docs).
#[derive(Debug, Clone)]
pub struct Analyzer {
    normalizer: NormalizerSequence,
    pre_tokenizer: PreTokenizerSequence,
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new()
    }
}

impl Analyzer {
    /// The multilingual analyzer used by the pipeline.
    pub fn new() -> Analyzer {
        // Lowercasing Turkish İ gives i + U+0307 (combining dot above), which
        // the script pre-tokenizer would cut off the word: fold it to i.
        let dotted_i = Replace::new("i\u{307}", "i").expect("a plain string pattern compiles");
        let normalizer = NormalizerSequence::new(vec![
            NormalizerWrapper::NFKC(NFKC),
            NormalizerWrapper::Lowercase(Lowercase),
            NormalizerWrapper::Replace(dotted_i),
        ]);
        let pre_tokenizer = PreTokenizerSequence::new(vec![
            PreTokenizerWrapper::WhitespaceSplit(WhitespaceSplit),
            PreTokenizerWrapper::Punctuation(Punctuation::new(SplitDelimiterBehavior::Removed)),
            PreTokenizerWrapper::UnicodeScripts(UnicodeScripts::new()),
        ]);
        Analyzer { normalizer, pre_tokenizer }
    }

    /// The normalized pieces of `text` before script segmentation.
    fn pieces(&self, text: &str) -> Result<Vec<String>> {
        let stage =
            |e: Box<dyn std::error::Error + Send + Sync>| Error::Stage { stage: "tokenize", reason: e.to_string() };
        let mut normalized = NormalizedString::from(text);
        self.normalizer.normalize(&mut normalized).map_err(stage)?;
        let mut pre = PreTokenizedString::from(normalized);
        self.pre_tokenizer.pre_tokenize(&mut pre).map_err(stage)?;
        Ok(pre
            .get_splits(OffsetReferential::Normalized, OffsetType::Byte)
            .into_iter()
            .map(|(s, _, _)| s.to_owned())
            .collect())
    }

    /// Calls `emit` with each term of `text`, in order.
    ///
    /// Runs of plain words (ASCII, typographic quotes and dashes) take the
    /// fast path and the runs of other words between them the general one.
    /// That changes no term: ASCII whitespace is left alone by NFKC,
    /// composes with nothing and splits pieces, so neither the normalizers
    /// nor the pre-tokenizers carry anything across it. An English text with
    /// one "£" or "é" then sends a word, not the whole text, through the
    /// slow path.
    pub fn for_each_term(&self, text: &str, mut emit: impl FnMut(&str)) -> Result<()> {
        let bytes = text.as_bytes();
        // Text before `plain_from` has been handed on; `at` is where the
        // search for the next character the fast path cannot take resumes.
        let (mut plain_from, mut at) = (0, 0);
        while let Some(offset) = bytes[at..].iter().position(|b| !b.is_ascii()) {
            let found = at + offset;
            let c = text[found..].chars().next().expect("a character starts at a non-ASCII lead byte");
            if c == NO_BREAK_SPACE || PLAIN_PUNCTUATION.contains(&c) {
                at = found + c.len_utf8();
                continue;
            }
            // The words around it that are not plain, one after another, are one run.
            let run_start = bytes[..found].iter().rposition(u8::is_ascii_whitespace).map_or(0, |i| i + 1);
            let mut run_end = word_end(bytes, found);
            loop {
                let next_start = run_end + bytes[run_end..].iter().take_while(|b| b.is_ascii_whitespace()).count();
                let next_end = word_end(bytes, next_start);
                if next_start == next_end || is_plain(&text[next_start..next_end]) {
                    break;
                }
                run_end = next_end;
            }
            plain_terms(&text[plain_from..run_start], &mut emit);
            self.for_each_term_general(&text[run_start..run_end], &mut emit)?;
            (plain_from, at) = (run_end, run_end);
        }
        plain_terms(&text[plain_from..], &mut emit);
        Ok(())
    }

    /// [`Analyzer::for_each_term`] through the `tokenizers` normalizers and
    /// pre-tokenizers, for any text.
    pub fn for_each_term_general(&self, text: &str, mut emit: impl FnMut(&str)) -> Result<()> {
        let mut buf = String::new();
        for piece in self.pieces(text)? {
            let Some(script) =
                piece.chars().map(|c| c.script()).find(|s| !matches!(s, Script::Common | Script::Inherited))
            else {
                // Digits and symbols only: keep numbers, drop symbol runs.
                if piece.chars().any(char::is_alphanumeric) {
                    emit(&piece);
                }
                continue;
            };
            match segmentation_of(script) {
                Segmentation::Words => {
                    if piece.chars().nth(1).is_some() && piece.chars().any(char::is_alphanumeric) {
                        emit(&piece);
                    }
                }
                Segmentation::CharBigrams => char_ngrams(&piece, 2, &mut buf, &mut emit),
                Segmentation::CharTrigrams => char_ngrams(&piece, 3, &mut buf, &mut emit),
            }
        }
        Ok(())
    }

    /// The terms of `text` as strings (for tests, fixtures and debugging).
    pub fn terms(&self, text: &str) -> Result<Vec<String>> {
        let mut out = Vec::new();
        self.for_each_term(text, |t| out.push(t.to_owned()))?;
        Ok(out)
    }

    /// The term hashes of `text`, in order.
    pub fn term_hashes(&self, text: &str) -> Result<Vec<TermHash>> {
        let mut out = Vec::new();
        self.for_each_term(text, |t| out.push(term_hash(t)))?;
        Ok(out)
    }
}

/// Non-ASCII characters the fast path handles: typographic punctuation that
/// the general path removes (NFKC leaves it alone, or makes "..." of "…"),
/// and the no-break space, which NFKC makes a space.
const PLAIN_PUNCTUATION: &[char] =
    &['\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2013}', '\u{2014}', '\u{2026}', '\u{AB}', '\u{BB}'];
const NO_BREAK_SPACE: char = '\u{A0}';

/// Can [`plain_terms`] stand in for the general path? True for ASCII text
/// with, at most, the characters of [`PLAIN_PUNCTUATION`] and no-break
/// spaces: most English news.
fn is_plain(text: &str) -> bool {
    text.chars().all(|c| c.is_ascii() || c == NO_BREAK_SPACE || PLAIN_PUNCTUATION.contains(&c))
}

/// Where the word that has a byte at `at` ends: the next ASCII whitespace
/// (a whole character, so a character boundary) or the end.
fn word_end(bytes: &[u8], at: usize) -> usize {
    bytes[at..].iter().position(u8::is_ascii_whitespace).map_or(bytes.len(), |i| at + i)
}

/// What a character of plain text is to the tokenizer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PlainClass {
    /// Whitespace or punctuation: ends a piece and is dropped.
    Break,
    /// A Latin letter.
    Letter,
    /// A digit or another character of the Common script.
    Common,
}

/// What an ASCII character is to the tokenizer.
fn ascii_class(c: u8) -> PlainClass {
    if c.is_ascii_alphabetic() {
        PlainClass::Letter
    } else if char::from(c).is_whitespace() || c.is_ascii_punctuation() {
        PlainClass::Break
    } else {
        PlainClass::Common
    }
}

/// The terms of plain text (see [`is_plain`]), exactly as the general path
/// makes them, without its normalized-string bookkeeping: lowercase, cut at
/// whitespace and punctuation and where letters meet digits (the script
/// changes), one-letter words dropped, numbers kept. `tests/properties.rs`
/// checks the two paths agree.
///
/// Works a byte at a time: in plain text every non-ASCII character is a
/// break (see [`PLAIN_PUNCTUATION`]), so a run of letters or digits is
/// ASCII and its ends are character boundaries.
fn plain_terms(text: &str, emit: &mut impl FnMut(&str)) {
    let classes: &[PlainClass; 256] = &PLAIN_BYTE_CLASSES;
    let bytes = text.as_bytes();
    let mut lower = String::new();
    let mut at = 0;
    while at < bytes.len() {
        let class = classes[usize::from(bytes[at])];
        let start = at;
        while at < bytes.len() && classes[usize::from(bytes[at])] == class {
            at += 1;
        }
        let piece = &text[start..at];
        match class {
            PlainClass::Letter if piece.len() >= 2 => {
                if piece.bytes().any(|b| b.is_ascii_uppercase()) {
                    lower.clear();
                    lower.push_str(piece);
                    lower.make_ascii_lowercase();
                    emit(&lower);
                } else {
                    emit(piece);
                }
            }
            PlainClass::Common if piece.bytes().any(|b| b.is_ascii_digit()) => emit(piece),
            _ => {}
        }
    }
}

/// The class of each byte of plain text: [`ascii_class`] for an ASCII
/// byte, a break for any byte of a longer character (the no-break space
/// and [`PLAIN_PUNCTUATION`], all breaks).
static PLAIN_BYTE_CLASSES: std::sync::LazyLock<[PlainClass; 256]> = std::sync::LazyLock::new(|| {
    std::array::from_fn(|b| u8::try_from(b).ok().filter(u8::is_ascii).map_or(PlainClass::Break, ascii_class))
});

/// Emits overlapping character n-grams of `piece`; a piece shorter than `n`
/// is emitted whole. Combining marks stay attached to their base character.
fn char_ngrams(piece: &str, n: usize, buf: &mut String, emit: &mut impl FnMut(&str)) {
    let mut clusters: Vec<&str> = Vec::new();
    let mut start = 0;
    for (i, c) in piece.char_indices().skip(1) {
        if !is_combining(c) {
            clusters.push(&piece[start..i]);
            start = i;
        }
    }
    clusters.push(&piece[start..]);
    if clusters.len() <= n {
        emit(piece);
        return;
    }
    for w in clusters.windows(n) {
        buf.clear();
        w.iter().for_each(|c| buf.push_str(c));
        emit(buf);
    }
}

fn is_combining(c: char) -> bool {
    c.script() == Script::Inherited
        || matches!(c as u32, 0x0E31 | 0x0E34..=0x0E3A | 0x0E47..=0x0E4E | 0x0EB1 | 0x0EB4..=0x0EBC | 0x0EC8..=0x0ECD | 0x17B4..=0x17D3 | 0x102B..=0x103E)
}

/// Languages whose spaces separate syllables rather than words (Vietnamese):
/// their TF-IDF vectors also index adjacent pairs, as Chinese and Japanese
/// are indexed by character bigrams.
pub fn indexes_word_pairs(lang: &str) -> bool {
    lang == "vi"
}

/// The id of the word pair (`first`, `second`), in the same space as term hashes.
pub fn pair_hash(first: TermHash, second: TermHash) -> TermHash {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&first.to_le_bytes());
    bytes[8..].copy_from_slice(&second.to_le_bytes());
    xxh3_64(&bytes)
}

/// Hashes of overlapping `k`-term shingles (a text shorter than `k` terms
/// gives one shingle of all its terms).
pub fn shingles(terms: &[TermHash], k: usize) -> Vec<u64> {
    if terms.is_empty() {
        return Vec::new();
    }
    let k = k.min(terms.len());
    terms
        .windows(k)
        .map(|w| {
            let mut bytes = [0u8; 8 * 8];
            let k = w.len().min(8);
            for (i, t) in w.iter().take(k).enumerate() {
                bytes[i * 8..i * 8 + 8].copy_from_slice(&t.to_le_bytes());
            }
            xxh3_64(&bytes[..k * 8])
        })
        .collect()
}

/// The term lists of a run of consecutive articles, packed small: a batch
/// holds them from analysis until its document frequencies are known and
/// it can be vectorized, and as 8-byte hashes they were the largest thing
/// it ever held (2 GiB at a million articles).
///
/// Each term is numbered in the run's own vocabulary, the run's most used
/// terms first, and the number written in 7-bit groups (LEB128): the 128
/// commonest terms of a run, a good half of a text's words, take one byte,
/// the next 16,256 two. A news text packs to about 1.5 bytes a term.
#[derive(Debug, Clone, Default)]
pub struct PackedTerms {
    /// The distinct terms of the run, most used first.
    vocabulary: Vec<TermHash>,
    /// Where each article's bytes start in `bytes`; one more entry than articles.
    starts: Vec<usize>,
    /// Every article's terms, in order, as variable-length indexes into `vocabulary`.
    bytes: Vec<u8>,
}

impl PackedTerms {
    /// Packs the term lists of consecutive articles.
    pub fn pack<'a>(lists: impl IntoIterator<Item = &'a [TermHash]> + Clone) -> PackedTerms {
        // Number the terms in order of first use and count their uses...
        let total = lists.clone().into_iter().map(<[TermHash]>::len).sum();
        let mut numbers: Vec<u32> = Vec::with_capacity(total);
        let mut starts = vec![0];
        // Each term's number and uses, in one entry: one lookup a term.
        let mut first_use: FxHashMap<TermHash, (u32, u32)> = FxHashMap::default();
        for list in lists {
            for &term in list {
                // A run holds fewer than 2^32 terms (its articles are at most a few MB each).
                let next = first_use.len() as u32;
                let (number, uses) = first_use.entry(term).or_insert((next, 0));
                *uses += 1;
                numbers.push(*number);
            }
            starts.push(numbers.len());
        }
        let mut terms: Vec<(TermHash, u32)> = vec![(0, 0); first_use.len()];
        for (term, (number, uses)) in first_use {
            terms[number as usize] = (term, uses);
        }
        // ...then give the most used the smallest numbers (ties in order of first use).
        let mut by_use: Vec<u32> = (0..terms.len() as u32).collect();
        by_use.sort_unstable_by_key(|&n| (std::cmp::Reverse(terms[n as usize].1), n));
        let mut rank = vec![0u32; terms.len()];
        for (r, &n) in by_use.iter().enumerate() {
            rank[n as usize] = r as u32;
        }
        let vocabulary = by_use.iter().map(|&n| terms[n as usize].0).collect();
        let mut bytes = Vec::with_capacity(total * 2);
        let mut byte_starts = Vec::with_capacity(starts.len());
        byte_starts.push(0);
        for doc in starts.windows(2) {
            numbers[doc[0]..doc[1]].iter().for_each(|&n| write_varint(&mut bytes, rank[n as usize]));
            byte_starts.push(bytes.len());
        }
        bytes.shrink_to_fit();
        PackedTerms { vocabulary, starts: byte_starts, bytes }
    }

    /// Number of articles.
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// True when no article is packed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes the packed terms take (without the vocabulary).
    pub fn packed_bytes(&self) -> usize {
        self.bytes.len()
    }

    /// The `doc`-th article's terms, in order, as indexes into
    /// [`PackedTerms::vocabulary`], into `out` (emptied first).
    pub fn numbers_into(&self, doc: usize, out: &mut Vec<u32>) {
        out.clear();
        self.decode(doc, |n| out.push(n));
    }

    /// The `doc`-th article's terms, in order, into `out` (emptied first).
    pub fn list_into(&self, doc: usize, out: &mut Vec<TermHash>) {
        out.clear();
        self.decode(doc, |n| out.push(self.vocabulary[n as usize]));
    }

    /// Calls `each` with the `doc`-th article's vocabulary numbers, in
    /// order: one loop over its bytes, 7 bits a byte, the last byte of each
    /// number under 0x80 ([`write_varint`]).
    fn decode(&self, doc: usize, mut each: impl FnMut(u32)) {
        let (mut number, mut shift) = (0u32, 0u32);
        for &byte in &self.bytes[self.starts[doc]..self.starts[doc + 1]] {
            number |= u32::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                each(number);
                (number, shift) = (0, 0);
            } else {
                shift += 7;
            }
        }
    }

    /// The distinct terms of the packed articles, most used first.
    pub fn vocabulary(&self) -> &[TermHash] {
        &self.vocabulary
    }

    /// The `doc`-th article's packed bytes: its numbers, in 7-bit groups
    /// ([`unpack_list`] reads them back with the vocabulary).
    pub fn list(&self, doc: usize) -> &[u8] {
        &self.bytes[self.starts[doc]..self.starts[doc + 1]]
    }
}

/// The terms of one packed list ([`PackedTerms::list`]) of `vocabulary`
/// ([`PackedTerms::vocabulary`]); `None` when the bytes are not such a list
/// (a number cut short, too large, or past the vocabulary's end), as bytes
/// from elsewhere may be.
pub fn unpack_list(mut bytes: &[u8], vocabulary: &[TermHash]) -> Option<Vec<TermHash>> {
    let mut terms = Vec::with_capacity(bytes.len());
    while !bytes.is_empty() {
        let (mut n, mut shift, mut end) = (0u64, 0, None);
        for (i, &b) in bytes.iter().enumerate().take(5) {
            n |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                end = Some(i + 1);
                break;
            }
            shift += 7;
        }
        bytes = &bytes[end?..];
        terms.push(*vocabulary.get(usize::try_from(n).ok()?)?);
    }
    terms.shrink_to_fit();
    Some(terms)
}

/// Appends `n` in 7-bit groups, low first, the high bit of each byte but
/// the last set.
fn write_varint(out: &mut Vec<u8>, mut n: u32) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_terms_unpack_to_the_lists_packed() {
        let lists: Vec<Vec<TermHash>> = vec![vec![7, 3, 7, 9], vec![], vec![9, 1, 3]];
        let packed = PackedTerms::pack(lists.iter().map(Vec::as_slice));
        assert_eq!(packed.len(), 3);
        // Most used first; 3 and 9 tie with 7 and are numbered by first use.
        assert_eq!(packed.vocabulary, vec![7, 3, 9, 1]);
        let mut numbers = vec![42];
        for (doc, list) in lists.iter().enumerate() {
            packed.numbers_into(doc, &mut numbers);
            assert_eq!(unpacked(&packed, &numbers), *list);
        }
    }

    /// The terms numbers stand for in `packed`'s vocabulary.
    fn unpacked(packed: &PackedTerms, numbers: &[u32]) -> Vec<TermHash> {
        numbers.iter().map(|&n| packed.vocabulary()[n as usize]).collect()
    }

    #[test]
    fn packed_terms_give_common_terms_short_numbers_and_unpack_any_vocabulary() {
        // 40,000 distinct terms: numbers of one, two and three bytes.
        let rare: Vec<TermHash> = (0..40_000u64).map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15)).collect();
        let common: Vec<TermHash> = vec![5; 1000];
        let lists = [rare.clone(), common.clone(), rare.iter().rev().copied().collect()];
        let packed = PackedTerms::pack(lists.iter().map(Vec::as_slice));
        assert_eq!(packed.vocabulary[0], 5, "the most used term is numbered first");
        // The common term takes a byte a use; 128 + 16,256 rare terms two
        // bytes or less, the rest three.
        let rare_bytes = 127 + 2 * 16_256 + 3 * (40_000 - 127 - 16_256);
        assert_eq!(packed.packed_bytes(), 1000 + 2 * rare_bytes);
        let mut numbers = Vec::new();
        for (doc, list) in lists.iter().enumerate() {
            packed.numbers_into(doc, &mut numbers);
            assert_eq!(unpacked(&packed, &numbers), *list);
        }
    }

    #[test]
    fn packed_lists_read_back_alone_and_bad_bytes_are_refused() {
        let rare: Vec<TermHash> = (0..20_000u64).map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15)).collect();
        let lists = [rare.clone(), vec![], vec![rare[19_999], rare[0], rare[0]]];
        let packed = PackedTerms::pack(lists.iter().map(Vec::as_slice));
        for (doc, list) in lists.iter().enumerate() {
            assert_eq!(unpack_list(packed.list(doc), packed.vocabulary()).as_ref(), Some(list));
        }
        let vocabulary = packed.vocabulary();
        assert_eq!(unpack_list(&[0x80], vocabulary), None, "a number cut short");
        assert_eq!(unpack_list(&[0xff, 0xff, 0xff, 0xff, 0xff, 0x01], vocabulary), None, "too long a number");
        assert_eq!(unpack_list(&[0x80, 0x80, 0x02], vocabulary), None, "past the vocabulary");
        assert_eq!(unpack_list(&[1], &[]), None, "no vocabulary");
    }

    fn terms(text: &str) -> Vec<String> {
        Analyzer::new().terms(text).unwrap()
    }

    /// One sentence per script: what the analyzer must make of it.
    macro_rules! script_fixture {
        ($($name:ident: $text:expr => $expected:expr;)*) => {$(
            #[test]
            fn $name() {
                let got = terms($text);
                let expected: Vec<&str> = $expected;
                assert_eq!(got, expected, "terms of {:?}; if the tokenizer changed on purpose, update this fixture", $text);
            }
        )*};
    }

    script_fixture! {
        english: "Putin's warlord ally, flying 5,000 migrants!" => vec!["putin", "warlord", "ally", "flying", "5", "000", "migrants"];
        german: "Die Straße in Köln ist GESPERRT." => vec!["die", "straße", "in", "köln", "ist", "gesperrt"];
        french: "L'été à Paris: déjà vu." => vec!["été", "paris", "déjà", "vu"];
        russian: "Москва заявила, что РЕЙСЫ отменены" => vec!["москва", "заявила", "что", "рейсы", "отменены"];
        greek: "Η Αθήνα είναι ΠΡΩΤΕΥΟΥΣΑ" => vec!["αθήνα", "είναι", "πρωτευουσα"];
        arabic: "قالت الحكومة إن الرحلات زادت" => vec!["قالت", "الحكومة", "إن", "الرحلات", "زادت"];
        hindi: "सरकार ने उड़ानों की जांच की" => vec!["सरकार", "ने", "उड़ानों", "की", "जांच", "की"];
        chinese: "欧盟官员表示" => vec!["欧盟", "盟官", "官员", "员表", "表示"];
        japanese: "ミンスク行きの便" => vec!["ミン", "ンス", "スク", "ク行", "行き", "きの", "の便"];
        korean: "유럽연합 관리들이 말했다" => vec!["유럽연합", "관리들이", "말했다"];
        thai: "รัฐบาลไทย" => vec!["รัฐบ", "ฐบา", "บาล", "าลไ", "ลไท", "ไทย"];
        mixed: "Reuters报道: 新航线" => vec!["reuters", "报道", "新航", "航线"];
        spanish: "El Gobierno aprobó ayer la reforma" => vec!["el", "gobierno", "aprobó", "ayer", "la", "reforma"];
        ukrainian: "Уряд України ухвалив рішення" => vec!["уряд", "україни", "ухвалив", "рішення"];
        hebrew: "הממשלה אישרה את התוכנית" => vec!["הממשלה", "אישרה", "את", "התוכנית"];
        persian: "دولت ایران این طرح را تصویب کرد" => vec!["دولت", "ایران", "این", "طرح", "را", "تصویب", "کرد"];
        bengali: "সরকার পরিকল্পনা অনুমোদন করেছে" => vec!["সরকার", "পরিকল্পনা", "অনুমোদন", "করেছে"];
        tamil: "அரசு திட்டத்தை அங்கீகரித்தது" => vec!["அரசு", "திட்டத்தை", "அங்கீகரித்தது"];
        vietnamese: "Chính phủ đã phê duyệt kế hoạch" => vec!["chính", "phủ", "đã", "phê", "duyệt", "kế", "hoạch"];
        turkish: "İstanbul'da hükümet planı onayladı" => vec!["istanbul", "da", "hükümet", "planı", "onayladı"];
        amharic: "መንግሥት ዕቅዱን አጸደቀ" => vec!["መንግሥት", "ዕቅዱን", "አጸደቀ"];
    }

    #[test]
    fn greek_final_sigma_and_tonos_survive_lowercasing() {
        // NFKC + lowercase keeps the accent on ά; uppercase input loses none.
        assert_eq!(terms("Αθήνα"), vec!["αθήνα"]);
    }

    #[test]
    fn shingles_of_short_text_are_one() {
        assert_eq!(shingles(&[1, 2], 5).len(), 1);
        assert_eq!(shingles(&[1, 2, 3, 4, 5, 6], 5).len(), 2);
        assert!(shingles(&[], 5).is_empty());
    }
}
