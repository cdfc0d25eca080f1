//! Whether a run's cells computed what they should: each finished cell's checksum against the one
//! expected for its message, which the runner computes natively per records value
//! ([`crate::reference`]): a run of several payload sizes has one expected checksum per size, and a
//! cell agrees when its checksum is its own row's `expected_checksum`. Told once here for the
//! terminal summary and the report.

use super::row::Row;

/// The finished cells of a run (those with a checksum) judged against their expected values.
pub struct Checksums<'r> {
    pub finished: usize,
    /// Each expected value with the records per message it is for and the finished cells of it, in
    /// order of records.
    pub expected: Vec<Expected>,
    /// Finished cells whose checksum is not their expected one (rows of files from before the
    /// expected value was written are not judged).
    pub disagree: Vec<&'r Row>,
}

pub struct Expected {
    pub records: String,
    pub checksum: String,
    pub cells: usize,
}

impl<'r> Checksums<'r> {
    pub fn of(rows: impl IntoIterator<Item = &'r Row>) -> Checksums<'r> {
        let finished: Vec<&Row> = rows.into_iter().filter(|r| !r.checksum.is_empty()).collect();
        let mut expected: Vec<Expected> = Vec::new();
        for r in finished.iter().filter(|r| !r.expected_checksum.is_empty()) {
            let records = if r.records.is_empty() { "1" } else { r.records.as_str() };
            match expected.iter_mut().find(|e| e.checksum == r.expected_checksum) {
                Some(e) => e.cells += 1,
                None => expected.push(Expected {
                    records: records.to_owned(),
                    checksum: r.expected_checksum.clone(),
                    cells: 1,
                }),
            }
        }
        expected.sort_by_key(|e| e.records.parse::<u64>().unwrap_or(u64::MAX));
        let disagree =
            finished.iter().copied().filter(|r| !r.expected_checksum.is_empty() && r.checksum != r.expected_checksum);
        Checksums { finished: finished.len(), disagree: disagree.collect(), expected }
    }

    /// The expected value if there is one, else each with the size it is for:
    /// `aa (1 record, 20 cells), bb (16 records, 8 cells)`.
    pub fn expected_text(&self) -> String {
        match &self.expected[..] {
            [one] => one.checksum.clone(),
            many => many
                .iter()
                .map(|e| {
                    let s = if e.records == "1" { "" } else { "s" };
                    format!("{} ({} record{s}, {} cells)", e.checksum, e.records, e.cells)
                })
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(records: &str, checksum: &str, expected: &str) -> Row {
        Row { records: records.into(), checksum: checksum.into(), expected_checksum: expected.into(), ..Row::default() }
    }

    #[test]
    fn each_size_agrees_with_its_own_expected_value() {
        let rows = [
            row("1", "aa", "aa"),
            row("16", "bb", "bb"),
            row("1", "aa", "aa"),
            row("16", "cc", "bb"),
            row("1", "", "aa"),
        ];
        let sums = Checksums::of(&rows);
        assert_eq!(sums.finished, 4);
        assert_eq!(sums.disagree.len(), 1);
        assert_eq!(sums.disagree[0].checksum, "cc");
        assert_eq!(sums.expected_text(), "aa (1 record, 2 cells), bb (16 records, 2 cells)");
        assert_eq!(Checksums::of(&rows[..1]).expected_text(), "aa");
    }
}
