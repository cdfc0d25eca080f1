//! The report's model: a titled table of values (numbers, text or missing) with notes below it,
//! which the sections fill and the renderers print.

/// One table cell: a number (rendered with `decimals`, emitted as a JSON number) or text.
#[derive(Clone, Debug, PartialEq)]
pub(in crate::report) enum Value {
    Num(f64, usize),
    Text(String),
    Missing,
}

impl Value {
    pub(in crate::report) fn num(v: Option<f64>, decimals: usize) -> Value {
        v.filter(|v| v.is_finite()).map_or(Value::Missing, |v| Value::Num(v, decimals))
    }

    /// The value as a table prints it: a number to its decimals, `-` if missing.
    pub(in crate::report) fn text(&self) -> String {
        match self {
            Value::Num(v, d) => format!("{v:.d$}", d = *d),
            Value::Text(t) => t.clone(),
            Value::Missing => "-".into(),
        }
    }
}

impl From<&str> for Value {
    fn from(t: &str) -> Value {
        Value::Text(t.to_owned())
    }
}

impl From<String> for Value {
    fn from(t: String) -> Value {
        Value::Text(t)
    }
}

/// A titled table, then notes (lines of text) below it.
pub(in crate::report) struct Table {
    pub(in crate::report) title: String,
    pub(in crate::report) header: Vec<&'static str>,
    pub(in crate::report) rows: Vec<Vec<Value>>,
    pub(in crate::report) notes: Vec<String>,
}

impl Table {
    pub(in crate::report) fn new(title: impl Into<String>, header: Vec<&'static str>) -> Table {
        Table { title: title.into(), header, rows: Vec::new(), notes: Vec::new() }
    }

    /// Every row's values as text ([`Value::text`]).
    pub(in crate::report) fn texts(&self) -> Vec<Vec<String>> {
        self.rows.iter().map(|r| r.iter().map(Value::text).collect()).collect()
    }
}
