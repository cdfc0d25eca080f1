//! One cell of the matrix: a value for every axis, and nothing else, so a cell can be named,
//! filtered, skipped and sharded from its description alone.

use crate::axes::*;
use serde::{Deserialize, Serialize};
use std::fmt;
use wasmatrix_proto::CodecId;

/// A cell crosses to a worker (in its job) as an object, one field per axis in the order of
/// [`Cell::values`], each value its name: `{"compiler": "llvm", "engine": "jit", ...}`. Results
/// files and samples sidecars name a cell by its `Display` form instead ([`Cell::parse`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cell {
    pub compiler: Compiler,
    pub engine: Engine,
    pub environment: Environment,
    pub transport: Transport,
    pub codec: Codec,
    pub profile: Profile,
    pub logging: Logging,
    pub allocator: Allocator,
    pub runtime: Runtime,
    pub call: Call,
    pub instantiate: Instantiate,
}

impl Cell {
    /// (axis, value) pairs in the order of the cell's name and of the CSV columns.
    pub fn values(&self) -> [(&'static str, &'static str); 11] {
        [
            (Compiler::NAME, self.compiler.name()),
            (Engine::NAME, self.engine.name()),
            (Environment::NAME, self.environment.name()),
            (Transport::NAME, self.transport.name()),
            (Codec::NAME, Axis::name(self.codec)),
            (Profile::NAME, self.profile.name()),
            (Logging::NAME, self.logging.name()),
            (Allocator::NAME, self.allocator.name()),
            (Runtime::NAME, self.runtime.name()),
            (Call::NAME, self.call.name()),
            (Instantiate::NAME, self.instantiate.name()),
        ]
    }

    /// Every axis with its values and default, in the order of [`Cell::values`]: what `runner axes`
    /// publishes.
    pub fn axes() -> [AxisValues; 11] {
        [
            AxisValues::of::<Compiler>(),
            AxisValues::of::<Engine>(),
            AxisValues::of::<Environment>(),
            AxisValues::of::<Transport>(),
            AxisValues::of::<Codec>(),
            AxisValues::of::<Profile>(),
            AxisValues::of::<Logging>(),
            AxisValues::of::<Allocator>(),
            AxisValues::of::<Runtime>(),
            AxisValues::of::<Call>(),
            AxisValues::of::<Instantiate>(),
        ]
    }

    /// The native twin of a wasm cell, the one place that says which it is: the guests' same Rust
    /// compiled natively (runtime `native`, compiler `rustc`, engine `native`), with the cell's
    /// environment, profile, logging, allocator and call; what a wasm cell's round trip is read
    /// against (the `twin_cell` column). Components (transports `component` and `composed`,
    /// natively nothing) are read against the twin under `copy`, which carries the bytes between two
    /// buffers as the canonical ABI does between two memories, and the typed record (codec `wit`,
    /// natively nothing either) against `raw`'s, the cheapest way the twin carries the same record;
    /// every way of instantiating against the twin's only one, `fresh`.
    /// None for a native cell, and where the twin cannot run ([`Cell::unsupported`]: Emscripten's
    /// output has no native twin).
    pub fn native_twin(&self) -> Option<Cell> {
        if self.runtime == Runtime::Native {
            return None;
        }
        let twin = Cell {
            compiler: Compiler::Rustc,
            engine: Engine::Native,
            runtime: Runtime::Native,
            instantiate: Instantiate::Fresh,
            transport: match self.transport {
                Transport::Component | Transport::Composed | Transport::Bindgen => Transport::Copy,
                other => other,
            },
            codec: match self.codec {
                Codec::Wit => Codec::Bytes(CodecId::Raw),
                other => other,
            },
            ..*self
        };
        twin.unsupported().is_none().then_some(twin)
    }

    /// Why this combination of values is not a cell at all, if it is not: a value of one axis
    /// that only goes with certain values of another. Matrices skip such combinations (`runner
    /// list` counts them); cells that exist but cannot run are [`Cell::unsupported`] instead.
    pub fn not_a_cell(&self) -> Option<&'static str> {
        match (self.compiler == Compiler::Rustc, self.engine == Engine::Native) {
            (true, false) => return Some("rustc compiles native code, so it runs only with the native engine"),
            (false, true) => return Some("the native engine runs rustc's native code, not a wasm compiler's"),
            _ => {}
        }
        // Which compilers each runtime has (the engines follow from the compiler).
        use Compiler::*;
        let (has, says) = match self.runtime {
            Runtime::Wasmer => (
                matches!(self.compiler, Singlepass | Cranelift | Llvm),
                "Wasmer's compilers are singlepass, cranelift and llvm",
            ),
            Runtime::Wasmtime => (
                matches!(self.compiler, Cranelift | Winch | Pulley),
                "Wasmtime's compilers are cranelift, winch and pulley",
            ),
            Runtime::Wasmi => (
                matches!(self.compiler, Eager | LazyTranslation | Lazy),
                "wasmi's compilation modes are eager, lazy-translation and lazy",
            ),
            Runtime::V8 | Runtime::Chromium => {
                (matches!(self.compiler, Liftoff | Turbofan), "V8's compilers are liftoff and turbofan")
            }
            Runtime::Native => {
                (self.compiler == Rustc, "the native runtime is rustc's native code (compiler rustc, engine native)")
            }
        };
        if !has {
            return Some(says);
        }
        (self.transport == Transport::Composed && self.call == Call::Host).then_some(
            "composed components call each other inside wasm: the host calls the producer's round-trip once \
             (call = import); under call = host the host would carry every message itself, which is transport \
             component",
        )
    }

    /// Why this cell cannot run here, if it cannot: the one place that decides which cells of a
    /// matrix run. Such a cell gets a row with status `unsupported` and this reason.
    pub fn unsupported(&self) -> Option<&'static str> {
        if let Some(why) = self.unsupported_component().or_else(|| self.unsupported_bindgen()) {
            return Some(why);
        }
        match (self.environment, self.engine) {
            (Environment::EmscriptenLegacy, _) => Some(
                "Wasmer's own Emscripten environment (wasmer-emscripten 5.0.0-rc.1, its last release, for Wasmer 5) \
                 implements only the pre-2.0 Emscripten ABI: it refuses emcc 3.1.6 output (\"Emscripten requires at \
                 least one imported table\"; with imports forced, fd_write is an unknown import) and Rust's for \
                 wasm32-unknown-emscripten (exceptions); runner/emscripten-legacy proves it. The emscripten \
                 environment runs emcc's standalone output under WASI instead",
            ),
            (environment, engine) if self.profile == Profile::Unwind && engine != Engine::Native => {
                Some(match environment {
                    Environment::Emscripten | Environment::EmscriptenLegacy => UNWIND_EMSCRIPTEN,
                    Environment::Bare | Environment::Wasi => UNWIND_WASM,
                })
            }
            (Environment::Emscripten, _)
                if self.transport == Transport::Shared
                    && matches!(self.runtime, Runtime::Wasmtime | Runtime::Wasmi) =>
            {
                Some(EMSCRIPTEN_SHARED_WASI)
            }
            (_, Engine::Artifact) if self.runtime == Runtime::Wasmi => Some(WASMI_ARTIFACT),
            (_, Engine::Artifact) if self.runtime == Runtime::V8 => Some(V8_ARTIFACT),
            (_, Engine::Artifact) if self.runtime == Runtime::Chromium => Some(CHROMIUM_ARTIFACT),
            (Environment::Wasi | Environment::Emscripten, _) if self.runtime == Runtime::Chromium => {
                Some(CHROMIUM_ENVIRONMENT)
            }
            (Environment::Emscripten, Engine::Native) => Some(
                "the native twin runs no Emscripten output: read emscripten cells against the native twin under \
                 bare or wasi (the same native code)",
            ),
            _ => self.unsupported_instantiate(),
        }
    }

    /// Why the cell's way of instantiating (`instantiate`) cannot run under its runtime and
    /// transport, if it cannot: one arm per runtime.
    fn unsupported_instantiate(&self) -> Option<&'static str> {
        let strategy = self.instantiate;
        if strategy == Instantiate::Fresh {
            return None;
        }
        match self.runtime {
            Runtime::Wasmtime if self.transport == Transport::Shared => Some(WASMTIME_SHARED_PRE),
            Runtime::Wasmtime => None,
            Runtime::Wasmer => Some(match strategy {
                Instantiate::Pooled => WASMER_POOLED,
                Instantiate::Fresh | Instantiate::Pre => WASMER_PRE,
            }),
            Runtime::Wasmi => Some(match strategy {
                Instantiate::Pooled => WASMI_POOLED,
                Instantiate::Fresh | Instantiate::Pre => WASMI_PRE,
            }),
            Runtime::V8 | Runtime::Chromium => Some(V8_PRE),
            Runtime::Native => Some(NATIVE_PRE),
        }
    }

    /// Why a cell of transport `bindgen` cannot run, if it cannot.
    fn unsupported_bindgen(&self) -> Option<&'static str> {
        if self.transport != Transport::Bindgen {
            return None;
        }
        if !matches!(self.runtime, Runtime::V8 | Runtime::Chromium) {
            return Some(BINDGEN_RUNTIME);
        }
        if self.environment != Environment::Bare {
            return Some(BINDGEN_ENVIRONMENT);
        }
        if self.logging == Logging::On {
            return Some(BINDGEN_LOGGING);
        }
        (self.call == Call::Import).then_some(BINDGEN_IMPORT)
    }

    /// Why a cell of the Component Model (transport `component` or `composed`, codec `wit`) cannot
    /// run, if it cannot.
    fn unsupported_component(&self) -> Option<&'static str> {
        let component = matches!(self.transport, Transport::Component | Transport::Composed);
        if !component {
            return (self.codec == Codec::Wit).then_some(WIT_WITHOUT_COMPONENT);
        }
        match self.runtime {
            Runtime::Wasmtime => {}
            Runtime::Native => return Some(NATIVE_COMPONENT),
            Runtime::Wasmer | Runtime::Wasmi | Runtime::V8 | Runtime::Chromium => return Some(NO_COMPONENT_MODEL),
        }
        if self.environment != Environment::Bare {
            return Some(COMPONENT_ENVIRONMENT);
        }
        (self.logging == Logging::On).then_some(COMPONENT_LOGGING)
    }

    /// Parses the `Display` form,
    /// `compiler/engine/environment/transport/codec/profile/logging/allocator/runtime/call`. Names from
    /// before the logging axis (schema 2 files) end at the profile and mean logging off; names from
    /// before the allocator axis (schema 4) end at the logging and mean the default allocator;
    /// names from before the runtime axis (schema 5) end at the allocator and ran under Wasmer, or
    /// natively for the native engine; names from before the call axis (schema 6) end at the runtime
    /// and mean `host`; names from before the instantiate axis (schema 11) end at the call and mean
    /// `fresh`.
    pub fn parse(id: &str) -> Result<Cell, String> {
        fn value<A: Axis>(part: Option<&str>) -> Result<A, String> {
            A::parse(part.ok_or_else(|| format!("missing {} in cell name", A::NAME))?)
        }
        let mut parts = id.split('/');
        let cell = Cell {
            compiler: value(parts.next())?,
            engine: value(parts.next())?,
            environment: value(parts.next())?,
            transport: value(parts.next())?,
            codec: value(parts.next())?,
            profile: value(parts.next())?,
            logging: match parts.next() {
                None => Logging::Off,
                some => value(some)?,
            },
            allocator: match parts.next() {
                None => Allocator::Default,
                some => value(some)?,
            },
            runtime: Runtime::Wasmer,
            call: Call::Host,
            instantiate: Instantiate::Fresh,
        };
        let cell = Cell {
            runtime: match parts.next() {
                None if cell.engine == Engine::Native => Runtime::Native,
                None => Runtime::Wasmer,
                some => value(some)?,
            },
            ..cell
        };
        let cell = Cell {
            call: match parts.next() {
                None => Call::Host,
                some => value(some)?,
            },
            ..cell
        };
        let cell = Cell {
            instantiate: match parts.next() {
                None => Instantiate::Fresh,
                some => value(some)?,
            },
            ..cell
        };
        match parts.next() {
            None => Ok(cell),
            Some(extra) => Err(format!("unexpected `{extra}` after the instantiate in cell name `{id}`")),
        }
    }
}

/// Why Wasmtime's shared transport has no pre-linked pair (nor, as `pooled` is `pre` in a pooling
/// engine, a pooled one).
const WASMTIME_SHARED_PRE: &str = "under the shared transport both guests import one memory the host creates in each \
     pair's store (Memory::new), and an InstancePre holds its imports: Wasmtime 48's InstancePre::instantiate refuses \
     an import owned by another store (\"cross-`Store` instantiation is not currently supported\", \
     pre_instantiate_raw in runtime/instance.rs), so the pre-linked form would have to be made again for every pair, \
     which is what fresh does (Linker::instantiate is instantiate_pre then instantiate); instantiate = pre and pooled \
     run under copy and the component transports";

/// Why Wasmer has no `pre` cells.
const WASMER_PRE: &str = "Wasmer 7.4.2 has no pre-linked instance: Instance::new resolves and type-checks the \
     imports at every instantiation and its API keeps nothing of it between instances (no InstancePre or \
     equivalent in the wasmer 7.4.2 crate); only fresh runs";

/// Why Wasmer has no `pooled` cells.
const WASMER_POOLED: &str = "Wasmer 7.4.2 has no pooling instance allocator: every instance maps its memories anew \
     through its tunables (instance pooling is asked for in wasmerio/wasmer#4518, not implemented); only fresh runs";

/// Why wasmi has no `pre` cells.
const WASMI_PRE: &str = "wasmi 2.0 instantiates only through Linker::instantiate_and_start, which resolves the \
     imports each time: the InstancePre of wasmi 0.x is gone from wasmi 2.0.0; only fresh runs";

/// Why wasmi has no `pooled` cells.
const WASMI_POOLED: &str = "wasmi 2.0 has no pooling instance allocator: an interpreter's memories are heap \
     buffers its store allocates per instance; only fresh runs";

/// Why V8 has no `pre` or `pooled` cells.
const V8_PRE: &str =
    "V8 (in Node.js or a page) offers neither a pre-linked instance nor an instance pool: a WebAssembly.Module \
     is already the compiled form and `new WebAssembly.Instance(module, imports)` (or WebAssembly.instantiate) is \
     the only way to instantiate, resolving the imports object each time; only fresh runs";

/// Why the native twin has no `pre` or `pooled` cells.
const NATIVE_PRE: &str = "the native twin instantiates nothing: its guests are Rust values built into the \
     worker, so there is no instance to pre-link or pool; only fresh runs";

/// Why codec `wit` needs a component transport.
const WIT_WITHOUT_COMPONENT: &str = "codec wit is the typed WIT record lowered and lifted by the Component \
     Model's canonical ABI: it crosses only between components (transport component or composed); core modules \
     exchange bytes";

/// Why only Wasmtime runs the component cells.
const NO_COMPONENT_MODEL: &str = "this runtime runs core modules only: Wasmer 7.4, wasmi 2 and V8 (Node.js 20, \
     Chromium 156) implement no Component Model (in a JavaScript host, jco transpiles a component into core modules and \
     JavaScript glue, which is then not the canonical ABI of a runtime); Wasmtime runs the component cells";

/// Why the native twin has no component cells.
const NATIVE_COMPONENT: &str = "natively there are no components: read transport component and composed against \
     the native twin under copy, which also carries bytes between two buffers, and codec wit against raw's (the \
     report does)";

/// Why the component cells run only under `bare`.
const COMPONENT_ENVIRONMENT: &str = "the component guests are built for wasm32-unknown-unknown and import only \
     their WIT world (guests/wit); built for wasm32-wasip2 they would import 13 WASI interfaces even without I/O, \
     and WASI preview 1 and Emscripten's output are core-module ABIs";

/// Why the component cells run without logging.
const COMPONENT_LOGGING: &str = "the WIT worlds (guests/wit) have no log sink for the consumer to write to yet: \
     logging = on is measured on core modules";

/// Why Emscripten's output cannot share a memory under Wasmtime and wasmi.
const EMSCRIPTEN_SHARED_WASI: &str = "Wasmtime's and wasmi's WASI reach a guest's memory only through its `memory` \
     export, as WASI's ABI has it, and emcc's output for the shared transport imports its memory without exporting \
     it: Debian's emcc 3.1.6 links with wasm-ld 14, which cannot re-export an imported memory (--export-memory came \
     in LLVM 16); the guests' libc calls WASI in _initialize. The wasi environment's guests (wasm-ld from rustc) \
     re-export it and run shared";

/// Why wasmi has no `artifact` cells (also what its worker answers if asked for one).
pub const WASMI_ARTIFACT: &str =
    "wasmi has no artifacts to precompile or load: it keeps no serialized modules, translating \
     wasm to its own bytecode in the process that runs it (engine jit only)";

/// Why V8 has no `artifact` cells.
const V8_ARTIFACT: &str = "Node.js offers no way to keep V8's compiled wasm code across processes: v8.serialize of a \
     WebAssembly.Module writes only the 2-byte header (ff 0f), which v8.deserialize refuses (\"Unable to deserialize \
     cloned data.\"); structuredClone and postMessage share a module only inside one process; WebAssembly.Module has \
     no serialize method and Node's compile cache covers JavaScript only (Node 20, V8 11.3)";

/// Why only V8 runs `bindgen` cells.
const BINDGEN_RUNTIME: &str = "wasm-bindgen's guests are joined by the JavaScript glue it generates, which needs a \
     JavaScript host: V8 in Node.js or in Chromium runs them; a Rust host calls a guest's exports directly (transports \
     copy and shared)";

/// Why `bindgen` runs only under `bare`.
const BINDGEN_ENVIRONMENT: &str = "wasm-bindgen's glue targets wasm32-unknown-unknown (the web): its guests import \
     only what the glue defines, no WASI";

/// Why `bindgen` runs without logging.
const BINDGEN_LOGGING: &str = "the bindgen guests import only what their glue defines, and the consumer's log sink \
     (env.wasmatrix_log) is not one of them: logging = on is measured on transports copy and shared";

/// Why `bindgen` runs only under `call = host`.
const BINDGEN_IMPORT: &str = "the bindgen producer exports no round_trip: its calls of the consumer would go through \
     a JavaScript import of its glue, which these guests do not declare; the host calls each guest (call = host)";

/// Why Chromium has no `artifact` cells (runner/v8/job.mjs says the same to a job).
const CHROMIUM_ARTIFACT: &str = "a page has no way to load compiled code it was given (WebAssembly has no \
     deserialize; structuredClone shares a module only inside one agent cluster), and Chromium's own wasm code cache, \
     filled from compileStreaming responses of repeatedly compiled modules, is not the page's to control";

/// Why Chromium runs only the bare environment (runner/v8/job.mjs says the same to a job).
const CHROMIUM_ENVIRONMENT: &str = "the page runs only the bare environment: WASI and Emscripten's output need a WASI \
     preview 1 host, which a browser does not have (Node's node:wasi is Node's), and no browser WASI shim is measured \
     here";

/// Why `unwind` has no wasm cell under `bare` and `wasi`.
const UNWIND_WASM: &str = "panic=unwind cannot unwind on wasm32-unknown-unknown and wasm32-wasip1 with stable Rust: \
     their standard library ships built for panic=abort and unwinding needs the exception-handling proposal and a \
     std rebuilt with -Zbuild-std (nightly); the build succeeds but holds no unwinding code, so it would measure the \
     release build again. The native twin (rustc/native) does unwind";

/// Why `unwind` has no wasm cell under `emscripten`.
const UNWIND_EMSCRIPTEN: &str = "panic=unwind on wasm32-unknown-emscripten unwinds with the legacy exception-handling \
     instructions (try/catch/rethrow/throw), which Wasmer 7.4 refuses to compile (\"legacy_exceptions feature required \
     for try instruction\"; singlepass: \"exceptions proposal not enabled\"); the release build has the instructions \
     stripped (wasm-opt --strip-eh), sound only because panic=abort throws nothing";

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.values().iter().map(|(_, v)| *v).collect();
        f.write_str(&names.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_round_trips() {
        let cell = Cell::parse("llvm/artifact/wasi/shared/raw/release/on").unwrap();
        assert_eq!(cell.compiler, Compiler::Llvm);
        assert_eq!(cell.environment, Environment::Wasi);
        assert_eq!(cell.transport, Transport::Shared);
        assert_eq!(cell.logging, Logging::On);
        assert_eq!(Cell::parse(&cell.to_string()), Ok(cell));
        // A schema 2 name, from before the logging axis.
        let old = Cell::parse("llvm/artifact/bare/shared/raw/release").unwrap();
        assert_eq!(old.logging, Logging::Off);
        assert_eq!(old.to_string(), "llvm/artifact/bare/shared/raw/release/off/default/wasmer/host/fresh");
        // A schema 4 name, from before the allocator axis.
        let old = Cell::parse("llvm/artifact/bare/shared/raw/size/on").unwrap();
        assert_eq!((old.profile, old.allocator), (Profile::Size, Allocator::Default));
        let new = Cell::parse("llvm/artifact/bare/shared/raw/wasm-opt/off/wee_alloc").unwrap();
        assert_eq!((new.profile, new.allocator), (Profile::WasmOpt, Allocator::WeeAlloc));
        assert_eq!(Cell::parse(&new.to_string()), Ok(new));
        // Schema 5 names, from before the runtime axis: Wasmer, or native for the native engine.
        assert_eq!(new.runtime, Runtime::Wasmer);
        let twin = Cell::parse("rustc/native/bare/shared/raw/release/off/talc").unwrap();
        assert_eq!(twin.runtime, Runtime::Native);
        assert_eq!(twin.to_string(), "rustc/native/bare/shared/raw/release/off/talc/native/host/fresh");
        // Schema 6 names, from before the call axis: the host calls each guest.
        assert_eq!(twin.call, Call::Host);
        let import = Cell::parse("cranelift/artifact/bare/shared/raw/release/off/default/wasmtime/import").unwrap();
        assert_eq!((import.runtime, import.call), (Runtime::Wasmtime, Call::Import));
        assert_eq!(Cell::parse(&import.to_string()), Ok(import));
        // Schema 11 names, from before the instantiate axis: each pair instantiated fresh.
        assert_eq!(import.instantiate, Instantiate::Fresh);
        let pooled = Cell::parse("winch/artifact/bare/copy/raw/release/off/default/wasmtime/host/pooled").unwrap();
        assert_eq!((pooled.runtime, pooled.instantiate), (Runtime::Wasmtime, Instantiate::Pooled));
        assert_eq!(Cell::parse(&pooled.to_string()), Ok(pooled));
    }

    #[test]
    fn a_cell_crosses_serde_as_one_field_per_axis() {
        let cell = Cell::parse("lazy-translation/jit/wasi/component/wit/wasm-opt/on/wee_alloc/wasmi/import").unwrap();
        let text = serde_json::to_string(&cell).unwrap();
        let fields: Vec<String> = cell.values().iter().map(|(axis, value)| format!("\"{axis}\":\"{value}\"")).collect();
        assert_eq!(
            text,
            format!("{{{}}}", fields.join(",")),
            "every axis, in the order of the name, each value its name"
        );
        assert_eq!(serde_json::from_str::<Cell>(&text).unwrap(), cell);
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut bad = json.clone();
        bad["codec"] = "morse".into();
        let err = serde_json::from_value::<Cell>(bad).unwrap_err().to_string();
        assert!(err.contains("unknown codec `morse`; allowed: raw, bincode"), "{err}");
        let mut short = json.clone();
        short.as_object_mut().unwrap().remove("call");
        assert!(serde_json::from_value::<Cell>(short).unwrap_err().to_string().contains("missing field `call`"));
        let mut extra = json;
        extra["flavour"] = "x".into();
        assert!(serde_json::from_value::<Cell>(extra).unwrap_err().to_string().contains("unknown field `flavour`"));
        // Not a name to parse.
        assert!(serde_json::from_str::<Cell>(&format!("\"{cell}\"")).is_err());
    }

    #[test]
    fn every_axis_is_listed_in_the_order_of_the_name_with_its_default() {
        let axes = Cell::axes();
        let cell = Cell::parse("singlepass/jit/bare/copy/raw/release").unwrap();
        let names: Vec<&str> = axes.iter().map(|a| a.name).collect();
        assert_eq!(names, cell.values().map(|(axis, _)| axis));
        for axis in &axes {
            assert!(axis.values.contains(&axis.default), "{axis:?}");
        }
        let codec = &axes[4];
        assert_eq!(
            (codec.name, codec.values[0], *codec.values.last().unwrap(), codec.default),
            ("codec", "raw", "wit", "raw")
        );
        let defaults: Vec<&str> = axes.iter().map(|a| a.default).collect();
        let default = Cell::parse(&defaults.join("/")).unwrap();
        assert_eq!((default.not_a_cell(), default.unsupported()), (None, None), "the defaults make a cell that runs");
    }

    #[test]
    fn the_native_twin_shares_every_axis_but_the_runtime_compiler_and_engine() {
        let twin = |name: &str| Cell::parse(name).unwrap().native_twin().map(|c| c.to_string());
        assert_eq!(
            twin("llvm/artifact/wasi/shared/postcard/size/on/talc/wasmer/import").as_deref(),
            Some("rustc/native/wasi/shared/postcard/size/on/talc/native/import/fresh")
        );
        assert_eq!(
            twin("turbofan/jit/bare/copy/json/release/off/default/v8/host").as_deref(),
            Some("rustc/native/bare/copy/json/release/off/default/native/host/fresh")
        );
        // Components against copy, the typed record against raw.
        assert_eq!(
            twin("winch/jit/bare/composed/wit/release/off/default/wasmtime/import").as_deref(),
            Some("rustc/native/bare/copy/raw/release/off/default/native/import/fresh")
        );
        assert_eq!(
            twin("cranelift/artifact/bare/component/capnp/nolto/off/default/wasmtime/host").as_deref(),
            Some("rustc/native/bare/copy/capnp/nolto/off/default/native/host/fresh")
        );
        // Every way of instantiating against the twin's one.
        assert_eq!(
            twin("winch/artifact/bare/copy/raw/release/off/default/wasmtime/host/pooled").as_deref(),
            Some("rustc/native/bare/copy/raw/release/off/default/native/host/fresh")
        );
        // A wasm cell that cannot run still has its twin; an unwinding one's runs natively.
        assert_eq!(
            twin("cranelift/jit/bare/copy/raw/unwind/off/default/wasmer/host").as_deref(),
            Some("rustc/native/bare/copy/raw/unwind/off/default/native/host/fresh")
        );
        // None: the twin itself, and Emscripten's output (no native twin runs it).
        assert_eq!(twin("rustc/native/bare/copy/raw/release/off/default/native/host"), None);
        assert_eq!(twin("singlepass/jit/emscripten/copy/raw/release/off/default/wasmer/host"), None);
        assert_eq!(twin("cranelift/jit/emscripten-legacy/copy/raw/release/off/default/wasmer/host"), None);
    }

    #[test]
    fn each_runtime_has_its_own_compilers() {
        let not = |name: &str| Cell::parse(name).unwrap().not_a_cell();
        assert_eq!(not("llvm/jit/bare/copy/raw/release/off/default/wasmer"), None);
        assert_eq!(not("rustc/native/bare/copy/raw/release/off/default/native"), None);
        assert!(not("llvm/jit/bare/copy/raw/release/off/default/native").unwrap().contains("native runtime"));
        assert!(not("rustc/native/bare/copy/raw/release/off/default/wasmer").unwrap().contains("Wasmer's compilers"));
        assert!(not("rustc/jit/bare/copy/raw/release/off/default/native").unwrap().contains("native engine"));
        assert_eq!(not("winch/artifact/bare/copy/raw/release/off/default/wasmtime"), None);
        assert!(not("llvm/jit/bare/copy/raw/release/off/default/wasmtime").unwrap().contains("winch"));
        assert_eq!(not("lazy-translation/jit/bare/copy/raw/release/off/default/wasmi"), None);
        assert!(not("cranelift/jit/bare/copy/raw/release/off/default/wasmi").unwrap().contains("eager"));
        assert_eq!(not("liftoff/jit/wasi/copy/raw/release/off/default/v8"), None);
        assert!(not("pulley/jit/bare/copy/raw/release/off/default/v8").unwrap().contains("turbofan"));
    }

    #[test]
    fn interpreters_and_v8_have_no_artifacts() {
        let cell = |name: &str| Cell::parse(name).unwrap().unsupported();
        assert!(cell("eager/artifact/bare/shared/raw/release/off/default/wasmi").unwrap().contains("serialized"));
        assert!(cell("turbofan/artifact/bare/shared/raw/release/off/default/v8").unwrap().contains("v8.serialize"));
        assert_eq!(cell("lazy/jit/wasi/copy/raw/release/off/default/wasmi"), None);
        assert_eq!(cell("pulley/artifact/emscripten/copy/raw/release/off/default/wasmtime"), None);
        assert!(cell("pulley/artifact/emscripten/shared/raw/release/off/default/wasmtime")
            .unwrap()
            .contains("wasm-ld 14"));
        assert!(cell("lazy/jit/emscripten/shared/raw/release/off/default/wasmi").unwrap().contains("re-export"));
        assert_eq!(cell("lazy/jit/wasi/shared/raw/release/off/default/wasmi"), None);
        assert_eq!(cell("turbofan/jit/emscripten/shared/raw/release/off/default/v8"), None);
    }

    #[test]
    fn components_run_under_wasmtime_bare_without_logging_and_wit_only_between_components() {
        let cell = |name: &str| Cell::parse(name).unwrap().unsupported();
        for name in [
            "cranelift/jit/bare/component/raw/release/off/default/wasmtime/host",
            "cranelift/artifact/bare/component/wit/release/off/default/wasmtime/import",
            "cranelift/artifact/bare/composed/flatbuffers/release/off/talc/wasmtime/import",
        ] {
            assert_eq!(cell(name), None, "{name}");
        }
        assert!(cell("cranelift/artifact/bare/component/raw/release/off/default/wasmer")
            .unwrap()
            .contains("Wasmer 7.4"));
        assert!(cell("turbofan/jit/bare/composed/raw/release/off/default/v8/import").unwrap().contains("jco"));
        assert!(cell("rustc/native/bare/component/raw/release/off/default/native").unwrap().contains("under copy"));
        assert!(cell("cranelift/jit/wasi/component/raw/release/off/default/wasmtime").unwrap().contains("wasip2"));
        assert!(cell("cranelift/jit/bare/component/raw/release/on/default/wasmtime").unwrap().contains("log sink"));
        for transport in ["copy", "shared"] {
            let name = format!("cranelift/jit/bare/{transport}/wit/release/off/default/wasmtime");
            assert!(cell(&name).unwrap().contains("only between components"), "{name}");
        }
        // Composed components call each other inside wasm: the host cannot carry their messages.
        let composed_host = Cell::parse("cranelift/jit/bare/composed/raw/release/off/default/wasmtime/host").unwrap();
        assert!(composed_host.not_a_cell().unwrap().contains("call = import"));
        let wit = Cell::parse("winch/jit/bare/component/wit/release/off/default/wasmtime/import").unwrap();
        assert_eq!((wit.transport, wit.codec, wit.not_a_cell()), (Transport::Component, Codec::Wit, None));
        assert_eq!(Cell::parse(&wit.to_string()), Ok(wit));
    }

    #[test]
    fn unwind_runs_only_natively() {
        let cell = |name: &str| Cell::parse(name).unwrap().unsupported();
        assert!(cell("llvm/artifact/bare/shared/raw/unwind/off").unwrap().contains("stable Rust"));
        assert!(cell("cranelift/jit/wasi/copy/raw/unwind/off/talc").unwrap().contains("stable Rust"));
        assert!(cell("llvm/jit/emscripten/copy/raw/unwind/off").unwrap().contains("exception-handling"));
        assert_eq!(cell("rustc/native/bare/copy/raw/unwind/off/talc"), None);
    }

    #[test]
    fn emscripten_legacy_and_the_native_twin_under_emscripten_cannot_run() {
        let cell = |name: &str| Cell::parse(name).unwrap().unsupported();
        assert!(cell("cranelift/jit/emscripten-legacy/copy/raw/release/off").unwrap().contains("emscripten-legacy"));
        assert!(cell("rustc/native/emscripten/copy/raw/release/off").unwrap().contains("native twin"));
        assert_eq!(cell("rustc/native/wasi/copy/raw/release/off"), None);
        assert_eq!(cell("singlepass/jit/emscripten/shared/raw/release/on"), None);
    }

    #[test]
    fn the_web_half_runs_in_v8_hosts_only_and_says_why_not_elsewhere() {
        let cell = |name: &str| Cell::parse(name).unwrap().unsupported();
        for runtime in ["v8", "chromium"] {
            for transport in ["copy", "shared", "bindgen"] {
                let name = format!("liftoff/jit/bare/{transport}/raw/release/off/default/{runtime}/host");
                assert_eq!(cell(&name), None, "{name}");
            }
            let why = cell(&format!("turbofan/jit/bare/bindgen/raw/release/off/default/{runtime}/import")).unwrap();
            assert!(why.contains("exports no round_trip"), "{why}");
            let why = cell(&format!("turbofan/jit/bare/bindgen/raw/release/on/default/{runtime}/host")).unwrap();
            assert!(why.contains("env.wasmatrix_log"), "{why}");
        }
        for runtime in ["wasmer", "wasmtime"] {
            let why = cell(&format!("cranelift/jit/bare/bindgen/raw/release/off/default/{runtime}/host")).unwrap();
            assert!(why.contains("needs a JavaScript host"), "{why}");
        }
        assert!(cell("liftoff/jit/wasi/bindgen/raw/release/off/default/v8/host").unwrap().contains("no WASI"));
        assert!(cell("liftoff/jit/wasi/copy/raw/release/off/default/chromium/host").unwrap().contains("bare"));
        assert!(cell("liftoff/artifact/bare/copy/raw/release/off/default/chromium").unwrap().contains("a page"));
        let twin =
            Cell::parse("liftoff/jit/bare/bindgen/json/release/off/default/chromium/host").unwrap().native_twin();
        assert_eq!(twin.unwrap().to_string(), "rustc/native/bare/copy/json/release/off/default/native/host/fresh");
    }

    #[test]
    fn bad_names_say_what_is_allowed() {
        let err = Cell::parse("v8/jit/bare/copy/raw/release").unwrap_err();
        assert!(err.contains("unknown compiler `v8`") && err.contains("singlepass, cranelift, llvm, winch"), "{err}");
        assert!(Cell::parse("llvm/jit").unwrap_err().contains("missing environment"));
        assert!(Cell::parse("llvm/jit/bare/copy/raw/release/x").unwrap_err().contains("unknown logging `x`"));
        assert!(Cell::parse("llvm/jit/bare/copy/raw/release/off/x").unwrap_err().contains("unknown allocator `x`"));
        assert!(Cell::parse("llvm/jit/bare/copy/raw/release/off/talc/v9")
            .unwrap_err()
            .contains("unknown runtime `v9`"));
        assert!(Cell::parse("llvm/jit/bare/copy/raw/release/off/talc/wasmer/x")
            .unwrap_err()
            .contains("unknown call `x`"));
        assert!(Cell::parse("llvm/jit/bare/copy/raw/release/off/talc/wasmer/host/x")
            .unwrap_err()
            .contains("unknown instantiate `x`; allowed: fresh, pre, pooled"));
        assert!(Cell::parse("llvm/jit/bare/copy/raw/release/off/talc/wasmer/host/fresh/x")
            .unwrap_err()
            .contains("unexpected `x` after the instantiate"));
    }

    #[test]
    fn each_runtime_instantiates_as_it_can_and_says_why_not() {
        let cell = |runtime: &str, compiler: &str, transport: &str, strategy: &str| {
            let call = if transport == "composed" { "import" } else { "host" };
            let engine = if runtime == "native" { "native" } else { "jit" };
            let name =
                format!("{compiler}/{engine}/bare/{transport}/raw/release/off/default/{runtime}/{call}/{strategy}");
            let cell = Cell::parse(&name).unwrap();
            assert_eq!(cell.not_a_cell(), None, "{name}");
            cell.unsupported()
        };
        let runtimes = [
            ("wasmer", "cranelift"),
            ("wasmtime", "cranelift"),
            ("wasmi", "eager"),
            ("v8", "turbofan"),
            ("native", "rustc"),
        ];
        for (runtime, compiler) in runtimes {
            assert_eq!(cell(runtime, compiler, "copy", "fresh"), None, "{runtime}: fresh runs everywhere");
        }
        // Wasmtime: pre and pooled under copy and the component transports, not shared.
        for transport in ["copy", "component", "composed"] {
            for strategy in ["pre", "pooled"] {
                assert_eq!(cell("wasmtime", "winch", transport, strategy), None, "{transport}/{strategy}");
            }
        }
        for strategy in ["pre", "pooled"] {
            let why = cell("wasmtime", "cranelift", "shared", strategy).unwrap();
            assert!(why.contains("cross-`Store` instantiation is not currently supported"), "{why}");
            assert_eq!(cell("wasmtime", "cranelift", "shared", "fresh"), None);
        }
        let says = |runtime: &str, compiler: &str, strategy: &str, words: &str| {
            let why = cell(runtime, compiler, "copy", strategy).unwrap_or_else(|| panic!("{runtime}/{strategy} runs"));
            assert!(why.contains(words) && why.contains("only fresh runs"), "{runtime}/{strategy}: {why}");
        };
        says("wasmer", "llvm", "pre", "no pre-linked instance");
        says("wasmer", "singlepass", "pooled", "wasmerio/wasmer#4518");
        says("wasmi", "lazy", "pre", "instantiate_and_start");
        says("wasmi", "eager", "pooled", "no pooling instance allocator");
        says("v8", "liftoff", "pre", "new WebAssembly.Instance");
        says("v8", "turbofan", "pooled", "new WebAssembly.Instance");
        says("native", "rustc", "pre", "instantiates nothing");
        says("native", "rustc", "pooled", "instantiates nothing");
        // Another reason comes first where the cell could not run fresh either.
        let wasi_artifact = Cell::parse("eager/artifact/bare/copy/raw/release/off/default/wasmi/host/pre").unwrap();
        assert_eq!(wasi_artifact.unsupported(), Some(WASMI_ARTIFACT));
    }
}
