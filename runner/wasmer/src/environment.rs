//! What the guests may import, per value of the `environment` axis, and how a guest is
//! instantiated in it. [`Host::new`] creates the environment (timed as its own start-up phase);
//! [`Host::instantiate`] instantiates one guest in it, with the shared memory if the transport
//! has one.
//!
//! - `bare`: only what the runner defines: `env.memory` (shared transport) and
//!   `env.wasmatrix_log(ptr, len)`, the consumer's log sink, which appends the line to a buffer.
//! - `wasi`: WASI preview 1 under wasmer-wasix, one WASI environment per guest. Each sees one
//!   empty directory as `/`, no arguments and no environment variables; stdout and stderr are
//!   in-memory files the worker keeps (both guests share them) and counts, never the worker's own.
//!   The guests are reactors: the host calls their exports, after `_initialize` if they have one.
//!   wasmer-wasix needs a tokio runtime entered (see `main`).
//! - `emscripten`: the same WASI, plus `env.__syscall_getcwd`, the one import emcc's standalone
//!   output adds (answers ENOSYS; the guests never ask).
//!
//! Under `call = import` the producer also imports `env.deliver` ([`deliver`]).

use crate::call::{relay, Api};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
#[cfg(not(wasmer_6))]
use std::sync::Arc;
use wasmatrix_core::abi::{Bytes, Role};
use wasmatrix_core::axes::{Call, Environment, Logging};
use wasmatrix_core::guests::Output;
use wasmatrix_core::transport::Deliver;
use wasmer::{
    imports, Function, FunctionEnv, FunctionEnvMut, Imports, Instance, Memory, Module, RuntimeError, Store,
    TypedFunction,
};
use wasmer_wasix::virtual_fs::{self, ArcFile, BufferFile, VirtualFile};
use wasmer_wasix::{WasiEnv, WasiFunctionEnv, WasiModuleInstanceHandles, WasiModuleTreeHandles};

/// The guests' environment, alive as long as they are. `R` is what the producer's `env.deliver`
/// import routes a request through (`call = import`).
pub struct Host<R> {
    /// The `bare` log sink's state (unused under `wasi`, where the consumer logs to stdout).
    log: FunctionEnv<LogSink>,
    logging: Logging,
    environment: Environment,
    wasi: Option<Wasi>,
    /// `call = import`: the state of the producer's `env.deliver`: the route it takes, once both
    /// guests are linked.
    pub delivery: Option<FunctionEnv<Option<R>>>,
}

/// `env.deliver(ptr, len)`, the producer's way to the consumer under `call = import`: the route its
/// state holds delivers the request (wasmatrix-core's `transport::Deliver`). Wasmer keeps a
/// function's state apart from the store's objects, so the route is borrowed for the call, not
/// taken out, while the consumer runs in the same store (it imports no `env.deliver`, so nothing
/// re-enters). A failure on the way is relayed through the producer's frames with its kind.
fn deliver<R: Deliver<Api> + Send + 'static>(
    mut env: FunctionEnvMut<Option<R>>,
    ptr: u32,
    len: u32,
) -> Result<u64, RuntimeError> {
    let (route, store) = env.data_and_store_mut();
    let route = route.as_mut().ok_or_else(|| RuntimeError::new("env.deliver before the guests were linked"))?;
    // (Wasmer's store context has no data type: `()`.)
    route.deliver::<()>(store, Bytes { ptr, len }).map_err(relay)
}

/// Emscripten's `__syscall_getcwd(buf, size)`: -ENOSYS (52 in Emscripten's errno numbering).
fn syscall_getcwd(_buf: i32, _size: i32) -> i32 {
    -52
}

/// What `env.wasmatrix_log` appends to: the consumer's memory and the lines so far.
#[derive(Default)]
struct LogSink {
    memory: Option<Memory>,
    buffer: Vec<u8>,
}

/// `env.wasmatrix_log(ptr, len)`: appends `len` bytes at `ptr` of the consumer's memory.
fn wasmatrix_log(mut env: FunctionEnvMut<LogSink>, ptr: u32, len: u32) -> Result<(), RuntimeError> {
    let (sink, store) = env.data_and_store_mut();
    let memory =
        sink.memory.as_ref().ok_or_else(|| RuntimeError::new("log line before the consumer's memory is known"))?;
    let start = sink.buffer.len();
    sink.buffer.resize(start + len as usize, 0);
    memory
        .view(&store)
        .read(u64::from(ptr), &mut sink.buffer[start..])
        .map_err(|e| RuntimeError::new(format!("log line outside the consumer's memory: {e}")))
}

/// Both guests' WASI environments and what they write.
struct Wasi {
    producer: WasiFunctionEnv,
    consumer: WasiFunctionEnv,
    stdout: ArcFile<BufferFile>,
    stderr: ArcFile<BufferFile>,
    /// The guests' `/`: empty, made for this process and removed with it.
    root: PathBuf,
}

impl Drop for Wasi {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

impl Wasi {
    fn new(store: &mut Store, scratch: &Path) -> Result<Wasi> {
        let root = scratch.join(format!("wasi-root-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).with_context(|| format!("cannot create the WASI root {}", root.display()))?;
        let stdout = ArcFile::new(Box::<BufferFile>::default());
        let stderr = ArcFile::new(Box::<BufferFile>::default());
        let handle = tokio::runtime::Handle::try_current().context("WASI needs a tokio runtime entered")?;
        let mut env = |role: Role| -> Result<WasiFunctionEnv> {
            let fs = virtual_fs::host_fs::FileSystem::new(handle.clone(), &root)
                .with_context(|| format!("cannot open {} as the WASI root", root.display()))?;
            #[cfg(not(wasmer_6))]
            let fs: Arc<dyn virtual_fs::FileSystem + Send + Sync> = Arc::new(fs);
            #[cfg(wasmer_6)]
            let fs: Box<dyn virtual_fs::FileSystem + Send + Sync> = Box::new(fs);
            WasiEnv::builder(role.name())
                .engine(store.engine().clone())
                .fs(fs)
                .preopen_dir("/")
                .context("cannot preopen the WASI root")?
                .stdout(Box::new(stdout.clone()))
                .stderr(Box::new(stderr.clone()))
                .finalize(store)
                .with_context(|| format!("cannot create the {}'s WASI environment", role.name()))
        };
        Ok(Wasi { producer: env(Role::Producer)?, consumer: env(Role::Consumer)?, stdout, stderr, root })
    }

    fn env(&mut self, role: Role) -> &mut WasiFunctionEnv {
        match role {
            Role::Producer => &mut self.producer,
            Role::Consumer => &mut self.consumer,
        }
    }
}

impl<R: Deliver<Api> + Send + 'static> Host<R> {
    /// Creates the guests' environment; `scratch` is a directory private to this worker.
    pub fn new(
        store: &mut Store,
        environment: Environment,
        logging: Logging,
        call: Call,
        scratch: &Path,
    ) -> Result<Host<R>> {
        let log = FunctionEnv::new(store, LogSink::default());
        let delivery = (call == Call::Import).then(|| FunctionEnv::new(store, None));
        let wasi = match environment {
            Environment::Bare => None,
            Environment::Wasi | Environment::Emscripten => Some(Wasi::new(store, scratch)?),
            Environment::EmscriptenLegacy => anyhow::bail!("{environment} cells do not run (see Cell::unsupported)"),
        };
        Ok(Host { log, logging, environment, wasi, delivery })
    }

    /// Instantiates one guest; `shared` is the transport's host-created memory, if any.
    pub fn instantiate(
        &mut self,
        store: &mut Store,
        module: &Module,
        role: Role,
        shared: Option<&Memory>,
    ) -> Result<Instance> {
        let who = role.name();
        let mut imports = match &mut self.wasi {
            None => {
                let log = Function::new_typed_with_env(store, &self.log, wasmatrix_log);
                imports! { "env" => { "wasmatrix_log" => log } }
            }
            // A guest that calls no WASI function imports none, and needs none.
            Some(wasi) => {
                wasi.env(role).import_object_for_all_wasi_versions(store, module).unwrap_or_else(|_| Imports::new())
            }
        };
        if let Some(memory) = shared {
            imports.define("env", "memory", memory.clone());
        }
        if self.environment == Environment::Emscripten {
            imports.define("env", "__syscall_getcwd", Function::new_typed(store, syscall_getcwd));
        }
        if let (Role::Producer, Some(delivery)) = (role, &self.delivery) {
            imports.define("env", "deliver", Function::new_typed_with_env(store, delivery, deliver::<R>));
        }
        let instance =
            Instance::new(store, module, &imports).with_context(|| format!("cannot instantiate the {who}"))?;
        match &mut self.wasi {
            None if role == Role::Consumer => {
                let memory = match shared {
                    Some(memory) => memory.clone(),
                    None => instance
                        .exports
                        .get_memory("memory")
                        .with_context(|| format!("the {who} exports no memory"))?
                        .clone(),
                };
                self.log.as_mut(store).memory = Some(memory);
            }
            None => {}
            Some(wasi) => {
                let env = wasi.env(role);
                match shared {
                    // WASI reads and writes through the guest's memory: its own, exported...
                    None => env.initialize(store, instance.clone()),
                    // ... or the one both guests import.
                    Some(memory) => {
                        let handles = WasiModuleInstanceHandles::new(memory.clone(), store, instance.clone(), None);
                        let tree = WasiModuleTreeHandles::Static(handles);
                        env.initialize_handles_and_layout(store, instance.clone(), tree, None, true)
                    }
                }
                .with_context(|| format!("cannot initialize the {who}'s WASI environment"))?;
                // A reactor's constructors, if it has any.
                if let Ok(init) = instance.exports.get_typed_function::<(), ()>(store, "_initialize") {
                    let init: TypedFunction<(), ()> = init;
                    init.call(store).with_context(|| format!("the {who}'s _initialize failed"))?;
                }
            }
        }
        Ok(instance)
    }

    /// What the guests wrote so far.
    pub fn output(&self, store: &Store) -> Output {
        match &self.wasi {
            None => Output {
                log_bytes: (self.logging == Logging::On).then(|| self.log.as_ref(store).buffer.len() as u64),
                ..Output::default()
            },
            Some(wasi) => {
                let stdout = wasi.stdout.size();
                Output {
                    // Under WASI the consumer logs to stdout.
                    log_bytes: (self.logging == Logging::On).then_some(stdout),
                    stdout_bytes: Some(stdout),
                    stderr_bytes: Some(wasi.stderr.size()),
                }
            }
        }
    }
}
