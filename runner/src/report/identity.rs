//! The run as its rows tell who made it where: file, run id, matrix, date, CPU, machine, commit,
//! versions, schema, measure, its cells by status and whether their checksums agree. The HTML
//! page's heading and the results page's opening list are these fields.

use crate::report::view::Report;
use crate::results::checksums::Checksums;
use crate::results::status::Status;

/// The run's fields, in order, each with its value; a field the rows leave empty is left out.
pub(in crate::report) fn fields(report: &Report) -> Vec<(&'static str, String)> {
    let times = report.distinct(|r| r.timestamp.clone());
    let date = match (times.first(), times.last()) {
        (Some(a), Some(b)) if a != b => format!("{a} to {b}"),
        (Some(a), _) => a.clone(),
        _ => String::new(),
    };
    let cpu = |r: &crate::results::row::Row| {
        if r.cpu_model.is_empty() {
            String::new()
        } else {
            format!("{} ({} CPUs)", r.cpu_model, r.cpus)
        }
    };
    let fields = [
        ("file", report.source.clone().unwrap_or_default()),
        ("run", report.distinct(|r| r.run_id.clone()).join(", ")),
        ("matrix", report.distinct(|r| r.matrix.clone()).join(", ")),
        ("date", date),
        ("CPU", report.distinct(cpu).join(", ")),
        ("machine", report.distinct(|r| [r.host.as_str(), r.os.as_str()].join(" ").trim().to_owned()).join(", ")),
        ("commit", report.distinct(|r| r.git_commit.clone()).join(", ")),
        ("runner", report.distinct(|r| r.runner_version.clone()).join(", ")),
        ("schema version", report.distinct(|r| r.schema_version.to_string()).join(", ")),
        ("measure", format!("{} ({})", report.distinct(|r| r.measure.clone()).join(", "), report.unit.name)),
        ("cells", cells(report)),
        ("checksum", checksums(report)),
    ];
    fields.into_iter().filter(|(_, v)| !v.is_empty()).collect()
}

/// The cells by status, in the statuses' order, and how many `ok` ones are noisy:
/// `284: 243 ok (none noisy), 41 unsupported`.
pub(in crate::report) fn cells(report: &Report) -> String {
    let noisy = match report.ok().filter(|r| r.noisy == Some(true)).count() {
        0 => "none noisy".to_owned(),
        n => format!("{n} noisy"),
    };
    let mut counts: Vec<String> = Vec::new();
    for status in Status::ALL {
        let n = report.rows.iter().filter(|r| r.status() == Some(status)).count();
        match status {
            Status::Ok => counts.push(format!("{n} ok ({noisy})")),
            _ if n > 0 => counts.push(format!("{n} {}", status.name())),
            _ => {}
        }
    }
    let unknown = report.rows.iter().filter(|r| r.status().is_none()).count();
    if unknown > 0 {
        counts.push(format!("{unknown} of a status this runner does not know"));
    }
    format!("{}: {}", report.rows.len(), counts.join(", "))
}

/// Whether the `ok` cells agree on their checksum, and with the one expected (one per records value
/// in a run of several payload sizes, [`Checksums`]); empty when no cell is `ok`.
fn checksums(report: &Report) -> String {
    let ok: Vec<_> = report.ok().collect();
    let mut sums: Vec<&str> = ok.iter().map(|r| r.checksum.as_str()).collect();
    sums.sort();
    sums.dedup();
    let expected = report.distinct(|r| r.expected_checksum.clone());
    let judged = Checksums::of(ok.iter().copied());
    match sums[..] {
        [] => String::new(),
        [one] if expected == [one] => format!("every ok cell's is {one}, the one expected"),
        [one] => format!("every ok cell's is {one}"),
        _ if judged.disagree.is_empty() && judged.expected.len() == sums.len() => {
            format!("every ok cell's is the one expected for its message: {}", judged.expected_text())
        }
        _ => {
            let each: Vec<String> = sums
                .iter()
                .map(|s| format!("{s} in {} of {}", ok.iter().filter(|r| r.checksum == *s).count(), ok.len()))
                .collect();
            format!("the ok cells disagree: {}", each.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::Cell;
    use crate::results::row::Row;

    fn row(cell: &str, status: Status, checksum: &str) -> Row {
        Row {
            status: status.name().into(),
            checksum: checksum.into(),
            expected_checksum: "aa".into(),
            ..Row::of_cell(&Cell::parse(cell).unwrap())
        }
    }

    #[test]
    fn cells_are_counted_by_status_and_checksums_compared() {
        let a = "llvm/artifact/bare/copy/raw/release/off/default/wasmer/host";
        let b = "cranelift/artifact/bare/copy/raw/release/off/default/wasmer/host";
        let c = "liftoff/artifact/bare/copy/raw/release/off/default/v8/host";
        let mut rows = vec![row(a, Status::Ok, "aa"), row(b, Status::Ok, "aa"), row(c, Status::Unsupported, "")];
        rows[1].noisy = Some(true);
        let report = Report::new(&rows);
        assert_eq!(cells(&report), "3: 2 ok (1 noisy), 1 unsupported");
        assert_eq!(checksums(&report), "every ok cell's is aa, the one expected");
        rows[1].checksum = "bb".into();
        rows[1].status = Status::ChecksumMismatch.name().into();
        rows[0].checksum = "cc".into();
        let report = Report::new(&rows);
        assert_eq!(cells(&report), "3: 1 ok (none noisy), 1 checksum_mismatch, 1 unsupported");
        assert_eq!(checksums(&report), "every ok cell's is cc");
        rows[1].status = Status::Ok.name().into();
        assert_eq!(checksums(&Report::new(&rows)), "the ok cells disagree: bb in 1 of 2, cc in 1 of 2");
    }
}
