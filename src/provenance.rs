//! Provenance signals read from an article's own text and metadata: whom it
//! credits for the story ("according to a report by The Telegraph", "Read
//! More @ kyivindependent.com", "laut Reuters", a wire dateline such as
//! "LONDON (Reuters) —") and which outlet it is ([`Provenance`]).
//!
//! Outlet names are compared in a folded form ([`fold_name`]): lowercase,
//! letters and digits only, a leading "the" and a domain's suffix removed,
//! so "The Kyiv Independent", "kyivindependent.com" and "Kyiv Independent"
//! agree.

use std::borrow::Cow;
use std::sync::OnceLock;

use regex::Regex;

use crate::article::Article;
use crate::text::prefix_at_char_boundary;

/// Bytes of an article's opening searched for its own outlet name.
const HEADER_CHARS: usize = 400;
/// Longest line of the opening that can name the page's own outlet.
const MAX_MASTHEAD_CHARS: usize = 40;

/// An outlet an article credits for its story, with the phrase that said so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credit {
    /// The outlet as written ("The Telegraph", "kyivindependent.com").
    pub name: String,
    /// The name folded for comparison.
    pub folded: String,
    /// The matched phrase, for evidence.
    pub phrase: String,
    /// Up to `CONTEXT_CHARS` characters of the phrase's line next to it
    /// (after it, or before it when nothing follows); empty when the line
    /// is the credit alone ("Read more @ x.com").
    pub context: String,
    /// Whether a wire dateline made the credit ("OSLO (Nordwire) —"), which
    /// the agency's own copy carries too.
    pub dateline: bool,
}

/// Characters of a credit's line kept as its context.
const CONTEXT_CHARS: usize = 40;

impl Credit {
    /// Did the article credit this outlet *on top of* the text of `other`?
    /// True when `other` carries the sentence the credit sits in without
    /// the credit (a dateline put before a copied lead), or when the credit
    /// stands on a line of its own that `other` lacks. False when `other`
    /// names the same outlet, or lacks the sentence altogether (it dropped
    /// that part rather than this article adding the credit).
    pub fn is_added_to(&self, other: &Provenance, other_text: &str) -> bool {
        if other.credits.iter().any(|c| c.folded == self.folded) {
            return false;
        }
        self.context.is_empty() || other_text.contains(&self.context)
    }
}

/// The text next to a credit on its line: what follows it, else what precedes it.
fn credit_context(text: &str, start: usize, end: usize) -> String {
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let after = text[end..line_end].trim_start_matches(|c: char| !c.is_alphanumeric()).trim_end();
    if !after.is_empty() {
        return after.chars().take(CONTEXT_CHARS).collect();
    }
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let before = text[line_start..start].trim_end_matches(|c: char| !c.is_alphanumeric()).trim_start();
    let skip = before.chars().count().saturating_sub(CONTEXT_CHARS);
    before.chars().skip(skip).collect()
}

/// Folds an outlet name for comparison (see the module docs).
pub fn fold_name(name: &str) -> String {
    let lower = name.trim().to_lowercase();
    let lower = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")).unwrap_or(&lower);
    let lower = lower.strip_prefix("www.").unwrap_or(lower);
    let host = lower.split('/').next().unwrap_or(lower);
    let base = if host.contains('.') && !host.contains(' ') { host.split('.').next().unwrap_or(host) } else { host };
    let base = base.strip_prefix("the ").unwrap_or(base);
    base.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Attribution cues followed by the credited outlet ("according to X",
/// "laut X", "据X报道"), in many languages, lowercase.
const CUES_BEFORE: &[&str] = &[
    // English (the longer "according to a report by" forms are patterns below)
    "according to",
    "reported by",
    "report by",
    "via",
    "source:",
    "courtesy of",
    // German, French, Spanish, Portuguese, Italian, Dutch
    "laut",
    "berichtet",
    "berichtete",
    "selon",
    "d'après",
    "rapporte",
    "según",
    "informa",
    "de acuerdo con",
    "citado por",
    "segundo",
    "de acordo com",
    "conforme",
    "informou",
    "secondo",
    "stando a",
    "riporta",
    "come riferisce",
    "volgens",
    "meldt",
    // Nordic, Central and Eastern European (Latin script)
    "enligt",
    "ifølge",
    "według",
    "podaje",
    "informuje",
    "podle",
    "podľa",
    "potrivit",
    "citat de",
    "prema",
    "javlja",
    // Cyrillic, Greek
    "по данным",
    "сообщает",
    "согласно",
    "передает",
    "передаёт",
    "за даними",
    "повідомляє",
    "згідно з",
    "според",
    "съобщава",
    "према",
    "σύμφωνα με",
    "μεταδίδει",
    // Indonesian/Malay, Vietnamese, Tagalog, Swahili
    "menurut",
    "dikutip dari",
    "dilansir",
    "dilansir dari",
    "seperti dilansir",
    "theo",
    "ayon sa",
    "kwa mujibu wa",
    // Arabic, Persian, Hebrew
    "وفقا ل",
    "وفقاً ل",
    "نقلا عن",
    "نقلاً عن",
    "بحسب",
    "به گزارش",
    "به نقل از",
    "לפי",
    "על פי",
    // Thai, Chinese, Japanese, Korean source lines
    "ตามรายงานของ",
    "รายงานโดย",
    "อ้างอิงจาก",
    "据",
    "援引",
    "来源：",
    "来源:",
    "出典：",
    "出典:",
    "출처:",
    "출처：",
];

/// Attribution cues that follow the outlet ("X reports", "X zufolge",
/// "Reutersin mukaan", "X によると"), lowercase.
const CUES_AFTER: &[&str] = &[
    "reports",
    "reported",
    "has reported",
    "said in a report",
    "berichtet",
    "zufolge",
    "rapporte",
    "informó",
    "сообщил",
    "сообщила",
    "сообщило",
    "szerint",
    "mukaan",
    "göre",
    "के अनुसार",
    "অনুসারে",
    "کے مطابق",
    "によると",
    "によれば",
    "が報じた",
    "에 따르면",
    "이 보도했다",
    "가 보도했다",
];

/// Cache of each cue alternation's lazy DFA, per thread.
const CUE_DFA_BYTES: usize = 64 << 20;

/// Is `c` a letter of a cased script (Latin, Cyrillic, Greek), whose words
/// are set apart by spaces?
fn is_cased_letter(c: char) -> bool {
    c.is_lowercase() || c.is_uppercase()
}

/// A cue as a pattern: case-insensitive, on word boundaries where its script
/// has them (not in Chinese, Japanese or Thai, which run on, nor before a
/// name the cue attaches to, as Arabic "ل").
fn cue_pattern(cue: &str, outlet_follows: bool) -> String {
    let first = cue.chars().next().is_some_and(is_cased_letter);
    let last = cue.chars().last().is_some_and(is_cased_letter);
    let escaped = regex::escape(cue);
    // A word start as a consumed non-letter, not `\b`: a Unicode word
    // boundary keeps the regex off its fast DFA.
    if outlet_follows {
        format!(
            "{}(?i:{escaped}){}",
            if first { r"(?:^|[^\p{L}\p{N}_])" } else { "" },
            if last { r"\s+" } else { r"\s*" }
        )
    } else {
        format!("{}(?i:{escaped})", if first { r"\s+" } else { r"\s*" })
    }
}

/// A wire dateline at the start of a line, its place in capitals (or in a
/// script without case): "LONDON (Reuters) — ", "МОСКВА (ТАСС) - ",
/// "广州（新华社）— ". The place's length is checked after the match
/// ([`MAX_DATELINE_PLACE_CHARS`]): a counted repeat of these large classes
/// makes an automaton too big for the fast engines.
const DATELINE_PATTERN: &str =
    r"(?m)^(?P<place>[\p{Lu}\p{Lo}\p{M} .'-]{2,}?)\s*[(（]\s*(?P<src>[\p{L}\p{N}&.' -]{2,30}?)\s*[)）]\s*[—–-]";

/// The patterns a credit is found with.
struct CreditPatterns {
    /// A cue, then the outlet ("according to X", "laut X").
    before: Regex,
    /// The outlet, then a cue ("X reports", "X zufolge").
    after: Regex,
    /// A wire dateline opening a line; tried at each line start (anchored)
    /// rather than scanned through the whole text.
    dateline: regex_automata::meta::Regex,
}

fn credit_patterns() -> &'static CreditPatterns {
    static PATTERNS: OnceLock<CreditPatterns> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        // An outlet: up to four capitalised words on one line (optionally
        // after "the"), a domain, or, in a script without case, a run of up
        // to two words (or 16 characters where words are not spaced).
        let outlet = r"(?P<src>(?:[Tt]he[ \t\u{a0}]+)?\p{Lu}[\p{L}\p{N}&'’.-]*(?:[ \t\u{a0}]+\p{Lu}[\p{L}\p{N}&'’.-]*){0,3}|[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.(?:com|org|net|news|info|co|uk|de|fr|es|it|ru|ua|eu|io|tv)|[\p{Lo}\p{M}]{2,16}(?:[ \t][\p{Lo}\p{M}]{2,16})?)";
        let english = [
            r"(?i:according to\s+(?:a\s+|an\s+|the\s+)?(?:recent\s+|new\s+|latest\s+)?(?:report|article|story|investigation)\s+(?:by|in|from))",
            r"(?i:(?:first\s+|originally\s+|as\s+)?reported\s+by)",
            r"(?i:read\s+more\s*(?:@|at|on|:))",
            r"(?i:originally\s+(?:published|appeared)\s+(?:by|on|in|at))",
            r"(?i:(?:this\s+)?(?:article|story)\s+(?:first\s+)?appeared\s+(?:in|on))",
        ];
        // One alternation per side: a text is scanned once for all cues.
        let before: Vec<String> =
            english.iter().map(|p| format!(r"{p}\s+")).chain(CUES_BEFORE.iter().map(|c| cue_pattern(c, true))).collect();
        let after: Vec<String> = CUES_AFTER.iter().map(|c| cue_pattern(c, false)).collect();
        // The alternations are large: give their lazy DFA room, or it gives
        // up and the (much slower) NFA simulation scans every text.
        let build = |pattern: String| {
            regex::RegexBuilder::new(&pattern).dfa_size_limit(CUE_DFA_BYTES).build().expect("credit pattern compiles")
        };
        let dateline = regex_automata::meta::Regex::new(DATELINE_PATTERN).expect("dateline pattern compiles");
        CreditPatterns {
            before: build(format!("(?m)(?:{}){outlet}", before.join("|"))),
            after: build(format!("{outlet}(?:{})", after.join("|"))),
            dateline,
        }
    })
}

/// Longest place name of a wire dateline, in characters.
const MAX_DATELINE_PLACE_CHARS: usize = 40;

/// Words that follow "according to" but name no outlet.
fn is_generic(folded: &str) -> bool {
    const GENERIC: &[&str] = &[
        "officials",
        "analysts",
        "experts",
        "sources",
        "police",
        "reports",
        "data",
        "him",
        "her",
        "them",
        "it",
        "he",
        "she",
        "they",
        "we",
        "i",
        "my",
        "our",
        "his",
        "mr",
        "mrs",
        "ms",
        "dr",
        "president",
        "minister",
    ];
    folded.chars().count() < 2 || (folded.is_ascii() && folded.len() < 3) || GENERIC.contains(&folded)
}

/// Dateline dashes, which every dateline contains; with the cues they
/// decide whether an article can credit anybody, so that the (slow)
/// patterns are skipped for most articles.
const DATELINE_TRIGGERS: &[&str] = &["—", "–", " - "];

/// Every cue word of the credit patterns (lowercase), then the dateline
/// dashes, in one automaton: one pass over a text finds where its credit
/// phrases can be.
struct CueAutomaton {
    automaton: aho_corasick::AhoCorasick,
    /// Patterns below this index are cue words; the rest are dashes.
    cue_words: usize,
}

fn cue_automaton() -> &'static CueAutomaton {
    static CUES: OnceLock<CueAutomaton> = OnceLock::new();
    CUES.get_or_init(|| {
        // The words every English pattern of `credit_patterns` holds.
        const ENGLISH: &[&str] = &["according", "reported", "read more", "appeared", "published"];
        let words: Vec<&str> = CUES_BEFORE.iter().chain(CUES_AFTER).chain(ENGLISH).copied().collect();
        // ASCII letters in either case: a text whose other letters are
        // all lowercase already is searched as it is ([`credits`]).
        let automaton = aho_corasick::AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .ascii_case_insensitive(true)
            .build(words.iter().chain(DATELINE_TRIGGERS))
            .expect("cue automaton builds");
        CueAutomaton { automaton, cue_words: words.len() }
    })
}

/// The outlets `text` credits for its story, in order of appearance, without repeats.
pub fn credits(text: &str) -> Vec<Credit> {
    // The cues are lowercase and the automaton folds ASCII letters: only
    // a text with another letter that lowercasing changes is lowercased.
    let lower = if lowercase_changes_only_ascii(text) { Cow::Borrowed(text) } else { Cow::Owned(text.to_lowercase()) };
    let Some(windows) = cue_windows(text, &lower) else {
        return Vec::new();
    };
    credits_within(text, windows)
}

/// True when lowercasing `text` changes ASCII letters only (each to one
/// ASCII letter): every character outside ASCII is its own lowercase.
fn lowercase_changes_only_ascii(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut at = 0;
    // Over ASCII 64 bytes at a time, from one other character to the next.
    while at < bytes.len() {
        let chunk = &bytes[at..bytes.len().min(at + 64)];
        if chunk.is_ascii() {
            at += chunk.len();
            continue;
        }
        let ascii = chunk.iter().take_while(|b| b.is_ascii()).count();
        // `at` is past whole characters, so `at + ascii` starts one.
        let Some(c) = text[at + ascii..].chars().next() else { break };
        let mut lower = c.to_lowercase();
        if lower.next() != Some(c) || lower.next().is_some() {
            return false;
        }
        at += ascii + c.len_utf8();
    }
    true
}

/// The outlets the credit patterns find within `windows` of `text` (byte
/// ranges, each starting at a line start), and its datelines, in order of
/// appearance, without repeats.
fn credits_within(text: &str, windows: Vec<std::ops::Range<usize>>) -> Vec<Credit> {
    let patterns = credit_patterns();
    let mut found: Vec<(usize, Credit)> = Vec::new();
    for window in windows {
        let part = &text[window.clone()];
        let mut scan = |re: &Regex| {
            // Find matches with the fast DFA; resolve the capture group only
            // inside each (short) match, where the slower engine is cheap.
            for m in re.find_iter(part) {
                let Some(caps) = re.captures(m.as_str()) else { continue };
                let (Some(whole), Some(src)) = (caps.get(0), caps.name("src")) else { continue };
                let at = window.start + m.start() + whole.start();
                found.extend(credit_at(text, at, whole.as_str(), src.as_str(), false));
            }
        };
        scan(&patterns.before);
        scan(&patterns.after);
    }
    found.extend(datelines(text, &patterns.dateline));
    found.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.folded.cmp(&b.1.folded)));
    let mut out: Vec<Credit> = Vec::new();
    for (_, c) in found {
        if !out.iter().any(|o| o.folded == c.folded) {
            out.push(c);
        }
    }
    out
}

/// Where in `text` a credit phrase can be: for each cue found in `lower`
/// (the text lowercased, or the text itself where that would change ASCII
/// letters only, which the cue automaton folds), its line with the nearest
/// non-blank line before and after (a cue and its outlet may be set on
/// neighbouring lines), overlapping ranges merged, in order. The credit
/// patterns are then run over these ranges only, which finds what a scan
/// of the whole text finds (every match holds a cue, and a phrase spans at
/// most those lines; the test `windowed_scan_finds_what_a_full_scan_finds`
/// checks it on every labelled set). `None` when the text holds no cue and
/// no dateline dash,
/// so that it cannot credit anybody; the whole text when lowercasing moved
/// byte offsets (a few letters change length), where positions in `lower`
/// do not map back. Cues are found without overlaps: a cue hidden by
/// another overlaps it, so it is on the same line (no cue holds a line
/// break, nor a dash at its ends), and that line is searched.
fn cue_windows(text: &str, lower: &str) -> Option<Vec<std::ops::Range<usize>>> {
    let cues = cue_automaton();
    let mut hits = cues.automaton.find_iter(lower).peekable();
    hits.peek()?;
    if lower.len() != text.len() {
        return Some(std::iter::once(0..text.len()).collect());
    }
    let mut windows: Vec<std::ops::Range<usize>> = Vec::new();
    for hit in hits.filter(|hit| hit.pattern().as_usize() < cues.cue_words) {
        let window = lines_around(text, hit.start(), hit.end());
        match windows.last_mut() {
            Some(last) if window.start <= last.end => last.end = last.end.max(window.end),
            _ => windows.push(window),
        }
    }
    Some(windows)
}

/// The lines of `text` that hold bytes `start..end`, widened by the
/// nearest non-blank line on each side.
fn lines_around(text: &str, start: usize, end: usize) -> std::ops::Range<usize> {
    let line_start = |at: usize| text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = |at: usize| text[at..].find('\n').map_or(text.len(), |i| at + i);
    // Blank as the patterns' `\s` sees it (any Unicode white space).
    let is_blank = |line: &str| line.trim().is_empty();
    // Back over blank lines to the previous line with text, and to its start.
    let mut from = line_start(start);
    while from > 0 {
        let previous = line_start(from - 1);
        let blank = is_blank(&text[previous..from - 1]);
        from = previous;
        if !blank {
            break;
        }
    }
    // On past blank lines to the next line with text, and to its end.
    let mut to = line_end(end);
    while to < text.len() {
        let next = line_end(to + 1);
        let blank = is_blank(&text[to + 1..next]);
        to = next;
        if !blank {
            break;
        }
    }
    from..to
}

/// The wire datelines of `text`, each with where its phrase starts: the
/// pattern is tried at each line start not inside an earlier match (what
/// a scan for its `^`-anchored matches would find).
fn datelines(text: &str, dateline: &regex_automata::meta::Regex) -> Vec<(usize, Credit)> {
    let mut caps = dateline.create_captures();
    let mut out = Vec::new();
    let mut searched_to = 0;
    let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1));
    for start in line_starts.filter(|&s| s < text.len()) {
        if start < searched_to {
            continue;
        }
        let input = regex_automata::Input::new(text).range(start..).anchored(regex_automata::Anchored::Yes);
        dateline.search_captures(&input, &mut caps);
        let (Some(whole), Some(src)) = (caps.get_match(), caps.get_group_by_name("src")) else { continue };
        searched_to = whole.end();
        if caps.get_group_by_name("place").is_some_and(|p| text[p.range()].chars().count() > MAX_DATELINE_PLACE_CHARS) {
            continue;
        }
        out.extend(credit_at(text, whole.start(), &text[whole.range()], &text[src.range()], true));
    }
    out
}

/// The credit a matched phrase makes (`whole` found at byte `at` of
/// `text`, naming `src`), with where it starts; `None` for a name that
/// is no outlet ("according to officials").
fn credit_at(text: &str, at: usize, whole: &str, src: &str, dateline: bool) -> Option<(usize, Credit)> {
    let name = trim_outlet(src);
    let folded = fold_name(&name);
    if is_generic(&folded) {
        return None;
    }
    // Drop the non-letter a cue's word start consumed.
    let phrase = whole.trim_start_matches(|c: char| !c.is_alphanumeric());
    let start = at + whole.len() - phrase.len();
    let context = credit_context(text, start, start + phrase.len());
    Some((start, Credit { name, folded, phrase: phrase.trim_end().to_string(), context, dateline }))
}

/// Drops trailing words that are not part of a name ("The Telegraph On" → "The Telegraph").
fn trim_outlet(raw: &str) -> String {
    const STOP: &[&str] = &["On", "In", "Last", "This", "That", "The", "And", "Said", "Says", "Reports", "Reported"];
    let mut words: Vec<&str> = raw.split_whitespace().collect();
    while words.len() > 1 && STOP.contains(words.last().unwrap()) {
        words.pop();
    }
    words.join(" ").trim_end_matches(['.', '\'', '’', '-']).to_string()
}

/// What an article says about its own provenance: the outlets it credits and
/// what it says of itself (metadata names, folded opening).
#[derive(Debug, Clone)]
pub struct Provenance {
    /// Outlets the article credits for its story.
    pub credits: Vec<Credit>,
    /// Folded `source` and `url` host names, when present.
    own_names: Vec<String>,
    /// The short lines of the article's opening, lowercased, letters and digits only.
    header: String,
    /// The words of those lines, lowercased.
    header_words: Vec<String>,
    /// The whole text folded for name lookups, built on the first lookup
    /// (only stories with `source`/`url` metadata make any).
    text_index: OnceLock<TextIndex>,
}

/// A text folded for outlet-name lookups.
#[derive(Debug, Clone)]
struct TextIndex {
    /// Lowercased, letters and digits only.
    folded: String,
    /// Distinct words, lowercased, sorted.
    words: Vec<String>,
}

impl TextIndex {
    fn of(text: &str) -> TextIndex {
        let lower = text.to_lowercase();
        let folded = lower.chars().filter(|c| c.is_alphanumeric()).collect();
        let mut words: Vec<String> =
            lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_owned).collect();
        words.sort_unstable();
        words.dedup();
        TextIndex { folded, words }
    }
}

impl Provenance {
    /// Reads the provenance signals of one article, whose raw text is `text`.
    pub fn of(article: &Article, text: &str) -> Provenance {
        let own_names = [article.source.as_deref(), article.url.as_deref()]
            .into_iter()
            .flatten()
            .map(fold_name)
            .filter(|f| f.len() >= 3)
            .collect();
        // Only the opening's short lines (a logo, a site name, "Telegraph 14
        // hours ago"): a name inside a sentence or a headline is news, not
        // the page saying whose it is.
        let opening: String = prefix_at_char_boundary(text, HEADER_CHARS)
            .lines()
            .filter(|l| l.trim().chars().count() <= MAX_MASTHEAD_CHARS)
            .collect::<Vec<_>>()
            .join("\n")
            .to_lowercase();
        let header = opening.chars().filter(|c| c.is_alphanumeric()).collect();
        let header_words =
            opening.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_owned).collect();
        Provenance { credits: credits(text), own_names, header, header_words, text_index: OnceLock::new() }
    }

    /// The article's own outlet names from its metadata (`source`, `url`
    /// host), folded.
    pub fn own_names(&self) -> &[String] {
        &self.own_names
    }

    /// Does `text`, the article's own text, name the outlet `folded`
    /// anywhere (a short name such as "afp" as a word of its own)?
    pub fn names_in_text(&self, text: &str, folded: &str) -> bool {
        let index = self.text_index.get_or_init(|| TextIndex::of(text));
        if folded.chars().count() < 5 {
            index.words.binary_search_by(|w| w.as_str().cmp(folded)).is_ok()
        } else {
            index.folded.contains(folded)
        }
    }

    /// Does the article appear to be the outlet `folded` names? Metadata
    /// (`source`, `url`) decides when present; otherwise a short line of the
    /// article's opening (a masthead) must name it, outside a credit phrase.
    pub fn is_outlet(&self, folded: &str) -> bool {
        if folded.len() < 3 {
            return false;
        }
        if self.own_names.iter().any(|f| f == folded || f.contains(folded) || folded.contains(f.as_str())) {
            return true;
        }
        // Crediting an outlet says the page is not that outlet, except in a
        // dateline, which the agency's own copy carries too.
        if self.credits.iter().any(|c| c.folded == folded && !c.dateline) {
            return false;
        }
        // A short name ("AP", "GNA") must be a word of its own; a longer one
        // may run into its neighbours ("Telegraph14 hours ago").
        if folded.chars().count() < 5 {
            self.header_words.iter().any(|w| w == folded)
        } else {
            self.header.contains(folded)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        credits(text).into_iter().map(|c| c.name).collect()
    }

    #[test]
    fn english_credit_phrases() {
        assert_eq!(names("spark a crisis, according to a report by The Telegraph on August 9."), ["The Telegraph"]);
        assert_eq!(names("According to a recent report by the Telegraph, flights rose."), ["the Telegraph"]);
        assert_eq!(names("Telegraph reports that Russia and Belarus"), ["Telegraph"]);
        assert_eq!(names("Read More @ kyivindependent.com"), ["kyivindependent.com"]);
        assert_eq!(names("The story was first reported by Reuters."), ["Reuters"]);
    }

    #[test]
    fn wire_datelines_credit_their_agency() {
        assert_eq!(names("NEW YORK (CWS) — It's traditional now to look"), ["CWS"]);
        assert_eq!(names("Headline\nLONDON (Reuters) - Prices rose."), ["Reuters"]);
        assert_eq!(names("МОСКВА (ТАСС) — Многие"), ["ТАСС"]);
        assert_eq!(names("广州（GNA）— 朝鲜外交部长"), ["GNA"]);
        assert!(names("The minister (pictured) - who declined").is_empty());
        // A place is a name, not a line of capitals.
        assert!(names("A VERY LONG LINE OF CAPITALS THAT IS NO PLACE (Reuters) - Prices rose.").is_empty());
        assert_eq!(names("RIO DE JANEIRO (Reuters) - Prices rose."), ["Reuters"]);
    }

    #[test]
    fn datelines_tried_at_line_starts_are_the_ones_a_scan_finds() {
        let scan = Regex::new(DATELINE_PATTERN).unwrap();
        let texts = [
            "LONDON (Reuters) - One.\nPARIS (AFP) — Two.\n",
            "Headline\nLONDON\n  (Reuters)\n- Prices rose.",
            "The minister said LONDON (Reuters) - no.\nOSLO (NTB) - yes",
            "A VERY LONG LINE OF CAPITALS THAT IS NO PLACE (Reuters) - x\nBERLIN (dpa) - y",
            "\n\nKYIV (Ukrinform) -\nMOSCOW (TASS) -",
            "广州（GNA）— 朝鲜\nМОСКВА (ТАСС) — Многие",
            "",
        ];
        for text in texts {
            let scanned: Vec<usize> = scan
                .find_iter(text)
                .filter(|m| {
                    let place = scan.captures(m.as_str()).unwrap().name("place").unwrap();
                    place.as_str().chars().count() <= MAX_DATELINE_PLACE_CHARS
                })
                .map(|m| m.start())
                .collect();
            let tried: Vec<usize> = datelines(text, &credit_patterns().dateline).iter().map(|(at, _)| *at).collect();
            assert_eq!(tried, scanned, "{text:?}");
        }
    }

    /// What [`credits`] finds, scanning each pattern over the whole text.
    fn credits_in_whole_text(text: &str) -> Vec<Credit> {
        if cue_windows(text, &text.to_lowercase()).is_none() {
            return Vec::new();
        }
        credits_within(text, std::iter::once(0..text.len()).collect())
    }

    #[test]
    fn windowed_scan_finds_what_a_full_scan_finds() {
        let texts = [
            "Flights rose.\n\nAccording to\n\n  \nThe Telegraph, they did.",
            "First line.\nThe Telegraph\n\nreports that flights rose.\nLast line.",
            "via\nvia\nReuters via AP, reports say. Reuters reports.\n",
            "A line\u{a0}\nlaut\u{a0}\nReuters",
            "İstanbul: according to Anadolu Agency, flights rose.",
            "No credit here at all, just news.",
            "FLIGHTS ROSE, ACCORDING TO Reuters \u{2014} officials said.",
            "Согласно ТАСС, рейсы выросли.\nСОГЛАСНО Интерфакс, нет.",
            "Ifølge NTB steg flyvningene. IFØLGE Reuters også.",
            "",
            "\n\n",
        ];
        for text in texts {
            assert_eq!(credits(text), credits_in_whole_text(text), "{text:?}");
        }
        let Some(eval) = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/eval").canonicalize().ok()
        else {
            assert!(std::env::var("CI").map_or(true, |v| v != "true"), "CI=true and ../shared/eval is missing");
            return;
        };
        let mut files = vec![];
        let mut dirs = vec![eval];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.file_name().is_some_and(|n| n == "articles.jsonl") {
                    files.push(path);
                }
            }
        }
        let (mut texts, mut credited) = (0, 0);
        for file in &files {
            for line in std::fs::read_to_string(file).unwrap().lines() {
                let record: serde_json::Value = serde_json::from_str(line).unwrap();
                let Some(text) = record["text"].as_str() else { continue };
                let found = credits(text);
                assert_eq!(found, credits_in_whole_text(text), "{}: {}", file.display(), record["id"]);
                texts += 1;
                credited += usize::from(!found.is_empty());
            }
        }
        assert!(texts > 1000 && credited > 10, "{} files, {texts} texts, {credited} credited", files.len());
    }

    #[test]
    fn only_texts_whose_other_letters_are_lowercase_are_searched_as_they_are() {
        assert!(lowercase_changes_only_ascii("ACCORDING TO Reuters \u{2014} “quoted” café, ø"));
        assert!(lowercase_changes_only_ascii(""));
        assert!(!lowercase_changes_only_ascii("Согласно ТАСС"));
        assert!(!lowercase_changes_only_ascii("IFØLGE NTB"));
        // Lowercasing "İ" gives two characters.
        assert!(!lowercase_changes_only_ascii(&format!("{}İstanbul", "a".repeat(70))));
    }

    fn provenance_of(article: &Article) -> Provenance {
        Provenance::of(article, &article.text.read().unwrap())
    }

    #[test]
    fn short_outlet_names_must_be_whole_words() {
        let a = Article::new("x", "A signal was sent on Monday.");
        assert!(!provenance_of(&a).is_outlet("gna"));
        let b = Article::new("y", "GNA news desk\nA signal was sent.");
        assert!(provenance_of(&b).is_outlet("gna"));
    }

    #[test]
    fn other_languages() {
        assert_eq!(names("Laut Reuters stiegen die Flüge."), ["Reuters"]);
        assert_eq!(names("sagte er laut Reuters.\nTeilen · Facebook"), ["Reuters"]);
        assert_eq!(names("Selon Le Monde, les vols ont augmenté."), ["Le Monde"]);
        assert_eq!(names("По данным Интерфакс, рейсы выросли."), ["Интерфакс"]);
        assert_eq!(names("Jumlah penerbangan naik, menurut Antara."), ["Antara"]);
        assert_eq!(names("Liczba lotów wzrosła, podaje Onet."), ["Onet"]);
        assert_eq!(names("Lentojen määrä kasvoi Reutersin mukaan."), ["Reutersin"]);
        assert_eq!(names("Uçuşlar arttı, Anadolu Ajansı'na göre."), ["Anadolu Ajansı'na"]);
        // Without case or spaces the name's end is a guess; credited names
        // are matched by containment ("reutersin" holds "reuters").
        assert!(names("据新华社报道，航班增加。")[0].starts_with("新华社"));
        assert_eq!(names("共同通信によると、便数が増えた。"), ["共同通信"]);
        assert!(names("وفقا لرويترز ارتفعت الرحلات")[0].starts_with("رويترز"));
        assert!(names("Theodore Roosevelt via the park").is_empty());
    }

    #[test]
    fn people_and_lowercase_words_are_not_outlets() {
        assert!(names("according to human rights group Human Constanta").is_empty());
        assert!(names("According to analysts, the plan failed.").is_empty());
    }

    #[test]
    fn names_fold_across_spellings() {
        assert_eq!(fold_name("The Kyiv Independent"), "kyivindependent");
        assert_eq!(fold_name("https://www.kyivindependent.com/news/x"), "kyivindependent");
        assert_eq!(fold_name("The Telegraph"), fold_name("telegraph"));
    }

    #[test]
    fn outlet_named_in_the_header_is_that_outlet() {
        let a = Article::new("x", "logo\nPutin's warlord ally\nTelegraph14 hours ago\nVladimir Putin appears...");
        assert!(provenance_of(&a).is_outlet("telegraph"));
        let copy = Article::new("y", "According to a report by The Telegraph, flights rose.");
        assert!(!provenance_of(&copy).is_outlet("telegraph"));
        let mut meta = Article::new("z", "text");
        meta.url = Some("https://www.telegraph.co.uk/world".into());
        assert!(provenance_of(&meta).is_outlet("telegraph"));
    }
}
