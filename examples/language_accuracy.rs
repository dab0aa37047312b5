//! Measures language detection against the `lang` field of a JSONL task
//! (e.g. ../shared/eval/ntrex-crosslingual/articles.jsonl), for several
//! sample sizes: accuracy and time per article.
//!
//! cargo run --release --example language_accuracy -- ../shared/eval/ntrex-crosslingual/articles.jsonl

use std::time::Instant;

use newsdedup::ingest::{read_inputs, IngestOptions};
use newsdedup::language;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: language_accuracy ARTICLES.jsonl")?;
    let articles = read_inputs(&[path.into()], IngestOptions::default())?.articles;
    let given: Vec<String> = articles.iter().map(|a| language::normalize_code(a.lang.as_deref().unwrap_or("und"))).collect();
    println!("| sample bytes | accuracy | µs per article |");
    println!("|---|---|---|");
    for sample in [256, 600, 1024, 4096] {
        let start = Instant::now();
        let right = articles
            .iter()
            .zip(&given)
            .filter(|(a, g)| language::detect_sample(&a.text, sample) == **g)
            .count();
        let micros = start.elapsed().as_secs_f64() * 1e6 / articles.len() as f64;
        println!("| {sample} | {:.3} | {micros:.1} |", right as f64 / articles.len() as f64);
    }
    Ok(())
}
