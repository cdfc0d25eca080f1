//! What the guests may import, per value of the `environment` axis, and the store they live in.
//! [`store`] creates the environment (timed as its own start-up phase): the store's state, its
//! memory cap, and one [`Linker`] per guest; [`Host::instantiate`] instantiates one guest.
//!
//! - `bare`: only what the runner defines: `env.memory` (shared transport, defined by the
//!   transport) and `env.wasmatrix_log(ptr, len)`, the consumer's log sink, which appends the line
//!   to a buffer.
//! - `wasi`: WASI preview 1 (wasmtime-wasi's `p1`), one WASI context per guest, so each has its
//!   own descriptors, as under Wasmer. No arguments, no environment variables, no preopened
//!   directory (the guests open no files); stdout and stderr are in-memory pipes the worker keeps
//!   (both guests share them) and counts, never the worker's own. The guests are reactors: their
//!   `_initialize` runs after instantiation. wasmtime-wasi reaches a guest's memory through its
//!   `memory` export, which WASI's ABI requires (the shared layout re-exports the imported one).
//! - `emscripten`: the same WASI, plus `env.__syscall_getcwd`, the one import emcc's standalone
//!   output adds (answers ENOSYS; the guests never ask).
//!
//! Under `call = import` the producer also imports `env.deliver` ([`deliver`]).

use crate::pair::{Route, Routing};
use std::sync::atomic::{AtomicBool, Ordering};
use wasmatrix_core::abi::{Bytes, Role};
use wasmatrix_core::axes::{Call, Environment, Logging};
use wasmatrix_core::calls;
use wasmatrix_core::guests::{Failure, Output, Traffic};
use wasmtime::{Caller, Instance, Linker, Memory, Module, ResourceLimiter, Store};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;

/// Everything the store holds for the host functions.
pub struct HostState {
    /// `call = import`: what `env.deliver` routes a request through, and what it carried.
    pub route: Option<Route>,
    pub delivered: Traffic,
    cap: Cap,
    /// The `bare` log sink: the consumer's memory (once instantiated) and the lines so far.
    log_memory: Option<Memory>,
    log: Vec<u8>,
    wasi: Option<Wasi>,
}

/// Both guests' WASI contexts and what they write.
struct Wasi {
    producer: WasiP1Ctx,
    consumer: WasiP1Ctx,
    stdout: MemoryOutputPipe,
    stderr: MemoryOutputPipe,
}

/// The guests' environment: one linker per guest (each with its own WASI context).
pub struct Host {
    pub producer: Linker<HostState>,
    pub consumer: Linker<HostState>,
    environment: Environment,
    logging: Logging,
}

/// The memory cap (`[measure] memory_limit_mib`) on every guest memory of the store; a refused
/// growth is remembered, so that the trap that follows (a guest's allocator aborts when
/// `memory.grow` fails) is reported as `oom`.
pub struct Cap {
    bytes: usize,
}

impl Cap {
    /// The cap of `[measure] memory_limit_mib`.
    pub fn new(memory_limit_mib: u64) -> Cap {
        Cap { bytes: usize::try_from(memory_limit_mib.saturating_mul(1 << 20)).unwrap_or(usize::MAX) }
    }
}

static REFUSED: AtomicBool = AtomicBool::new(false);

impl ResourceLimiter for Cap {
    fn memory_growing(&mut self, _current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        let ok = desired <= self.bytes && maximum.is_none_or(|m| desired <= m);
        if !ok {
            REFUSED.store(true, Ordering::Relaxed);
        }
        Ok(ok)
    }

    fn table_growing(&mut self, _current: usize, _desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(true)
    }
}

/// A failure after a guest memory was refused growth within the cap is the cap's doing.
pub fn blame_the_cap(failure: Failure, memory_limit_mib: u64) -> Failure {
    match failure {
        Failure::Trap(m) | Failure::Error(m) if REFUSED.load(Ordering::Relaxed) => Failure::OutOfMemory(format!(
            "a guest memory could not grow within the cap of {memory_limit_mib} MiB, then: {m}"
        )),
        other => other,
    }
}

/// A Wasmtime error from a guest call or instantiation as a [`Failure`]: traps keep their kind.
pub fn failure(e: wasmtime::Error) -> Failure {
    if let Some(Relayed(relayed)) = e.downcast_ref::<Relayed>() {
        return match relayed {
            Failure::Trap(m) => Failure::Trap(format!("inside env.deliver: {m}")),
            Failure::Error(m) => Failure::Error(m.clone()),
            Failure::OutOfMemory(m) => Failure::OutOfMemory(m.clone()),
        };
    }
    if e.downcast_ref::<wasmtime::Trap>().is_some() {
        Failure::Trap(format!("{e:#}"))
    } else {
        Failure::Error(format!("{e:#}"))
    }
}

/// Emscripten's `__syscall_getcwd(buf, size)`: -ENOSYS (52 in Emscripten's errno numbering).
fn syscall_getcwd(_buf: i32, _size: i32) -> i32 {
    -52
}

/// `env.wasmatrix_log(ptr, len)`: appends `len` bytes at `ptr` of the consumer's memory.
fn wasmatrix_log(mut caller: Caller<'_, HostState>, ptr: u32, len: u32) -> wasmtime::Result<()> {
    let memory = caller
        .data()
        .log_memory
        .ok_or_else(|| wasmtime::format_err!("log line before the consumer's memory is known"))?;
    let (bytes, state) = memory.data_and_store_mut(&mut caller);
    let line = bytes
        .get(ptr as usize..ptr as usize + len as usize)
        .ok_or_else(|| wasmtime::format_err!("log line outside the consumer's memory"))?;
    state.log.extend_from_slice(line);
    Ok(())
}

/// `env.deliver(ptr, len)`, the producer's way to the consumer under `call = import`: the shared
/// middle of every round trip (wasmatrix-core's `calls::deliver`) over the route the store holds,
/// which is taken out for the call (the consumer's `consume` runs in the same store) and put back.
fn deliver(mut caller: Caller<'_, HostState>, ptr: u32, len: u32) -> wasmtime::Result<u64> {
    let mut route = caller.data_mut().route.take().ok_or_else(|| wasmtime::format_err!("env.deliver re-entered"))?;
    let mut traffic = caller.data().delivered;
    let outcome =
        calls::deliver(&mut Routing { ctx: &mut caller, route: &mut route }, Bytes { ptr, len }, &mut traffic);
    let state = caller.data_mut();
    (state.route, state.delivered) = (Some(route), traffic);
    outcome.map_err(|failure| wasmtime::Error::new(Relayed(failure)))
}

/// A failure inside `env.deliver` (a trap in the consumer, say), carried through the producer's
/// frames as an error and told apart again by [`failure`], so it keeps its kind.
#[derive(Debug)]
struct Relayed(Failure);

impl std::fmt::Display for Relayed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::error::Error for Relayed {}

/// The store both guests live in, and their linkers: the environment.
pub fn store(
    engine: &wasmtime::Engine,
    environment: Environment,
    logging: Logging,
    call: Call,
    memory_limit_mib: u64,
) -> Result<(Store<HostState>, Host), Failure> {
    let cap = Cap::new(memory_limit_mib);
    let wasi = match environment {
        Environment::Bare => None,
        Environment::Wasi | Environment::Emscripten => {
            // Room for every line the guests could write within the memory cap.
            let (stdout, stderr) = (MemoryOutputPipe::new(cap.bytes), MemoryOutputPipe::new(cap.bytes));
            let ctx = || wasmtime_wasi::WasiCtxBuilder::new().stdout(stdout.clone()).stderr(stderr.clone()).build_p1();
            Some(Wasi { producer: ctx(), consumer: ctx(), stdout, stderr })
        }
        Environment::EmscriptenLegacy => {
            return Err(Failure::Error(format!("{environment} cells do not run (see Cell::unsupported)")))
        }
    };
    let has_wasi = wasi.is_some();
    let state = HostState { route: None, delivered: Traffic::default(), cap, log_memory: None, log: Vec::new(), wasi };
    let mut store = Store::new(engine, state);
    store.limiter(|state| &mut state.cap);
    let linker = |role: Role| -> wasmtime::Result<Linker<HostState>> {
        let mut linker = Linker::new(engine);
        if has_wasi {
            // The accessor must be a plain function of the state: one per guest.
            match role {
                Role::Producer => wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |s: &mut HostState| {
                    &mut s.wasi.as_mut().expect("WASI cells have WASI contexts").producer
                })?,
                Role::Consumer => wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |s: &mut HostState| {
                    &mut s.wasi.as_mut().expect("WASI cells have WASI contexts").consumer
                })?,
            }
        } else if role == Role::Consumer {
            linker.func_wrap("env", "wasmatrix_log", wasmatrix_log)?;
        }
        if environment == Environment::Emscripten {
            linker.func_wrap("env", "__syscall_getcwd", syscall_getcwd)?;
        }
        if role == Role::Producer && call == Call::Import {
            linker.func_wrap("env", "deliver", deliver)?;
        }
        Ok(linker)
    };
    let host = (|| -> wasmtime::Result<Host> {
        Ok(Host { producer: linker(Role::Producer)?, consumer: linker(Role::Consumer)?, environment, logging })
    })()
    .map_err(|e| Failure::Error(format!("cannot create the guests' environment: {e:#}")))?;
    Ok((store, host))
}

impl Host {
    /// Instantiates one guest in its linker; `shared` is the transport's memory, if any (already
    /// defined in the linker).
    pub fn instantiate(
        &self,
        store: &mut Store<HostState>,
        module: &Module,
        role: Role,
        shared: Option<Memory>,
    ) -> Result<Instance, Failure> {
        let who = role.name();
        let linker = match role {
            Role::Producer => &self.producer,
            Role::Consumer => &self.consumer,
        };
        let instance = linker
            .instantiate(&mut *store, module)
            .map_err(|e| Failure::Error(format!("cannot instantiate the {who}: {e:#}")))?;
        if self.environment == Environment::Bare && role == Role::Consumer {
            let memory = match shared {
                Some(memory) => memory,
                None => instance
                    .get_memory(&mut *store, "memory")
                    .ok_or_else(|| Failure::Error(format!("the {who} exports no memory")))?,
            };
            store.data_mut().log_memory = Some(memory);
        }
        if self.environment != Environment::Bare {
            // A reactor's constructors, if it has any.
            if let Ok(init) = instance.get_typed_func::<(), ()>(&mut *store, "_initialize") {
                init.call(&mut *store, ())
                    .map_err(|e| Failure::Error(format!("the {who}'s _initialize failed: {e:#}")))?;
            }
        }
        Ok(instance)
    }

    /// What the guests wrote so far.
    pub fn output(&self, store: &Store<HostState>) -> Output {
        let state = store.data();
        match &state.wasi {
            None => Output {
                log_bytes: (self.logging == Logging::On).then_some(state.log.len() as u64),
                ..Output::default()
            },
            Some(wasi) => {
                let stdout = wasi.stdout.contents().len() as u64;
                Output {
                    // Under WASI the consumer logs to stdout.
                    log_bytes: (self.logging == Logging::On).then_some(stdout),
                    stdout_bytes: Some(stdout),
                    stderr_bytes: Some(wasi.stderr.contents().len() as u64),
                }
            }
        }
    }
}
