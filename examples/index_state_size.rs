//! What the persistent index (docs/index.md) would hold of each article, in
//! bytes, on a real corpus: its analysis (terms as numbers into one
//! vocabulary, anchors, facts), its candidate postings, its output row and
//! its text, each raw and compressed with zstd one article at a time, as
//! the index stores them. The figures decide what the index keeps and what
//! it makes again (the target is at most 1 KiB per article beside the text).
//!
//! cargo run --release --example index_state_size -- CORPUS.jsonl

use newsdedup::clean::BoilerplateModel;
use newsdedup::ingest::{read_inputs, IngestOptions};
use newsdedup::key_groups::postings;
use newsdedup::output::article_records;
use newsdedup::pipeline::{boilerplate_of, line_stats, Analysis};
use newsdedup::signature::BatchStats;
use newsdedup::tokenize::PackedTerms;
use newsdedup::{Pipeline, PipelineParams};

fn zstd_len(bytes: &[u8]) -> usize {
    zstd::bulk::compress(bytes, 3).map_or(bytes.len(), |c| c.len())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: index_state_size CORPUS.jsonl")?;
    let articles = read_inputs(&[path.into()], IngestOptions::default())?.articles;
    let n = articles.len() as f64;
    let pipeline = Pipeline::new(PipelineParams::default().check()?);
    let model: BoilerplateModel = boilerplate_of([line_stats(&articles)?]);
    let analyses: Vec<Analysis> = articles.iter().map(|a| pipeline.analyze(a, &model)).collect::<Result<_, _>>()?;
    let mut stats = BatchStats::default();
    analyses.iter().for_each(|a| stats.add(&a.terms, &a.anchors, &a.analyzed.lang));
    let stop_words = pipeline.stop_words(analyses.iter().map(|a| &*a.analyzed.lang));
    let signer = pipeline.signer(&stats, &stop_words);
    let packed = PackedTerms::pack(analyses.iter().map(|a| a.terms.as_slice()));
    let (mut terms, mut terms_z, mut anchors, mut keys) = (0, 0, 0, 0);
    let mut numbers = Vec::new();
    for (doc, a) in analyses.iter().enumerate() {
        numbers.clear();
        packed.numbers_into(doc, &mut numbers);
        let mut bytes = Vec::new();
        for &number in &numbers {
            let mut v = number;
            while v >= 0x80 {
                bytes.push((v as u8) | 0x80);
                v >>= 7;
            }
            bytes.push(v as u8);
        }
        terms += bytes.len();
        terms_z += zstd_len(&bytes);
        anchors += a.anchors.len() * 8;
        let signature = signer.sign(&a.terms, &a.anchors, &a.analyzed.lang);
        keys += postings(&signature, pipeline.params().cross_language()).len();
    }
    let result = pipeline.run(articles)?;
    let (mut row, mut row_z, mut text, mut text_z) = (0, 0, 0, 0);
    for (record, article) in article_records(&result).iter().zip(&result.articles) {
        let json = serde_json::to_vec(record)?;
        row += json.len();
        row_z += zstd_len(&json);
        let body = article.text.read()?;
        text += body.len();
        text_z += zstd_len(body.as_bytes());
    }
    let per = |total: usize| total as f64 / n;
    println!("articles: {n}; distinct terms: {}", packed.vocabulary().len());
    println!("terms in order, as varint numbers into one vocabulary: {:.0} B, zstd {:.0} B", per(terms), per(terms_z));
    println!("anchors (8 B each): {:.0} B", per(anchors));
    println!("candidate postings (term, wording, anchor keys): {:.1} per article", per(keys));
    println!("output row (JSON): {:.0} B, zstd {:.0} B", per(row), per(row_z));
    println!("text: {:.0} B, zstd {:.0} B", per(text), per(text_z));
    Ok(())
}
