//! The study's speed targets (round trip over the native twin, set-up from artifacts; their goals
//! are this table's, which docs/results.md shows for today's run), read on this run.

use crate::matrix::axes::{Axis, Engine, Logging, Modules, Runtime, Transport};
use crate::report::table::Table;
use crate::report::view::{Report, RAW};
use crate::results::row::Row;

/// The speed targets, read on this run.
pub(in crate::report) fn table(report: &Report) -> Table {
    let mut t = Table::new("Speed targets", vec!["target", "goal", "measured", "met"]);
    // Round trip, raw, shared: the best wasm compiler over its twin, on the headline and best process.
    let raw_shared = |r: &&Row| {
        r.cell_is(|c| {
            c.codec == RAW && c.transport == Transport::Shared && c.logging != Logging::On && c.is_one_record_pair()
        })
    };
    let wasm = |r: &&Row| r.cell_is(|c| c.engine != Engine::Native);
    let best_by = |m: fn(&Row) -> Option<f64>, pick: &dyn Fn(&&Row) -> bool| {
        report
            .ok()
            .filter(raw_shared)
            .filter(wasm)
            .filter(pick)
            // Read against a twin: Emscripten's cells have none.
            .filter(|r| report.twin(r).is_some())
            .filter_map(|r| m(r).map(|v| (v, r)))
            .min_by(|a, b| a.0.total_cmp(&b.0))
    };
    // Per wasm runtime (Wasmer's goal is 1.2×), then the best of them (1.1×).
    let mut runtimes: Vec<Runtime> =
        report.ok().filter(raw_shared).filter_map(|r| r.cell().ok()).map(|c| c.runtime).collect();
    runtimes.retain(|r| *r != Runtime::Native);
    // By their names.
    runtimes.sort_by_key(|r| r.name());
    runtimes.dedup();
    let mut lines: Vec<(String, Option<Runtime>)> = runtimes
        .iter()
        .map(|rt| (format!("on {rt}"), Some(*rt)))
        .chain((runtimes.len() > 1).then(|| ("on the best runtime".to_owned(), None)))
        .collect();
    if runtimes.len() == 1 {
        lines[0].0.push_str(" (the only runtime in this run)");
    }
    for (on, runtime) in lines {
        let pick = |r: &&Row| runtime.is_none_or(|rt| r.cell_is(|c| c.runtime == rt));
        let (p50, best) = (best_by(Row::rt_headline, &pick), best_by(|r| r.rt_proc_min_ns, &pick));
        let twins = (p50.and_then(|(_, w)| report.twin(w)), best.and_then(|(_, w)| report.twin(w)));
        let (Some((p50, wasm)), Some((best, wasm_best)), (Some(n50), Some(nmin))) = (p50, best, twins) else {
            continue;
        };
        let (np50, nbest) = (n50.rt_headline().unwrap_or(f64::NAN), nmin.rt_proc_min_ns.unwrap_or(f64::NAN));
        let (r50, rbest) = (p50 / np50, best / nbest);
        let goal = match runtime {
            Some(Runtime::Wasmer) => Some(1.2),
            None => Some(1.1),
            Some(_) => None,
        };
        t.rows.push(vec![
            format!("round trip, raw, `shared`, best wasm cell over its native twin, {on}").into(),
            goal.map_or("-".into(), |g| format!("≤ {g}×")).into(),
            format!(
                "headline {} {p50:.0} / {np50:.0} ns = {r50:.2}×, +{:.0} ns; best process {} {best:.0} / {nbest:.0} ns = {rbest:.2}×, +{:.0} ns",
                wasm.cell, p50 - np50, wasm_best.cell, best - nbest
            )
            .into(),
            goal.map_or("-", |g| if r50.max(rbest) <= g { "yes" } else { "no" }).into(),
        ]);
    }
    // Set-up from artifacts: the median over processes, and the fastest process.
    let artifact: Vec<&Row> =
        report.ok().filter(|r| r.cell_is(|c| c.engine == Engine::Artifact && c.modules == Modules::Two)).collect();
    let setup = |m: fn(&Row) -> Option<u64>| {
        let mut v: Vec<(u64, &Row)> = artifact.iter().filter_map(|r| m(r).map(|s| (s, *r))).collect();
        v.sort_by_key(|x| x.0);
        v
    };
    let ms = |v: u64| v as f64 / 1e6;
    // "median over processes LO ms (cell) to HI ms (cell)", and whether the lowest meets 0.3 ms.
    let span = |v: &[(u64, &Row)]| {
        let (lo, hi) = (v.first()?, v.last()?);
        let text =
            format!("median over processes {:.3} ms ({}) to {:.3} ms ({})", ms(lo.0), lo.1.cell, ms(hi.0), hi.1.cell);
        Some((text, if ms(lo.0) <= 0.3 { "yes" } else { "no" }))
    };
    let (medians, fastest) = (setup(|r| r.setup_ns), setup(|r| r.setup_min_ns));
    if let Some((text, met)) = span(&medians) {
        let fastest = fastest.first().map_or("-".into(), |f| format!("{:.3} ms ({})", ms(f.0), f.1.cell));
        t.rows.push(vec![
            "set-up of both guests from precompiled artifacts (load + instantiate)".into(),
            "≤ 0.3 ms".into(),
            format!("{text}; fastest process {fastest}").into(),
            met.into(),
        ]);
        // The runtimes' goal: a thousandth of the 2021 report's ~100 ms on the best of them.
        let (lo, cell) = (ms(medians[0].0), &medians[0].1.cell);
        t.rows.push(vec![
            "the same set-up on the best runtime".into(),
            "≤ 0.1 ms".into(),
            format!("median over processes {lo:.3} ms ({cell})").into(),
            (if lo <= 0.1 { "yes" } else { "no" }).into(),
        ]);
    }
    if let Some((text, met)) = span(&setup(Row::setup_again)) {
        t.rows.push(vec![
            "the same set-up again in the same process (a host that already runs wasm)".into(),
            "≤ 0.3 ms".into(),
            text.into(),
            met.into(),
        ]);
    }
    let floors: Vec<f64> = report.ok().filter(wasm).filter_map(Row::floor_headline).collect();
    if let (Some(lo), Some(hi)) = (floors.iter().copied().reduce(f64::min), floors.iter().copied().reduce(f64::max)) {
        t.rows.push(vec![
            "a bare host→guest call".into(),
            "as cheap as the runtime allows".into(),
            format!("{lo:.1}–{hi:.1} ns, headline, over every wasm cell").into(),
            "-".into(),
        ]);
    }
    t
}
