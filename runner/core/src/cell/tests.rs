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
    // Schema 13 names, from before the records axis, and every name of one record since: one
    // record per message; more records are a twelfth part.
    assert_eq!(pooled.records, Records::One);
    let batch = Cell::parse("cranelift/jit/bare/copy/rkyv/release/off/default/wasmer/host/fresh/4096").unwrap();
    assert_eq!((batch.records, batch.records.count()), (Records::FourK, 4096));
    assert_eq!(batch.to_string(), "cranelift/jit/bare/copy/rkyv/release/off/default/wasmer/host/fresh/4096");
    let one = Cell { records: Records::One, ..batch };
    assert_eq!(one.to_string(), "cranelift/jit/bare/copy/rkyv/release/off/default/wasmer/host/fresh");
    assert_eq!(Cell::parse(&format!("{one}/1")), Ok(one), "the records part may be written for one record too");
    // Schema 14 names, from before the modules axis, and every name of two modules since: a pair;
    // a chain is a thirteenth part, after the records (written even for one record).
    assert_eq!(batch.modules, Modules::Two);
    let chain = Cell { modules: Modules::Four, ..one };
    assert_eq!(chain.to_string(), "cranelift/jit/bare/copy/rkyv/release/off/default/wasmer/host/fresh/1/4");
    assert_eq!(Cell::parse(&chain.to_string()), Ok(chain));
    assert_eq!((chain.modules.count(), chain.modules.relays()), (4, 2));
    assert_eq!(Cell::parse(&format!("{batch}/2")), Ok(batch), "the modules part may be written for two too");
    // Schema 15 names, from before the release axis, and every name of a runtime's own release
    // since: the default release; another release is a fourteenth part (the records and modules
    // parts written before it).
    assert_eq!(chain.release, Release::Default);
    let wasmi = Cell::parse("eager/jit/bare/copy/raw/release/off/default/wasmi/host/fresh").unwrap();
    let older = Cell { release: Release::Wasmi1, ..wasmi };
    assert_eq!(older.to_string(), "eager/jit/bare/copy/raw/release/off/default/wasmi/host/fresh/1/2/wasmi-1");
    assert_eq!(Cell::parse(&older.to_string()), Ok(older));
    assert_eq!(Cell::parse(&format!("{wasmi}/1/2/default")), Ok(wasmi), "the release part may be written for default");
    let error = Cell::parse(&format!("{older}/x")).unwrap_err();
    assert!(error.contains("unexpected `x` after the release"), "{error}");
}

#[test]
fn a_release_is_a_cell_of_its_own_runtime_only_and_shares_the_twin() {
    let wasmi = Cell {
        release: Release::Wasmi1,
        ..Cell::parse("eager/jit/bare/copy/raw/release/off/default/wasmi/host/fresh").unwrap()
    };
    assert_eq!((wasmi.not_a_cell(), wasmi.unsupported()), (None, None));
    let twin = wasmi.native_twin().expect("an older release has the native twin");
    assert_eq!(twin.release, Release::Default);
    assert_eq!(twin, Cell { release: Release::Default, ..wasmi }.native_twin().unwrap());
    for runtime in [Runtime::Wasmer, Runtime::Wasmtime, Runtime::V8, Runtime::Native] {
        let elsewhere = Cell { runtime, ..wasmi };
        assert!(elsewhere.not_a_cell().is_some_and(|why| why.contains("one runtime's")), "{runtime}");
    }
    for release in Release::all() {
        assert!(release.runtime().is_some() != (*release == Release::DEFAULT), "{release}: default is everyone's");
    }
}

#[test]
fn what_an_older_release_cannot_run_is_unsupported_with_the_reason() {
    let wasmer = Cell::parse("cranelift/jit/bare/copy/raw/release/off/default/wasmer/host/fresh").unwrap();
    let older = Cell { release: Release::Wasmer6, ..wasmer };
    assert_eq!(older.unsupported(), None, "singlepass and cranelift run");
    let llvm = Cell { compiler: Compiler::Llvm, ..older };
    assert!(llvm.unsupported().is_some_and(|why| why.contains("LLVM 18")));
    let merged = Cell { transport: Transport::Merged, ..older };
    assert!(merged.unsupported().is_some_and(|why| why.contains("multi-memory")));
    assert_eq!(Cell { transport: Transport::Merged, ..wasmer }.unsupported(), None, "Wasmer 7 runs merged");
    // Node.js 20's V8 has no multi-memory, Node.js 24's has: its merged cells follow the page's rules.
    let v8 = Cell::parse("turbofan/jit/bare/merged/raw/release/off/default/v8/import/fresh").unwrap();
    assert!(v8.unsupported().is_some_and(|why| why.starts_with("Node.js 20's V8 11.3 has no multi-memory")));
    let node_24 = Cell { release: Release::Node24, ..v8 };
    assert_eq!(node_24.unsupported(), None);
    assert!(Cell { environment: Environment::Wasi, ..node_24 }.unsupported().is_some_and(|why| why.contains("WASI")));
}

#[test]
fn a_chain_runs_between_core_modules_under_every_runtime() {
    let chain = |name: &str| Cell { modules: Modules::Four, ..Cell::parse(name).unwrap() };
    let wasmer = chain("cranelift/jit/bare/copy/raw/release/off/default/wasmer/import");
    assert_eq!(wasmer.unsupported(), None);
    assert_eq!(Cell { transport: Transport::Shared, ..wasmer }.unsupported(), None);
    for other in [
        "cranelift/jit/bare/copy/raw/release/off/default/wasmtime/host",
        "turbofan/jit/bare/shared/raw/release/off/default/v8/import",
        "eager/jit/bare/copy/raw/release/off/default/wasmi/host",
        "turbofan/jit/bare/copy/raw/release/off/default/chromium/host",
    ] {
        assert_eq!(chain(other).unsupported(), None, "{other}");
    }
    // Chains of components: through the host and composed, under Wasmtime only.
    for components in [
        "cranelift/jit/bare/component/raw/release/off/default/wasmtime/host",
        "cranelift/jit/bare/component/wit/release/off/default/wasmtime/import",
        "winch/artifact/bare/composed/wit/release/off/default/wasmtime/import",
    ] {
        assert_eq!(chain(components).unsupported(), None, "{components}");
    }
    let twin = wasmer.native_twin().expect("a chain has a native twin");
    assert_eq!((twin.modules, twin.unsupported()), (Modules::Four, None));
    // Chains of merged modules: one module, a memory each, under every runtime with multi-memory;
    // the twin is the copy chain of the same length.
    for merged in [
        "cranelift/jit/bare/merged/raw/release/off/default/wasmer/host",
        "cranelift/jit/bare/merged/raw/release/off/default/wasmtime/import",
        "eager/jit/bare/merged/raw/release/off/default/wasmi/host",
        "turbofan/jit/bare/merged/raw/release/off/default/chromium/import",
    ] {
        for modules in [Modules::Three, Modules::Four, Modules::Eight] {
            let cell = Cell { modules, ..chain(merged) };
            assert_eq!(cell.unsupported(), None, "{cell}");
            let twin = cell.native_twin().expect("a merged chain has a native twin");
            assert_eq!((twin.transport, twin.modules, twin.unsupported()), (Transport::Copy, modules, None), "{cell}");
        }
    }
    for (cell, why) in [
        (chain("turbofan/jit/bare/merged/raw/release/off/default/v8/host"), "no multi-memory"),
        (chain("rustc/native/bare/merged/raw/release/off/default/native/host"), "no wasm memories to merge"),
        (
            Cell {
                environment: Environment::Wasi,
                ..chain("cranelift/jit/bare/merged/raw/release/off/default/wasmer/host")
            },
            "WASI preview 1",
        ),
        (chain("cranelift/jit/bare/merged/raw/release/off/default/wasmtime/host/pre"), "fresh only"),
        (chain("turbofan/jit/bare/bindgen/raw/release/off/default/v8/host"), "wasm-bindgen modules"),
        (chain("cranelift/jit/bare/component/raw/release/off/default/wasmer/host"), "no Component Model"),
        (chain("cranelift/jit/bare/component/raw/release/off/default/wasmtime/host/pre"), "fresh only"),
        (chain("cranelift/jit/bare/composed/raw/release/off/default/wasmtime/import/pooled"), "fresh only"),
        (chain("cranelift/jit/bare/copy/raw/release/off/default/wasmtime/host/pooled"), "fresh only"),
        (Cell { environment: Environment::Wasi, ..wasmer }, "bare environment only"),
        (Cell { logging: Logging::On, ..wasmer }, "logging off only"),
    ] {
        assert!(cell.unsupported().is_some_and(|w| w.contains(why)), "{cell}: {:?}", cell.unsupported());
    }
}

#[test]
fn a_cell_crosses_serde_as_one_field_per_axis() {
    let cell = Cell::parse("lazy-translation/jit/wasi/component/wit/wasm-opt/on/wee_alloc/wasmi/import").unwrap();
    let text = serde_json::to_string(&cell).unwrap();
    let fields: Vec<String> = cell.values().iter().map(|(axis, value)| format!("\"{axis}\":\"{value}\"")).collect();
    assert_eq!(text, format!("{{{}}}", fields.join(",")), "every axis, in the order of the name, each value its name");
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
    assert!(cell("pulley/artifact/emscripten/shared/raw/release/off/default/wasmtime").unwrap().contains("wasm-ld 14"));
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
    assert!(cell("cranelift/artifact/bare/component/raw/release/off/default/wasmer").unwrap().contains("Wasmer 7.4"));
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
    let twin = Cell::parse("liftoff/jit/bare/bindgen/json/release/off/default/chromium/host").unwrap().native_twin();
    assert_eq!(twin.unwrap().to_string(), "rustc/native/bare/copy/json/release/off/default/native/host/fresh");
}

#[test]
fn bad_names_say_what_is_allowed() {
    let err = Cell::parse("v8/jit/bare/copy/raw/release").unwrap_err();
    assert!(err.contains("unknown compiler `v8`") && err.contains("singlepass, cranelift, llvm, winch"), "{err}");
    assert!(Cell::parse("llvm/jit").unwrap_err().contains("missing environment"));
    assert!(Cell::parse("llvm/jit/bare/copy/raw/release/x").unwrap_err().contains("unknown logging `x`"));
    assert!(Cell::parse("llvm/jit/bare/copy/raw/release/off/x").unwrap_err().contains("unknown allocator `x`"));
    assert!(Cell::parse("llvm/jit/bare/copy/raw/release/off/talc/v9").unwrap_err().contains("unknown runtime `v9`"));
    assert!(Cell::parse("llvm/jit/bare/copy/raw/release/off/talc/wasmer/x").unwrap_err().contains("unknown call `x`"));
    assert!(Cell::parse("llvm/jit/bare/copy/raw/release/off/talc/wasmer/host/x")
        .unwrap_err()
        .contains("unknown instantiate `x`; allowed: fresh, pre, pooled"));
    assert!(Cell::parse("llvm/jit/bare/copy/raw/release/off/talc/wasmer/host/fresh/x")
        .unwrap_err()
        .contains("unknown records `x`; allowed: 1, 16, 256, 4096, 65536"));
    assert!(Cell::parse("llvm/jit/bare/copy/raw/release/off/talc/wasmer/host/fresh/0")
        .unwrap_err()
        .contains("unknown records `0`"));
    assert!(Cell::parse("llvm/jit/bare/copy/raw/release/off/talc/wasmer/host/fresh/16/x")
        .unwrap_err()
        .contains("unknown modules `x`; allowed: 2, 3, 4, 8"));
    assert!(Cell::parse("llvm/jit/bare/copy/raw/release/off/talc/wasmer/host/fresh/16/1")
        .unwrap_err()
        .contains("unknown modules `1`"));
    assert!(Cell::parse("llvm/jit/bare/copy/raw/release/off/talc/wasmer/host/fresh/16/4/x")
        .unwrap_err()
        .contains("unknown release `x`; allowed: default, wasmi-1, wasmtime-36, wasmer-6, node-24"));
    assert!(Cell::parse("eager/jit/bare/copy/raw/release/off/talc/wasmi/host/fresh/16/4/wasmi-1/x")
        .unwrap_err()
        .contains("unexpected `x` after the release"));
}

#[test]
fn each_runtime_instantiates_as_it_can_and_says_why_not() {
    let cell = |runtime: &str, compiler: &str, transport: &str, strategy: &str| {
        let call = if transport == "composed" { "import" } else { "host" };
        let engine = if runtime == "native" { "native" } else { "jit" };
        let name = format!("{compiler}/{engine}/bare/{transport}/raw/release/off/default/{runtime}/{call}/{strategy}");
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

#[test]
fn the_typed_record_carries_one_record_and_bytes_carry_batches_everywhere() {
    let cell = |name: &str| Cell::parse(name).unwrap().unsupported();
    let why = cell("cranelift/jit/bare/component/wit/release/off/default/wasmtime/host/fresh/256").unwrap();
    assert!(why.starts_with("codec wit carries the typed record itself"), "{why}");
    assert_eq!(cell("cranelift/jit/bare/component/wit/release/off/default/wasmtime/host/fresh"), None);
    for transport in ["copy", "shared", "component", "merged"] {
        let name = format!("cranelift/jit/bare/{transport}/rkyv/release/off/default/wasmtime/host/fresh/65536");
        assert_eq!(cell(&name), None, "{name}");
    }
    let twin = Cell::parse("cranelift/jit/bare/merged/rkyv/release/off/default/wasmer/import/fresh/256").unwrap();
    assert_eq!(
        twin.native_twin().unwrap().to_string(),
        "rustc/native/bare/copy/rkyv/release/off/default/native/import/fresh/256"
    );
}
