//! Every axis of the matrix, its values and its default (the baseline value a matrix study takes
//! for an axis it does not name): the one place that lists them. Adding a value is one line here
//! plus its configuration in the module named beside the axis. The runner publishes them (`runner
//! axes --json`, committed as notebooks/axes.json) for what is not Rust.

use serde::{Deserialize, Serialize};
use std::fmt;
use wasmatrix_proto::CodecId;

/// The values of one axis.
pub trait Axis: Copy + Eq + fmt::Debug + 'static {
    /// The axis's name in matrices and CSV headers.
    const NAME: &'static str;
    /// The baseline value: what a matrix study that does not name this axis takes (see
    /// docs/matrices.md).
    const DEFAULT: Self;
    fn all() -> &'static [Self];
    fn name(self) -> &'static str;

    fn from_name(name: &str) -> Option<Self> {
        Self::all().iter().copied().find(|v| v.name() == name)
    }

    /// "a, b, c": for error messages.
    fn allowed() -> String {
        Self::all().iter().map(|v| v.name()).collect::<Vec<_>>().join(", ")
    }

    /// The value named `name`, or an error naming the axis and its values.
    fn parse(name: &str) -> Result<Self, String> {
        Self::from_name(name).ok_or_else(|| format!("unknown {} `{name}`; allowed: {}", Self::NAME, Self::allowed()))
    }
}

/// An axis as data: its name, its values in order, and its default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AxisValues {
    pub name: &'static str,
    pub values: Vec<&'static str>,
    pub default: &'static str,
}

impl AxisValues {
    pub fn of<A: Axis>() -> AxisValues {
        AxisValues { name: A::NAME, values: A::all().iter().map(|v| v.name()).collect(), default: A::DEFAULT.name() }
    }
}

/// Each value crosses serde as its name (a worker's job carries the cell this way).
macro_rules! serde_by_name {
    ($($ty:ty),+) => {$(
        impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let name = String::deserialize(d)?;
                <$ty as Axis>::parse(&name).map_err(serde::de::Error::custom)
            }
        }
    )+};
}

macro_rules! axis {
    ($(#[$doc:meta])* $ty:ident $axis:literal default $default:ident {
        $($(#[$vdoc:meta])* $variant:ident = $name:literal,)+
    }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $ty {
            $($(#[$vdoc])* $variant,)+
        }

        impl Axis for $ty {
            const NAME: &'static str = $axis;
            const DEFAULT: Self = $ty::$default;
            fn all() -> &'static [Self] {
                &[$($ty::$variant),+]
            }
            fn name(self) -> &'static str {
                match self { $($ty::$variant => $name,)+ }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        serde_by_name!($ty);
    };
}

axis! {
    /// Which runtime runs the guests, each in a worker process of its own kind; which compilers
    /// and engines each offers is decided in `Cell::not_a_cell`.
    Runtime "runtime" default Wasmer {
        /// Wasmer 7 (the runner's own worker), with its singlepass, cranelift and LLVM compilers.
        Wasmer = "wasmer",
        /// Wasmtime 48 (runner/wasmtime, a workspace of its own), with Cranelift, Winch (its
        /// baseline compiler) and Pulley (its portable interpreter).
        Wasmtime = "wasmtime",
        /// wasmi 2 (runner/wasmi), an interpreter: no machine code, no artifacts; its compiler
        /// values are when it translates wasm to its own bytecode.
        Wasmi = "wasmi",
        /// V8 inside Node.js (runner/v8/worker.mjs), the engine of the report's "1 JS app
        /// containing n Wasm modules", with Liftoff (baseline) and TurboFan (optimising).
        V8 = "v8",
        /// V8 in headless Chromium (runner/chromium): the same JavaScript host as `v8`, run in a
        /// cross-origin-isolated page the worker serves and drives over the DevTools protocol.
        Chromium = "chromium",
        /// No runtime: the guest crates compiled natively (runner/native), the twin of every wasm
        /// cell (compiler `rustc`, engine `native`).
        Native = "native",
    }
}

axis! {
    /// Who calls whom in a round trip.
    Call "call" default Host {
        /// The host calls each guest in turn: produce, consume, check (three host-to-guest calls
        /// per round trip; the host carries the bytes between them).
        Host = "host",
        /// The guests inter-communicate: the host calls the producer's `round_trip` once; the
        /// producer calls its `env.deliver` import, which the host routes to the consumer's
        /// `consume` (a nested host-to-guest call) and whose reply the producer checks itself. The
        /// producer is built with the feature `call-import`.
        Import = "import",
    }
}

axis! {
    /// How the pair is instantiated, and how each pair after the first is; which runtime offers
    /// which is decided in `Cell::unsupported`.
    Instantiate "instantiate" default Fresh {
        /// Each pair linked and instantiated from the loaded code, as a host does that keeps
        /// nothing between instantiations but the code (every runtime).
        Fresh = "fresh",
        /// The runtime's pre-linked form, made once (Wasmtime's `Linker::instantiate_pre`: imports
        /// resolved and type-checked once), so each pair is only its instances.
        Pre = "pre",
        /// `pre` in an engine with Wasmtime's pooling instance allocator sized for the pairs a
        /// process holds at once, and copy-on-write memory images (`Config::memory_init_cow`):
        /// what Wasmtime's "fast instantiation" guide lists.
        Pooled = "pooled",
    }
}

axis! {
    /// What compiles the guests to machine code (or, for interpreters, to what they run): each
    /// runtime's back-ends, configured in its worker (`Cell::not_a_cell` says which runtime has
    /// which).
    Compiler "compiler" default Cranelift {
        Singlepass = "singlepass",
        Cranelift = "cranelift",
        Llvm = "llvm",
        /// Wasmtime's baseline compiler: one pass, no optimisation (`Strategy::Winch`).
        Winch = "winch",
        /// Wasmtime's portable interpreter: Cranelift compiles to Pulley bytecode
        /// (`Config::target("pulley64")`), which Wasmtime interprets.
        Pulley = "pulley",
        /// wasmi translating every function to its bytecode before instantiation
        /// (`CompilationMode::Eager`).
        Eager = "eager",
        /// wasmi validating everything up front, translating each function at its first call
        /// (`CompilationMode::LazyTranslation`).
        LazyTranslation = "lazy-translation",
        /// wasmi validating and translating each function at its first call (`CompilationMode::Lazy`).
        Lazy = "lazy",
        /// V8's baseline compiler only (`--liftoff --no-wasm-tier-up`).
        Liftoff = "liftoff",
        /// V8's optimising compiler only (`--no-liftoff`, eager compilation).
        Turbofan = "turbofan",
        /// The guests' Rust compiled natively by rustc, with the runner (engine `native` only).
        Rustc = "rustc",
    }
}

axis! {
    /// How compiled code reaches the measured process; configured in runner/wasmer's
    /// `engine` and in runner/native (the other runtimes: in their workers).
    Engine "engine" default Jit {
        /// Compiled in the measured process (the old engine-universal).
        Jit = "jit",
        /// Precompiled once by another process, serialized to disk, loaded with a headless engine
        /// (the successor of engine-native/dylib).
        Artifact = "artifact",
        /// No wasm: the guest crates compiled natively, with the guests' cargo profile, into a worker
        /// of their own (runner/native) and driven through the same harness: the baseline every
        /// wasm row is read against (compiler `rustc` only).
        Native = "native",
    }
}

axis! {
    /// What the guests may import from the host; configured in runner/wasmer's
    /// `environment` (the other runtimes: in their workers).
    Environment "environment" default Bare {
        /// Only the imports the runner defines (the shared memory, the log sink), built for
        /// `wasm32-unknown-unknown`.
        Bare = "bare",
        /// WASI preview 1 under wasmer-wasix: the guests built for `wasm32-wasip1` as reactors
        /// (libraries of exports the host calls many times), each with a WASI environment of its
        /// own that sees one empty directory.
        Wasi = "wasi",
        /// Emscripten's output on WASI, the living form of "Emscripten on Wasmer": the guests
        /// built for `wasm32-unknown-emscripten`, linked by emcc as `-sSTANDALONE_WASM` reactors
        /// (imports: WASI preview 1 and `env.__syscall_getcwd`), run under wasmer-wasix.
        Emscripten = "emscripten",
        /// Wasmer's own Emscripten environment (`wasmer-emscripten`, last released as 5.0.0-rc.1):
        /// always `unsupported`, for the reason `runner/emscripten-legacy` proves.
        EmscriptenLegacy = "emscripten-legacy",
    }
}

axis! {
    /// Whether the consumer writes one log line per message, through its environment's way out
    /// (see guests/consumer/src/log.rs).
    Logging "logging" default Off {
        Off = "off",
        On = "on",
    }
}

axis! {
    /// How a message gets from one guest to the other; implemented in runner/wasmer's
    /// `transport` and in runner/native (the other runtimes: in their workers).
    Transport "transport" default Copy {
        /// Each guest has its own memory; the host copies bytes across.
        Copy = "copy",
        /// One host-created memory imported by both guests; only (pointer, length) crosses.
        Shared = "shared",
        /// The guests as components (guests/wit): the message crosses as a `list<u8>` (or, codec
        /// `wit`, as the typed record) through the canonical ABI, and the host links the two
        /// instances: under `call = host` it calls each component in turn, under `call = import` it
        /// implements the producer's `deliver` import by calling the consumer's export.
        Component = "component",
        /// The two components composed ahead of time (wac-graph): the producer's `deliver` import
        /// is the consumer's export inside one component, so a round trip never leaves wasm
        /// (`call = import` only).
        Composed = "composed",
        /// The guests built with wasm-bindgen (feature `bindgen`: byte slices in, vectors out) and
        /// joined by the JavaScript glue `wasm-bindgen --target web` writes, as an app built with
        /// wasm-pack would be: the glue copies each message out of one guest and into the other
        /// (runtimes `v8` and `chromium` only).
        Bindgen = "bindgen",
        /// Each guest keeps its own memory, and the pair is one module with two memories (the
        /// multi-memory feature): binaryen's `wasm-merge` joins the producer, the consumer and a
        /// small adapter (guests/merged/adapter.wat) that copies each message from one memory
        /// into the other with `memory.copy`, so the guests call each other directly and neither
        /// guest's code can reach the other's memory.
        Merged = "merged",
    }
}

axis! {
    /// How the guests are built: a cargo profile in the workspace Cargo.toml (`guest-<name>`) and
    /// what is done to the `.wasm` after it; the runner's `guests` module maps each value to both.
    /// The native twin of a profile is built with the same cargo profile.
    Profile "profile" default Release {
        /// opt-level 3, LTO, one codegen unit, panic=abort, symbols stripped.
        Release = "release",
        /// `release` with opt-level "z" (size first, loops not vectorised).
        Size = "size",
        /// `release` with opt-level "s" (size, with most speed optimisations kept).
        S = "s",
        /// `release` without LTO (crates optimised one by one, linked as they are).
        Nolto = "nolto",
        /// `release` with panic=unwind (where the target can unwind).
        Unwind = "unwind",
        /// `release`, then binaryen's `wasm-opt -O3` on each `.wasm` (the native twin: `release`).
        WasmOpt = "wasm-opt",
    }
}

axis! {
    /// The guests' global allocator: a cargo feature of `wasmatrix-proto` (guests/proto/src/allocator.rs),
    /// so every guest and the native twin use the one chosen.
    Allocator "allocator" default Default {
        /// Rust's default: the system allocator (dlmalloc in wasi-libc and emscripten's libc, Rust's
        /// own dlmalloc port on wasm32-unknown-unknown, the platform's malloc natively).
        Default = "default",
        /// `wee_alloc` 0.4.5, the allocator of the 2021 report: unmaintained since 2020 (advisory
        /// RUSTSEC-2022-0054; it leaks memory, rustwasm/wee_alloc#106), kept only for the historical
        /// comparison.
        WeeAlloc = "wee_alloc",
        /// `talc` 5, a maintained small allocator (memory from `memory.grow` on wasm; natively its
        /// heaps come from the system allocator in 1 MiB blocks).
        Talc = "talc",
    }
}

impl Transport {
    /// The Component Model's transports: the guests as components (codec `wit` only with these).
    pub const COMPONENT_MODEL: [Transport; 2] = [Transport::Component, Transport::Composed];

    /// Whether the guests are components under this transport.
    pub fn is_component_model(self) -> bool {
        Self::COMPONENT_MODEL.contains(&self)
    }
}

axis! {
    /// How many records one message carries (the payload size): the producer makes records
    /// `i·k .. i·k + k` for message `i`, the codec encodes them as one message in its own way of
    /// carrying many (wasmatrix-proto's `message`; one record is the single-record message), the
    /// consumer works on every one. The guests are built for one value (`WASMATRIX_RECORDS`); the
    /// runner scales a cell's round trips per batch and warm-up down by it (`Measure::for_records`).
    Records "records" default One {
        One = "1",
        Sixteen = "16",
        TwoFiftySix = "256",
        FourK = "4096",
        SixtyFiveK = "65536",
    }
}

/// A job or cell of before the axis carried one record per message.
impl Default for Records {
    fn default() -> Records {
        Records::DEFAULT
    }
}

impl Records {
    /// The number of records a message carries.
    pub fn count(self) -> u32 {
        self.name().parse().expect("a records value is its count")
    }
}

axis! {
    /// How many guest modules a message passes through (issue 31's chains): the producer, then
    /// `n − 2` relays, then the consumer. A relay (guests/consumer with the feature `relay`) reads
    /// the message through the codec (in place where the codec reads in place), folds a digest of
    /// every record's timestamp and request line into its own counter, and forwards the bytes
    /// unchanged, so the consumer's reply and the checksum do not depend on `n`. The reply goes
    /// from the consumer straight back to the producer.
    Modules "modules" default Two {
        Two = "2",
        Three = "3",
        Four = "4",
        Eight = "8",
    }
}

/// A job or cell of before the axis ran two modules, the producer and the consumer.
impl Default for Modules {
    fn default() -> Modules {
        Modules::DEFAULT
    }
}

impl Modules {
    /// The number of guest modules in the chain.
    pub fn count(self) -> u32 {
        self.name().parse().expect("a modules value is its count")
    }

    /// The relays between the producer and the consumer: `n − 2`.
    pub fn relays(self) -> usize {
        self.count() as usize - 2
    }
}

axis! {
    /// Which release of the cell's runtime runs it (issue 32: releases side by side). `default` is
    /// the release each runtime's worker is built from (the versions [`Runtime`]'s values name);
    /// every other value is one runtime's other release, named by its version line, a worker of its
    /// own built from the same worker source with its own lock file (runner/releases/<value>/), so
    /// one run holds releases side by side. A value belongs to one runtime ([`Release::runtime`]):
    /// with any other it is not a cell. The rows' `runtime_version` names the exact version.
    Release "release" default Default {
        /// Each runtime's own release, the one every matrix ran before the axis.
        Default = "default",
        /// wasmi 1.0.9, the 1.x line, beside the default worker's wasmi 2
        /// (runner/releases/wasmi-1).
        Wasmi1 = "wasmi-1",
        /// Wasmtime 36.0.20, the long-term-support line, beside the default worker's Wasmtime 48
        /// (runner/releases/wasmtime-36).
        Wasmtime36 = "wasmtime-36",
        /// Wasmer 6.1.0 beside the default worker's Wasmer 7.4.2, singlepass and cranelift only
        /// (runner/releases/wasmer-6).
        Wasmer6 = "wasmer-6",
        /// Node.js 24.22.3 (V8 13.6) beside the default worker's Node.js 20 (V8 11.3): the same
        /// worker script (runner/v8) under the set-up's second Node.js (runner/npm/package.json).
        Node24 = "node-24",
    }
}

/// A job or cell of before the axis ran each runtime's own release.
impl Default for Release {
    fn default() -> Release {
        Release::DEFAULT
    }
}

impl Release {
    /// The runtime whose release this is; none for `default`, every runtime's own.
    pub fn runtime(self) -> Option<Runtime> {
        match self {
            Release::Default => None,
            Release::Wasmi1 => Some(Runtime::Wasmi),
            Release::Wasmtime36 => Some(Runtime::Wasmtime),
            Release::Wasmer6 => Some(Runtime::Wasmer),
            Release::Node24 => Some(Runtime::V8),
        }
    }
}

/// How a message is encoded: one of the byte codecs of `wasmatrix_proto` (one file each in
/// guests/proto/src/codec), or the typed record of the components' WIT world.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Codec {
    /// The request and reply as bytes of this codec.
    Bytes(CodecId),
    /// No bytes: the record crosses as a WIT `record` (guests/wit), the canonical ABI being the
    /// codec (`component` and `composed` transports only).
    Wit,
}

impl Codec {
    /// The byte codec, if this is one.
    pub fn bytes(self) -> Option<CodecId> {
        match self {
            Codec::Bytes(id) => Some(id),
            Codec::Wit => None,
        }
    }
}

/// Every byte codec, then `wit`.
static CODECS: [Codec; CodecId::ALL.len() + 1] = {
    let mut all = [Codec::Wit; CodecId::ALL.len() + 1];
    let mut i = 0;
    while i < CodecId::ALL.len() {
        all[i] = Codec::Bytes(CodecId::ALL[i]);
        i += 1;
    }
    all
};

impl From<CodecId> for Codec {
    fn from(id: CodecId) -> Codec {
        Codec::Bytes(id)
    }
}

impl Axis for Codec {
    const NAME: &'static str = "codec";
    const DEFAULT: Self = Codec::Bytes(CodecId::Raw);
    fn all() -> &'static [Self] {
        &CODECS
    }
    fn name(self) -> &'static str {
        match self {
            Codec::Bytes(id) => id.name(),
            Codec::Wit => "wit",
        }
    }
}

impl fmt::Display for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

serde_by_name!(Codec);
