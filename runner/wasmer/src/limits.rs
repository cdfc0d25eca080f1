//! The memory cap (`[measure] memory_limit_mib`) inside Wasmer: every linear memory's maximum is
//! cut to the cap, and a `memory.grow` that fails (at the cap, or because the kernel refused the
//! worker's RLIMIT_DATA) is noted with wasmatrix-core's `cap`, so that the trap a guest's allocator
//! then raises is reported as `oom`, not as an ordinary trap.

use std::ptr::NonNull;
use std::time::Duration;
use wasmatrix_core::cap;
#[cfg(not(wasmer_6))]
use wasmer::sys::vm::{
    ExpectedValue, LinearMemory, MemoryError, MemoryStyle, TableStyle, ThreadConditions, Trap, VMMemory,
    VMMemoryDefinition, VMSharedMemory, VMTable, VMTableDefinition, WaiterError,
};
use wasmer::sys::{BaseTunables, Tunables};
// Wasmer 6.1 (release `wasmer-6`): most of the same types, some of them others.
#[cfg(wasmer_6)]
use wasmer::sys::vm::{
    LinearMemory, MemoryError, MemoryStyle, NotifyLocation, TableStyle, ThreadConditions, Trap, VMMemory,
    VMMemoryDefinition, VMTable, VMTableDefinition, WaiterError,
};
use wasmer::{MemoryType, Pages, TableType};

fn refuse<T>(result: Result<T, MemoryError>) -> Result<T, MemoryError> {
    if result.is_err() {
        cap::note_refusal();
    }
    result
}

/// Wasmer's own tunables with every memory's maximum cut to `cap`, each memory watched.
pub struct Capped {
    base: BaseTunables,
    cap: Pages,
}

impl Capped {
    pub fn new(memory_limit_mib: u64) -> Capped {
        // 16 pages of 64 KiB per MiB; wasm32 has at most 65,536 pages.
        let pages = memory_limit_mib.saturating_mul(16).min(u64::from(Pages::max_value().0)) as u32;
        #[cfg(not(wasmer_6))]
        let base = BaseTunables::new();
        // Before 7, sized for a target: the host's, as their engines' own tunables are.
        #[cfg(wasmer_6)]
        let base = BaseTunables::for_target(&Default::default());
        Capped { base, cap: Pages(pages) }
    }

    fn capped(&self, ty: &MemoryType) -> MemoryType {
        let maximum = ty.maximum.unwrap_or(Pages::max_value()).min(self.cap);
        if ty.minimum > maximum {
            // Cannot be made at all: Wasmer refuses a minimum above the maximum.
            cap::note_refusal();
        }
        MemoryType { maximum: Some(maximum), ..*ty }
    }
}

fn watched(memory: VMMemory) -> VMMemory {
    VMMemory(Box::new(Watched(memory.0)))
}

impl Tunables for Capped {
    fn memory_style(&self, memory: &MemoryType) -> MemoryStyle {
        self.base.memory_style(&self.capped(memory))
    }

    fn table_style(&self, table: &TableType) -> TableStyle {
        self.base.table_style(table)
    }

    fn create_host_memory(&self, ty: &MemoryType, style: &MemoryStyle) -> Result<VMMemory, MemoryError> {
        refuse(self.base.create_host_memory(&self.capped(ty), style)).map(watched)
    }

    #[allow(unsafe_code)]
    unsafe fn create_vm_memory(
        &self,
        ty: &MemoryType,
        style: &MemoryStyle,
        vm_definition_location: NonNull<VMMemoryDefinition>,
    ) -> Result<VMMemory, MemoryError> {
        // SAFETY: Wasmer's contract for this method (a valid, owned definition in the instance's
        // VMContext) is passed on unchanged to the tunables that would have been called anyway.
        let memory = unsafe { self.base.create_vm_memory(&self.capped(ty), style, vm_definition_location) };
        refuse(memory).map(watched)
    }

    fn create_host_table(&self, ty: &TableType, style: &TableStyle) -> Result<VMTable, String> {
        self.base.create_host_table(ty, style)
    }

    #[allow(unsafe_code)]
    unsafe fn create_vm_table(
        &self,
        ty: &TableType,
        style: &TableStyle,
        vm_definition_location: NonNull<VMTableDefinition>,
    ) -> Result<VMTable, String> {
        // SAFETY: as for `create_vm_memory`: the caller's guarantee, passed on unchanged.
        unsafe { self.base.create_vm_table(ty, style, vm_definition_location) }
    }
}

/// A memory exactly as Wasmer made it, which notes a failed growth. Compiled code reaches the
/// memory through its `VMMemoryDefinition` (unchanged), so only growth and the host's calls pass
/// through here: nothing a round trip does costs more.
#[derive(Debug)]
struct Watched(Inner);

/// A memory as Wasmer boxes it (before 7 without `Send + Sync`).
#[cfg(not(wasmer_6))]
type Inner = Box<dyn LinearMemory + Send + Sync + 'static>;
#[cfg(wasmer_6)]
type Inner = Box<dyn LinearMemory + 'static>;

impl LinearMemory for Watched {
    fn ty(&self) -> MemoryType {
        self.0.ty()
    }

    fn size(&self) -> Pages {
        self.0.size()
    }

    fn style(&self) -> MemoryStyle {
        self.0.style()
    }

    fn grow(&mut self, delta: Pages) -> Result<Pages, MemoryError> {
        refuse(self.0.grow(delta))
    }

    fn grow_at_least(&mut self, min_size: u64) -> Result<(), MemoryError> {
        refuse(self.0.grow_at_least(min_size))
    }

    fn reset(&mut self) -> Result<(), MemoryError> {
        self.0.reset()
    }

    fn vmmemory(&self) -> NonNull<VMMemoryDefinition> {
        self.0.vmmemory()
    }

    fn try_clone(&self) -> Result<Inner, MemoryError> {
        Ok(Box::new(Watched(self.0.try_clone()?)))
    }

    #[allow(unsafe_code)]
    unsafe fn initialize_with_data(&self, start: usize, data: &[u8]) -> Result<(), Trap> {
        // SAFETY: the caller's guarantee (data segments at instantiation), passed on unchanged.
        unsafe { self.0.initialize_with_data(start, data) }
    }

    #[cfg(not(wasmer_6))]
    fn copy(&self) -> Result<Inner, MemoryError> {
        Ok(Box::new(Watched(self.0.copy()?)))
    }

    #[cfg(wasmer_6)]
    fn copy(&mut self) -> Result<Inner, MemoryError> {
        Ok(Box::new(Watched(self.0.copy()?)))
    }

    #[cfg(not(wasmer_6))]
    fn as_shared(&self) -> Result<VMSharedMemory, MemoryError> {
        self.0.as_shared()
    }

    #[cfg(not(wasmer_6))]
    #[allow(unsafe_code)]
    unsafe fn do_wait(
        &mut self,
        dst: u32,
        expected: ExpectedValue,
        timeout: Option<Duration>,
    ) -> Result<u32, WaiterError> {
        // SAFETY: the caller's guarantee (a valid, aligned address), passed on unchanged.
        unsafe { self.0.do_wait(dst, expected, timeout) }
    }

    #[cfg(not(wasmer_6))]
    fn do_notify(&mut self, dst: u32, count: u32) -> u32 {
        self.0.do_notify(dst, count)
    }

    #[cfg(wasmer_6)]
    fn do_wait(&mut self, dst: NotifyLocation, timeout: Option<Duration>) -> Result<u32, WaiterError> {
        self.0.do_wait(dst, timeout)
    }

    #[cfg(wasmer_6)]
    fn do_notify(&mut self, dst: NotifyLocation, count: u32) -> u32 {
        self.0.do_notify(dst, count)
    }

    fn thread_conditions(&self) -> Option<&ThreadConditions> {
        self.0.thread_conditions()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_cuts_maximums_and_keeps_smaller_ones() {
        let capped = Capped::new(64);
        assert_eq!(capped.cap, Pages(1024));
        assert_eq!(capped.capped(&MemoryType::new(1, None, false)).maximum, Some(Pages(1024)));
        assert_eq!(capped.capped(&MemoryType::new(1, Some(10), false)).maximum, Some(Pages(10)));
        assert_eq!(Capped::new(1 << 30).cap, Pages::max_value());
    }

    #[test]
    fn a_growth_past_the_cap_fails_and_is_remembered() {
        let capped = Capped::new(64);
        let ty = MemoryType::new(1, None, false);
        let memory = capped.create_host_memory(&ty, &capped.memory_style(&ty)).unwrap();
        let mut memory = memory.0;
        assert!(memory.grow(Pages(1000)).is_ok());
        assert!(!cap::refused());
        assert!(memory.grow(Pages(1000)).is_err());
        assert!(cap::refused());
        assert_eq!(memory.size(), Pages(1001));
    }
}
