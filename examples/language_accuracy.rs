//! Measures language detection against the `lang` field of a JSONL task
//! (e.g. ../shared/eval/ntrex-crosslingual/articles.jsonl): newsdedup's
//! detector (whichlang checked by stop words, else whatlang), whatlang alone
//! at several sample sizes, and whichlang alone, over all articles and over
//! the 16 languages whichlang knows.
//!
//! cargo run --release --example language_accuracy -- ../shared/eval/ntrex-crosslingual/articles.jsonl

use std::time::Instant;

use newsdedup::ingest::{read_inputs, IngestOptions};
use newsdedup::language;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: language_accuracy ARTICLES.jsonl")?;
    let articles = read_inputs(&[path.into()], IngestOptions::default())?.articles;
    let texts: Vec<String> =
        articles.iter().map(|a| a.text.read().map(|t| t.into_owned())).collect::<Result<_, _>>()?;
    let given: Vec<String> =
        articles.iter().map(|a| language::normalize_code(a.lang.as_deref().unwrap_or("und"))).collect();
    // The languages whichlang detects, as ISO 639-1 codes.
    const WHICHLANG: &[&str] =
        &["ar", "nl", "en", "fr", "de", "hi", "it", "ja", "ko", "zh", "pt", "ru", "es", "sv", "tr", "vi"];
    let known: Vec<bool> = given.iter().map(|g| WHICHLANG.contains(&g.as_str())).collect();
    let n_known = known.iter().filter(|k| **k).count();
    println!(
        "| detector | sample bytes | accuracy, all {} | accuracy, {} in whichlang's 16 languages | µs per article |",
        articles.len(),
        n_known
    );
    println!("|---|---|---|---|---|");
    let report = |name: &str, sample: usize, detect: &dyn Fn(&str) -> String| {
        let start = Instant::now();
        let guesses: Vec<String> = texts.iter().map(|t| detect(t)).collect();
        let micros = start.elapsed().as_secs_f64() * 1e6 / articles.len() as f64;
        let right: Vec<bool> = guesses.iter().zip(&given).map(|(x, g)| x == g).collect();
        let all = right.iter().filter(|r| **r).count() as f64 / articles.len() as f64;
        let sub = right.iter().zip(&known).filter(|(r, k)| **r && **k).count() as f64 / n_known as f64;
        println!("| {name} | {sample} | {all:.3} | {sub:.3} | {micros:.1} |");
    };
    let whatlang_only = |t: &str, sample: usize| {
        let sample = newsdedup::text::prefix_at_char_boundary(t, sample);
        whatlang::detect(sample).map_or("und".to_string(), |i| language::normalize_code(i.lang().code()))
    };
    for sample in [256, 1024, 4096] {
        report("whatlang", sample, &|t| whatlang_only(t, sample));
    }
    report("newsdedup", language::SAMPLE_BYTES, &|t| language::detect(t));
    let differ = texts.iter().filter(|t| language::detect(t) != whatlang_only(t, language::SAMPLE_BYTES)).count();
    println!("\nnewsdedup and whatlang alone (same sample) disagree on {differ} of {} articles", articles.len());
    for sample in [256, 1024, 4096] {
        report("whichlang", sample, &|t| {
            let code =
                whichlang::detect_language(newsdedup::text::prefix_at_char_boundary(t, sample)).three_letter_code();
            language::normalize_code(if code == "cmn" { "zh" } else { code })
        });
    }
    Ok(())
}
