//! The guest side of the wasm ABI edge, shared by both guests. This is one of the two places
//! in wasmatrix with `unsafe` code: turning a (pointer, length) pair the host handed over into a
//! slice. Byte ranges cross the host as one `u64`: pointer in the high half, length in the low.
#![allow(unsafe_code)]

use crate::AlignedBuf;
use std::cell::RefCell;

/// Packs a byte range of this guest's memory for the host; 0 means "failed" (no valid reply is
/// empty), and the reason is then available from [`error_message`].
pub fn pack(bytes: &[u8]) -> u64 {
    ((bytes.as_ptr() as usize as u64) << 32) | bytes.len() as u64
}

/// The bytes at `ptr..ptr + len` of linear memory.
///
/// # Safety
/// The host guarantees (see the runner's transports) that the range lies inside memory and was
/// written by the host or by the other guest before this call, and that nothing writes to it while
/// the returned slice is alive: each call reads its input and returns before the host moves on.
pub unsafe fn bytes<'a>(ptr: u32, len: u32) -> &'a [u8] {
    if len == 0 {
        return &[];
    }
    // SAFETY: see the function's contract above.
    unsafe { core::slice::from_raw_parts(ptr as usize as *const u8, len as usize) }
}

thread_local! {
    static INBOX: RefCell<AlignedBuf> = RefCell::new(AlignedBuf::new());
    static ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// A buffer of at least `len` bytes that the host may write a message into (the `copy`
/// transport); returns its address, 16-byte aligned. The buffer is reused, so the host calls this
/// again only for a larger message.
pub fn inbox(len: u32) -> u32 {
    INBOX.with_borrow_mut(|inbox| {
        if inbox.len() < len as usize {
            inbox.resize(len as usize, 0);
        }
        inbox.as_ptr() as usize as u32
    })
}

/// Records why the last call failed and returns the "failed" value for [`pack`]ed results.
pub fn fail(reason: impl core::fmt::Display) -> u64 {
    ERROR.with_borrow_mut(|e| {
        e.clear();
        use core::fmt::Write;
        let _ = write!(e, "{reason}");
    });
    0
}

/// The reason the last call failed, as a packed byte range.
pub fn error_message() -> u64 {
    ERROR.with_borrow(|e| pack(e.as_bytes()))
}

/// The reason the last call failed, as a string (for glue that carries strings: wasm-bindgen's).
pub fn last_error() -> String {
    ERROR.with_borrow(Clone::clone)
}
