//! Writes data/examples/feed.parquet (the three example articles) and
//! feed-broken.parquet (the same file cut short), for tests/formats.rs.
//!
//! cargo run --release --example make_parquet_examples

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/examples");
    let mut rows = csv::Reader::from_path(dir.join("feed.csv"))?;
    let (mut ids, mut titles, mut texts) = (Vec::new(), Vec::new(), Vec::new());
    for row in rows.records() {
        let row = row?;
        ids.push(row[0].to_string());
        titles.push(row[1].to_string());
        texts.push(row[2].to_string());
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("title", DataType::Utf8, false),
        Field::new("text", DataType::Utf8, false),
    ]));
    let columns: Vec<ArrayRef> =
        vec![Arc::new(StringArray::from(ids)), Arc::new(StringArray::from(titles)), Arc::new(StringArray::from(texts))];
    let batch = RecordBatch::try_new(schema.clone(), columns)?;
    let mut bytes = Vec::new();
    let mut writer = parquet::arrow::ArrowWriter::try_new(&mut bytes, schema, None)?;
    writer.write(&batch)?;
    writer.close()?;
    std::fs::write(dir.join("feed.parquet"), &bytes)?;
    std::fs::write(dir.join("feed-broken.parquet"), &bytes[..bytes.len() / 2])?;
    Ok(())
}
