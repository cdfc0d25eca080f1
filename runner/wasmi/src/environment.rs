//! What the guests may import, per value of the `environment` axis, and how a guest is
//! instantiated in it. [`Host::new`] creates the environment (timed as its own start-up phase);
//! [`Host::instantiate`] links and instantiates one guest in it, with the shared memory if the
//! transport has one. The host state is the store's data, so host functions reach it without
//! anything dynamic beyond wasmi's own host call.
//!
//! - `bare`: only what the worker defines: `env.memory` (shared transport) and
//!   `env.wasmatrix_log(ptr, len)`, the consumer's log sink, which appends the line to a buffer.
//! - `wasi`: WASI preview 1 from wasmi_wasi (wasi-common underneath), one WASI context per guest.
//!   Each sees no preopened directory, no arguments and no environment variables; stdout and
//!   stderr are in-memory pipes the worker keeps (both guests share them) and counts, never the
//!   worker's own (its stdout carries the protocol). The guests are reactors: the host calls their
//!   exports, after `_initialize` if they have one.
//! - `emscripten`: the same WASI, plus `env.__syscall_getcwd`, the one import emcc's standalone
//!   output adds (answers ENOSYS; the guests never ask).
//!
//! Under `call = import` the producer also imports `env.deliver(ptr, len) -> u64`, its way to the
//! consumer: the route the store holds delivers the request (wasmatrix-core's `transport::Deliver`).

use crate::call::{relay, Api};
use crate::limits::Capped;
use anyhow::{Context, Result};
use std::sync::{Arc, RwLock};
use wasmatrix_core::abi::{Bytes, Role, SHARED_MEMORY_IMPORT};
use wasmatrix_core::axes::{Call, Environment, Logging};
use wasmatrix_core::guests::Output;
use wasmatrix_core::transport::Deliver;
use wasmi::{AsContextMut, Caller, Engine, Instance, Linker, Memory, Module, Store};
use wasmi_wasi::wasi_common::pipe::WritePipe;
use wasmi_wasi::{WasiCtx, WasiCtxBuilder};

/// The guests' environment, alive as long as they are: the store's data. `R` is what the
/// producer's `env.deliver` import routes a request through (`call = import`).
pub struct Host<R> {
    limiter: Capped,
    environment: Environment,
    logging: Logging,
    call: Call,
    /// `call = import`: the route `env.deliver` takes, once both guests are instantiated (taken
    /// out while a request is on it).
    pub route: Option<R>,
    /// The `bare` log sink: the consumer's memory, known once it is instantiated...
    log_memory: Option<Memory>,
    /// ... and the lines so far (unused under WASI, where the consumer logs to stdout).
    log: Vec<u8>,
    wasi: Option<Wasi>,
}

/// `env.deliver(ptr, len)`: the route the store holds delivers the request, taken out for the call
/// (the consumer's `consume` runs in the same store) and put back. A failure on the way is relayed
/// through the producer's frames with its kind.
fn deliver<R: Deliver<Api> + Send + 'static>(
    mut caller: Caller<'_, Host<R>>,
    ptr: u32,
    len: u32,
) -> Result<u64, wasmi::Error> {
    let mut route = caller
        .data_mut()
        .route
        .take()
        .ok_or_else(|| wasmi::Error::new("env.deliver re-entered, or called before both guests were linked"))?;
    let outcome = route.deliver(caller.as_context_mut(), Bytes { ptr, len });
    caller.data_mut().route = Some(route);
    outcome.map_err(relay)
}

/// Both guests' WASI contexts and what they write.
struct Wasi {
    producer: WasiCtx,
    consumer: WasiCtx,
    stdout: Arc<RwLock<Vec<u8>>>,
    stderr: Arc<RwLock<Vec<u8>>>,
}

/// The store the guests live in, its memories capped as the host's limiter says.
pub fn store<R>(engine: &Engine, host: Host<R>) -> Store<Host<R>> {
    let mut store = Store::new(engine, host);
    store.limiter(|host| &mut host.limiter);
    store
}

/// Emscripten's `__syscall_getcwd(buf, size)`: -ENOSYS (52 in Emscripten's errno numbering).
fn syscall_getcwd(_buf: i32, _size: i32) -> i32 {
    -52
}

/// `env.wasmatrix_log(ptr, len)`: appends `len` bytes at `ptr` of the consumer's memory.
fn wasmatrix_log<R>(mut caller: Caller<'_, Host<R>>, ptr: u32, len: u32) -> Result<(), wasmi::Error> {
    let memory =
        caller.data().log_memory.ok_or_else(|| wasmi::Error::new("log line before the consumer's memory is known"))?;
    let (bytes, host) = memory.data_and_store_mut(&mut caller);
    let line = (ptr as usize)
        .checked_add(len as usize)
        .and_then(|end| bytes.get(ptr as usize..end))
        .ok_or_else(|| wasmi::Error::new(format!("log line {ptr:#x}+{len} outside the consumer's memory")))?;
    host.log.extend_from_slice(line);
    Ok(())
}

/// Which guest's WASI context a WASI import uses: a type per guest, so each guest's imports are
/// compiled with their context's place in them.
trait Side: 'static {
    fn ctx<R>(host: &mut Host<R>) -> &mut WasiCtx;
}

struct ProducerSide;
struct ConsumerSide;

impl Side for ProducerSide {
    fn ctx<R>(host: &mut Host<R>) -> &mut WasiCtx {
        &mut host.wasi.as_mut().expect("WASI imports are linked only in a WASI environment").producer
    }
}

impl Side for ConsumerSide {
    fn ctx<R>(host: &mut Host<R>) -> &mut WasiCtx {
        &mut host.wasi.as_mut().expect("WASI imports are linked only in a WASI environment").consumer
    }
}

/// A guest side's WASI imports: wasmi_wasi's, which reach the guest's memory through its `memory`
/// export (WASI's ABI; the shared layout re-exports the imported memory).
fn link_wasi<S: Side, R: Send + 'static>(linker: &mut Linker<Host<R>>) -> Result<()> {
    wasmi_wasi::add_to_linker(linker, S::ctx::<R>).map_err(|e| anyhow::anyhow!("cannot link WASI: {e}"))
}

/// A WASI context that sees no directory, no arguments and no environment variables, and
/// writes stdout and stderr to the given buffers.
fn wasi_ctx(stdout: &Arc<RwLock<Vec<u8>>>, stderr: &Arc<RwLock<Vec<u8>>>) -> WasiCtx {
    WasiCtxBuilder::new()
        .stdout(Box::new(WritePipe::from_shared(stdout.clone())))
        .stderr(Box::new(WritePipe::from_shared(stderr.clone())))
        .build()
}

impl<R: Deliver<Api> + Send + 'static> Host<R> {
    /// Creates the guests' environment for the call pattern `call`, its memories capped at
    /// `memory_limit_mib`.
    pub fn new(environment: Environment, logging: Logging, call: Call, memory_limit_mib: u64) -> Result<Host<R>> {
        let wasi = match environment {
            Environment::Bare => None,
            Environment::Wasi | Environment::Emscripten => {
                let stdout = Arc::default();
                let stderr = Arc::default();
                let producer = wasi_ctx(&stdout, &stderr);
                let consumer = wasi_ctx(&stdout, &stderr);
                Some(Wasi { producer, consumer, stdout, stderr })
            }
            Environment::EmscriptenLegacy => anyhow::bail!("{environment} cells do not run (see Cell::unsupported)"),
        };
        Ok(Host {
            limiter: Capped::new(memory_limit_mib),
            environment,
            logging,
            call,
            route: None,
            log_memory: None,
            log: Vec::new(),
            wasi,
        })
    }

    /// Links and instantiates one guest; `shared` is the transport's host-created memory, if any.
    pub fn instantiate(
        store: &mut Store<Host<R>>,
        module: &Module,
        role: Role,
        shared: Option<Memory>,
    ) -> Result<Instance> {
        let who = role.name();
        let (environment, call) = (store.data().environment, store.data().call);
        let mut linker = Linker::<Host<R>>::new(store.engine());
        match environment {
            Environment::Bare => {
                linker.func_wrap("env", "wasmatrix_log", wasmatrix_log)?;
            }
            Environment::Wasi | Environment::Emscripten => match role {
                Role::Producer => link_wasi::<ProducerSide, R>(&mut linker)?,
                Role::Consumer => link_wasi::<ConsumerSide, R>(&mut linker)?,
            },
            Environment::EmscriptenLegacy => anyhow::bail!("{environment} cells do not run (see Cell::unsupported)"),
        }
        if environment == Environment::Emscripten {
            linker.func_wrap("env", "__syscall_getcwd", syscall_getcwd)?;
        }
        if role == Role::Producer && call == Call::Import {
            linker.func_wrap("env", "deliver", deliver::<R>)?;
        }
        if let Some(memory) = shared {
            let (module, name) = SHARED_MEMORY_IMPORT;
            linker.define(module, name, memory)?;
        }
        let instance = linker
            .instantiate_and_start(&mut *store, module)
            .with_context(|| format!("cannot instantiate the {who}"))?;
        match environment {
            Environment::Bare if role == Role::Consumer => {
                let memory = match shared {
                    Some(memory) => memory,
                    None => instance
                        .get_memory(&*store, "memory")
                        .with_context(|| format!("the {who} exports no memory"))?,
                };
                store.data_mut().log_memory = Some(memory);
            }
            Environment::Bare => {}
            _ => {
                // A reactor's constructors, if it has any.
                if let Ok(init) = instance.get_typed_func::<(), ()>(&*store, "_initialize") {
                    init.call(&mut *store, ()).with_context(|| format!("the {who}'s _initialize failed"))?;
                }
            }
        }
        Ok(instance)
    }

    /// What the guests wrote so far.
    pub fn output(&self) -> Output {
        match &self.wasi {
            None => Output {
                log_bytes: (self.logging == Logging::On).then_some(self.log.len() as u64),
                ..Output::default()
            },
            Some(wasi) => {
                let len = |pipe: &Arc<RwLock<Vec<u8>>>| pipe.read().map_or(0, |bytes| bytes.len() as u64);
                let stdout = len(&wasi.stdout);
                Output {
                    // Under WASI the consumer logs to stdout.
                    log_bytes: (self.logging == Logging::On).then_some(stdout),
                    stdout_bytes: Some(stdout),
                    stderr_bytes: Some(len(&wasi.stderr)),
                }
            }
        }
    }
}
