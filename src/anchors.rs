//! Anchors: the language-independent tokens of an article, for linking
//! translations of one story (`--cross-lingual`).
//!
//! A translation rewords everything but keeps numbers, dates and most names.
//! The anchors of an article are
//!
//! - its numbers, with every script's decimal digits read as 0-9 and the
//!   group separators dropped ("৩০,০০০", "30.000" and "30,000" are one anchor);
//! - its Latin-script names: capitalised words in a Latin-script article
//!   (where a sentence or line opens, only at the head of a run of
//!   capitalised words: "John Edward said", not "The" or "But"), every Latin-script
//!   word in an article written in another script (names and acronyms kept
//!   in their original spelling: "SCIS", "John Edward").
//!
//! They are weighted like terms (sublinear TF, batch IDF) and compared by
//! cosine: on ntrex-crosslingual, articles of one story share them across 24
//! languages while other stories rarely do.

use unicode_script::{Script, UnicodeScript};

use crate::tokenize::{term_hash, TermHash};

/// The value of a decimal digit in any script (`None` for other characters).
pub fn digit_value(c: char) -> Option<u32> {
    if c.is_ascii() {
        return c.to_digit(10);
    }
    // Zeros of the Unicode decimal-digit (Nd) runs of the scripts newsdedup meets in news.
    const ZEROS: &[u32] = &[
        0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66, 0x0DE6, 0x0E50,
        0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0xFF10,
    ];
    let code = c as u32;
    ZEROS.iter().find(|&&z| (z..z + 10).contains(&code)).map(|&z| code - z)
}

/// Is `c` a letter of the Latin script? (ASCII answers without the script tables.)
fn is_latin_letter(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        // The script first: `is_alphabetic` is slow outside ASCII.
        c.script() == Script::Latin && c.is_alphabetic()
    }
}

/// True when most letters of `text` (of about its first 2,000) are Latin:
/// ASCII letters, and characters of the Latin script outside ASCII.
fn is_latin_text(text: &str) -> bool {
    const LETTERS: usize = 2000;
    let (mut latin, mut letters) = (0usize, 0usize);
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() && letters < LETTERS {
        // ASCII is counted up to 64 bytes at a time, without decoding characters.
        let chunk = &bytes[at..bytes.len().min(at + 64)];
        let ascii =
            if chunk.is_ascii() { chunk.len() } else { chunk.iter().position(|&b| b >= 0x80).unwrap_or(chunk.len()) };
        let ascii_letters = chunk[..ascii].iter().filter(|b| b.is_ascii_alphabetic()).count();
        letters += ascii_letters;
        latin += ascii_letters;
        at += ascii;
        if ascii < chunk.len() {
            // Outside ASCII a letter is a character of a script of its own
            // (not Common or Inherited): `is_alphabetic` is slow there.
            let c = char_at(text, at).unwrap_or(char::REPLACEMENT_CHARACTER);
            match c.script() {
                Script::Common | Script::Inherited | Script::Unknown => {}
                Script::Latin => {
                    letters += 1;
                    latin += 1;
                }
                _ => letters += 1,
            }
            at += c.len_utf8();
        }
    }
    letters > 0 && 2 * latin >= letters
}

/// The anchors of `text`, as term hashes, in order.
pub fn anchors(text: &str) -> Vec<TermHash> {
    anchors_and_years(text).0
}

/// Years a text may mention: four-digit numbers in this range.
const YEARS: std::ops::RangeInclusive<u32> = 1900..=2099;

/// The anchors of `text` (as [`anchors`]) and the distinct years it
/// mentions, ascending: two reports whose years do not meet tell of
/// different events, however alike their words.
pub fn anchors_and_years(text: &str) -> (Vec<TermHash>, Vec<u16>) {
    let latin_text = is_latin_text(text);
    let (mut out, mut years) = (Vec::new(), Vec::new());
    let mut buf = String::new();
    // Whether the next word opens a sentence or a line: its capital then
    // says nothing of a name ("The", "But"), unless a capitalised word
    // follows (a name run: "John Edward said").
    let mut opens_sentence = true;
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        // Most of a Latin text is lowercase words, never anchors, and
        // spaces: a run of both is passed over in one loop, and a word
        // the run stops inside goes on to its end.
        match bytes[at] {
            b' ' => {
                at += 1;
                continue;
            }
            b'a'..=b'z' if latin_text => {
                let run = bytes[at..].iter().position(|&b| !(b.is_ascii_lowercase() || b == b' '));
                at = run.map_or(bytes.len(), |n| at + n);
                if bytes[at - 1] != b' ' {
                    at = end_of_word(text, at);
                }
                opens_sentence = false;
                continue;
            }
            _ => {}
        }
        let Some(c) = char_at(text, at) else { break };
        let start = at;
        at += c.len_utf8();
        if let Some(first) = digit_value(c) {
            // "#" and the digits, leading zeros dropped ("#0" for zero).
            buf.clear();
            buf.push('#');
            let mut digits = 0;
            let mut push_digit = |buf: &mut String, d: u32| {
                digits += 1;
                if d != 0 || buf.len() > 1 {
                    buf.push(char::from_digit(d, 10).unwrap_or('0'));
                }
            };
            push_digit(&mut buf, first);
            while let Some(next) = char_at(text, at) {
                if let Some(d) = digit_value(next) {
                    push_digit(&mut buf, d);
                    at += next.len_utf8();
                } else if matches!(next, ',' | '.' | '٬' | '٫')
                    && char_at(text, at + next.len_utf8()).and_then(digit_value).is_some()
                {
                    // A separator between digits is part of the number.
                    at += next.len_utf8();
                } else {
                    break;
                }
            }
            if buf.len() == 1 {
                buf.push('0');
            }
            if digits == 4 {
                if let Some(year) = buf[1..].parse::<u32>().ok().filter(|y| YEARS.contains(y)) {
                    years.push(year as u16);
                }
            }
            out.push(term_hash(&buf));
            opens_sentence = false;
            continue;
        }
        if is_latin_letter(c) {
            at = end_of_word(text, at);
            let word = &text[start..at];
            let keep = if latin_text {
                let run = || text[at..].chars().find(|&n| n != ' ').is_some_and(char::is_uppercase);
                c.is_uppercase() && (!opens_sentence || run())
            } else {
                true
            };
            opens_sentence = false;
            if keep && word.chars().nth(1).is_some() {
                buf.clear();
                if word.is_ascii() {
                    buf.push_str(word);
                    buf.make_ascii_lowercase();
                } else {
                    buf.extend(word.chars().flat_map(char::to_lowercase));
                }
                out.push(term_hash(&buf));
            }
            continue;
        }
        match c {
            '\t' | '"' | '“' | '‘' | '(' | '\'' => {}
            '\n' | '.' | '!' | '?' | ':' | '—' | '-' | '•' => opens_sentence = true,
            _ => opens_sentence = false,
        }
    }
    years.sort_unstable();
    years.dedup();
    (out, years)
}

/// Where the word that runs on at byte `at` of `text` ends: it runs over
/// Latin letters and hyphens, a byte at a time while they are ASCII.
fn end_of_word(text: &str, mut at: usize) -> usize {
    let bytes = text.as_bytes();
    while at < bytes.len() {
        if bytes[at].is_ascii_alphabetic() || bytes[at] == b'-' {
            at += 1;
        } else if bytes[at] >= 0x80 && char_at(text, at).is_some_and(is_latin_letter) {
            at += char_at(text, at).map_or(1, char::len_utf8);
        } else {
            break;
        }
    }
    at
}

/// The character that starts at byte `at` of `text` (`at` on a boundary).
fn char_at(text: &str, at: usize) -> Option<char> {
    match text.as_bytes().get(at) {
        Some(&b) if b < 0x80 => Some(char::from(b)),
        Some(_) => text[at..].chars().next(),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_of_every_script_are_one_number() {
        let expected = vec![term_hash("#30000"), term_hash("#2018")];
        assert_eq!(anchors("30,000 pupils in 2018"), expected);
        assert_eq!(anchors("৩০,০০০ জন ২০১৮"), expected);
        assert_eq!(anchors("٣٠٬٠٠٠ طالب ٢٠١٨"), expected);
        assert_eq!(anchors("३०,००० छात्र २०१८"), expected);
    }

    #[test]
    fn names_are_anchors_in_latin_text_and_any_latin_word_elsewhere() {
        let en = anchors(
            "Yesterday, John Edward said the schools of Scotland (SCIS) did well. The rest did not.\nJohn Edward left.",
        );
        for name in ["john", "edward", "scotland", "scis"] {
            assert!(en.contains(&term_hash(name)), "{name}");
        }
        for opener in ["yesterday", "the"] {
            assert!(!en.contains(&term_hash(opener)), "{opener} opens a sentence");
        }
        assert!(!en.contains(&term_hash("schools")), "lowercase words of Latin text are not names");
        let zh = anchors("约翰 John Edward：世界公民必备的语言技巧和方法 SCIS");
        assert_eq!(zh, vec![term_hash("john"), term_hash("edward"), term_hash("scis")]);
    }

    #[test]
    fn years_are_four_digit_numbers_of_the_last_two_centuries() {
        let (_, years) =
            anchors_and_years("In 2011, 3,000 people (1,998 of them in 1998) met; 2011 again, 12011, 1850.");
        assert_eq!(years, vec![1998, 2011]);
        assert_eq!(anchors_and_years("٢٠١٨").1, vec![2018]);
    }

    #[test]
    fn a_text_is_latin_when_most_of_its_letters_are() {
        assert!(is_latin_text("Élection à Besançon : 3 000 électeurs déçus"));
        assert!(is_latin_text(&"ASCII words, ".repeat(200)));
        assert!(!is_latin_text("LeBron เตรียมเปิดตัวกับ Lakers ในวันอาทิตย์ที่ซานดิเอโก"));
        assert!(!is_latin_text("约翰 John Edward：世界公民必备的语言技巧和方法"));
        assert!(!is_latin_text("2018 — 30,000"));
        // Past 64 bytes of ASCII, a Cyrillic text still counts its own letters.
        assert!(!is_latin_text(&format!("{} {}", "Reuters".repeat(10), "Москва заявила в понедельник".repeat(5))));
    }

    #[test]
    fn a_word_that_opens_lowercase_is_no_name_however_it_goes_on() {
        // Runs of lowercase words are passed over whole; "iPhone",
        // "well-known" and "déjàVu" go on past where such a run stops.
        let found = anchors("Sales of the iPhone, well-known and déjàVu, rose in Paris.\nthe end");
        assert_eq!(found, vec![term_hash("paris")]);
    }

    #[test]
    fn leading_zeros_and_lone_zero() {
        assert_eq!(anchors("007 and 0"), vec![term_hash("#7"), term_hash("#0")]);
    }
}
