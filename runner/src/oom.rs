//! Which failures are a memory allocation refused, whatever runtime reported them: the one
//! mapping to the `oom` status. Each runtime says it in its own words, and its own limiter (the
//! matrix's `memory_limit_mib`) already reports `oom`; but an allocation the operating system
//! refuses (a 4 GiB guest memory, a shared memory that cannot be mapped) reaches the runner as a
//! plain error or trap, or as an abort with Rust's message. These are the phrases, each with
//! where it comes from:

/// Lower-case phrases that mean an allocation was refused.
pub const PHRASES: [(&str, &str); 7] = [
    ("cannot allocate memory", "ENOMEM's text on Linux (Wasmtime mapping a memory, any io::Error)"),
    ("os error 12", "ENOMEM as Rust's io::Error prints its code"),
    ("error when allocating memory", "Wasmer's MemoryError::Region"),
    ("out of system memory", "wasmi's MemoryError::OutOfSystemMemory"),
    ("could not allocate memory", "V8's WebAssembly.Memory()"),
    ("out of memory", "V8's fatal out-of-memory, and any runtime's plain words"),
    ("memory allocation of ", "Rust's message when an allocation fails, just before it aborts"),
];

/// Whether `message` says an allocation was refused.
pub fn is_allocation_failure(message: &str) -> bool {
    let message = message.to_lowercase();
    PHRASES.iter().any(|(phrase, _)| message.contains(phrase))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_runtimes_words_for_a_refused_allocation() {
        for message in [
            "cannot create the shared memory: Cannot allocate memory (os error 12)",
            "Error when allocating memory: mmap failed",
            "out of system memory",
            "RangeError: WebAssembly.Memory(): could not allocate memory",
            "Fatal JavaScript out of memory: Cannot allocate Wasm memory for new instance",
            "memory allocation of 4294967296 bytes failed",
        ] {
            assert!(is_allocation_failure(message), "{message}");
        }
        for message in ["wasm trap: integer divide by zero", "unknown import: `env::log` has not been defined"] {
            assert!(!is_allocation_failure(message), "{message}");
        }
    }
}
