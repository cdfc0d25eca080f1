//! What the guests may import, per value of the `environment` axis, and the store they live in.
//! [`store`] creates the environment (timed as its own start-up phase): the store's state and its
//! memory cap, and [`linkers`] one [`Linker`] per guest (for `instantiate = fresh`; `pre` and
//! `pooled` cells make them once, into their `InstancePre`s); [`Host::instantiate`] instantiates one
//! guest, [`Sink::started`] finishes a guest however it was instantiated.
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

use crate::call::{relay, Api};
use crate::limits::Cap;
use wasmatrix_core::abi::{Bytes, Role};
use wasmatrix_core::axes::{Call, Environment, Logging};
use wasmatrix_core::guests::{Failure, Output};
use wasmatrix_core::transport::Deliver;
use wasmtime::{AsContextMut, Caller, Instance, Linker, Memory, Module, Store};
// WASI preview 1: module `p1` since Wasmtime 37, `preview1` in 36 (release `wasmtime-36`).
use p1::WasiP1Ctx;
#[cfg(not(wasmtime_36))]
use wasmtime_wasi::p1;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
#[cfg(wasmtime_36)]
use wasmtime_wasi::preview1 as p1;

/// Everything the store holds for the host functions. `R` is what the producer's `env.deliver`
/// import routes a request through (`call = import`).
pub struct HostState<R> {
    /// `call = import`: the route `env.deliver` takes (taken out while a request is on it).
    pub route: Option<R>,
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
pub struct Host<R> {
    pub producer: Linker<HostState<R>>,
    pub consumer: Linker<HostState<R>>,
    pub sink: Sink,
}

/// Where the guests write (their environment and logging): what a guest needs once instantiated,
/// and what is read of them after.
#[derive(Clone, Copy, Debug)]
pub struct Sink {
    environment: Environment,
    logging: Logging,
}

/// Emscripten's `__syscall_getcwd(buf, size)`: -ENOSYS (52 in Emscripten's errno numbering).
fn syscall_getcwd(_buf: i32, _size: i32) -> i32 {
    -52
}

/// `env.wasmatrix_log(ptr, len)`: appends `len` bytes at `ptr` of the consumer's memory.
fn wasmatrix_log<R>(mut caller: Caller<'_, HostState<R>>, ptr: u32, len: u32) -> wasmtime::Result<()> {
    let memory = caller
        .data()
        .log_memory
        .ok_or_else(|| wasmtime::Error::msg("log line before the consumer's memory is known"))?;
    let (bytes, state) = memory.data_and_store_mut(&mut caller);
    let line = bytes
        .get(ptr as usize..ptr as usize + len as usize)
        .ok_or_else(|| wasmtime::Error::msg("log line outside the consumer's memory"))?;
    state.log.extend_from_slice(line);
    Ok(())
}

/// `env.deliver(ptr, len)`, the producer's way to the consumer under `call = import`: the route the
/// store holds delivers the request (wasmatrix-core's `transport::Deliver`), taken out for the call
/// (the consumer's `consume` runs in the same store) and put back. A failure on the way is relayed
/// through the producer's frames with its kind.
fn deliver<R: Deliver<Api> + Send + 'static>(
    mut caller: Caller<'_, HostState<R>>,
    ptr: u32,
    len: u32,
) -> wasmtime::Result<u64> {
    let mut route = caller.data_mut().route.take().ok_or_else(|| wasmtime::Error::msg("env.deliver re-entered"))?;
    let outcome = route.deliver(caller.as_context_mut(), Bytes { ptr, len });
    caller.data_mut().route = Some(route);
    outcome.map_err(relay)
}

/// The store both guests live in: its state (WASI contexts, the log sink, the route) and its memory
/// cap.
pub fn store<R: Deliver<Api> + Send + 'static>(
    engine: &wasmtime::Engine,
    environment: Environment,
    memory_limit_mib: u64,
) -> Result<Store<HostState<R>>, Failure> {
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
    let state = HostState { route: None, cap, log_memory: None, log: Vec::new(), wasi };
    let mut store = Store::new(engine, state);
    store.limiter(|state| &mut state.cap);
    Ok(store)
}

/// One linker per guest, with what each may import (not tied to a store: the transport's shared
/// memory is defined in them per store, by the transport).
pub fn linkers<R: Deliver<Api> + Send + 'static>(
    engine: &wasmtime::Engine,
    environment: Environment,
    logging: Logging,
    call: Call,
) -> Result<Host<R>, Failure> {
    let has_wasi = matches!(environment, Environment::Wasi | Environment::Emscripten);
    let linker = |role: Role| -> wasmtime::Result<Linker<HostState<R>>> {
        let mut linker = Linker::new(engine);
        if has_wasi {
            // The accessor must be a plain function of the state: one per guest.
            match role {
                Role::Producer => p1::add_to_linker_sync(&mut linker, |s: &mut HostState<R>| {
                    &mut s.wasi.as_mut().expect("WASI cells have WASI contexts").producer
                })?,
                Role::Consumer => p1::add_to_linker_sync(&mut linker, |s: &mut HostState<R>| {
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
            linker.func_wrap("env", "deliver", deliver::<R>)?;
        }
        Ok(linker)
    };
    (|| -> wasmtime::Result<Host<R>> {
        let sink = Sink { environment, logging };
        Ok(Host { producer: linker(Role::Producer)?, consumer: linker(Role::Consumer)?, sink })
    })()
    .map_err(|e| Failure::Error(format!("cannot create the guests' environment: {e:#}")))
}

impl<R> Host<R> {
    /// Instantiates one guest in its linker; `shared` is the transport's memory, if any (already
    /// defined in the linker).
    pub fn instantiate(
        &self,
        store: &mut Store<HostState<R>>,
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
        self.sink.started(store, instance, role, shared)
    }
}

impl Sink {
    /// Finishes a guest just instantiated: the consumer's memory becomes the `bare` log sink's, a
    /// reactor's constructors run; `shared` is the transport's memory, if any.
    pub fn started<R>(
        &self,
        store: &mut Store<HostState<R>>,
        instance: Instance,
        role: Role,
        shared: Option<Memory>,
    ) -> Result<Instance, Failure> {
        let who = role.name();
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
    pub fn output<R>(&self, store: &Store<HostState<R>>) -> Output {
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
