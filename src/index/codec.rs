//! How the index stores what it keeps of an article: its record as read
//! (text and the fields the output carries), its pairs' verdicts and its
//! batch's boilerplate model, each compact (postcard) and the larger ones
//! compressed (zstd). An error is its reason, for the index to name
//! itself in ([`super::IndexError::Database`]).

/// A value that cannot be stored or read back: why.
type Result<T> = std::result::Result<T, String>;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::article::{Article, Origin, Text};
use crate::clean::BoilerplateModel;
use crate::key_groups::Verdict;
use crate::verify::Edge;

/// zstd's level for stored records and rows: level 3 compresses a
/// news text to about half (docs/index.md) at a few µs a record.
const LEVEL: i32 = 3;

/// An article's record as the index keeps it.
#[derive(Serialize, Deserialize)]
struct Record<'a> {
    title: Option<&'a str>,
    text: &'a str,
    url: Option<&'a str>,
    source: Option<&'a str>,
    published_at: Option<&'a str>,
    lang: Option<&'a str>,
    warc_record_id: Option<&'a str>,
    origin_path: &'a str,
    origin_line: u64,
}

/// Compresses `bytes` as the index stores them.
pub fn compress(bytes: &[u8]) -> Result<Vec<u8>> {
    zstd::bulk::compress(bytes, LEVEL).map_err(|e| format!("cannot compress: {e}"))
}

/// The bytes `compress` stored.
pub fn decompress(bytes: &[u8]) -> Result<Vec<u8>> {
    zstd::stream::decode_all(bytes).map_err(|e| format!("a stored value is malformed: {e}"))
}

/// `article` as the index stores it (its text read, if left in its file).
pub fn encode_article(article: &Article) -> Result<Vec<u8>> {
    let text = article.text.read().map_err(|e| e.to_string())?;
    let record = Record {
        title: article.title.as_deref(),
        text: &text,
        url: article.url.as_deref(),
        source: article.source.as_deref(),
        published_at: article.published_at.as_deref(),
        lang: article.lang.as_deref(),
        warc_record_id: article.warc_record_id.as_deref(),
        origin_path: &article.origin.path,
        origin_line: article.origin.line,
    };
    compress(&postcard::to_allocvec(&record).map_err(|e| format!("cannot encode {}: {e}", article.id))?)
}

/// The article of id `id` that [`encode_article`] stored.
pub fn decode_article(id: &str, bytes: &[u8]) -> Result<Article> {
    let bytes = decompress(bytes)?;
    let r: Record = postcard::from_bytes(&bytes).map_err(|e| format!("the stored record of {id} is malformed: {e}"))?;
    let owned = |s: Option<&str>| s.map(str::to_owned);
    Ok(Article {
        id: id.to_string(),
        title: owned(r.title),
        text: Text::from(r.text.to_string()),
        url: owned(r.url),
        source: owned(r.source),
        published_at: owned(r.published_at),
        lang: owned(r.lang),
        warc_record_id: owned(r.warc_record_id),
        origin: Origin { path: Arc::from(r.origin_path), line: r.origin_line },
    })
}

/// A pair's verdict as stored: its other end's distance from the last
/// one in the list, the edge's measures, P(same event).
#[derive(Serialize, Deserialize)]
struct StoredVerdict {
    gap: u64,
    edge: Option<(f32, f32, f32)>,
    link: Option<f32>,
}

/// The verdicts of an article's pairs with later articles (each `v.a` the
/// article, `v.b` larger), as the index stores them: one value an article,
/// the other ends delta-coded.
pub fn encode_partners(verdicts: &[Verdict]) -> Result<Vec<u8>> {
    let mut sorted: Vec<&Verdict> = verdicts.iter().collect();
    sorted.sort_by_key(|v| v.b);
    let mut last = sorted.first().map_or(0, |v| v.a);
    let stored: Vec<StoredVerdict> = sorted
        .into_iter()
        .map(|v| StoredVerdict {
            gap: v.b - std::mem::replace(&mut last, v.b),
            edge: v.edge.map(|e| (e.cosine, e.a_in_b, e.b_in_a)),
            link: v.link,
        })
        .collect();
    postcard::to_allocvec(&stored).map_err(|e| format!("cannot encode verdicts: {e}"))
}

/// The verdicts of article `a`'s pairs that [`encode_partners`] stored.
pub fn decode_partners(a: u64, bytes: &[u8]) -> Result<Vec<Verdict>> {
    let stored: Vec<StoredVerdict> =
        postcard::from_bytes(bytes).map_err(|e| format!("the stored verdicts of article {a} are malformed: {e}"))?;
    let mut b = a;
    stored
        .into_iter()
        .map(|s| {
            b = b.checked_add(s.gap).ok_or_else(|| format!("the stored verdicts of article {a} are malformed"))?;
            let edge = s.edge.map(|(cosine, a_in_b, b_in_a)| Edge { a: 0, b: 0, cosine, a_in_b, b_in_a });
            Ok(Verdict { a, b, edge, link: s.link })
        })
        .collect()
}

/// A batch's boilerplate model as stored.
pub fn encode_boilerplate(model: &BoilerplateModel) -> Result<Vec<u8>> {
    compress(&postcard::to_allocvec(model).map_err(|e| format!("cannot encode a model: {e}"))?)
}

/// The boilerplate model [`encode_boilerplate`] stored.
pub fn decode_boilerplate(bytes: &[u8]) -> Result<BoilerplateModel> {
    postcard::from_bytes(&decompress(bytes)?).map_err(|e| format!("a stored boilerplate model is malformed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_and_a_verdict_read_back_as_written() {
        let mut article = Article::new("a1", "Line one\nLine two");
        article.title = Some("Title".into());
        article.published_at = Some("2024-05-01T10:00:00Z".into());
        article.origin = Origin { path: "feed.jsonl".into(), line: 7 };
        let back = decode_article("a1", &encode_article(&article).unwrap()).unwrap();
        assert_eq!(back.text.read().unwrap(), "Line one\nLine two");
        assert_eq!((back.title, back.published_at, back.url), (article.title, article.published_at, None));
        assert_eq!(back.origin, article.origin);
        let edge = Edge { a: 0, b: 0, cosine: 0.9, a_in_b: 0.5, b_in_a: 0.25 };
        let verdicts = vec![
            Verdict { a: 3, b: 20, edge: None, link: Some(0.5) },
            Verdict { a: 3, b: 8, edge: Some(edge), link: Some(0.75) },
        ];
        let back = decode_partners(3, &encode_partners(&verdicts).unwrap()).unwrap();
        assert_eq!(back, vec![verdicts[1], verdicts[0]]);
        assert!(decode_partners(3, b"\x01").is_err());
        assert!(decode_article("a1", b"not zstd").is_err());
    }
}
