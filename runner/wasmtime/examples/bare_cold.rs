//! The floor a worker's cold start is held to: a minimal program that starts cold, loads the
//! pair's artifacts, instantiates the pair and calls the consumer's `ping` once, with no harness
//! (no job, no worker protocol, no phase timing), as a user's own program would; timed from spawn
//! to its first line, as the runner times a worker from spawn to its ready line.
//! `runner/bare_instantiate.sh` runs it beside a results file's `cold_start_headline_ns`. It calls
//! `ping` where the worker makes its first round trip (the transport's work, more than a call),
//! and its `main` is Rust's (the worker's is a C `main`, wasmatrix-core's `worker_main!`).
//!
//! - `bare_cold precompile PRODUCER.wasm CONSUMER.wasm DIR [COMPILER]`: writes the guests'
//!   artifacts, `DIR/producer.cwasm` and `DIR/consumer.cwasm`, as the worker's `precompile` does.
//! - `bare_cold spawn PROCESSES DIR [COMPILER] [fresh|pre|pooled]`: starts the minimal program
//!   (this binary, `bare_cold DIR ...`) that many times, one after another, each timed from just
//!   before its spawn to its first line read by this process (the runner's clock; std's `Command`
//!   with both outputs piped and a process group of its own, as the runner starts a worker); prints
//!   the 10th percentile over processes in ns, the estimator of the worker's cold start headline.
//! - `bare_cold DIR [COMPILER] [fresh|pre|pooled]`: the minimal program. A loading engine (no
//!   compiler, as the worker's `artifact` engine), both artifacts mapped, the pair instantiated
//!   (`fresh`: linked now; `pre`: from `InstancePre`s; `pooled`: so, in an engine with the pooling
//!   allocator), one `ping`, then its line. After the line it calls `ping` as `bare_call` does, so
//!   that the next process starts after a process that worked, as a worker's does.
//!
//! COMPILER is `cranelift` (the default), `winch` or `pulley`.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use wasmatrix_core::measure::clock::{bare_call_median_ns, monotonic_ns};
use wasmtime::{Engine, Linker, Module, Store};

#[path = "shared/config.rs"]
mod shared;

const USAGE: &str = "usage: bare_cold precompile PRODUCER.wasm CONSUMER.wasm DIR [COMPILER]\n       \
                     bare_cold spawn PROCESSES DIR [COMPILER] [fresh|pre|pooled]\n       \
                     bare_cold DIR [COMPILER] [fresh|pre|pooled]";

fn main() -> wasmtime::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["precompile", producer, consumer, dir, rest @ ..] => {
            precompile(producer, consumer, dir, rest.first().copied())
        }
        ["spawn", processes, rest @ ..] if !rest.is_empty() => match processes.parse() {
            Ok(n) if n > 0 => spawn(n, rest),
            _ => wasmtime::bail!("PROCESSES must be a whole number above 0, not `{processes}`"),
        },
        [dir, rest @ ..] if *dir != "precompile" && *dir != "spawn" => {
            cold(dir, rest.first().copied(), rest.get(1).copied().unwrap_or("fresh"))
        }
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
}

fn precompile(producer: &str, consumer: &str, dir: &str, compiler: Option<&str>) -> wasmtime::Result<()> {
    let engine = Engine::new(&shared::config(compiler)?)?;
    for (wasm, name) in [(producer, "producer"), (consumer, "consumer")] {
        std::fs::write(Path::new(dir).join(format!("{name}.cwasm")), engine.precompile_module(&std::fs::read(wasm)?)?)?;
    }
    Ok(())
}

fn spawn(processes: usize, args: &[&str]) -> wasmtime::Result<()> {
    let exe = std::env::current_exe()?;
    let (mut to_main, mut to_ready) = (Vec::with_capacity(processes), Vec::with_capacity(processes));
    for _ in 0..processes {
        let mut command = Command::new(&exe);
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        command.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let spawned = monotonic_ns();
        let mut child = command.spawn()?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line)?;
        let ready = monotonic_ns();
        let output = child.wait_with_output()?;
        let main = line.strip_prefix("ready ").and_then(|ns| ns.trim().parse::<u64>().ok());
        let (Some(main), true) = (main, output.status.success()) else {
            wasmtime::bail!(
                "the minimal program failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            );
        };
        to_main.push(main.saturating_sub(spawned) as f64);
        to_ready.push(ready.saturating_sub(spawned) as f64);
    }
    to_main.sort_by(f64::total_cmp);
    to_ready.sort_by(f64::total_cmp);
    let median = |sorted: &[f64]| sorted[sorted.len() / 2];
    eprintln!("spawn to main p50 {:.0} ns, spawn to first line p50 {:.0} ns", median(&to_main), median(&to_ready));
    // The 10th percentile of spawn to first line, nearest rank (the ceil(n / 10)-th smallest), as
    // the runner's headline picks it over processes (`p10 of process` values).
    println!("{:.1}", to_ready[processes.div_ceil(10) - 1]);
    Ok(())
}

#[allow(unsafe_code)]
fn cold(dir: &str, compiler: Option<&str>, strategy: &str) -> wasmtime::Result<()> {
    let main_ns = monotonic_ns();
    let mut config = shared::config(compiler)?;
    if compiler != Some("winch") {
        config.enable_compiler(false);
    }
    if strategy == "pooled" {
        shared::pool_one_pair(&mut config);
    }
    let engine = Engine::new(&config)?;
    // SAFETY: artifacts `bare_cold precompile` wrote with this same binary (Wasmtime still checks
    // their header and configuration).
    let load = |name: &str| unsafe { Module::deserialize_file(&engine, Path::new(dir).join(format!("{name}.cwasm"))) };
    let (producer, consumer) = (load("producer")?, load("consumer")?);
    let linker = Linker::new(&engine);
    let mut store = Store::new(&engine, ());
    let consumer = match strategy {
        "fresh" => {
            linker.instantiate(&mut store, &producer)?;
            linker.instantiate(&mut store, &consumer)?
        }
        "pre" | "pooled" => {
            let (p, c) = (linker.instantiate_pre(&producer)?, linker.instantiate_pre(&consumer)?);
            p.instantiate(&mut store)?;
            c.instantiate(&mut store)?
        }
        other => wasmtime::bail!("unknown strategy `{other}`; allowed: fresh, pre, pooled"),
    };
    let ping = consumer.get_typed_func::<u32, u32>(&mut store, "ping")?;
    std::hint::black_box(ping.call(&mut store, 1)?);
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready {main_ns}")?;
    out.flush()?;
    std::hint::black_box(bare_call_median_ns(|x| ping.call(&mut store, x))?);
    Ok(())
}
