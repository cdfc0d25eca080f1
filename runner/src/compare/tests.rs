//! The verdicts, entries and renderings of a comparison, on values made up for each.

use super::render::{change, percent_label, value};
use super::*;

fn ci(low: f64, high: f64) -> Option<Interval> {
    Some(Interval { low, high })
}

#[test]
fn a_certain_regression_is_slower_beyond_the_band() {
    let e = |verdict, low| Entry {
        cell: "c".into(),
        metric: Metric::RtNs,
        a_headline: 1.0,
        b_headline: 1.1,
        ratio: 1.1,
        measured_ratio: 1.1,
        interval: ci(low, 1.2),
        verdict,
        a_processes: 5,
        b_processes: 5,
    };
    assert!(e(Verdict::Slower, 1.06).is_certain_regression(0.05));
    assert!(!e(Verdict::Slower, 1.04).is_certain_regression(0.05), "slower, but not beyond the band");
    assert!(!e(Verdict::Unsure, 1.06).is_certain_regression(0.05));
}

#[test]
fn entries_of_identical_deterministic_counts_are_no_change() {
    let opts = CompareOptions::default();
    let count = Metric::RtInstructions;
    let e = entry("c", count, &[500.0; 4], &[500.0; 4], &opts);
    assert_eq!((e.ratio, e.verdict), (1.0, Verdict::NoChange));
    assert_eq!(e.interval, ci(1.0, 1.0));
    let e = entry("c", count, &[500.0; 4], &[600.0; 4], &opts);
    assert_eq!(e.verdict, Verdict::Slower);
    assert!(e.is_certain_regression(opts.threshold));
    let e = entry("c", count, &[0.0], &[0.0], &opts);
    assert_eq!((e.ratio, e.verdict, e.interval), (1.0, Verdict::NoChange, None));
    let e = entry("c", count, &[0.0, 0.0], &[3.0, 3.0], &opts);
    assert_eq!(e.verdict, Verdict::Unsure, "from zero: no finite ratio");
}

#[test]
fn values_and_changes_read_well() {
    assert_eq!(value(Metric::RtNs, 1234.0), "1.23 µs");
    assert_eq!(value(Metric::RtNs, 512.0), "512 ns");
    assert_eq!(value(Metric::CompileNs, 2.5e9), "2.50 s");
    assert_eq!(value(Metric::RtInstructions, 45_600_000.0), "45.6 M");
    assert_eq!(value(Metric::RtInstructions, 12.0), "12.0");
    assert_eq!(change(2.0), "+100.0%");
    assert_eq!(change(0.5), "-50.0%");
    assert_eq!(change(f64::INFINITY), "n/a");
    assert_eq!(percent_label(0.95), "95%");
    assert_eq!(percent_label(0.025), "2.5%");
}
