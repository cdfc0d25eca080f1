//! The consumer: decodes (or accesses in place) one record, does the work of
//! `wasmatrix_proto::work` on it, and encodes a small reply. Plain Rust, generic over the codec;
//! the wasm exports are in [`exports`] (wasm32 only).

use core::marker::PhantomData;
use wasmatrix_proto::work::{self, Scratch};
use wasmatrix_proto::{Codec, DecodeError};

pub struct Consumer<C> {
    scratch: Scratch,
    reply: Vec<u8>,
    codec: PhantomData<C>,
}

impl<C: Codec> Default for Consumer<C> {
    fn default() -> Self {
        Consumer {
            scratch: Scratch::default(),
            reply: Vec::new(),
            codec: PhantomData,
        }
    }
}

impl<C: Codec> Consumer<C> {
    /// Answers one encoded request; the reply bytes stay valid until the next call.
    pub fn consume(&mut self, request: &[u8]) -> Result<&[u8], DecodeError> {
        let view = C::decode(request)?;
        let reply = work::process(&view, request.len() as u32, &mut self.scratch);
        C::encode_reply(&reply, &mut self.reply);
        Ok(&self.reply)
    }
}

/// The cheapest possible call: the floor every round trip is compared with.
#[inline(never)]
pub fn ping(x: u32) -> u32 {
    x.wrapping_add(1)
}

/// The wasm ABI: what the host calls (see the producer's `exports` for the conventions).
#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)] // `no_mangle` exports and the one read of host-provided bytes
pub mod exports {
    use super::Consumer;
    use std::cell::RefCell;
    use wasmatrix_proto::abi;

    include!(concat!(env!("OUT_DIR"), "/selected_codec.rs"));

    thread_local! {
        static CONSUMER: RefCell<Consumer<Selected>> = RefCell::new(Consumer::default());
    }

    /// Where the host may write a request of `len` bytes (`copy` transport).
    #[no_mangle]
    pub extern "C" fn request_buffer(len: u32) -> u32 {
        abi::inbox(len)
    }

    /// Answers the request at `ptr..ptr+len`; returns the packed reply, or 0 if the request is
    /// malformed (see `error_message`).
    #[no_mangle]
    pub extern "C" fn consume(ptr: u32, len: u32) -> u64 {
        // SAFETY: the host passes a range it wrote (copy) or the producer's request (shared), and
        // leaves it alone until this call returns.
        let request = unsafe { abi::bytes(ptr, len) };
        CONSUMER.with_borrow_mut(|c| match c.consume(request) {
            Ok(reply) => abi::pack(reply),
            Err(e) => abi::fail(e),
        })
    }

    #[no_mangle]
    pub extern "C" fn ping(x: u32) -> u32 {
        super::ping(x)
    }

    #[no_mangle]
    pub extern "C" fn error_message() -> u64 {
        abi::error_message()
    }
}
