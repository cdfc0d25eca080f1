//! The guests' global allocator: the `allocator` axis. Each value but the default is a cargo
//! feature of this crate, which both guests and the native twin (runner/native) link, so one
//! choice covers the whole build; the runner enables it (see its `guests` module).
//!
//! - no feature: Rust's default, the system allocator (dlmalloc on wasm32, the platform's
//!   malloc natively);
//! - `wee_alloc`: the allocator of the 2021 report, unmaintained (RUSTSEC-2022-0054) and leaky
//!   (rustwasm/wee_alloc#106), kept only for the historical comparison; it takes pages with
//!   `memory.grow` on wasm32 and with `mmap` natively;
//! - `talc`: a maintained small allocator; `memory.grow` on wasm (extending its heap when the new
//!   pages follow it, so a shared memory the other guest also grows stays sound), natively heaps of
//!   1 MiB taken from the system allocator.

#[cfg(all(feature = "wee_alloc", feature = "talc"))]
compile_error!("choose one allocator: the features `wee_alloc` and `talc` exclude each other");

#[cfg(all(feature = "wee_alloc", not(feature = "talc")))]
#[global_allocator]
static ALLOCATOR: wee_alloc::WeeAlloc = wee_alloc::WeeAlloc::INIT;

#[cfg(all(feature = "talc", not(feature = "wee_alloc"), target_family = "wasm"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(all(feature = "talc", not(feature = "wee_alloc"), not(target_family = "wasm")))]
#[global_allocator]
static ALLOCATOR: talc::TalcLock<spinning_top::RawSpinlock, talc::source::GlobalAllocSource<std::alloc::System>> =
    talc::TalcLock::new(talc::source::GlobalAllocSource::new(std::alloc::System));

/// The allocator this build uses, by its `allocator` axis name.
pub const NAME: &str = if cfg!(feature = "wee_alloc") {
    "wee_alloc"
} else if cfg!(feature = "talc") {
    "talc"
} else {
    "default"
};
