//! The memory cap (`[measure] memory_limit_mib`) inside wasmi: a store limiter that refuses to
//! make or grow any linear memory past the cap, and remembers a refused growth (at the cap, past
//! the memory's own maximum, or because the allocation failed), so that the trap a guest's
//! allocator then raises is reported as `oom`, not as an ordinary trap (as the Wasmer harness
//! does).

use std::sync::atomic::{AtomicBool, Ordering};
use wasmatrix_core::guests::Failure;
use wasmi::errors::{MemoryError, TableError};
use wasmi::{ResourceLimiter, StoreLimits, StoreLimitsBuilder};
use wasmi_core::LimiterError;

/// Set when a guest memory could not grow, or could not be made, within the cap. One worker
/// process runs one cell, so one flag per process is enough.
static REFUSED: AtomicBool = AtomicBool::new(false);

/// Whether a memory of this process was refused growth (or creation).
pub fn refused() -> bool {
    REFUSED.load(Ordering::Relaxed)
}

/// wasmi's own store limits with every memory capped at the cell's cap, each refusal noted.
#[derive(Debug)]
pub struct Capped(StoreLimits);

impl Capped {
    pub fn new(memory_limit_mib: u64) -> Capped {
        let bytes = usize::try_from(memory_limit_mib.saturating_mul(1 << 20)).unwrap_or(usize::MAX);
        Capped(StoreLimitsBuilder::new().memory_size(bytes).build())
    }
}

impl ResourceLimiter for Capped {
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> Result<bool, LimiterError> {
        let allowed = self.0.memory_growing(current, desired, maximum);
        if !matches!(allowed, Ok(true)) {
            REFUSED.store(true, Ordering::Relaxed);
        }
        allowed
    }

    fn memory_grow_failed(&mut self, error: &MemoryError) -> Result<(), LimiterError> {
        REFUSED.store(true, Ordering::Relaxed);
        self.0.memory_grow_failed(error)
    }

    fn table_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> Result<bool, LimiterError> {
        self.0.table_growing(current, desired, maximum)
    }

    fn table_grow_failed(&mut self, error: &TableError) -> Result<(), LimiterError> {
        self.0.table_grow_failed(error)
    }

    fn instances(&self) -> usize {
        self.0.instances()
    }

    fn tables(&self) -> usize {
        self.0.tables()
    }

    fn memories(&self) -> usize {
        self.0.memories()
    }
}

/// A failure after a guest memory was refused growth within the cap is the cap's doing: a guest's
/// allocator traps (Rust aborts) when `memory.grow` fails.
pub fn blame_the_cap(failure: Failure, memory_limit_mib: u64) -> Failure {
    match failure {
        Failure::Trap(m) | Failure::Error(m) if refused() => Failure::OutOfMemory(format!(
            "a guest memory could not grow within the cap of {memory_limit_mib} MiB, then: {m}"
        )),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmi::{Engine, Memory, MemoryType, Store};

    #[test]
    fn a_growth_past_the_cap_fails_and_is_remembered() {
        let mut store = Store::new(&Engine::default(), Capped::new(64));
        store.limiter(|capped| capped);
        let memory = Memory::new(&mut store, MemoryType::new(1, None)).unwrap();
        assert!(memory.grow(&mut store, 1000).is_ok());
        assert!(!refused());
        assert!(memory.grow(&mut store, 1000).is_err());
        assert!(refused());
        assert_eq!(memory.size(&store), 1001);
        let failure = blame_the_cap(Failure::Trap("unreachable".into()), 64);
        assert!(matches!(failure, Failure::OutOfMemory(m) if m.contains("64 MiB")));
    }
}
