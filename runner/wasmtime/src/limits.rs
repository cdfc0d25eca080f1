//! The memory cap (`[measure] memory_limit_mib`) inside Wasmtime: a store limiter that refuses to
//! grow any guest memory past the cap (or its own maximum), and notes the refusal with
//! wasmatrix-core's `cap`, so that the trap that follows (a guest's allocator aborts when
//! `memory.grow` fails) is reported as `oom`. Core modules and components use it alike.

use wasmatrix_core::cap;
use wasmtime::ResourceLimiter;

/// The cap on every guest memory of a store.
pub struct Cap {
    pub bytes: usize,
}

impl Cap {
    /// The cap of `[measure] memory_limit_mib`.
    pub fn new(memory_limit_mib: u64) -> Cap {
        Cap { bytes: cap::bytes(memory_limit_mib) }
    }
}

impl ResourceLimiter for Cap {
    fn memory_growing(&mut self, _current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        let ok = desired <= self.bytes && maximum.is_none_or(|m| desired <= m);
        if !ok {
            cap::note_refusal();
        }
        Ok(ok)
    }

    fn table_growing(&mut self, _current: usize, _desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(true)
    }
}
