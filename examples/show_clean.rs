//! Prints what the clean stage keeps of some articles of a batch (the
//! boilerplate model is fitted on the whole batch), for debugging merges.
//!
//! cargo run --release --example show_clean -- corpus.jsonl ID [ID ...]

use newsdedup::ingest::{read_inputs, IngestOptions};
use newsdedup::pipeline::fit_boilerplate;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: show_clean CORPUS.jsonl ID...")?;
    let ids: Vec<String> = args.collect();
    let articles = read_inputs(&[path.into()], IngestOptions::default())?.articles;
    let model = fit_boilerplate(&articles)?;
    for a in articles.iter().filter(|a| ids.contains(&a.id)) {
        let clean = model.clean(&a.text.read()?);
        println!(
            "== {} ({} of {} lines kept)\n{}\n",
            a.id,
            clean.kept_lines,
            clean.kept_lines + clean.removed_lines,
            clean.body
        );
    }
    Ok(())
}
