//! The web half: V8 in Node.js beside V8 in a Chromium page, the same JavaScript host in both, on
//! the raw transports and wasm-bindgen's glue: the 2021 report's web claims, answered.

use crate::matrix::axes::{Axis, Call, Compiler, Engine, Environment, Logging, Runtime, Transport};
use crate::matrix::Cell;
use crate::report::table::{Table, Value};
use crate::report::view::{Report, RAW};
use crate::results::row::Row;

/// Per V8 compiler, transport (`copy`, `shared`, `bindgen`) and call pattern, on raw, bare, logging
/// off and the baseline build: the round trip in Node.js and in Chromium and their ratio, what the
/// transport adds over `copy` in each host (for `bindgen`: what the glue's marshalling costs per
/// round trip), the fresh set-up in each, and the Chromium cell's status (whether it ran at all).
/// None unless the run has a Chromium cell.
pub(in crate::report) fn table(report: &Report) -> Option<Table> {
    let web = |c: &Cell| {
        c.codec == RAW && (c.environment, c.logging) == (Environment::Bare, Logging::Off) && c.engine == Engine::Jit
    };
    let chromium: Vec<(&Row, Cell)> = report
        .rows
        .iter()
        .filter_map(|r| r.cell().ok().map(|c| (r, c)))
        .filter(|(_, c)| c.runtime == Runtime::Chromium && web(c))
        .collect();
    if chromium.is_empty() {
        return None;
    }
    let ok = |runtime: Runtime, compiler: Compiler, transport: Transport, call: Call| {
        report.baseline().find(|r| {
            r.cell().is_ok_and(|c| {
                web(&c) && (c.runtime, c.compiler, c.transport, c.call) == (runtime, compiler, transport, call)
            })
        })
    };
    let rt = |row: Option<&Row>| row.and_then(|r| (report.unit.rt)(r));
    let setup = |row: Option<&Row>| Value::num(row.and_then(|r| r.setup_ns).map(|ns| ns as f64 / 1e3), 0);
    let u = report.unit.name;
    let mut t = Table::new(
        format!("The web half: V8 in Node.js and in a Chromium page (raw, bare, logging off; headlines, {u})"),
        vec![
            "compiler",
            "transport",
            "call",
            "node rt",
            "chromium rt",
            "chromium / node",
            "node over copy",
            "chromium over copy",
            "node set-up µs",
            "chromium set-up µs",
            "chromium cell",
        ],
    );
    for compiler in [Compiler::Liftoff, Compiler::Turbofan] {
        for transport in [Transport::Copy, Transport::Shared, Transport::Bindgen] {
            for call in [Call::Host, Call::Import] {
                let Some((page, _)) =
                    chromium.iter().find(|(_, c)| (c.compiler, c.transport, c.call) == (compiler, transport, call))
                else {
                    continue;
                };
                let (node_row, page_row) =
                    (ok(Runtime::V8, compiler, transport, call), ok(Runtime::Chromium, compiler, transport, call));
                let over = |runtime: Runtime, row: Option<&Row>| {
                    let copy = rt(ok(runtime, compiler, Transport::Copy, Call::Host));
                    let here = rt(row);
                    Value::num(here.zip(copy).filter(|_| transport != Transport::Copy).map(|(h, c)| h - c), 0)
                };
                let (node, browser) = (rt(node_row), rt(page_row));
                t.rows.push(vec![
                    compiler.name().into(),
                    transport.name().into(),
                    call.name().into(),
                    Value::num(node, 0),
                    Value::num(browser, 0),
                    Value::num(browser.zip(node).map(|(b, n)| b / n), 2),
                    over(Runtime::V8, node_row),
                    over(Runtime::Chromium, page_row),
                    setup(node_row),
                    setup(page_row),
                    page.status.as_str().into(),
                ]);
            }
        }
    }
    t.notes.push(
        "The same JavaScript host (runner/v8) sets up, calls and times the pair in Node.js (V8 11.3 of Node 20) and in a \
         headless Chromium page (its V8), so the ratio is the host: engine release, page and browser around it. \
         \"over copy\": the transport's round trip minus copy's (the host calling) in the same host, in the unit \
         of the table; for bindgen, what wasm-bindgen's generated glue costs per round trip over the host copying \
         bytes between the guests' memories itself (the glue copies each message out of its sender into a new \
         Uint8Array, then into its receiver through a malloc there). shared: one WebAssembly.Memory imported by \
         both guests, in the page as in Node; the chromium cell's status says whether it ran. The page's clock \
         (performance.now(), cross-origin isolated) steps by 5 µs: its round trips are timed in regions of \
         at least 100 steps, but a set-up phase is one reading, so the page's set-up figures carry ±5 µs."
            .into(),
    );
    Some(t)
}
