//! Why a cell cannot run: the reasons [`super::Cell::unsupported`] gives, each in the words its row
//! carries.

/// Why Wasmtime's shared transport has no pre-linked pair (nor, as `pooled` is `pre` in a pooling
/// engine, a pooled one).
pub(super) const WASMTIME_SHARED_PRE: &str =
    "under the shared transport both guests import one memory the host creates in each \
     pair's store (Memory::new), and an InstancePre holds its imports: Wasmtime 48's InstancePre::instantiate refuses \
     an import owned by another store (\"cross-`Store` instantiation is not currently supported\", \
     pre_instantiate_raw in runtime/instance.rs), so the pre-linked form would have to be made again for every pair, \
     which is what fresh does (Linker::instantiate is instantiate_pre then instantiate); instantiate = pre and pooled \
     run under copy and the component transports";

/// Why Wasmer has no `pre` cells.
pub(super) const WASMER_PRE: &str =
    "Wasmer 7.4.2 has no pre-linked instance: Instance::new resolves and type-checks the \
     imports at every instantiation and its API keeps nothing of it between instances (no InstancePre or \
     equivalent in the wasmer 7.4.2 crate); only fresh runs";

/// Why Wasmer has no `pooled` cells.
pub(super) const WASMER_POOLED: &str =
    "Wasmer 7.4.2 has no pooling instance allocator: every instance maps its memories anew \
     through its tunables (instance pooling is asked for in wasmerio/wasmer#4518, not implemented); only fresh runs";

/// Why wasmi has no `pre` cells.
pub(super) const WASMI_PRE: &str =
    "wasmi 2.0 instantiates only through Linker::instantiate_and_start, which resolves the \
     imports each time: the InstancePre of wasmi 0.x is gone from wasmi 2.0.0; only fresh runs";

/// Why wasmi has no `pooled` cells.
pub(super) const WASMI_POOLED: &str =
    "wasmi 2.0 has no pooling instance allocator: an interpreter's memories are heap \
     buffers its store allocates per instance; only fresh runs";

/// Why V8 has no `pre` or `pooled` cells.
pub(super) const V8_PRE: &str =
    "V8 (in Node.js or a page) offers neither a pre-linked instance nor an instance pool: a WebAssembly.Module \
     is already the compiled form and `new WebAssembly.Instance(module, imports)` (or WebAssembly.instantiate) is \
     the only way to instantiate, resolving the imports object each time; only fresh runs";

/// Why the native twin has no `pre` or `pooled` cells.
pub(super) const NATIVE_PRE: &str = "the native twin instantiates nothing: its guests are Rust values built into the \
     worker, so there is no instance to pre-link or pool; only fresh runs";

/// Why codec `wit` needs a component transport.
pub(super) const WIT_WITHOUT_COMPONENT: &str = "codec wit is the typed WIT record lowered and lifted by the Component \
     Model's canonical ABI: it crosses only between components (transport component or composed); core modules \
     exchange bytes";

/// Why only Wasmtime runs the component cells.
pub(super) const NO_COMPONENT_MODEL: &str = "this runtime runs core modules only: Wasmer 7.4, wasmi 2 and V8 (Node.js 20, \
     Chromium 156) implement no Component Model (in a JavaScript host, jco transpiles a component into core modules and \
     JavaScript glue, which is then not the canonical ABI of a runtime); Wasmtime runs the component cells";

/// Why the native twin has no component cells.
pub(super) const NATIVE_COMPONENT: &str =
    "natively there are no components: read transport component and composed against \
     the native twin under copy, which also carries bytes between two buffers, and codec wit against raw's (the \
     report does)";

/// Why the component cells run only under `bare`.
pub(super) const COMPONENT_ENVIRONMENT: &str =
    "the component guests are built for wasm32-unknown-unknown and import only \
     their WIT world (guests/wit); built for wasm32-wasip2 they would import 13 WASI interfaces even without I/O, \
     and WASI preview 1 and Emscripten's output are core-module ABIs";

/// Why the component cells run without logging.
pub(super) const COMPONENT_LOGGING: &str =
    "the WIT worlds (guests/wit) have no log sink for the consumer to write to yet: \
     logging = on is measured on core modules";

/// Why Emscripten's output cannot share a memory under Wasmtime and wasmi.
pub(super) const EMSCRIPTEN_SHARED_WASI: &str =
    "Wasmtime's and wasmi's WASI reach a guest's memory only through its `memory` \
     export, as WASI's ABI has it, and emcc's output for the shared transport imports its memory without exporting \
     it: Debian's emcc 3.1.6 links with wasm-ld 14, which cannot re-export an imported memory (--export-memory came \
     in LLVM 16); the guests' libc calls WASI in _initialize. The wasi environment's guests (wasm-ld from rustc) \
     re-export it and run shared";

/// Why wasmi has no `artifact` cells (also what its worker answers if asked for one).
pub const WASMI_ARTIFACT: &str =
    "wasmi has no artifacts to precompile or load: it keeps no serialized modules, translating \
     wasm to its own bytecode in the process that runs it (engine jit only)";

/// Why V8 has no `artifact` cells.
pub(super) const V8_ARTIFACT: &str =
    "Node.js offers no way to keep V8's compiled wasm code across processes: v8.serialize of a \
     WebAssembly.Module writes only the 2-byte header (ff 0f), which v8.deserialize refuses (\"Unable to deserialize \
     cloned data.\"); structuredClone and postMessage share a module only inside one process; WebAssembly.Module has \
     no serialize method and Node's compile cache covers JavaScript only (Node 20, V8 11.3)";

/// Why only V8 runs `bindgen` cells.
pub(super) const BINDGEN_RUNTIME: &str =
    "wasm-bindgen's guests are joined by the JavaScript glue it generates, which needs a \
     JavaScript host: V8 in Node.js or in Chromium runs them; a Rust host calls a guest's exports directly (transports \
     copy and shared)";

/// Why `bindgen` runs only under `bare`.
pub(super) const BINDGEN_ENVIRONMENT: &str =
    "wasm-bindgen's glue targets wasm32-unknown-unknown (the web): its guests import \
     only what the glue defines, no WASI";

/// Why `bindgen` runs without logging.
pub(super) const BINDGEN_LOGGING: &str =
    "the bindgen guests import only what their glue defines, and the consumer's log sink \
     (env.wasmatrix_log) is not one of them: logging = on is measured on transports copy and shared";

/// Why `bindgen` runs only under `call = host`.
pub(super) const BINDGEN_IMPORT: &str =
    "the bindgen producer exports no round_trip: its calls of the consumer would go through \
     a JavaScript import of its glue, which these guests do not declare; the host calls each guest (call = host)";

/// Why Chromium has no `artifact` cells (runner/v8/job.mjs says the same to a job).
pub(super) const CHROMIUM_ARTIFACT: &str = "a page has no way to load compiled code it was given (WebAssembly has no \
     deserialize; structuredClone shares a module only inside one agent cluster), and Chromium's own wasm code cache, \
     filled from compileStreaming responses of repeatedly compiled modules, is not the page's to control";

/// Why Chromium runs only the bare environment (runner/v8/job.mjs says the same to a job).
pub(super) const CHROMIUM_ENVIRONMENT: &str =
    "the page runs only the bare environment: WASI and Emscripten's output need a WASI \
     preview 1 host, which a browser does not have (Node's node:wasi is Node's), and no browser WASI shim is measured \
     here";

/// Why `unwind` has no wasm cell under `bare` and `wasi`.
pub(super) const UNWIND_WASM: &str =
    "panic=unwind cannot unwind on wasm32-unknown-unknown and wasm32-wasip1 with stable Rust: \
     their standard library ships built for panic=abort and unwinding needs the exception-handling proposal and a \
     std rebuilt with -Zbuild-std (nightly); the build succeeds but holds no unwinding code, so it would measure the \
     release build again. The native twin (rustc/native) does unwind";

/// Why `unwind` has no wasm cell under `emscripten`.
pub(super) const UNWIND_EMSCRIPTEN: &str =
    "panic=unwind on wasm32-unknown-emscripten unwinds with the legacy exception-handling \
     instructions (try/catch/rethrow/throw), which Wasmer 7.4 refuses to compile (\"legacy_exceptions feature required \
     for try instruction\"; singlepass: \"exceptions proposal not enabled\"); the release build has the instructions \
     stripped (wasm-opt --strip-eh), sound only because panic=abort throws nothing";

/// Why V8 in Node.js 20 has no `merged` cells.
pub(super) const MERGED_V8: &str = "Node.js 20's V8 11.3 has no multi-memory: it refuses the merged module (\"memory \
     count of 2 exceeds internal limit of 1\"), and no flag enables it there; Chromium 156's V8 runs it (runtime \
     chromium), as does Node.js 24's V8 13.6 (release node-24)";

/// Why the native twin has no `merged` cells.
pub(super) const MERGED_NATIVE: &str = "natively there are no wasm memories to merge: read transport merged against \
     the native twin under copy, which carries the bytes between two buffers as the adapter does between two memories \
     (the report does)";

/// Why `merged` runs only under `bare`.
pub(super) const MERGED_ENVIRONMENT: &str = "WASI preview 1 reaches a module's memory through its export named \
     `memory`, which in the merged module is the producer's: the consumer's WASI calls would read and write the \
     producer's memory. Emscripten's output is WASI too";

/// Why `merged` runs without logging.
pub(super) const MERGED_LOGGING: &str = "the consumer's log sink (env.wasmatrix_log) is a host function that reads the \
     calling module's memory export `memory`, which in the merged module is the producer's: logging = on is measured on \
     transports copy and shared";

/// Why codec `wit` carries one record per message.
pub(super) const WIT_RECORDS: &str =
    "codec wit carries the typed record itself: the WIT world's deliver-log takes one \
     `log` (guests/wit), so a message of more records has no typed form yet; the byte codecs carry batches over the \
     component transports";

/// Why a chain of modules runs only between core modules that the host links or merges, or
/// between components.
pub(super) const CHAIN_TRANSPORT: &str = "a chain of more than two modules is built for the core-module transports \
     copy and shared (the relays are core modules the host links in turn), for merged (the relays merged with both \
     guests into one module, a memory each) and for the components of component and composed (the relays are \
     components linked through the host or composed with wac); chains of wasm-bindgen modules are not built yet \
     (issue 31)";

/// Why a chain of modules is instantiated fresh only.
pub(super) const CHAIN_INSTANTIATE: &str = "a chain of more than two modules is instantiated fresh only: the \
     pre-linked and pooled pairs of Wasmtime hold two guests (issue 31 continues)";

/// Why a chain of modules runs only in the bare environment.
pub(super) const CHAIN_ENVIRONMENT: &str = "a chain of more than two modules runs in the bare environment only: the \
     relays import nothing, and the WASI and Emscripten environments would need a WASI context per relay";

/// Why a chain of modules runs with logging off only.
pub(super) const CHAIN_LOGGING: &str = "a chain of more than two modules runs with logging off only: the relays \
     write no log line, and the consumer's sink is the same at every length";

/// Why Wasmer 6.1 has no llvm cells.
pub(super) const WASMER_6_LLVM: &str = "the worker of Wasmer 6.1 (release wasmer-6) is built without its llvm \
     compiler: it needs LLVM 18 (inkwell's llvm18-0), and the machine has LLVM 22, the one Wasmer 7.4.2's llvm \
     compiler is built with. Read its singlepass and cranelift cells";

/// Why Wasmer 6.1 has no merged cells.
pub(super) const WASMER_6_MERGED: &str = "Wasmer 6.1 (release wasmer-6) runs no module of several memories: \
     multi-memory is off by default, and with it on its compilers reach only memory 0 (singlepass's loads and stores; \
     cranelift's memory.copy ignores the destination memory, wasmer-compiler-cranelift's translate_memory_copy), so \
     the merged module's adapter would copy within the producer's memory. Wasmer 7 runs it";
