//! Writes the verified edges of a run as JSONL (a, b, cosine, containments),
//! for studying merges on a large corpus where `--pairs` (every candidate)
//! would be too big.
//!
//! cargo run --release --example dump_edges -- corpus.jsonl > edges.jsonl

use std::io::Write;

use newsdedup::ingest::{read_inputs, IngestOptions};
use newsdedup::{Pipeline, PipelineParams};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: dump_edges CORPUS.jsonl")?;
    let articles = read_inputs(&[path.into()], IngestOptions::default())?.articles;
    let result = Pipeline::new(PipelineParams::default().check()?).run(articles)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for e in &result.edges {
        let (a, b) = (&result.articles[e.a as usize].id, &result.articles[e.b as usize].id);
        writeln!(out, r#"{{"a":"{a}","b":"{b}","cosine":{},"a_in_b":{},"b_in_a":{}}}"#, e.cosine, e.a_in_b, e.b_in_a)?;
    }
    Ok(())
}
