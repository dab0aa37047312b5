//! Language: article text → a language code.
//!
//! A language given by the input wins. Otherwise `whatlang` detects it from
//! the cleaned body; its 639-3 codes are mapped to ISO 639-1 where one exists
//! (the codes of the eval sets and of the IDF tables in `models/idf/`).
//! Detection that is not reliable still returns its best guess, since the
//! language only selects stop-word weighting; the script is always right.

use crate::pipeline::prefix_at_char_boundary;

/// Code used when nothing can be detected (empty or symbol-only text).
pub const UNDETERMINED: &str = "und";

/// Bytes of an article that language detection reads: on
/// ntrex-crosslingual, 1,024 bytes detect 95.7% right at 56 µs an article and
/// 4,096 bytes 95.8% at 84 µs (`cargo run --release --example
/// language_accuracy -- ../shared/eval/ntrex-crosslingual/articles.jsonl`).
pub const SAMPLE_BYTES: usize = 1024;

/// Detects the language of `text` from its first [`SAMPLE_BYTES`] bytes.
pub fn detect(text: &str) -> String {
    detect_sample(text, SAMPLE_BYTES)
}

/// Detects the language of `text` from its first `sample` bytes.
pub fn detect_sample(text: &str, sample: usize) -> String {
    let sample = prefix_at_char_boundary(text, sample);
    if !sample.chars().any(char::is_alphabetic) {
        return UNDETERMINED.to_string();
    }
    match whatlang::detect(sample) {
        Some(info) => to_iso639_1(info.lang().code()).to_string(),
        None => UNDETERMINED.to_string(),
    }
}

/// The language of an article: the given one when present, else detected.
pub fn resolve(given: Option<&str>, text: &str) -> String {
    match given {
        Some(code) if !code.trim().is_empty() => normalize_code(code),
        _ => detect(text),
    }
}

/// Lowercases a user-given code and maps 639-3 codes to 639-1 where known
/// (`"eng"` → `"en"`, `"zh-TW"` → `"zh"`).
pub fn normalize_code(code: &str) -> String {
    let lower = code.trim().to_ascii_lowercase();
    let base = lower.split(['-', '_']).next().unwrap_or(&lower);
    to_iso639_1(base).to_string()
}


/// ISO 639-3 (as whatlang and NTREX spell them) → 639-1 where one exists.
fn to_iso639_1(code: &str) -> &str {
    match code {
        "afr" => "af", "aka" => "ak", "amh" => "am", "ara" | "arb" => "ar", "aze" => "az",
        "bel" => "be", "ben" => "bn", "bul" => "bg", "cat" => "ca", "ces" => "cs",
        "cmn" | "zho" => "zh", "cym" => "cy", "dan" => "da", "deu" => "de", "ell" => "el",
        "eng" => "en", "epo" => "eo", "est" => "et", "fas" | "pes" => "fa", "fin" => "fi",
        "fra" => "fr", "guj" => "gu", "heb" => "he", "hin" => "hi", "hrv" => "hr",
        "hun" => "hu", "hye" => "hy", "ind" => "id", "ita" => "it", "jav" => "jv",
        "jpn" => "ja", "kan" => "kn", "kat" => "ka", "khm" => "km", "kor" => "ko",
        "lat" => "la", "lav" => "lv", "lit" => "lt", "mal" => "ml", "mar" => "mr",
        "mkd" => "mk", "mya" => "my", "nep" => "ne", "nld" => "nl", "nob" => "nb",
        "ori" => "or", "pan" => "pa", "pol" => "pl", "por" => "pt", "ron" => "ro",
        "rus" => "ru", "sin" => "si", "slk" => "sk", "slv" => "sl", "sna" => "sn",
        "spa" => "es", "srp" => "sr", "swa" => "sw", "swe" => "sv", "tam" => "ta",
        "tel" => "te", "tgl" => "tl", "tha" => "th", "tuk" => "tk", "tur" => "tr",
        "ukr" => "uk", "urd" => "ur", "uzb" => "uz", "vie" => "vi", "yid" => "yi",
        "zul" => "zu",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_common_languages() {
        assert_eq!(detect("The European Commission has tracked an increased number of flights between the cities."), "en");
        assert_eq!(detect("Die Europäische Kommission hat eine erhöhte Zahl von Flügen zwischen den Städten festgestellt."), "de");
        assert_eq!(detect("Европейская комиссия зафиксировала рост числа рейсов между городами."), "ru");
    }

    #[test]
    fn given_language_wins_and_is_normalised() {
        assert_eq!(resolve(Some("zh-TW"), "anything"), "zh");
        assert_eq!(resolve(Some("eng"), "anything"), "en");
        assert_eq!(resolve(Some(""), "Ceci est un article de presse écrit en français, assez long."), "fr");
    }

    #[test]
    fn symbols_only_is_undetermined() {
        assert_eq!(detect("— · ©"), UNDETERMINED);
    }
}
