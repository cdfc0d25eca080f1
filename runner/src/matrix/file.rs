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

/// `key = "value"` or `key = ["value", ...]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn as_list(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(s) => vec![s.as_str()],
            OneOrMany::Many(l) => l.iter().map(String::as_str).collect(),
        }
    }
}
