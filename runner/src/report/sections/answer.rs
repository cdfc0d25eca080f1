//! The answer: what one run says to someone choosing how to run two communicating modules.
//! Each row varies one thing and holds the others at the baseline (the run's baseline build,
//! the axes' defaults: `bare`, logging off, the raw codec, `copy`, the host calling), ranks the
//! `ok` cells that are not noisy by their headline round trip, and gives the first one's figure
//! with its 95% interval and how far the others are behind; then each runtime's quickest set-up,
//! and what could not run or failed, counted by reason.

use crate::matrix::axes::{Axis, Call, Codec, Engine, Environment, Instantiate, Logging, Runtime, Transport};
use crate::matrix::Cell;
use crate::report::table::{Table, Value};
use crate::report::view::{with_cells, Report};
use crate::results::row::Row;
use crate::results::status::Status;

/// A candidate: a row and its cell.
type Pick<'a> = (&'a Row, Cell);

/// The answer: the fastest back-end per runtime, transport, call and codec, each runtime's
/// quickest set-up, and what could not run; the machine and the run in its title.
pub(in crate::report) fn table(report: &Report) -> Table {
    let first = &report.rows[0];
    let mut t = Table::new(
        format!(
            "The answer ({} with {} CPUs; run {}, commit {})",
            first.cpu_model,
            first.cpus,
            report.distinct(|r| r.run_id.clone()).join(", "),
            report.distinct(|r| r.git_commit.clone()).join(", ")
        ),
        vec!["question", "answer", "figure", "±95%", "next best"],
    );
    let u = report.unit.name;
    let rt = |r: &Row| (report.unit.rt)(r);
    // The baseline's ok cells that can be ranked: not noisy, with a round trip.
    let like: Vec<Pick> = with_cells(report.baseline())
        .filter(|(r, c)| {
            r.noisy != Some(true)
                && rt(r).is_some()
                && c.environment == Environment::DEFAULT
                && c.logging == Logging::DEFAULT
        })
        .collect();
    let wasm = |c: &Cell| c.engine != Engine::Native;
    let figure = |r: &Row| {
        let ratio = report.native_ratio(r).map_or(String::new(), |x| format!(", {x:.2}× native"));
        format!("{:.0} {u}{ratio}", rt(r).unwrap_or(f64::NAN))
    };
    let behind = |r: &Row, best: &Row| {
        format!("{:+.1}%", (rt(r).unwrap_or(f64::NAN) / rt(best).unwrap_or(f64::NAN) - 1.0) * 100.0)
    };

    // The back-end per runtime: raw, copy, the host calling; next best is the best other compiler.
    for runtime in Runtime::all().iter().copied().filter(|r| *r != Runtime::Native) {
        let cells = ranked(&like, rt, |c| {
            c.runtime == runtime
                && c.transport == Transport::DEFAULT
                && c.codec == Codec::DEFAULT
                && c.call == Call::DEFAULT
                && c.instantiate == Instantiate::DEFAULT
        });
        let Some(&(best, b)) = cells.first() else { continue };
        let next = cells.iter().find(|(_, c)| c.compiler != b.compiler);
        t.rows.push(vec![
            format!("fastest back-end on {}", version(runtime, best)).into(),
            format!("{}, {}", b.compiler, b.engine).into(),
            figure(best).into(),
            interval(best.rt_ci()),
            next.map_or(Value::Missing, |(r, c)| format!("{}, {}: {}", c.compiler, c.engine, behind(r, best)).into()),
        ]);
    }
    let twin = ranked(&like, rt, |c| {
        !wasm(c)
            && c.transport == Transport::DEFAULT
            && c.codec == Codec::DEFAULT
            && c.call == Call::DEFAULT
            && c.instantiate == Instantiate::DEFAULT
    });
    if let Some(&(r, _)) = twin.first() {
        t.rows.push(vec![
            "the native twin (no wasm)".into(),
            "rustc, native".into(),
            figure(r).into(),
            interval(r.rt_ci()),
            Value::Missing,
        ]);
    }

    // How they talk, and in which format: the fastest cell of each value, over every back-end.
    let mut axis_row = |question: &str, keep: &dyn Fn(&Cell) -> bool, value: &dyn Fn(&Cell) -> String| {
        let mut bests: Vec<(String, Pick)> = Vec::new();
        for pick in ranked(&like, rt, |c| wasm(c) && keep(c)) {
            let v = value(&pick.1);
            if !bests.iter().any(|(w, _)| *w == v) {
                bests.push((v, pick));
            }
        }
        let Some((v, (best, b))) = bests.first() else { return };
        if bests.len() < 2 {
            return;
        }
        let others: Vec<String> = bests[1..].iter().map(|(w, (r, _))| format!("{w} {}", behind(r, best))).collect();
        t.rows.push(vec![
            question.into(),
            format!("{v} ({})", back_end(b)).into(),
            figure(best).into(),
            interval(best.rt_ci()),
            others.join(", ").into(),
        ]);
    };
    axis_row("fastest transport (raw codec)", &|c| c.codec == Codec::DEFAULT, &|c| c.transport.name().into());
    axis_row("who calls whom (raw, copy)", &|c| c.codec == Codec::DEFAULT && c.transport == Transport::DEFAULT, &|c| {
        c.call.name().into()
    });
    axis_row(
        "fastest codec (copy, the host calling)",
        &|c| c.transport == Transport::DEFAULT && c.call == Call::DEFAULT && c.instantiate == Instantiate::DEFAULT,
        &|c| c.codec.name().into(),
    );
    axis_row("fastest Component Model form", &|c| c.transport.is_component_model(), &|c| {
        format!("{} {}", c.transport, c.codec)
    });

    // Each runtime's quickest set-up in a fresh process, and the same again in that process.
    for runtime in Runtime::all().iter().copied().filter(|r| *r != Runtime::Native) {
        let mut cells: Vec<Pick> = like
            .iter()
            .copied()
            .filter(|(r, c)| {
                r.setup_ns.is_some()
                    && c.runtime == runtime
                    && c.transport == Transport::DEFAULT
                    && c.codec == Codec::DEFAULT
                    && c.call == Call::DEFAULT
                    && c.instantiate == Instantiate::DEFAULT
            })
            .collect();
        cells.sort_by_key(|(r, _)| r.setup_ns);
        let Some(&(best, b)) = cells.first() else { continue };
        let us = |v: Option<f64>| v.map_or("-".into(), |v| format!("{:.0} µs", v / 1e3));
        let fresh = |r: &Row| r.setup_ns.map(|v| v as f64);
        let next = cells.iter().find(|(_, c)| (c.compiler, c.engine) != (b.compiler, b.engine));
        t.rows.push(vec![
            format!("quickest set-up on {}", version(runtime, best)).into(),
            format!("{}, {}", b.compiler, b.engine).into(),
            format!("fresh {}, again {}", us(fresh(best)), us(best.setup_again().map(|v| v as f64))).into(),
            best.setup_headline_ci_pct.map_or(Value::Missing, |v| format!("±{v:.1}% (again)").into()),
            next.map_or(Value::Missing, |(r, c)| {
                let pct = (fresh(r).unwrap_or(f64::NAN) / fresh(best).unwrap_or(f64::NAN) - 1.0) * 100.0;
                format!("{}, {}: fresh {pct:+.0}%", c.compiler, c.engine).into()
            }),
        ]);
    }

    // What could not run, by reason, and what failed or was too noisy to rank.
    let mut reasons: Vec<(String, Vec<Runtime>, usize)> = Vec::new();
    for r in report.rows.iter().filter(|r| r.status() == Some(Status::Unsupported)) {
        let why = first_clause(&r.error);
        let runtime = r.cell().map(|c| c.runtime).ok();
        match reasons.iter_mut().find(|(w, _, _)| *w == why) {
            Some((_, runtimes, n)) => {
                *n += 1;
                runtimes.extend(runtime.filter(|x| !runtimes.contains(x)));
            }
            None => reasons.push((why, runtime.into_iter().collect(), 1)),
        }
    }
    reasons.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    for (why, mut runtimes, n) in reasons {
        runtimes.sort();
        let names: Vec<&str> = runtimes.iter().map(|r| r.name()).collect();
        t.rows.push(vec![
            "could not run".into(),
            format!("{}: {why}", names.join(", ")).into(),
            count(n).into(),
            Value::Missing,
            Value::Missing,
        ]);
    }
    let mut trouble = 0;
    for status in Status::ALL.into_iter().filter(|s| !matches!(s, Status::Ok | Status::Unsupported)) {
        let n = report.rows.iter().filter(|r| r.status() == Some(status)).count();
        if n > 0 {
            trouble += n;
            t.rows.push(vec!["failed".into(), status.name().into(), count(n).into(), Value::Missing, Value::Missing]);
        }
    }
    let noisy = report.ok().filter(|r| r.noisy == Some(true)).count();
    if noisy > 0 {
        trouble += noisy;
        t.rows.push(vec![
            "too noisy to rank".into(),
            format!("interval wider than ±{}%", first.noisy_ci_pct).into(),
            count(noisy).into(),
            Value::Missing,
            Value::Missing,
        ]);
    }
    if trouble == 0 {
        t.rows.push(vec!["failed or too noisy".into(), "none".into(), Value::Missing, Value::Missing, Value::Missing]);
    }
    t.notes.push(format!(
        "Round trips are headlines in {u}, ±95% half their 95% interval; \"× native\" is over the cell's native twin. \
         Each row holds what it does not vary at the baseline: the {} build, `bare`, logging off, the raw codec, \
         `copy`, the host calling; noisy cells are not ranked. Set-up: both guests made callable in a fresh worker \
         process (the median over processes) and again in that process (its headline, with its interval). \
         {} cells, {} ok.",
        like.first().map_or("baseline".into(), |(_, c)| format!("{} / {}", c.profile, c.allocator)),
        report.rows.len(),
        report.ok().count()
    ));
    t
}

/// The `ok` cells of `like` that `keep` keeps, fastest first.
fn ranked<'a>(like: &[Pick<'a>], rt: impl Fn(&Row) -> Option<f64>, keep: impl Fn(&Cell) -> bool) -> Vec<Pick<'a>> {
    let mut cells: Vec<Pick> = like.iter().copied().filter(|(_, c)| keep(c)).collect();
    cells.sort_by(|a, b| rt(a.0).unwrap_or(f64::INFINITY).total_cmp(&rt(b.0).unwrap_or(f64::INFINITY)));
    cells
}

/// A cell's runtime and back-end, and who calls whom when it is not the host.
fn back_end(c: &Cell) -> String {
    let call = if c.call == Call::DEFAULT { String::new() } else { format!(", call {}", c.call) };
    format!("{} {}, {}{call}", c.runtime, c.compiler, c.engine)
}

/// The runtime and its version as `row`'s worker reported it.
fn version(runtime: Runtime, row: &Row) -> String {
    let v = row.runtime_version.as_str();
    if v.is_empty() || v.starts_with(runtime.name()) {
        if v.is_empty() {
            runtime.name().into()
        } else {
            v.into()
        }
    } else {
        format!("{runtime} {v}")
    }
}

/// `n` cells, in words.
fn count(n: usize) -> String {
    if n == 1 {
        "1 cell".into()
    } else {
        format!("{n} cells")
    }
}

fn interval(pct: Option<f64>) -> Value {
    pct.map_or(Value::Missing, |v| format!("±{v:.1}%").into())
}

/// A reason up to its first colon or sentence end: what it says before it explains.
fn first_clause(error: &str) -> String {
    let end = [": ", ". "].iter().filter_map(|s| error.find(s)).min().unwrap_or(error.len());
    error[..end].trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Format;

    /// An `ok` row of `cell` (a full ten-part name) with round trip `rt` ns and set-up `setup` µs.
    fn row(cell: &str, rt: f64, setup: u64) -> Row {
        let c = Cell::parse(cell).unwrap();
        Row {
            status: Status::Ok.name().into(),
            rt_headline_ns: Some(rt),
            rt_headline_ci_pct: Some(1.5),
            setup_ns: Some(setup * 1000),
            setup_headline_ns: Some(setup as f64 * 300.0),
            setup_headline_ci_pct: Some(2.0),
            noisy: Some(false),
            noisy_ci_pct: 5.0,
            cpu_model: "Test CPU".into(),
            cpus: 2,
            run_id: "r1".into(),
            git_commit: "abc".into(),
            measure: "wall_clock".into(),
            runtime_version: if c.runtime == Runtime::Wasmtime { "wasmtime 48.0.8".into() } else { "7.4.2".into() },
            ..Row::of_cell(&c)
        }
    }

    fn rows() -> Vec<Row> {
        let mut unsupported =
            Row::of_cell(&Cell::parse("liftoff/artifact/bare/copy/raw/release/off/default/v8/host").unwrap());
        unsupported.status = Status::Unsupported.name().into();
        unsupported.error = "Node.js offers no way to keep V8's compiled wasm: v8.serialize writes a header".into();
        let mut noisy = row("singlepass/jit/bare/copy/raw/release/off/default/wasmer/host", 900.0, 5);
        noisy.noisy = Some(true);
        vec![
            row("rustc/native/bare/copy/raw/release/off/default/native/host", 1000.0, 0),
            row("llvm/artifact/bare/copy/raw/release/off/default/wasmer/host", 1300.0, 455),
            row("llvm/jit/bare/copy/raw/release/off/default/wasmer/host", 1310.0, 500_000),
            row("cranelift/artifact/bare/copy/raw/release/off/default/wasmer/host", 1500.0, 400),
            row("llvm/artifact/bare/shared/raw/release/off/default/wasmer/host", 1250.0, 460),
            row("cranelift/artifact/bare/copy/raw/release/off/default/wasmtime/host", 1400.0, 350),
            row("cranelift/artifact/bare/copy/raw/release/off/default/wasmtime/import", 1420.0, 350),
            row("cranelift/artifact/bare/copy/rkyv/release/off/default/wasmtime/host", 1350.0, 350),
            // Not at the baseline: left out of every ranking.
            row("llvm/artifact/wasi/copy/raw/release/off/default/wasmer/host", 100.0, 1),
            noisy,
            unsupported,
        ]
    }

    /// The answer of `rows` as Markdown, from its title on.
    fn answer(rows: &[Row]) -> String {
        let text = Report::new(rows).render(Format::Markdown);
        text[text.find("### The answer").expect("the answer is told")..].to_owned()
    }

    #[test]
    fn the_answer_ranks_the_baseline_cells_and_counts_what_could_not_run() {
        let answer = answer(&rows());
        for told in [
            "### The answer (Test CPU with 2 CPUs; run r1, commit abc)",
            // Per runtime, the fastest back-end, with the best other compiler behind it.
            "| fastest back-end on wasmer 7.4.2 | llvm, artifact | 1300 ns, 1.30× native | ±1.5% | cranelift, artifact: +15.4% |",
            "| fastest back-end on wasmtime 48.0.8 | cranelift, artifact | 1400 ns, 1.40× native | ±1.5% | - |",
            "| the native twin (no wasm) | rustc, native | 1000 ns |",
            // One axis varies, the back-end is free.
            "| fastest transport (raw codec) | shared (wasmer llvm, artifact) | 1250 ns | ±1.5% | copy +4.0% |",
            "| who calls whom (raw, copy) | host (wasmer llvm, artifact) | 1300 ns, 1.30× native | ±1.5% | import +9.2% |",
            "| fastest codec (copy, the host calling) | raw (wasmer llvm, artifact) |",
            "rkyv +3.8%",
            // Set-up: the quickest fresh one per runtime, with the repeated one and its interval.
            "| quickest set-up on wasmer 7.4.2 | cranelift, artifact | fresh 400 µs, again 120 µs | ±2.0% (again) | llvm, artifact: fresh +14% |",
            "| could not run | v8: Node.js offers no way to keep V8's compiled wasm | 1 cell |",
            "| too noisy to rank | interval wider than ±5% | 1 cell |",
        ] {
            assert!(answer.contains(told), "{told}\nnot in:\n{answer}");
        }
        assert!(!answer.contains("Component Model"), "no component cells, no row: {answer}");
        assert!(!answer.contains("100 ns"), "a wasi cell is not at the baseline: {answer}");
    }

    #[test]
    fn components_get_a_row_of_their_forms() {
        let mut rows = rows();
        rows.push(row("cranelift/artifact/bare/composed/wit/release/off/default/wasmtime/import", 1600.0, 400));
        rows.push(row("cranelift/artifact/bare/component/raw/release/off/default/wasmtime/host", 2000.0, 400));
        rows.push(row("cranelift/artifact/bare/component/raw/release/off/default/wasmtime/import", 1900.0, 400));
        let answer = answer(&rows);
        for told in [
            "| fastest Component Model form | composed wit (wasmtime cranelift, artifact, call import) | 1600 ns | ±1.5% | component raw +18.8% |",
            "| copy +4.0%, component +52.0% |",
        ] {
            assert!(answer.contains(told), "{told}\nnot in:\n{answer}");
        }
    }

    #[test]
    fn a_reason_is_told_up_to_its_first_colon_or_sentence() {
        assert_eq!(first_clause("wasmi has no artifacts: it keeps none"), "wasmi has no artifacts");
        assert_eq!(first_clause("no Emscripten output. Read it against bare"), "no Emscripten output");
        assert_eq!(first_clause("as it is"), "as it is");
    }
}
