//! The memory cap (`[measure] memory_limit_mib`) inside wasmi: a store limiter that refuses to
//! make or grow any linear memory past the cap, and notes a refused growth (at the cap, past the
//! memory's own maximum, or because the allocation failed) with wasmatrix-core's `cap`, so that
//! the trap a guest's allocator then raises is reported as `oom`, not as an ordinary trap.

use wasmatrix_core::cap;
#[cfg(not(wasmi_1))]
use wasmi::errors::{MemoryError, TableError};
use wasmi::{ResourceLimiter, StoreLimits, StoreLimitsBuilder};
use wasmi_core::LimiterError;

/// wasmi's own store limits with every memory capped at the cell's cap, each refusal noted.
#[derive(Debug)]
pub struct Capped(StoreLimits);

impl Capped {
    pub fn new(memory_limit_mib: u64) -> Capped {
        Capped(StoreLimitsBuilder::new().memory_size(cap::bytes(memory_limit_mib)).build())
    }
}

impl ResourceLimiter for Capped {
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> Result<bool, LimiterError> {
        let allowed = self.0.memory_growing(current, desired, maximum);
        if !matches!(allowed, Ok(true)) {
            cap::note_refusal();
        }
        allowed
    }

    #[cfg(not(wasmi_1))]
    fn memory_grow_failed(&mut self, error: &MemoryError) -> Result<(), LimiterError> {
        cap::note_refusal();
        self.0.memory_grow_failed(error)
    }

    /// wasmi 1 (release `wasmi-1`): told the limiter's error, answering nothing.
    #[cfg(wasmi_1)]
    fn memory_grow_failed(&mut self, error: &LimiterError) {
        cap::note_refusal();
        self.0.memory_grow_failed(error)
    }

    fn table_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> Result<bool, LimiterError> {
        self.0.table_growing(current, desired, maximum)
    }

    #[cfg(not(wasmi_1))]
    fn table_grow_failed(&mut self, error: &TableError) -> Result<(), LimiterError> {
        self.0.table_grow_failed(error)
    }

    #[cfg(wasmi_1)]
    fn table_grow_failed(&mut self, error: &LimiterError) {
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
        assert!(!cap::refused());
        assert!(memory.grow(&mut store, 1000).is_err());
        assert!(cap::refused());
        assert_eq!(memory.size(&store), 1001);
    }
}
