//! Throughput of newsdedup's multilingual analyzer against a plain
//! English-style one (NFKC + lowercase, whitespace and punctuation split, no
//! script handling), both built from the `tokenizers` crate, on the texts of
//! a JSONL file. Single thread.
//!
//! cargo run --release --example tokenizer_throughput -- corpus.jsonl

use std::time::Instant;

use newsdedup::ingest::{read_inputs, IngestOptions};
use newsdedup::tokenize::Analyzer;
use tokenizers::normalizers::{Lowercase, NormalizerWrapper, Sequence as NormalizerSequence, NFKC};
use tokenizers::pre_tokenizers::punctuation::Punctuation;
use tokenizers::pre_tokenizers::sequence::Sequence as PreTokenizerSequence;
use tokenizers::pre_tokenizers::whitespace::WhitespaceSplit;
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
use tokenizers::{
    NormalizedString, Normalizer, OffsetReferential, OffsetType, PreTokenizedString, PreTokenizer,
    SplitDelimiterBehavior,
};

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let path = std::env::args().nth(1).ok_or("usage: tokenizer_throughput CORPUS.jsonl")?;
    let articles = read_inputs(&[path.into()], IngestOptions::default())?.articles;
    let texts: Vec<String> =
        articles.iter().map(|a| a.text.read().map(|t| t.into_owned())).collect::<Result<_, _>>()?;
    let bytes: usize = texts.iter().map(String::len).sum();

    // The pair features' anchors (numbers and names), read from every text.
    let start = Instant::now();
    let anchors: usize = texts.iter().map(|t| newsdedup::anchors::anchors_and_years(t).0.len()).sum();
    let t_anchors = start.elapsed().as_secs_f64();
    println!("anchors: {anchors} in {t_anchors:.3} s, {:.1} MB/s", bytes as f64 / t_anchors / 1e6);

    let analyzer = Analyzer::new();
    let start = Instant::now();
    let mut multilingual = 0usize;
    for text in &texts {
        multilingual += analyzer.term_hashes(text)?.len();
    }
    let t_multi = start.elapsed().as_secs_f64();

    let normalizer =
        NormalizerSequence::new(vec![NormalizerWrapper::NFKC(NFKC), NormalizerWrapper::Lowercase(Lowercase)]);
    let pre = PreTokenizerSequence::new(vec![
        PreTokenizerWrapper::WhitespaceSplit(WhitespaceSplit),
        PreTokenizerWrapper::Punctuation(Punctuation::new(SplitDelimiterBehavior::Removed)),
    ]);
    let start = Instant::now();
    let mut plain = 0usize;
    for text in &texts {
        let mut n = NormalizedString::from(text.as_str());
        normalizer.normalize(&mut n)?;
        let mut p = PreTokenizedString::from(n);
        pre.pre_tokenize(&mut p)?;
        for (s, _, _) in p
            .get_splits(OffsetReferential::Normalized, OffsetType::Byte)
            .into_iter()
            .filter(|(s, _, _)| s.chars().nth(1).is_some())
        {
            std::hint::black_box(newsdedup::tokenize::term_hash(s));
            plain += 1;
        }
    }
    let t_plain = start.elapsed().as_secs_f64();
    let mb = bytes as f64 / 1e6;
    println!("| analyzer | terms | seconds | MB/s |");
    println!("|---|---|---|---|");
    println!("| plain (English-style) | {plain} | {t_plain:.2} | {:.1} |", mb / t_plain);
    println!("| multilingual (newsdedup) | {multilingual} | {t_multi:.2} | {:.1} |", mb / t_multi);
    println!("\nmultilingual costs {:+.1}% time on this input", 100.0 * (t_multi / t_plain - 1.0));
    Ok(())
}
