//! The producer's exports for wasm-bindgen's JavaScript glue (transport `bindgen`): bytes cross as
//! the glue carries them, `Vec<u8>` out (the glue copies it into a new `Uint8Array` and frees it)
//! and `&[u8]` in (the glue allocates in this guest's memory and copies the array there), as an
//! app built with wasm-pack passes bytes. No `unsafe`: the glue owns the ABI.

use super::Producer;
use std::cell::RefCell;
use wasm_bindgen::prelude::wasm_bindgen;
use wasmatrix_proto::abi;

include!(concat!(env!("OUT_DIR"), "/selected_codec.rs"));

thread_local! {
    static PRODUCER: RefCell<Producer<Selected>> = RefCell::new(Producer::with_records(RECORDS));
}

/// Record `i`, encoded.
#[wasm_bindgen]
pub fn produce(i: u32) -> Vec<u8> {
    PRODUCER.with_borrow_mut(|p| p.produce(i).to_vec())
}

/// Checks the consumer's reply: 0 if accepted, 1 if refused (see `error_message`).
#[wasm_bindgen]
pub fn check_reply(reply: &[u8]) -> u32 {
    match PRODUCER.with_borrow_mut(|p| p.check_reply(reply)) {
        Ok(()) => 0,
        Err(e) => {
            abi::fail(e);
            1
        }
    }
}

/// Encodes record `i` `n` times (the encode benchmark); returns its length.
#[wasm_bindgen]
pub fn bench_encode(i: u32, n: u32) -> u32 {
    PRODUCER.with_borrow_mut(|p| p.encode_repeatedly(i, n))
}

/// The checksum over every reply accepted so far.
#[wasm_bindgen]
pub fn checksum() -> u64 {
    PRODUCER.with_borrow(|p| p.checksum())
}

/// Why the last call failed.
#[wasm_bindgen]
pub fn error_message() -> String {
    abi::last_error()
}
