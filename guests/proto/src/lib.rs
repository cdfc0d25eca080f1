//! What the two wasmatrix guests share: the message ([`Log`], the record of the "goser"
//! serialization benchmark), how it is encoded ([`codec`]), how record `i` is made
//! ([`record::Log::fill`]), how a message carries one record or a batch of them ([`message`]) and
//! the consumer's work on it ([`work`]).
//!
//! Everything here is plain Rust that builds for wasm32 and natively, so the same code runs
//! inside the guests, in unit tests, and as the native baseline.

#[cfg(target_arch = "wasm32")]
pub mod abi;
pub mod allocator;
pub mod codec;
pub mod guest_build;
pub mod hash;
pub mod message;
pub mod record;
pub mod reply;
pub mod schema;
pub mod work;

pub use codec::{Codec, CodecId, CodecVisitor, DecodeError};
pub use message::{decode_message, encode_message, process_message};
pub use record::{Log, LogView};
pub use reply::Reply;

/// A byte buffer whose start is 16-byte aligned: where a message is received, so that formats
/// that read in place (rkyv, Cap'n Proto) find it aligned.
pub type AlignedBuf = rkyv::util::AlignedVec<16>;
