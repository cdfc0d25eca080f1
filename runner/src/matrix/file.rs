//! What the parts of a matrix file's reader share: where in the file a value is (errors name the
//! file, line and column), and a value written as one string or as a list of them.

use serde::Deserialize;
use std::ops::Range;
use std::path::Path;

/// A matrix file's text and path, to name places in it.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    pub text: &'a str,
    pub path: &'a Path,
}

impl Source<'_> {
    /// `path:line:column` of the byte range `span` (from `toml::Spanned`).
    pub fn at(&self, span: Range<usize>) -> String {
        let before = &self.text[..span.start.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.len() - before.rfind('\n').map_or(0, |n| n + 1) + 1;
        format!("{}:{line}:{column}", self.path.display())
    }
}

/// `key = "value"` or `key = ["value", ...]`; a value may be written as a number too (`records =
/// [1, 256]`), which stands for its decimal name.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(#[serde(deserialize_with = "text")] String),
    Many(#[serde(deserialize_with = "texts")] Vec<String>),
}

/// A string or a whole number, as its text.
#[derive(Deserialize)]
#[serde(untagged)]
enum Text {
    String(String),
    Number(u64),
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        match t {
            Text::String(s) => s,
            Text::Number(n) => n.to_string(),
        }
    }
}

fn text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Text::deserialize(d).map(String::from)
}

fn texts<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Vec::<Text>::deserialize(d).map(|v| v.into_iter().map(String::from).collect())
}

impl OneOrMany {
    pub fn as_list(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(s) => vec![s.as_str()],
            OneOrMany::Many(l) => l.iter().map(String::as_str).collect(),
        }
    }
}
