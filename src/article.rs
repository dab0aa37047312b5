//! The data model shared by the stages: an input [`Article`] and where it came from.

use serde::{Deserialize, Serialize};

/// Index of an article inside one batch (its position after sorting by id).
pub type DocId = u32;

/// Where a record was read from, for messages that name file and line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The input file.
    pub path: String,
    /// 1-based line of a JSONL record; 0 for a whole `.txt` file.
    pub line: u64,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.path)
        } else {
            write!(f, "{}:{}", self.path, self.line)
        }
    }
}

/// One input article, as read. Only `id` and `text` are required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    /// Stable, user-given id (file stem for `.txt` input).
    pub id: String,
    /// Headline, when the input has one.
    pub title: Option<String>,
    /// The article text, lines separated by `\n`.
    pub text: String,
    /// Page URL, when known.
    pub url: Option<String>,
    /// Publisher name, when known.
    pub source: Option<String>,
    /// Publication time as given (ISO 8601 sorts correctly as text).
    pub published_at: Option<String>,
    /// Language code given by the input; detected when absent.
    pub lang: Option<String>,
    /// Where the record was read from.
    pub origin: Origin,
}

impl Article {
    /// An article with only an id and a text, for tests and library users.
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Self {
        let id = id.into();
        Article {
            origin: Origin { path: format!("<{id}>"), line: 0 },
            id,
            title: None,
            text: text.into(),
            url: None,
            source: None,
            published_at: None,
            lang: None,
        }
    }
}
