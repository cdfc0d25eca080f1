//! The consumer: decodes (or accesses in place) one record, does the work of
//! `wasmatrix_proto::work` on it, and encodes a small reply; with a log sink, it writes one log
//! line per message. Plain Rust, generic over the codec and the sink; the wasm exports are in
//! [`exports`] (wasm32 only; with the feature `component`, the component's are in `component`
//! instead).

pub mod log;

use core::hint::black_box;
use log::{LogSink, NoLog};
use wasmatrix_proto::record::typed_bytes;
use wasmatrix_proto::work::{self, Scratch};
use wasmatrix_proto::{Codec, DecodeError, LogView, Reply};

pub struct Consumer<C, S = NoLog> {
    codec: C,
    scratch: Scratch,
    sink: S,
    /// The log line being written, reused.
    line: String,
}

/// `C: Default` only: the typed record's consumer (codec `wit`) is a `Consumer<()>`, no byte codec.
impl<C: Default, S: LogSink + Default> Default for Consumer<C, S> {
    fn default() -> Self {
        Consumer { codec: C::default(), scratch: Scratch::default(), sink: S::default(), line: String::new() }
    }
}

impl<C: Codec, S: LogSink> Consumer<C, S> {
    /// Answers one encoded request; the reply bytes stay valid until the next call.
    pub fn consume(&mut self, request: &[u8]) -> Result<&[u8], DecodeError> {
        let len = request.len() as u32;
        let scratch = &mut self.scratch;
        let reply = self.codec.decode(request, |view| work::process(view, len, scratch))?;
        if S::ON {
            log::write_line(&mut self.sink, &mut self.line, &reply);
        }
        Ok(self.codec.encode_reply(&reply))
    }

    /// The log sink, for the bytes it took.
    pub fn sink(&self) -> &S {
        &self.sink
    }

    /// The decode benchmark: decodes (or validates and accesses) `request` `n` times, reading
    /// one field each time so that the view is used. Owned formats build the whole record;
    /// zero-copy formats only check it: each format's cheapest honest way to a readable record.
    pub fn decode_repeatedly(&mut self, request: &[u8], n: u32) -> Result<(), DecodeError> {
        for _ in 0..n {
            black_box(self.codec.decode(black_box(request), |view| view.timestamp())?);
        }
        Ok(())
    }
}

impl<C, S: LogSink> Consumer<C, S> {
    /// Answers one request that arrived as the typed record itself (codec `wit`, components
    /// only), whose size is [`typed_bytes`]: the same work and log line as [`Consumer::consume`].
    pub fn consume_log(&mut self, log: &impl LogView) -> Reply {
        let reply = work::process(log, typed_bytes(log), &mut self.scratch);
        if S::ON {
            log::write_line(&mut self.sink, &mut self.line, &reply);
        }
        reply
    }
}

/// The cheapest possible call: the floor every round trip is compared with.
#[inline(never)]
pub fn ping(x: u32) -> u32 {
    x.wrapping_add(1)
}

/// The wasm ABI: what the host calls (see the producer's `exports` for the conventions).
#[cfg(all(target_arch = "wasm32", not(feature = "component"), not(feature = "bindgen")))]
#[allow(unsafe_code)] // `no_mangle` exports and the one read of host-provided bytes
pub mod exports {
    use super::Consumer;
    use std::cell::RefCell;
    use wasmatrix_proto::abi;

    include!(concat!(env!("OUT_DIR"), "/selected_codec.rs"));

    /// The build's log sink: none, or (feature `logging`) the environment's way out.
    #[cfg(not(feature = "logging"))]
    type Sink = crate::log::NoLog;
    #[cfg(feature = "logging")]
    type Sink = crate::log::wasm::EnvironmentLog;

    thread_local! {
        static CONSUMER: RefCell<Consumer<Selected, Sink>> = RefCell::new(Consumer::default());
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

    /// Decodes the request at `ptr..ptr+len` `n` times (the decode benchmark): 0 if it decoded,
    /// 1 if not (see `error_message`).
    #[no_mangle]
    pub extern "C" fn bench_decode(ptr: u32, len: u32, n: u32) -> u32 {
        // SAFETY: as for `consume`.
        let request = unsafe { abi::bytes(ptr, len) };
        match CONSUMER.with_borrow_mut(|c| c.decode_repeatedly(request, n)) {
            Ok(()) => 0,
            Err(e) => {
                abi::fail(e);
                1
            }
        }
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

/// The exports for wasm-bindgen's glue (feature `bindgen`).
#[cfg(all(target_arch = "wasm32", feature = "bindgen"))]
pub mod bindgen;

/// The component's exports (feature `component`): the world `consumer` of guests/wit.
#[cfg(all(target_arch = "wasm32", feature = "component"))]
pub mod component;

#[cfg(test)]
mod tests {
    use super::*;
    use wasmatrix_proto::codec::Raw;
    use wasmatrix_proto::Log;

    /// The typed record (codec `wit`) gets the same digest as its bytes, and its typed size.
    #[test]
    fn consume_log_is_consume_without_the_bytes() {
        let (mut typed, mut bytes) = (Consumer::<()>::default(), Consumer::<Raw>::default());
        let mut raw = Raw::default();
        for i in 0..20 {
            let log = Log::nth(i);
            let reply = typed.consume_log(&log);
            let encoded = bytes.consume(raw.encode(&log)).unwrap().to_vec();
            let other = raw.decode_reply(&encoded).unwrap();
            assert_eq!((reply.timestamp, reply.digest), (other.timestamp, other.digest));
            assert_eq!(reply.request_bytes, typed_bytes(&log));
        }
    }
}
