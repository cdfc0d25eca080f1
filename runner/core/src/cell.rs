//! One cell of the matrix: a value for every axis, and nothing else, so a cell can be named,
//! filtered, skipped and sharded from its description alone.

use crate::axes::*;
use serde::{Deserialize, Serialize};
use std::fmt;
use wasmatrix_proto::CodecId;

mod reasons;
pub use reasons::WASMI_ARTIFACT;
use reasons::*;

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
    /// Records per message (absent from a job or name of before the axis: one).
    #[serde(default)]
    pub records: Records,
    /// Guest modules in the chain (absent from a job or name of before the axis: two).
    #[serde(default)]
    pub modules: Modules,
    /// The runtime's release (absent from a job or name of before the axis: each runtime's own).
    #[serde(default)]
    pub release: Release,
}

impl Cell {
    /// (axis, value) pairs in the order of the cell's name and of the CSV columns.
    pub fn values(&self) -> [(&'static str, &'static str); 14] {
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
            (Records::NAME, self.records.name()),
            (Modules::NAME, self.modules.name()),
            (Release::NAME, self.release.name()),
        ]
    }

    /// Every axis with its values and default, in the order of [`Cell::values`]: what `runner axes`
    /// publishes.
    pub fn axes() -> [AxisValues; 14] {
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
            AxisValues::of::<Records>(),
            AxisValues::of::<Modules>(),
            AxisValues::of::<Release>(),
        ]
    }

    /// Whether a round trip is one record between two modules, the message every table of one
    /// message reads (the baseline, the speed targets, the 2021 claims); the payload and chain
    /// tables read the others.
    pub fn is_one_record_pair(&self) -> bool {
        self.records == Records::One && self.modules == Modules::Two
    }

    /// The native twin of a wasm cell, the one place that says which it is: the guests' same Rust
    /// compiled natively (runtime `native`, compiler `rustc`, engine `native`), with the cell's
    /// environment, profile, logging, allocator and call; what a wasm cell's round trip is read
    /// against (the `twin_cell` column). Components (transports `component` and `composed`,
    /// natively nothing) are read against the twin under `copy`, which carries the bytes between two
    /// buffers as the canonical ABI does between two memories, and the typed record (codec `wit`,
    /// natively nothing either) against `raw`'s, the cheapest way the twin carries the same record;
    /// every way of instantiating against the twin's only one, `fresh`; every release of a runtime
    /// against the one twin.
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
            release: Release::Default,
            transport: match self.transport {
                Transport::Component | Transport::Composed | Transport::Bindgen | Transport::Merged => Transport::Copy,
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
        if self.release.runtime().is_some_and(|runtime| runtime != self.runtime) {
            return Some("a release other than `default` is one runtime's (`Release::runtime` in axes.rs), a cell of that runtime only");
        }
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
        if let Some(why) = self.unsupported_release() {
            return Some(why);
        }
        let transport = self.unsupported_component().or_else(|| self.unsupported_bindgen());
        if let Some(why) = transport.or_else(|| self.unsupported_merged()).or_else(|| self.unsupported_chain()) {
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

    /// Why the cell's release cannot run it, if it cannot: what an older release's worker lacks.
    fn unsupported_release(&self) -> Option<&'static str> {
        match self.release {
            Release::Wasmer6 if self.compiler == Compiler::Llvm => Some(WASMER_6_LLVM),
            Release::Wasmer6 if self.transport == Transport::Merged => Some(WASMER_6_MERGED),
            _ => None,
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

    /// Why a cell of transport `merged` cannot run, if it cannot.
    fn unsupported_merged(&self) -> Option<&'static str> {
        if self.transport != Transport::Merged {
            return None;
        }
        match self.runtime {
            Runtime::V8 if self.release == Release::Default => return Some(MERGED_V8),
            Runtime::Native => return Some(MERGED_NATIVE),
            Runtime::V8 | Runtime::Wasmer | Runtime::Wasmtime | Runtime::Wasmi | Runtime::Chromium => {}
        }
        if self.environment != Environment::Bare {
            return Some(MERGED_ENVIRONMENT);
        }
        (self.logging == Logging::On).then_some(MERGED_LOGGING)
    }

    /// Why a chain of more than two modules (`modules`) cannot run, if it cannot: relays are core
    /// modules between a `copy` or `shared` pair or merged with a `merged` pair (whose own rules
    /// come first: `unsupported_merged`), or components between the components of a
    /// `component` or `composed` pair (which only Wasmtime runs: `unsupported_component`), run in
    /// the bare environment with logging off, instantiated fresh.
    fn unsupported_chain(&self) -> Option<&'static str> {
        if self.modules == Modules::Two {
            return None;
        }
        match self.transport {
            Transport::Copy | Transport::Shared | Transport::Component | Transport::Composed | Transport::Merged => {}
            Transport::Bindgen => return Some(CHAIN_TRANSPORT),
        }
        if self.environment != Environment::Bare {
            return Some(CHAIN_ENVIRONMENT);
        }
        if self.logging == Logging::On {
            return Some(CHAIN_LOGGING);
        }
        (self.instantiate != Instantiate::Fresh).then_some(CHAIN_INSTANTIATE)
    }

    /// Why a cell of the Component Model (transport `component` or `composed`, codec `wit`) cannot
    /// run, if it cannot.
    fn unsupported_component(&self) -> Option<&'static str> {
        let component = self.transport.is_component_model();
        if !component {
            return (self.codec == Codec::Wit).then_some(WIT_WITHOUT_COMPONENT);
        }
        if self.codec == Codec::Wit && self.records != Records::One {
            return Some(WIT_RECORDS);
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
    /// `fresh`; names from before the records axis (schema 13) end at the instantiate and mean one
    /// record per message; names from before the modules axis (schema 14) mean two modules, and
    /// names from before the release axis (schema 15) each runtime's own release.
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
            records: Records::One,
            modules: Modules::Two,
            release: Release::Default,
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
        let cell = Cell {
            records: match parts.next() {
                None => Records::One,
                some => value(some)?,
            },
            ..cell
        };
        let cell = Cell {
            modules: match parts.next() {
                None => Modules::Two,
                some => value(some)?,
            },
            ..cell
        };
        let cell = Cell {
            release: match parts.next() {
                None => Release::Default,
                some => value(some)?,
            },
            ..cell
        };
        match parts.next() {
            None => Ok(cell),
            Some(extra) => Err(format!("unexpected `{extra}` after the release in cell name `{id}`")),
        }
    }
}

/// The values joined by `/`, in the order of [`Cell::values`]; the trailing parts only where they
/// say more than their axis's default: the records part where a message carries more than one
/// record (or a later part is written), the modules part for more than two (or a later part), the
/// release part for a release other than `default`; so a cell of one record between two modules
/// of each runtime's own release keeps the name it had before those axes (and `runner compare`
/// matches it with older runs' cells).
impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let values = self.values();
        let written = if self.release != Release::Default {
            3
        } else if self.modules != Modules::Two {
            2
        } else if self.records != Records::One {
            1
        } else {
            0
        };
        let shown = &values[..values.len() - 3 + written];
        let names: Vec<&str> = shown.iter().map(|(_, v)| *v).collect();
        f.write_str(&names.join("/"))
    }
}

#[cfg(test)]
mod tests;
