//! `runner calibrate` on committed pairs of identical runs: the headline repeats, compare raises
//! few false alarms and finds an injected +5%. Deterministic: the samples are files, the bootstrap
//! has a fixed seed; nothing is timed.

use std::path::{Path, PathBuf};
use wasmatrix_runner::calibrate::{calibrate, share_within, Calibration, Tabled};
use wasmatrix_runner::results::metric::Metric;
use wasmatrix_runner::stats::Headline;

/// The round trip, as calibrate tables it.
const RT: Tabled = Tabled::Metric(Metric::RtNs);

fn committed(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../results").join(name)
}

fn headline_rt(c: &Calibration) -> f64 {
    let row = c.repeatability.iter().find(|r| r.metric == RT && r.estimator == Headline::NAME).unwrap();
    row.within(0.05)
}

#[test]
fn on_a_committed_pair_the_headline_repeats_and_compare_rarely_cries_wolf() {
    let c = calibrate(&committed("repeat-quick-A.csv"), &committed("repeat-quick-B.csv")).unwrap();
    assert!(headline_rt(&c) >= 0.95, "{}", c.render());
    let old = c.repeatability.iter().find(|r| r.metric == RT && r.estimator.starts_with("p50 of")).unwrap();
    assert_eq!(old.changes.len(), 50, "every ok cell of both runs");
    for alarms in &c.alarms {
        assert!(alarms.compared > 0 && alarms.false_alarm_rate() <= 0.05, "{}", c.render());
    }
    let (found, tried) = c.power;
    assert!(tried == 50 && found as f64 >= 0.9 * tried as f64, "{}", c.render());
    let text = c.render();
    assert!(text.contains("| `rt_ns` | p10 of process p2s |") && text.contains("Power: +5%"), "{text}");
}

#[test]
fn a_run_against_itself_agrees_everywhere_and_says_no_change() {
    let a = committed("repeat-quick-A.csv");
    let c = calibrate(&a, &a).unwrap();
    assert!(c.repeatability.iter().all(|r| r.within(0.0) == 1.0), "identical samples, identical figures");
    for alarms in &c.alarms {
        assert_eq!(alarms.verdicts[0], alarms.compared, "identical samples: no change everywhere: {}", c.render());
        assert_eq!(alarms.rt_shift, Some(1.0));
    }
}

#[test]
fn on_the_noisier_pair_the_run_length_rule_asks_for_the_processes_that_hold_the_headline() {
    let c = calibrate(&committed("repeat-quick-epyc-A.csv"), &committed("repeat-quick-epyc-B.csv")).unwrap();
    // About 70% of the processes there ran slow: five processes per cell are not enough.
    for (share, needed) in &c.run_length.runs {
        assert!(share.unwrap() > 0.6 && *needed >= 19, "{}", c.render());
    }
    let within = |n: &str| {
        let (_, changes) = c.run_length.first.iter().find(|(label, _)| label.split(' ').next() == Some(n)).unwrap();
        share_within(changes, 0.05)
    };
    assert!(within("5") < 0.85 && within("20") >= 0.95, "{}", c.render());
    // On a quiet pair the rule keeps the matrix's floor.
    let quiet = calibrate(&committed("repeat-quick-quiet-A.csv"), &committed("repeat-quick-quiet-B.csv")).unwrap();
    assert!(quiet.run_length.runs.iter().all(|(_, needed)| *needed == 5), "{}", quiet.render());
}
