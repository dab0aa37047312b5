//! The seeds as a crawl: each seed article (`../shared/seeds`) wrapped in a
//! real-looking HTML page (navigation, a byline, a related-articles box
//! with the other seeds' headlines, a footer, Open Graph and JSON-LD in the
//! head), written as WARC response records. After main-content extraction
//! the run must keep the seeds' gold at both levels, with 002 canonical,
//! and carry each page's metadata through.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;

use common::*;
use serde_json::Value;

/// A seed's page: where it was published, by whom and when.
struct Page {
    seed: &'static str,
    url: &'static str,
    outlet: &'static str,
    published: &'static str,
}

const PAGES: [Page; 5] = [
    Page {
        seed: "000_5f97ec60a494b16d",
        url: "https://aggregator.example/news/russia-belarus-libyan-warlord",
        outlet: "News Aggregator",
        published: "2025-08-10T07:15:00Z",
    },
    Page {
        seed: "001_d7953fad1e213ce3",
        url: "https://kyivindependent.com/putin-lukashenko-haftar-migrant-crisis/",
        outlet: "The Kyiv Independent",
        published: "2025-08-09T16:40:00+03:00",
    },
    Page {
        seed: "002_016c80076eb90be0",
        url: "https://www.telegraph.co.uk/world-news/2025/08/09/putin-warlord-ally-flying-migrants-into-europe/",
        outlet: "The Telegraph",
        published: "2025-08-09T05:00:00+01:00",
    },
    Page {
        seed: "003_1ce87198c77fd6fd",
        url: "https://spreadthewords.example/belarus-weaponizing-migrants",
        outlet: "Spread The Words",
        published: "2025-02-20T10:00:00Z",
    },
    Page {
        seed: "004_afea1828c0acbd92",
        url: "https://tactics.example/lukashenko-weaponization-of-migrants",
        outlet: "TACTICS",
        published: "2021-11-18T09:30:00Z",
    },
];

fn shared_seeds() -> Option<PathBuf> {
    let dir = root().join("../shared/seeds");
    dir.is_dir().then_some(dir)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The headline of a seed: its first line that reads like one.
fn headline(text: &str) -> String {
    let line = text.lines().map(|l| l.trim().trim_matches('*')).find(|l| l.split_whitespace().count() >= 4);
    line.unwrap_or("Untitled").to_string()
}

/// A news page around a seed's text.
fn html(page: &Page, text: &str, related: &[String]) -> String {
    let title = escape(&headline(text));
    let body: String =
        text.lines().map(str::trim).filter(|l| !l.is_empty()).map(|l| format!("<p>{}</p>\n", escape(l))).collect();
    let links: String =
        related.iter().map(|h| format!("<li><a href=\"/related/{}\">{}</a></li>", h.len(), escape(h))).collect();
    let json_ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": headline(text),
        "datePublished": page.published,
        "publisher": {"@type": "Organization", "name": page.outlet},
    });
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} | {outlet}</title>\n\
         <meta property=\"og:title\" content=\"{title}\"><meta property=\"og:site_name\" content=\"{outlet}\">\n\
         <meta property=\"article:published_time\" content=\"{published}\">\n\
         <script type=\"application/ld+json\">{json_ld}</script></head>\n<body>\n\
         <header><nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"/world\">World</a></li>\
         <li><a href=\"/politics\">Politics</a></li><li><a href=\"/business\">Business</a></li>\
         <li><a href=\"/sport\">Sport</a></li><li><a href=\"/opinion\">Opinion</a></li></ul></nav></header>\n\
         <main><article><h1>{title}</h1><p class=\"byline\">By Staff Reporter, {outlet}</p>\n{body}</article>\n\
         <aside><h2>Related articles</h2><ul>{links}</ul></aside></main>\n\
         <footer><p>&copy; 2025 {outlet}. All rights reserved.</p><a href=\"/privacy\">Privacy</a> \
         <a href=\"/terms\">Terms</a> <a href=\"/contact\">Contact us</a></footer>\n</body></html>",
        outlet = escape(page.outlet),
        published = page.published,
    )
}

/// A WARC response record holding `html` for `url`.
fn record(number: usize, url: &str, html: &str) -> String {
    let http = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}");
    format!(
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-00000000000{number}>\r\n\
         WARC-Date: 2025-08-11T00:00:00Z\r\nWARC-Target-URI: {url}\r\nContent-Type: application/http; msgtype=response\r\n\
         Content-Length: {}\r\n\r\n{http}\r\n\r\n",
        http.len()
    )
}

#[test]
fn crawled_seed_pages_keep_the_gold_at_both_levels() {
    let Some(seeds) = shared_seeds() else { return skip("../shared/seeds is not beside the repository") };
    let texts: Vec<String> =
        PAGES.iter().map(|p| std::fs::read_to_string(seeds.join(format!("{}.txt", p.seed))).unwrap()).collect();
    let headlines: Vec<String> = texts.iter().map(|t| headline(t)).collect();
    let warc: String = PAGES
        .iter()
        .zip(&texts)
        .enumerate()
        .map(|(i, (page, text))| {
            let related: Vec<String> =
                headlines.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, h)| h.clone()).collect();
            record(i, page.url, &html(page, text, &related))
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let crawl = dir.path().join("seeds.warc");
    std::fs::write(&crawl, warc).unwrap();
    let out = dir.path().join("out");
    let o = newsdedup(&["run", crawl.to_str().unwrap(), "--out", out.to_str().unwrap(), "-q"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows = read_jsonl(&out.join("articles.jsonl"));
    assert_eq!(rows.len(), 5, "every page is an article");

    // Each row by the seed its page holds.
    let seed_of: HashMap<&str, &str> = PAGES.iter().map(|p| (p.url, p.seed)).collect();
    let row: HashMap<&str, &Value> = rows.iter().map(|r| (seed_of[r["id"].as_str().unwrap()], r)).collect();
    for page in &PAGES {
        let r = row[page.seed];
        assert_eq!(r["url"], page.url);
        assert_eq!(r["source"], page.outlet, "the outlet from the page's head");
        assert!(r["title"].as_str().is_some_and(|t| !t.is_empty()), "{r}");
        assert!(r["warc_record_id"].as_str().is_some_and(|w| w.starts_with("00000000-")), "{r}");
        let given = chrono::DateTime::parse_from_rfc3339(page.published).unwrap();
        let read = chrono::DateTime::parse_from_rfc3339(r["published_at"].as_str().unwrap()).unwrap();
        assert_eq!(given, read, "the page's publication time");
    }

    // The gold at both levels: {000, 001, 002} one story and one family; 003 and 004 alone.
    let group = |field: &str, seed: &str| row[seed][field].as_u64().unwrap();
    for field in ["cluster", "family"] {
        let copies = ["000_5f97ec60a494b16d", "001_d7953fad1e213ce3", "002_016c80076eb90be0"];
        assert!(copies.iter().all(|s| group(field, s) == group(field, copies[0])), "{field}: {rows:?}");
        let apart = [copies[0], "003_1ce87198c77fd6fd", "004_afea1828c0acbd92"];
        let mut numbers: Vec<u64> = apart.iter().map(|s| group(field, s)).collect();
        numbers.dedup();
        assert_eq!(numbers.len(), 3, "{field}: 003 and 004 are each alone: {rows:?}");
    }
    assert_eq!(row["002_016c80076eb90be0"]["role"], "canonical", "{rows:?}");
    assert_eq!(row["001_d7953fad1e213ce3"]["derived_from"], PAGES[2].url);
    for alone in ["003_1ce87198c77fd6fd", "004_afea1828c0acbd92"] {
        assert_eq!(row[alone]["role"], "unique");
    }
}
