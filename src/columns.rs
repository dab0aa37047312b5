//! Field names of tabular and JSON input: which column or key holds each
//! article field.
//!
//! Without `--columns`, each field is read from its own name or a common
//! alias ([`Field::default_names`]: `link` for `url`, `headline` for
//! `title`, `publisher` for `source`, `date` for `published_at`, the
//! news-please names of CC-News, ...), the first of them a record has, in
//! that order; names match without regard to ASCII case. `--columns
//! title=headline` reads a field from that name alone, in CSV, Parquet and
//! JSONL alike, and a table without such a column is an error.

use std::fmt;

use rustc_hash::FxHashMap;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};

/// An article field that input records carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Article id.
    Id,
    /// Article text.
    Text,
    /// Headline.
    Title,
    /// Page URL.
    Url,
    /// The outlet.
    Source,
    /// Publication time.
    PublishedAt,
    /// Language code.
    Lang,
}

impl Field {
    /// Every field, in the order of [`Values`].
    pub const ALL: [Field; 7] =
        [Field::Id, Field::Text, Field::Title, Field::Url, Field::Source, Field::PublishedAt, Field::Lang];

    /// The field's own name, as `--columns` and the output call it.
    pub fn name(self) -> &'static str {
        self.default_names()[0]
    }

    /// The names the field is read from when `--columns` does not name it,
    /// the preferred first.
    pub fn default_names(self) -> &'static [&'static str] {
        match self {
            Field::Id => &["id", "guid", "article_id", "uuid"],
            Field::Text => &["text", "body", "content", "maintext", "article"],
            Field::Title => &["title", "headline"],
            Field::Url => &["url", "link", "uri"],
            Field::Source => &["source", "publisher", "outlet", "site_name", "source_domain"],
            Field::PublishedAt => {
                &["published_at", "published", "date", "datepublished", "pubdate", "date_publish", "publish_date"]
            }
            Field::Lang => &["lang", "language"],
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One value per [`Field`], in the order of [`Field::ALL`].
pub type Values = [Option<String>; 7];

/// Where each field is read from: its default names, or the one name
/// `--columns` gives it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Columns {
    given: [Option<String>; 7],
}

impl Columns {
    /// Names fields from `field=column` pairs, e.g. `text=body,id=guid`.
    pub fn parse(spec: &str) -> Result<Columns, String> {
        let mut columns = Columns::default();
        for pair in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (field, column) = pair.split_once('=').ok_or_else(|| format!("expected field=column, got {pair:?}"))?;
            let field = Field::ALL.into_iter().find(|f| f.name() == field.trim()).ok_or_else(|| {
                format!("unknown field {:?}: expected id, text, title, url, source, published_at or lang", field.trim())
            })?;
            let column = column.trim();
            if column.is_empty() {
                return Err(format!("no column named for {:?}", field.name()));
            }
            if columns.given[field.index()].replace(column.to_string()).is_some() {
                return Err(format!("{:?} is named twice", field.name()));
            }
        }
        Ok(columns)
    }

    /// The name `--columns` gives `field`, if it names it.
    pub fn given(&self, field: Field) -> Option<&str> {
        self.given[field.index()].as_deref()
    }

    /// The names `field` is read from, the preferred first.
    pub fn names(&self, field: Field) -> Vec<&str> {
        match self.given(field) {
            Some(name) => vec![name],
            None => field.default_names().to_vec(),
        }
    }

    /// Each field's position among a table's column names. An error names
    /// what is missing: the id or text column, or a column `--columns` gives.
    pub fn locate(&self, header: &[&str]) -> Result<[Option<usize>; 7], String> {
        let mut at = [None; 7];
        for field in Field::ALL {
            let names = self.names(field);
            let found = names.iter().find_map(|name| header.iter().position(|h| h.trim().eq_ignore_ascii_case(name)));
            let required = matches!(field, Field::Id | Field::Text) || self.given(field).is_some();
            if found.is_none() && required {
                let wanted = match self.given(field) {
                    Some(name) => format!("no column {name:?} (given for {:?} by --columns)", field.name()),
                    None => format!(
                        "no {:?} column (nor {}); name it with --columns {}=COLUMN",
                        field.name(),
                        names[1..].join(", "),
                        field.name()
                    ),
                };
                return Err(format!("{wanted}; its columns are {}", header.join(",")));
            }
            at[field.index()] = found;
        }
        Ok(at)
    }

    /// The lookup from a JSON key to the field it holds, for [`Keys::parse`].
    pub fn keys(&self) -> Keys {
        let mut by_name: FxHashMap<String, Vec<(Field, u8)>> = FxHashMap::default();
        for field in Field::ALL {
            for (rank, name) in self.names(field).into_iter().enumerate() {
                by_name.entry(name.to_ascii_lowercase()).or_default().push((field, rank as u8));
            }
        }
        Keys { by_name }
    }
}

/// JSON keys by the field they hold (see [`Columns::keys`]).
#[derive(Debug, Clone)]
pub struct Keys {
    /// Each name, with the fields it holds and its rank among their names.
    by_name: FxHashMap<String, Vec<(Field, u8)>>,
}

impl Keys {
    /// The fields a key holds, each with the rank of the key among its
    /// names (0 the preferred).
    fn lookup(&self, key: &str) -> Option<&[(Field, u8)]> {
        match self.by_name.get(key) {
            Some(found) => Some(found),
            None if key.bytes().any(|b| b.is_ascii_uppercase()) => {
                self.by_name.get(&key.to_ascii_lowercase()).map(Vec::as_slice)
            }
            None => None,
        }
    }

    /// The fields of one JSON object: strings as they are, numbers as their
    /// decimal text, null as absent; other keys are ignored.
    pub fn parse(&self, json: &str) -> Result<Values, serde_json::Error> {
        self.parse_fields(json, &Field::ALL)
    }

    /// The text of one JSON object (as [`Keys::parse`] reads it), the other
    /// fields skipped: for reading a text again from its file.
    pub fn parse_text(&self, json: &[u8]) -> Result<Option<String>, serde_json::Error> {
        let [_, text, ..] = self.parse_fields(json, &[Field::Text])?;
        Ok(text)
    }

    fn parse_fields<'de, R: serde_json::de::Read<'de>>(
        &self,
        json: impl AsJsonInput<'de, R>,
        wanted: &[Field],
    ) -> Result<Values, serde_json::Error> {
        let mut deserializer = serde_json::Deserializer::new(json.reader());
        let values = RecordSeed { keys: self, wanted }.deserialize(&mut deserializer)?;
        deserializer.end()?;
        Ok(values)
    }
}

/// JSON text as `serde_json` reads it, from a `str` or bytes.
trait AsJsonInput<'de, R: serde_json::de::Read<'de>> {
    fn reader(self) -> R;
}

impl<'de> AsJsonInput<'de, serde_json::de::StrRead<'de>> for &'de str {
    fn reader(self) -> serde_json::de::StrRead<'de> {
        serde_json::de::StrRead::new(self)
    }
}

impl<'de> AsJsonInput<'de, serde_json::de::SliceRead<'de>> for &'de [u8] {
    fn reader(self) -> serde_json::de::SliceRead<'de> {
        serde_json::de::SliceRead::new(self)
    }
}

/// Reads the `wanted` fields of a JSON object.
struct RecordSeed<'k> {
    keys: &'k Keys,
    wanted: &'k [Field],
}

impl<'de> DeserializeSeed<'de> for RecordSeed<'_> {
    type Value = Values;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Values, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_> {
    type Value = Values;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Values, A::Error> {
        let mut values: Values = Default::default();
        let mut ranks = [u8::MAX; 7];
        while let Some(fields) = map.next_key_seed(KeySeed(self.keys))? {
            let better =
                |ranks: &[u8; 7], field: Field, rank: u8| rank < ranks[field.index()] && self.wanted.contains(&field);
            let Some(&(first, _)) = fields.iter().find(|&&(field, rank)| better(&ranks, field, rank)) else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let Scalar(value) = map
                .next_value()
                .map_err(|e: A::Error| de::Error::custom(format_args!("field {:?}: {e}", first.name())))?;
            if value.is_some() {
                for &(field, rank) in fields {
                    if better(&ranks, field, rank) {
                        values[field.index()].clone_from(&value);
                        ranks[field.index()] = rank;
                    }
                }
            }
        }
        Ok(values)
    }
}

/// Reads a key and answers with the fields it holds, without copying it.
struct KeySeed<'k>(&'k Keys);

impl<'de, 'k> DeserializeSeed<'de> for KeySeed<'k> {
    type Value = &'k [(Field, u8)];

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'k> Visitor<'_> for KeySeed<'k> {
    type Value = &'k [(Field, u8)];

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.0.lookup(key).unwrap_or(&[]))
    }
}

/// A field's value: a string, a number's text, or nothing for null.
struct Scalar(Option<String>);

impl<'de> de::Deserialize<'de> for Scalar {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Scalar, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl Visitor<'_> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or a number")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar(Some(v.to_string())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar(Some(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar(Some(v.to_string())))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar(Some(v.to_string())))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar(Some(v.to_string())))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar(None))
    }
    fn visit_none<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar(None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(values: &Values, field: Field) -> Option<&str> {
        values[field.index()].as_deref()
    }

    #[test]
    fn aliases_are_read_and_the_preferred_name_wins() {
        let keys = Columns::default().keys();
        let v = keys
            .parse(
                r#"{"guid": 7, "maintext": "t", "headline": "h", "title": "T", "link": "u", "pubDate": "d", "x": [1]}"#,
            )
            .unwrap();
        assert_eq!(value(&v, Field::Id), Some("7"));
        assert_eq!(value(&v, Field::Text), Some("t"));
        assert_eq!(value(&v, Field::Title), Some("T"), "title is preferred to headline, wherever it stands");
        assert_eq!(value(&v, Field::Url), Some("u"));
        assert_eq!(value(&v, Field::PublishedAt), Some("d"));
        assert_eq!(value(&v, Field::Source), None);
    }

    #[test]
    fn a_given_name_is_the_only_one_read() {
        let keys = Columns::parse("id=guid,text=body").unwrap().keys();
        let v = keys.parse(r#"{"id": "no", "guid": "yes", "text": "no", "body": "yes", "date": null}"#).unwrap();
        assert_eq!((value(&v, Field::Id), value(&v, Field::Text)), (Some("yes"), Some("yes")));
        assert_eq!(value(&v, Field::PublishedAt), None, "null is absent");
    }

    #[test]
    fn a_value_that_is_not_a_scalar_names_its_field() {
        let err = Columns::default().keys().parse(r#"{"id": "a", "title": ["x"]}"#).unwrap_err().to_string();
        assert!(err.contains("\"title\"") && err.contains("a string or a number"), "{err}");
        assert!(Columns::default().keys().parse(r#"{"id": "a"} x"#).is_err(), "trailing characters");
    }

    #[test]
    fn tables_are_located_by_alias_and_given_names_must_exist() {
        let at = Columns::default().locate(&["Headline", "GUID", "body", "link"]).unwrap();
        assert_eq!(at[..4], [Some(1), Some(2), Some(0), Some(3)]);
        let err = Columns::default().locate(&["a", "b"]).unwrap_err();
        assert!(err.contains("\"id\"") && err.contains("--columns") && err.contains("a,b"), "{err}");
        let given = Columns::parse("title=heading").unwrap();
        let err = given.locate(&["id", "text", "title"]).unwrap_err();
        assert!(err.contains("\"heading\""), "{err}");
    }

    #[test]
    fn columns_parse_refuses_unknown_repeated_and_empty_names() {
        assert!(Columns::parse("titel=x").unwrap_err().contains("unknown field"));
        assert!(Columns::parse("id=a,id=b").unwrap_err().contains("twice"));
        assert!(Columns::parse("id=").is_err());
        assert!(Columns::parse("id").is_err());
    }
}
