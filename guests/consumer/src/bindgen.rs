//! The consumer's exports for wasm-bindgen's JavaScript glue (transport `bindgen`; see the
//! producer's). No log sink: the glue provides the only imports, so `logging = on` is not built
//! this way (Cell::unsupported says so).

use super::Consumer;
use std::cell::RefCell;
use wasm_bindgen::prelude::wasm_bindgen;
use wasmatrix_proto::abi;

include!(concat!(env!("OUT_DIR"), "/selected_codec.rs"));

thread_local! {
    static CONSUMER: RefCell<Consumer<Selected, crate::log::NoLog>> = RefCell::new(Consumer::with_records(RECORDS));
}

/// The reply to `request`, encoded; `undefined` if the request is malformed (see `error_message`).
#[wasm_bindgen]
pub fn consume(request: &[u8]) -> Option<Vec<u8>> {
    CONSUMER.with_borrow_mut(|c| match c.consume(request) {
        Ok(reply) => Some(reply.to_vec()),
        Err(e) => {
            abi::fail(e);
            None
        }
    })
}

/// Decodes `request` `n` times (the decode benchmark): 0 if it decoded, 1 if not (see `error_message`).
#[wasm_bindgen]
pub fn bench_decode(request: &[u8], n: u32) -> u32 {
    match CONSUMER.with_borrow_mut(|c| c.decode_repeatedly(request, n)) {
        Ok(()) => 0,
        Err(e) => {
            abi::fail(e);
            1
        }
    }
}

/// The call floor's callee.
#[wasm_bindgen]
pub fn ping(x: u32) -> u32 {
    super::ping(x)
}

/// Why the last call failed.
#[wasm_bindgen]
pub fn error_message() -> String {
    abi::last_error()
}
