//! The memory cap (`[measure] memory_limit_mib`), the same in every worker: the process's data is
//! capped with RLIMIT_DATA ([`limit_process`]), and each runtime cuts its guest memories to the
//! cap with its own API (Wasmer's tunables, Wasmtime's and wasmi's store limiters), noting every
//! memory it refused to make or grow ([`note_refusal`]). A guest's allocator traps (Rust aborts)
//! when `memory.grow` fails, so a failure after a refusal is the cap's doing ([`blame`]) and its
//! row says `oom`, not `trap`.

use crate::guests::Failure;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set when a guest memory could not grow, or could not be made, within the cap. One worker
/// process runs one cell, so one flag per process is enough.
static REFUSED: AtomicBool = AtomicBool::new(false);

/// Says that a guest memory was refused growth (or creation) by the cap, or by the kernel.
pub fn note_refusal() {
    REFUSED.store(true, Ordering::Relaxed);
}

/// Whether a guest memory of this process was refused growth (or creation).
pub fn refused() -> bool {
    REFUSED.load(Ordering::Relaxed)
}

/// The cap in bytes, for the runtimes that count memories in bytes.
pub fn bytes(memory_limit_mib: u64) -> usize {
    usize::try_from(memory_limit_mib.saturating_mul(1 << 20)).unwrap_or(usize::MAX)
}

/// A failure after a guest memory was refused growth within the cap is the cap's doing: a guest's
/// allocator traps (Rust aborts) when `memory.grow` fails.
pub fn blame(failure: Failure, memory_limit_mib: u64) -> Failure {
    blame_if(refused(), failure, memory_limit_mib)
}

fn blame_if(refused: bool, failure: Failure, memory_limit_mib: u64) -> Failure {
    match failure {
        Failure::Trap(m) | Failure::Error(m) if refused => Failure::OutOfMemory(format!(
            "a guest memory could not grow within the cap of {memory_limit_mib} MiB, then: {m}"
        )),
        other => other,
    }
}

/// Caps this process's data (heap, and every private writable mapping: committed wasm memory,
/// thread stacks, compilers' scratch) at `mib` MiB with RLIMIT_DATA. Not RLIMIT_AS: wasm runtimes
/// reserve many GiB of address space per memory and commit only what the guest grows into, which
/// RLIMIT_DATA counts and RLIMIT_AS would refuse. Past the cap an allocation fails: Rust's
/// allocation error ("memory allocation of N bytes failed") or a refused `memory.grow`, which the
/// supervisor and [`blame`] turn into status `oom`. (Under valgrind the limit is only recorded.)
pub fn limit_process(mib: u64) -> Result<(), Failure> {
    use nix::sys::resource::{setrlimit, Resource};
    let bytes = mib.saturating_mul(1 << 20);
    setrlimit(Resource::RLIMIT_DATA, bytes, bytes)
        .map_err(|e| Failure::Error(format!("cannot cap the worker's memory at {mib} MiB (RLIMIT_DATA): {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_failure_after_a_refusal_is_the_caps() {
        // (Not through the process's flag: the other tests of this process must not see a refusal.)
        let before = blame_if(false, Failure::Trap("unreachable".into()), 64);
        assert!(matches!(before, Failure::Trap(m) if m == "unreachable"));
        let after = blame_if(true, Failure::Trap("unreachable".into()), 64);
        assert!(matches!(after, Failure::OutOfMemory(m) if m.contains("64 MiB") && m.ends_with("unreachable")));
        assert!(matches!(blame_if(true, Failure::OutOfMemory("x".into()), 64), Failure::OutOfMemory(m) if m == "x"));
        assert_eq!(bytes(64), 64 << 20);
    }
}
