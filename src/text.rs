//! Small text helpers that several stages share; this module imports no
//! other module of the crate, so every stage may depend on it.

use unicode_script::{Script, UnicodeScript};

/// Bytes of an article that are analyzed; the rest of a longer text is
/// ignored (with a note in its evidence), which bounds time and memory on a
/// pathological input such as a 50 MB "article".
pub const MAX_ANALYZED_BYTES: usize = 1 << 20;

/// Characters per word of the scripts written without spaces between words,
/// measured on NTREX-128 (the characters, spaces excluded, of each
/// translation over the words of the English source): Chinese 1.99 and
/// Japanese 2.64 (taken as 2.5); Thai 5.44, Lao 6.08, Khmer 6.58 and
/// Myanmar 6.91 (taken as 6).
const CHARS_PER_WORD_CJK: f32 = 2.5;
/// See [`CHARS_PER_WORD_CJK`].
const CHARS_PER_WORD_SOUTHEAST_ASIAN: f32 = 6.0;

/// The share of a word that one character is, for characters of scripts
/// written without spaces between words; `None` for any other character
/// (its words are set apart by spaces).
fn share_of_unspaced_word(c: char) -> Option<f32> {
    match c.script() {
        Script::Han | Script::Hiragana | Script::Katakana => Some(1.0 / CHARS_PER_WORD_CJK),
        Script::Thai | Script::Lao | Script::Khmer | Script::Myanmar => Some(1.0 / CHARS_PER_WORD_SOUTHEAST_ASIAN),
        _ => None,
    }
}

/// The number of words in `text`: its whitespace-separated runs, where a
/// run in a script written without spaces (Chinese, Japanese, Thai, ...)
/// counts its characters over that script's characters per word, so that a
/// Thai paragraph counts as many words as its English translation rather
/// than as one.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace()
        .map(|run| {
            if run.is_ascii() {
                return 1;
            }
            let unspaced: f32 = run.chars().filter_map(share_of_unspaced_word).sum();
            (unspaced.round() as usize).max(1)
        })
        .sum()
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
pub fn prefix_at_char_boundary(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_never_splits_a_character() {
        assert_eq!(prefix_at_char_boundary("abc", 10), "abc");
        assert_eq!(prefix_at_char_boundary("aé", 2), "a");
        assert_eq!(prefix_at_char_boundary("aé", 3), "aé");
    }

    #[test]
    fn words_of_scripts_without_spaces_are_counted_by_their_characters() {
        assert_eq!(word_count("  the wire  story, again "), 4);
        assert_eq!(word_count("état civil"), 2);
        // Fourteen Thai characters make two words; twenty-one kana and kanji eight.
        assert_eq!(word_count("รัฐบาลไทยประกา"), 2);
        assert_eq!(word_count("東京都は月曜日に新しい計画を発表したと述べ"), 8);
        // Latin words inside a Thai line count one each; sixteen Thai characters three.
        assert_eq!(word_count("LeBron เตรียมเปิดตัวกับ Lakers"), 5);
    }
}
