//! Clean: article text → the story's own body, without page furniture.
//!
//! Three kinds of evidence decide that a line is not part of the story:
//!
//! 1. **Phrase rules** from `data/boilerplate.txt` (share bars, "Read More @
//!    …", "Related Articles" headings after which the page is other stories).
//! 2. **Batch repetition**: a line that appears in many articles whose *other*
//!    content differs ("Most read" blocks, share bars, copyright footers of one
//!    site). Lines shared by many copies of one story are not boilerplate: the
//!    [`BoilerplateModel`] tells them apart by a per-article key (its longest
//!    lines), which copies of one story mostly share and unrelated pages do not.
//!    A repeated line of more than [`MAX_REPEATED_MID_PAGE_WORDS`] words must
//!    also sit at the top or bottom of its pages: a paragraph that unrelated
//!    stories reuse mid-page is their text (measured on the synthetic wire
//!    benchmark, where such paragraphs had been stripped from every story:
//!    100k pairwise F1 0.911 -> 0.943), while mastheads and footers stay at
//!    the edges.
//! 3. **Structure**: link lists under a boilerplate heading that ends in a
//!    colon, navigation bullets, image file names.
//! 4. **Links to other articles**: a short line that is the headline (first
//!    line) of another article of the batch is a "related" link, not the
//!    story, even where it repeats too rarely for 2: in a list under a
//!    boilerplate heading, or after the body has begun if it does not end
//!    like a sentence.
//!
//! The body is never emptied by a tail cut: a tail heading only cuts once
//! [`MIN_BODY_WORDS_BEFORE_TAIL`] words of body precede it. The count of removed
//! lines is kept as evidence for the roles stage.

use rayon::slice::ParallelSliceMut;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

use crate::text::word_count;

/// Words of body that must precede a tail heading before it may cut the rest.
pub const MIN_BODY_WORDS_BEFORE_TAIL: usize = 50;
/// A repeated line is boilerplate only if it occurs in at least this many articles.
pub const MIN_REPEATS: u32 = 5;
/// ...and if at least this share of those articles are about different things.
pub const MIN_UNRELATED_SHARE: f32 = 0.5;
/// Longest line (in words) that batch repetition can mark as boilerplate.
pub const MAX_REPEATED_LINE_WORDS: usize = 100;
/// A repeated line longer than this (in words) is boilerplate only where it
/// mostly sits at the top or bottom of its pages; see [`MIN_EDGE_SHARE`].
pub const MAX_REPEATED_MID_PAGE_WORDS: usize = 20;
/// Share of a long repeated line's pages that must have it as their first or
/// last line for it to be boilerplate: a footer or a masthead is always
/// there, while a background paragraph that several stories reuse falls
/// wherever each story puts it.
pub const MIN_EDGE_SHARE: f32 = 0.8;
/// Body characters that must precede a line before it can be taken for a
/// link to another article's headline.
const MIN_BODY_CHARS_BEFORE_LINKS: usize = 200;
/// Longest line (in characters) taken for a headline.
const MAX_HEADLINE_CHARS: usize = 120;
/// Lines under a boilerplate heading ending in ':' that are dropped at most.
const MAX_LIST_LINES: usize = 12;

const RULES: &str = include_str!("../data/boilerplate.txt");

/// The cleaned article: kept body and what was taken away.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CleanText {
    /// Kept lines, joined with `\n`.
    pub body: String,
    /// Lines kept.
    pub kept_lines: u32,
    /// Lines removed as boilerplate.
    pub removed_lines: u32,
    /// Characters removed as boilerplate.
    pub removed_chars: u32,
}

impl CleanText {
    /// Share of the article's characters that were boilerplate (0..=1).
    pub fn boilerplate_share(&self) -> f32 {
        let total = self.body.len() as f32 + self.removed_chars as f32;
        if total == 0.0 {
            0.0
        } else {
            self.removed_chars as f32 / total
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Tail,
    Line,
    Prefix,
}

/// Phrase rules parsed from `data/boilerplate.txt`.
#[derive(Debug)]
struct PhraseRules {
    exact: FxHashMap<String, Rule>,
    prefixes: Vec<String>,
}

impl PhraseRules {
    fn parse(text: &str) -> PhraseRules {
        let mut exact = FxHashMap::default();
        let mut prefixes = Vec::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let (kind, phrase) = line.split_once(' ').unwrap_or((line, ""));
            let phrase = phrase.trim().to_string();
            match kind {
                "tail" => {
                    exact.insert(phrase, Rule::Tail);
                }
                "line" => {
                    exact.insert(phrase, Rule::Line);
                }
                "prefix" => prefixes.push(phrase),
                _ => {}
            }
        }
        PhraseRules { exact, prefixes }
    }

    fn classify(&self, key: &str) -> Option<Rule> {
        let bare = key.trim_end_matches([':', '：', '.', '!', '…']).trim();
        if let Some(rule) = self.exact.get(bare) {
            return Some(*rule);
        }
        self.prefixes.iter().any(|p| key.starts_with(p.as_str())).then_some(Rule::Prefix)
    }
}

fn phrase_rules() -> &'static PhraseRules {
    static RULES_CELL: std::sync::OnceLock<PhraseRules> = std::sync::OnceLock::new();
    RULES_CELL.get_or_init(|| PhraseRules::parse(RULES))
}

/// A line folded for comparison: lowercase, single spaces, digits as `0`.
fn line_key(line: &str) -> String {
    let mut key = String::new();
    line_key_into(line, &mut key);
    key
}

/// [`line_key`] written over `key` (one buffer serves every line of a page).
fn line_key_into(line: &str, key: &mut String) {
    key.clear();
    let line = line.trim();
    if line.is_ascii() || line.chars().all(is_own_key) {
        byte_line_key(line.as_bytes(), key);
    } else {
        key.push_str(&unicode_line_key(line));
    }
}

/// Is `c` its own key: ASCII (folded bytewise), or neither whitespace nor
/// changed by lowercasing ("é", "€", "中")?
fn is_own_key(c: char) -> bool {
    if c.is_ascii() {
        return true;
    }
    let mut lower = c.to_lowercase();
    !c.is_whitespace() && lower.next() == Some(c) && lower.next().is_none()
}

/// [`line_key`] of a trimmed line, a character at a time.
fn unicode_line_key(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut space = false;
    for c in line.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        if c.is_ascii_digit() {
            out.push('0');
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// What [`byte_line_key`] makes of each byte: ASCII lowercase, digits as
/// `0`, and [`WHITESPACE`] for whitespace (the ASCII characters
/// `char::is_whitespace` takes, vertical tab among them); the bytes of
/// other characters stay.
const KEY_BYTES: [u8; 256] = {
    let mut table = [WHITESPACE; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = if c.is_ascii_whitespace() || c == 0x0b {
            WHITESPACE
        } else if c.is_ascii_digit() {
            b'0'
        } else {
            c.to_ascii_lowercase()
        };
        b += 1;
    }
    table
};

/// Marks whitespace in [`KEY_BYTES`]: no byte of UTF-8 text.
const WHITESPACE: u8 = 0xff;

/// [`line_key`] of a trimmed line whose characters are all ASCII or their
/// own keys ([`is_own_key`]), a byte at a time, written over `out` (its
/// room reused).
fn byte_line_key(line: &[u8], out: &mut String) {
    let mut key = std::mem::take(out).into_bytes();
    key.clear();
    // Most lines separate their words by single spaces: each byte is then
    // folded on its own, in a loop the compiler vectorizes.
    let other_whitespace = line.iter().fold(false, |seen, &b| seen | (b'\t'..=b'\r').contains(&b));
    let double_space =
        line.iter().zip(line.iter().skip(1)).fold(false, |seen, (&a, &b)| seen | (a == b' ' && b == b' '));
    if !other_whitespace && !double_space {
        key.extend(line.iter().map(|&b| fold_byte(b)));
    } else {
        // The line is trimmed: each run of whitespace inside it becomes one
        // space. Every byte is written; the end moves on unless the byte
        // continues a run of whitespace (no branch on the text).
        key.resize(line.len(), 0);
        let (mut end, mut after_space) = (0, false);
        for &b in line {
            let folded = KEY_BYTES[usize::from(b)];
            let space = folded == WHITESPACE;
            key[end] = if space { b' ' } else { folded };
            end += usize::from(!(space && after_space));
            after_space = space;
        }
        key.truncate(end);
    }
    // Only ASCII bytes were replaced, by ASCII bytes.
    *out = String::from_utf8(key).expect("UTF-8 in, UTF-8 out");
}

/// [`KEY_BYTES`] of a byte that is not whitespace, by arithmetic rather
/// than a table lookup: ASCII uppercase letters lowered, digits as `0`.
fn fold_byte(b: u8) -> u8 {
    let upper = u8::from(b.is_ascii_uppercase());
    let digit = b.is_ascii_digit();
    if digit {
        b'0'
    } else {
        b | (upper << 5)
    }
}

/// Most words in a line's label ([`label_of`]).
const MAX_LABEL_WORDS: usize = 4;

/// The part of a line before its first colon, when that is a short label
/// ("Read also: …", "Lesen Sie auch: …").
fn label_of(key: &str) -> Option<&str> {
    // The first colon of either width, each found with a byte search.
    let colon =
        [key.find(':').map(|at| (at, 1)), key.find('：').map(|at| (at, '：'.len_utf8()))].into_iter().flatten().min();
    let (at, width) = colon?;
    let (label, rest) = (&key[..at], &key[at + width..]);
    // Words counted up to one past the most a label has.
    let words = label.split_whitespace().take(MAX_LABEL_WORDS + 1).count();
    ((1..=MAX_LABEL_WORDS).contains(&words) && !rest.trim().is_empty()).then_some(label)
}

/// The number of words of a line, from its [`line_key`], whose words are
/// set apart by single spaces; in scripts written without spaces, counted
/// from the characters ([`word_count`]).
fn key_words(key: &str) -> usize {
    if key.is_empty() {
        0
    } else if key.is_ascii() {
        key.bytes().filter(|&b| b == b' ').count() + 1
    } else {
        word_count(key)
    }
}

/// Per-line repetition counts for one batch. The counts do not depend on
/// the order the pages come in, nor on how the batch is cut: counts of any
/// parts of a batch merge into the counts of the whole ([`LineStats::merge`]),
/// so that an engine can count its partitions apart. Serializable, for the
/// engine to move them ([`crate::exchange`]).
///
/// Kept as a flat list of the lines each page has (24 bytes a line and
/// page, 40 a page) and grouped by line only in [`LineStats::into_model`]:
/// most lines are on one page, and a table entry per line, each with its
/// sample of pages, took 2 KiB an article at the peak (2.3 GiB at a million).
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct LineStats {
    /// Each distinct line (and label) of each page.
    seen: Vec<LineOnPage>,
    /// Each page's longest lines, for the content keys of the samples.
    pages: Vec<PageLines>,
    headlines: FxHashSet<u64>,
}

/// A line (its key's hash, or a label's) on one page (its id's hash).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
struct LineOnPage {
    line: u64,
    page: u64,
    /// Whether the line is the page's first or last.
    at_edge: bool,
}

/// A page (its id's hash) and the hashes of its longest distinct lines,
/// longest first (0 where it has fewer).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct PageLines {
    page: u64,
    longest: [u64; CONTENT_KEY_LINES + 1],
}

impl PageLines {
    /// The page's content key as seen by one of its lines: its longest
    /// lines, that one left out.
    fn key_without(&self, line: u64) -> ContentKey {
        let mut key = ContentKey::default();
        for (slot, &h) in key.0.iter_mut().zip(self.longest.iter().filter(|&&h| h != line)) {
            *slot = h;
        }
        key
    }
}

/// Longest lines of an article that stand for its content ([`ContentKey`]).
/// With one, edited Thai copies lost their shared lines (ntrex-syndication
/// tha family F1 0.993); with three, 1.000, and no other set's family figure
/// nor the 100k benchmark's pair F1 (0.998) moved.
const CONTENT_KEY_LINES: usize = 3;

/// Pages of a repeated line whose content is compared: those whose ids hash
/// lowest, a sample that any order of counting and merging picks alike.
/// A line on at most this many pages is judged on all of them.
const LINE_SAMPLE: usize = 16;

/// An article's longest lines but the one being counted (their key hashes,
/// 0 where it has fewer): copies of one story mostly share one of them,
/// unrelated pages of one site do not, and page furniture is rarely among
/// the longest lines of a page. One line is not enough: an edited copy's
/// longest line may be another paragraph of almost the same length.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct ContentKey([u64; CONTENT_KEY_LINES]);

impl ContentKey {
    /// Do the two articles share one of their longest lines?
    fn related(&self, other: &ContentKey) -> bool {
        self.0.iter().any(|&h| h != 0 && other.0.contains(&h))
    }
}

/// Is a line on pages about different things: are at least
/// `MIN_UNRELATED_SHARE` of the pairs of its sample's pages unrelated?
/// (Every pair, not each page against one: relatedness is not
/// transitive, and no page of the sample is the one to judge by.)
fn mostly_unrelated(sample: &[ContentKey]) -> bool {
    let (mut pairs, mut unrelated) = (0usize, 0usize);
    for (i, x) in sample.iter().enumerate() {
        for y in &sample[i + 1..] {
            pairs += 1;
            unrelated += usize::from(!x.related(y));
        }
    }
    unrelated as f32 >= MIN_UNRELATED_SHARE * pairs as f32
}

impl LineStats {
    /// Counts the lines (and short line labels) of one article; `page` is
    /// the hash of its id, which picks the pages each line's sample keeps.
    pub fn add(&mut self, page: u64, text: &str) {
        // Each non-empty line's key hash and its label's hash, if any.
        let mut lines: Vec<(u64, Option<u64>)> = Vec::new();
        // (length, hash) of every line, for the article's content key.
        let mut lengths: Vec<(std::cmp::Reverse<usize>, u64)> = Vec::new();
        let mut key = String::new();
        for line in text.lines() {
            line_key_into(line, &mut key);
            if key.is_empty() {
                continue;
            }
            let hash = xxh3_64(key.as_bytes());
            if lines.is_empty() && is_headline_like(&key) {
                self.headlines.insert(hash);
            }
            lengths.push((std::cmp::Reverse(key.len()), hash));
            lines.push((hash, label_of(&key).map(label_hash)));
        }
        lengths.sort_unstable();
        lengths.dedup_by_key(|&mut (_, h)| h);
        let mut longest = [0; CONTENT_KEY_LINES + 1];
        for (slot, &(_, h)) in longest.iter_mut().zip(&lengths) {
            *slot = h;
        }
        self.pages.push(PageLines { page, longest });
        // (hash, is the line first or last on the page), once per hash.
        let first = self.seen.len();
        for (i, &(hash, label)) in lines.iter().enumerate() {
            let at_edge = i == 0 || i + 1 == lines.len();
            self.seen.push(LineOnPage { line: hash, page, at_edge });
            if let Some(label) = label {
                self.seen.push(LineOnPage { line: label, page, at_edge });
            }
        }
        let page_lines = &mut self.seen[first..];
        page_lines.sort_unstable();
        let mut kept = first;
        for i in first..self.seen.len() {
            let this = self.seen[i];
            if kept > first && self.seen[kept - 1].line == this.line {
                self.seen[kept - 1].at_edge |= this.at_edge;
            } else {
                self.seen[kept] = this;
                kept += 1;
            }
        }
        self.seen.truncate(kept);
    }

    /// Adds the counts of other pages of the batch (in any order).
    pub fn merge(&mut self, other: LineStats) {
        self.headlines.extend(other.headlines);
        self.seen.extend(other.seen);
        self.pages.extend(other.pages);
    }

    /// The counts of a batch's parts together, made in one allocation.
    pub fn merged(parts: Vec<LineStats>) -> LineStats {
        let mut total = LineStats::default();
        total.seen.reserve_exact(parts.iter().map(|p| p.seen.len()).sum());
        total.pages.reserve_exact(parts.iter().map(|p| p.pages.len()).sum());
        parts.into_iter().for_each(|p| total.merge(p));
        total
    }

    /// Keeps the lines that are boilerplate by repetition.
    pub fn into_model(self) -> BoilerplateModel {
        let LineStats { mut seen, mut pages, headlines } = self;
        seen.par_sort_unstable();
        pages.par_sort_unstable_by_key(|p| p.page);
        // Every counted page has its lines (`add` writes both).
        let key_of = |line: u64, page: u64| {
            pages
                .binary_search_by_key(&page, |p| p.page)
                .map_or(ContentKey::default(), |at| pages[at].key_without(line))
        };
        let mut repeated = FxHashMap::default();
        for group in seen.chunk_by(|a, b| a.line == b.line) {
            let docs = group.len();
            if docs < MIN_REPEATS as usize {
                continue;
            }
            let line = group[0].line;
            // The sample: the pages whose ids hash lowest (the group is in page order).
            let sample: Vec<ContentKey> = group.iter().take(LINE_SAMPLE).map(|seen| key_of(line, seen.page)).collect();
            if mostly_unrelated(&sample) {
                let at_edge = group.iter().filter(|seen| seen.at_edge).count();
                repeated.insert(line, at_edge as f32 >= MIN_EDGE_SHARE * docs as f32);
            }
        }
        BoilerplateModel { repeated, headlines }
    }
}

fn label_hash(label: &str) -> u64 {
    // Distinct from any whole-line hash: a label is hashed with a suffix no line key has.
    xxh3_64(format!("{label}\u{0}:label").as_bytes())
}

/// Lines that the batch shows to be boilerplate, plus the phrase rules.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoilerplateModel {
    /// Lines repeated across unrelated pages, each with whether it mostly
    /// sits at the top or bottom of its pages.
    repeated: FxHashMap<u64, bool>,
    /// First lines of the batch's articles that look like headlines.
    headlines: FxHashSet<u64>,
}

impl BoilerplateModel {
    /// Fits the model on a whole batch, each text's place in it standing for its id.
    pub fn fit<'a>(texts: impl IntoIterator<Item = &'a str>) -> BoilerplateModel {
        let mut stats = LineStats::default();
        for (i, t) in texts.into_iter().enumerate() {
            stats.add(xxh3_64(&i.to_le_bytes()), t);
        }
        stats.into_model()
    }

    /// Number of repeated lines recognised as boilerplate.
    pub fn repeated_lines(&self) -> usize {
        self.repeated.len()
    }

    /// Is `key` (not the article's own first line) another article's first line?
    fn is_headline_of_another(&self, key: &str, own_first: &str) -> bool {
        // A numbered "most read" item: "0. headline" (digits are folded to 0).
        let unnumbered = key.trim_start_matches('0').strip_prefix(". ").filter(|_| key.starts_with('0')).unwrap_or(key);
        [key, unnumbered]
            .iter()
            .any(|k| *k != own_first && is_headline_like(k) && self.headlines.contains(&xxh3_64(k.as_bytes())))
    }

    /// Is the line with key `key` (of `words` words) boilerplate by repetition?
    fn is_repeated(&self, key: &str, words: usize) -> bool {
        // A paragraph-length line is body text that stories share (a
        // background paragraph), not furniture, however often it repeats.
        if words > MAX_REPEATED_LINE_WORDS {
            return false;
        }
        // A label ("Read more:") is short wherever its line runs on.
        let repeated =
            |h: u64, mid_page_too: bool| self.repeated.get(&h).is_some_and(|&at_edge| at_edge || mid_page_too);
        repeated(xxh3_64(key.as_bytes()), words <= MAX_REPEATED_MID_PAGE_WORDS)
            || label_of(key).is_some_and(|l| repeated(label_hash(l), true))
    }

    /// Removes boilerplate from one article.
    pub fn clean(&self, text: &str) -> CleanText {
        let rules = phrase_rules();
        let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        let mut keep = vec![true; lines.len()];
        let own_first = lines.first().map(|l| line_key(l)).unwrap_or_default();
        let mut body_words = 0usize;
        let mut body_chars = 0usize;
        let mut list_budget = 0usize;
        let mut cut_at = None;
        let mut key_buf = String::new();
        for (i, line) in lines.iter().enumerate() {
            line_key_into(line, &mut key_buf);
            let key = key_buf.as_str();
            let words = key_words(key);
            let rule = rules.classify(key);
            let link = self.is_headline_of_another(key, &own_first);
            let repeated = self.is_repeated(key, words)
                || (link && body_chars >= MIN_BODY_CHARS_BEFORE_LINKS && is_list_item(key));
            if rule == Some(Rule::Tail) && body_words >= MIN_BODY_WORDS_BEFORE_TAIL {
                cut_at = Some(i);
                break;
            }
            if rule.is_some() || repeated || is_furniture(line, words) {
                keep[i] = false;
                let heading = key.ends_with(':') || key.ends_with('：') || rule == Some(Rule::Tail);
                // A list goes on through items removed for other reasons.
                list_budget = if heading { MAX_LIST_LINES } else { list_budget.saturating_sub(1) };
                continue;
            }
            if list_budget > 0 && (is_list_item(line) || link) {
                keep[i] = false;
                list_budget -= 1;
                continue;
            }
            list_budget = 0;
            body_words += words;
            body_chars += line.len();
        }
        if let Some(cut) = cut_at {
            keep[cut..].iter_mut().for_each(|k| *k = false);
        }
        let mut out = CleanText::default();
        for (line, kept) in lines.iter().zip(&keep) {
            if *kept {
                if !out.body.is_empty() {
                    out.body.push('\n');
                }
                out.body.push_str(line);
                out.kept_lines += 1;
            } else {
                out.removed_lines += 1;
                out.removed_chars += line.len() as u32;
            }
        }
        out
    }
}

/// A line short enough to be a headline (some end with a full stop).
fn is_headline_like(key: &str) -> bool {
    // A character is one to four bytes: count them only where that is not enough.
    key.len() <= MAX_HEADLINE_CHARS
        || (key.len() <= 4 * MAX_HEADLINE_CHARS && key.chars().count() <= MAX_HEADLINE_CHARS)
}

/// A headline in a link list: short, not ending like a sentence.
fn is_list_item(line: &str) -> bool {
    let ends_sentence = line.ends_with(['.', '。', '।', '۔', '!']) && !line.ends_with("...");
    line.chars().count() <= 200 && !ends_sentence
}

/// Navigation bullets, image names, share bars (`words`: the line's word count).
fn is_furniture(line: &str, words: usize) -> bool {
    let bullet = (line.starts_with("- ") || line.starts_with("• ") || line.starts_with("* ")) && words <= 3;
    let image =
        words <= 3 && [".jpg", ".jpeg", ".png", ".webp", ".gif"].iter().any(|e| line.to_lowercase().contains(e));
    // Most lines have no separator: find that out at memchr speed.
    let separators = if line.contains('|') || line.contains('·') { line.matches(['·', '|']).count() } else { 0 };
    let share_bar = separators >= 3 && words <= 3 * separators;
    bullet || image || share_bar
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word_count(line: &str) -> usize {
        line.split_whitespace().count()
    }

    #[test]
    fn line_counts_do_not_depend_on_order_or_cuts() {
        // 40 pages of one site (a menu and a footer on each, 30 words of
        // their own) and a paragraph that 6 copies of one story share.
        // Line keys fold digits, so each page's own words are spelled in letters.
        let letters = |n: u64| -> String { n.to_string().bytes().map(|d| char::from(b'a' + d - b'0')).collect() };
        let pages: Vec<(u64, String)> = (0..46u64)
            .map(|i| {
                let own: String = (0..30).map(|w| format!("word{}q{} ", letters(i), letters(w))).collect();
                let n = letters(i);
                let text = if i < 40 {
                    format!(
                        "Home | World | Sport\n{own}\nA second paragraph, number {n}, of the page's own text.\n\
                         A third paragraph, number {n}, also the page's own.\nCopyright 2025 The Daily"
                    )
                } else {
                    format!(
                        "{own}\nThe shared paragraph of the syndicated story, told in the same words by every copy."
                    )
                };
                (xxh3_64(&i.to_le_bytes()), text)
            })
            .collect();
        let count = |pages: &[(u64, String)]| {
            let mut stats = LineStats::default();
            pages.iter().for_each(|(page, text)| stats.add(*page, text));
            stats
        };
        let whole = count(&pages).into_model();
        assert!(whole.repeated_lines() >= 2, "the menu and the footer are boilerplate");
        for cut in [1, 7, 23, 45] {
            let mut reversed: Vec<(u64, String)> = pages.clone();
            reversed.reverse();
            let (left, right) = reversed.split_at(cut);
            let mut stats = count(right);
            stats.merge(count(left));
            assert!(stats.into_model() == whole, "cut at {cut}");
        }
    }

    #[test]
    fn ascii_line_keys_are_the_unicode_ones() {
        for line in [
            "Read MORE: 12 things",
            "a\tb\x0bc\x0cd  e",
            "Most   Read",
            "x\x1fy 2024-11-23",
            "",
            "...",
            "A:B",
            "\x7f\x00Z9",
        ] {
            assert_eq!(line_key(line), unicode_line_key(line.trim()), "{line:?}");
        }
        let every_byte: String = (0u8..128).map(char::from).collect();
        let line = every_byte.trim();
        assert_eq!(line_key(line), unicode_line_key(line));
        // Single spaces only: the folded fast path.
        let spaced: String = every_byte.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(line_key(&spaced), unicode_line_key(&spaced));
        for b in (0u8..=255).filter(|&b| KEY_BYTES[usize::from(b)] != WHITESPACE) {
            assert_eq!(fold_byte(b), KEY_BYTES[usize::from(b)], "{b:#x}");
        }
    }

    #[test]
    fn lines_with_caseless_or_lowercase_characters_are_keyed_bytewise_as_characters() {
        let lines = [
            "Price: £5 or €6 (était 7)",
            "Café  au lait\t2024",
            "中文 新闻 12 条",
            "ÉTÉ à Paris",
            "Straße \u{a0}Nr 5",
            "İstanbul 3",
            "x\u{2003}y  Ünïcödé",
            "Москва 2024",
        ];
        for line in lines {
            assert_eq!(line_key(line), unicode_line_key(line.trim()), "{line:?}");
        }
        assert!("Price: £5 or €6 (était 7)".chars().all(is_own_key));
        let mut next = crate::testing::xorshift(11);
        let alphabet: Vec<char> = "aZ9 \t\x0b.:é€É中ßİ\u{a0}\u{2003}Ωω".chars().collect();
        for _ in 0..2000 {
            let len = (next() % 24) as usize;
            let line: String = (0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect();
            assert_eq!(line_key(&line), unicode_line_key(line.trim()), "{line:?}");
        }
        assert!(!is_own_key('É') && !is_own_key('\u{a0}') && !is_own_key('İ'));
    }

    #[test]
    fn a_label_ends_at_the_first_colon_of_either_width() {
        fn by_split(key: &str) -> Option<&str> {
            let (label, rest) = key.split_once([':', '：'])?;
            let words = label.split_whitespace().count();
            ((1..=4).contains(&words) && !rest.trim().is_empty()).then_some(label)
        }
        for key in [
            "read more: x",
            "阅读 更多：新闻",
            "a：b: c",
            "a: b：c",
            "one two three four five: x",
            "label:",
            ":x",
            "no colon",
            "a：",
            "",
        ] {
            assert_eq!(label_of(key), by_split(key), "{key:?}");
        }
        assert_eq!(label_of("a：b: c"), Some("a"));
        assert_eq!(label_of("lesen sie auch: x"), Some("lesen sie auch"));
    }

    #[test]
    fn a_line_key_has_the_words_of_its_line() {
        for line in [
            "  Read MORE: 12 things ",
            "a\tb\x0bc\x0cd  e",
            "one",
            "",
            " \u{a0}x\u{2003}y\u{3000}z ",
            "İstanbul ΣΟΦΙΑ\u{85}next",
        ] {
            assert_eq!(key_words(&line_key(line)), word_count(line), "{line:?}");
        }
    }

    #[test]
    fn headline_length_is_counted_in_characters() {
        assert!(is_headline_like(&"a".repeat(MAX_HEADLINE_CHARS)));
        assert!(!is_headline_like(&"a".repeat(MAX_HEADLINE_CHARS + 1)));
        // 120 four-byte characters: 480 bytes, still a headline; one more is not.
        assert!(is_headline_like(&"𝔸".repeat(MAX_HEADLINE_CHARS)));
        assert!(!is_headline_like(&"𝔸".repeat(MAX_HEADLINE_CHARS + 1)));
        assert!(!is_headline_like(&"é".repeat(MAX_HEADLINE_CHARS + 1)));
    }

    const NAMES: [&str; 8] = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"];

    fn body(text: &str) -> String {
        BoilerplateModel::default().clean(text).body
    }

    #[test]
    fn tail_heading_cuts_the_rest_once_body_started() {
        let story = "word ".repeat(60);
        let text = format!("{story}\nRelated Articles\nOther story one.\nOther story two.");
        assert_eq!(body(&text), story.trim());
    }

    #[test]
    fn tail_heading_before_the_body_does_not_cut() {
        let text = "Related Articles\nThe body starts here and goes on.";
        assert_eq!(body(text), "The body starts here and goes on.");
    }

    #[test]
    fn phrase_lines_and_prefixes_are_dropped() {
        let text = "Share This Article\nA real sentence of the story.\nRead More @ example.com\nBy AI";
        assert_eq!(body(text), "A real sentence of the story.");
    }

    #[test]
    fn navigation_bullets_and_image_names_are_dropped() {
        let text = "- Category\n- Latest news\nHeadline of it\n-95f6bcc4daa5579b.jpg)\nBody sentence.";
        assert_eq!(body(text), "Headline of it\nBody sentence.");
    }

    #[test]
    fn lines_repeated_across_unrelated_articles_are_boilerplate() {
        let docs: Vec<String> = NAMES
            .iter()
            .map(|n| format!("Story {n} has its own long first line here\nSite footer line shared by all pages\nMore words of story {n}"))
            .collect();
        let model = BoilerplateModel::fit(docs.iter().map(String::as_str));
        let cleaned = model.clean(&docs[0]);
        assert!(!cleaned.body.contains("footer"), "{}", cleaned.body);
        assert_eq!(cleaned.removed_lines, 1);
    }

    #[test]
    fn a_long_repeated_line_is_boilerplate_only_at_the_edge_of_its_pages() {
        let long = "This background paragraph of more than twenty words keeps being reused by many different stories that have nothing else in common at all.";
        assert!(word_count(long) > MAX_REPEATED_MID_PAGE_WORDS);
        let page = |n: &str, at_end: bool| {
            // Each page's longest line is its own: the pages are unrelated.
            let own = format!("Story {n} opens with{}\nMore words of story {n}", format!(" {n}").repeat(40));
            if at_end {
                format!("{own}\n{long}")
            } else {
                format!("{own}\n{long}\nAnd story {n} ends on its own line")
            }
        };
        // Mid-page in every page: a paragraph the stories share, kept.
        let docs: Vec<String> = NAMES.iter().map(|n| page(n, false)).collect();
        let model = BoilerplateModel::fit(docs.iter().map(String::as_str));
        assert!(model.clean(&docs[0]).body.contains(long));
        // The last line of every page but one: a footer, dropped wherever it is.
        let docs: Vec<String> = NAMES.iter().enumerate().map(|(i, n)| page(n, i > 0)).collect();
        let model = BoilerplateModel::fit(docs.iter().map(String::as_str));
        for doc in &docs {
            assert!(!model.clean(doc).body.contains(long), "{doc}");
        }
        // A short label still marks its lines however long they run.
        let docs: Vec<String> = NAMES
            .iter()
            .map(|n| format!("Story {n} has its own long first line here\nRead also: {n} {long}\nMore of story {n}"))
            .collect();
        let model = BoilerplateModel::fit(docs.iter().map(String::as_str));
        assert!(!model.clean(&docs[1]).body.contains("Read also"));
    }

    #[test]
    fn lines_shared_by_copies_of_one_story_are_kept() {
        let docs: Vec<String> = (0..8)
            .map(|i| format!("The same wire story first line shared by all copies\nSecond line of the wire story is shared too\nOutlet {i} own footer"))
            .collect();
        let model = BoilerplateModel::fit(docs.iter().map(String::as_str));
        assert!(model.clean(&docs[3]).body.contains("wire story first line"));
    }

    #[test]
    fn lines_shared_by_edited_copies_are_kept_whichever_line_is_longest() {
        // Thai copies of one story (ntrex-syndication): each paragraph is a
        // few "words" by its spaces, and the copies' longest lines differ
        // (one paragraph was edited longer in some). Once, the excerpt came
        // out with no text at all.
        let paragraphs = [
            "LeBron เตรียมเปิดตัวกับ Lakers ในวันอาทิตย์ที่ซานดิเอโก",
            "การรอคอยใกล้จะสิ้นสุดแล้วสำหรับแฟน ๆ ที่รอคอยการเริ่มต้นใหม่ของ LeBron James กับ Los Angeles Lakers",
            "Luke Walton โค้ชของ Lakers ประกาศว่า James จะเริ่มเล่นเปิดตัวช่วงเปิดฤดูกาลในวันอาทิตย์กับ Denver Nuggets",
            "แต่ยังไม่มีการระบุว่า เขาจะเล่นนานกี่นาที",
        ];
        let docs: Vec<String> = (0..6)
            .map(|i| {
                let mut lines = paragraphs.map(String::from).to_vec();
                if i % 2 == 1 {
                    lines[3] = format!("{} และโค้ชยังไม่ได้ตัดสินใจเรื่องตัวจริงของทีมในเกมแรกของฤดูกาลนี้", lines[3]);
                }
                lines.join("\n")
            })
            .collect();
        let model = BoilerplateModel::fit(docs.iter().map(String::as_str));
        for doc in &docs {
            assert_eq!(model.clean(doc).removed_lines, 0, "{doc}");
        }
    }

    #[test]
    fn link_list_under_a_colon_heading_is_dropped() {
        let docs: Vec<String> = NAMES
            .iter()
            .map(|n| format!("Own story {n} starts with a long opening line\nIt ends with sentence {n}.\nRelated reading:\nHeadline of another story {n}\nYet another headline {n}"))
            .collect();
        let model = BoilerplateModel::fit(docs.iter().map(String::as_str));
        let b = model.clean(&docs[2]).body;
        assert!(!b.contains("Headline of another"), "{b}");
        assert!(b.contains("ends with sentence charlie."), "{b}");
    }
}
