//! What the guests are linked with: each environment's Rust target, and each memory layout's
//! linker arguments (wasm-ld's, or emcc's under `emscripten`).

use crate::matrix::axes::{Environment, Transport};
use wasmatrix_core::abi::{shared_relay_base, Role, SHARED_CONSUMER_BASE};

/// How a guest's linear memory is set up, which the transport dictates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layout {
    /// The guest defines and exports its own memory.
    Own,
    /// The guest imports `env.memory`, laid out to share it with the other guest.
    Shared,
    /// The guest is a component (feature `component`, the WIT worlds of guests/wit) with a memory
    /// of its own, encoded from its core module by the runner ([`crate::component`]); the pair is
    /// also composed into one component (transport `composed`).
    Component,
    /// The guest built with wasm-bindgen (feature `bindgen`), its own memory, and the glue
    /// `wasm-bindgen --target web` writes for it beside it (`producer.js` by `producer.wasm`).
    Bindgen,
    /// Each guest with its own memory, as [`Layout::Own`], and both merged with the adapter into
    /// one module with two memories (transport `merged`, [`crate::merged_pair`]).
    Merged,
}

impl Layout {
    pub fn of(transport: Transport) -> Layout {
        match transport {
            Transport::Copy => Layout::Own,
            Transport::Shared => Layout::Shared,
            Transport::Component | Transport::Composed => Layout::Component,
            Transport::Bindgen => Layout::Bindgen,
            Transport::Merged => Layout::Merged,
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Layout::Own => "own-memory",
            Layout::Shared => "shared-memory",
            Layout::Component => "component",
            Layout::Bindgen => "bindgen",
            Layout::Merged => "merged",
        }
    }

    /// The linker's arguments for `role` (wasm-ld's under `bare` and `wasi`, emcc's under
    /// `emscripten`), as rustc `-C link-arg`s.
    pub(super) fn link_args(self, role: Role, environment: Environment) -> Vec<String> {
        let args: Vec<String> = match environment {
            Environment::Emscripten | Environment::EmscriptenLegacy => emcc_args(self, role),
            Environment::Bare | Environment::Wasi => {
                let mut args: Vec<String> = match (self, role) {
                    (Layout::Own | Layout::Component | Layout::Bindgen | Layout::Merged, _) => vec![],
                    (Layout::Shared, Role::Producer) => vec!["--import-memory".into()],
                    (Layout::Shared, Role::Consumer) => vec![
                        "--import-memory".into(),
                        "--no-stack-first".into(),
                        format!("--global-base={SHARED_CONSUMER_BASE}"),
                    ],
                };
                if self == Layout::Shared {
                    // The host checks the layout against each guest's end of data and stack.
                    args.push("--export=__heap_base".into());
                    if environment == Environment::Wasi {
                        // WASI preview 1's ABI has a module export its memory as `memory`, which
                        // WASI implementations read and write through (Wasmtime's, Node's): the
                        // imported memory is exported again.
                        args.push("--export-memory".into());
                    }
                }
                args
            }
        };
        args.into_iter().flat_map(|a| ["-C".to_owned(), format!("link-arg={a}")]).collect()
    }
}

impl Layout {
    /// The linker's arguments for relay `j` (from 1) of a chain of modules, as rustc `-C
    /// link-arg`s: the consumer's, but under `shared` its data and stack at its own place in the
    /// memory ([`shared_relay_base`]). Chains run in the bare environment only
    /// (`Cell::unsupported`).
    pub(super) fn relay_link_args(self, j: usize) -> Vec<String> {
        let args: Vec<String> = match self {
            Layout::Shared => vec![
                "--import-memory".into(),
                "--no-stack-first".into(),
                format!("--global-base={}", shared_relay_base(j)),
                "--export=__heap_base".into(),
            ],
            Layout::Own | Layout::Component | Layout::Bindgen | Layout::Merged => vec![],
        };
        args.into_iter().flat_map(|a| ["-C".to_owned(), format!("link-arg={a}")]).collect()
    }
}

/// emcc's arguments for the guests: a standalone reactor (no main; `_initialize` runs the
/// constructors) importing only WASI and `env.__syscall_getcwd`; a 1 MiB stack and the same
/// layouts as the other environments (stack first; under `shared` the consumer's data at
/// [`SHARED_CONSUMER_BASE`]); memory that may grow to 4 GiB (emcc always declares a maximum);
/// `__heap_base` exported for the layout check. rustc links a cdylib for this target as a side
/// module: `-sSIDE_MODULE=0` (emcc's last setting wins) makes it a module of its own. The heap's
/// `sbrk` (guests/emscripten/fresh_pages_sbrk.c) is added by the builder.
fn emcc_args(layout: Layout, role: Role) -> Vec<String> {
    let mut args: Vec<String> = [
        "-sSIDE_MODULE=0",
        "-sSTANDALONE_WASM",
        "--no-entry",
        "-sTOTAL_STACK=1048576",
        "-sALLOW_MEMORY_GROWTH=1",
        "-sMAXIMUM_MEMORY=4294967296",
        "-Wl,--export=__heap_base",
    ]
    .map(String::from)
    .to_vec();
    let stack_first = ["-Wl,--stack-first".to_owned(), "-sINITIAL_MEMORY=2097152".to_owned()];
    match (layout, role) {
        (Layout::Own | Layout::Component | Layout::Bindgen | Layout::Merged, _) => args.extend(stack_first),
        (Layout::Shared, Role::Producer) => {
            args.push("-sIMPORTED_MEMORY".into());
            args.extend(stack_first);
        }
        (Layout::Shared, Role::Consumer) => args.extend([
            "-sIMPORTED_MEMORY".to_owned(),
            format!("-sGLOBAL_BASE={SHARED_CONSUMER_BASE}"),
            format!("-sINITIAL_MEMORY={}", 2 * SHARED_CONSUMER_BASE),
        ]),
    }
    args
}

/// The Rust target the guests are built for in an environment.
pub fn guest_target(environment: Environment) -> &'static str {
    match environment {
        Environment::Bare => "wasm32-unknown-unknown",
        Environment::Wasi => "wasm32-wasip1",
        Environment::Emscripten | Environment::EmscriptenLegacy => "wasm32-unknown-emscripten",
    }
}
