//! Pins why Wasmer's legacy Emscripten support (`wasmer-emscripten` 5.0.0-rc.1, the last release
//! before Wasmer dropped it) cannot run what today's Emscripten and Rust emit. The evidence is in
//! `tests/legacy.rs`; this library holds what the old crates need to link with a current Rust, and
//! the steps the crate's documentation prescribes for running a module.

use wasmer::{FunctionEnv, Instance, Module, Store};
use wasmer_emscripten::{generate_emscripten_env, run_emscripten_instance, EmEnv, EmscriptenGlobals};

/// Whether wasmer-emscripten takes `wasm` for an Emscripten module (it looks for the
/// `env.emscripten_memcpy_big` or `env.__map_file` import); `Err` if Wasmer cannot compile it.
pub fn recognizes(wasm: &[u8]) -> Result<bool, String> {
    let store = Store::default();
    let module = Module::new(&store, wasm).map_err(|e| format!("compile: {e}"))?;
    Ok(wasmer_emscripten::is_emscripten_module(&module))
}

/// Runs `wasm` under wasmer-emscripten as far as it gets: compile (Singlepass), set up the
/// Emscripten globals (memory, table, stack), instantiate with the Emscripten imports, call
/// `main`. Returns the first error's text, prefixed with the step for Wasmer's own errors.
pub fn run_emscripten(wasm: &[u8]) -> Result<(), String> {
    let mut store = Store::default();
    let module = Module::new(&store, wasm).map_err(|e| format!("compile: {e}"))?;
    let env = FunctionEnv::new(&mut store, EmEnv::new());
    let mut globals = EmscriptenGlobals::new(&mut store, &env, &module)?;
    let imports = generate_emscripten_env(&mut store, &env, &mut globals);
    let mut instance = Instance::new(&mut store, &module, &imports).map_err(|e| format!("instantiate: {e}"))?;
    run_emscripten_instance(&mut instance, env.into_mut(&mut store), &mut globals, "hello", vec![], None)
        .map_err(|e| format!("run: {e}"))
}

/// wasmer-vm 5.0.0-rc.1 takes the address of `__rust_probestack` for its `Probestack` libcall,
/// and Rust's compiler-builtins no longer define it on x86 (stack probes are inline now), so
/// nothing that links wasmer-vm links without a definition. Only code from a compiler that emits
/// probestack calls (Cranelift, when configured to) could call it; this crate compiles with
/// Singlepass, which never does. Should it ever be called, stop rather than skip a stack probe.
#[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
#[unsafe(no_mangle)] // the crate's only `unsafe`: a global symbol name, which nothing else defines
pub extern "C" fn __rust_probestack() {
    std::process::abort()
}
