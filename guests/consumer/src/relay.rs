//! A relay, the middle of a chain of modules (the `modules` axis): it reads each message through
//! the codec (in place where the codec reads in place, as the consumer does), folds a digest of
//! every record's timestamp and request line into its own counter, and forwards the message's bytes
//! unchanged. The consumer therefore answers the same bytes whatever the chain's length, and the
//! run's checksum does not depend on it; the relay's digest (its `relay_digest` export) says that
//! it read every record, and every relay of a chain reads the same ones. Plain Rust over the
//! codec; the wasm exports (feature `relay`) are in [`exports`], or with the feature `component`
//! too the relay component's in `relay_component`.

use wasmatrix_proto::hash::{self, Fnv};
use wasmatrix_proto::{decode_message, Codec, DecodeError, LogView};

pub struct Relay<C> {
    /// How many records a message carries: at least 1.
    records: u32,
    codec: C,
    /// Every record read so far, folded in order.
    digest: u64,
}

impl<C: Default> Relay<C> {
    /// A relay of messages carrying `records` records each.
    ///
    /// # Panics
    ///
    /// If `records` is 0 (the runner refuses 0).
    pub fn with_records(records: u32) -> Self {
        assert!(records > 0, "a message carries at least one record");
        Relay { records, codec: C::default(), digest: 0 }
    }
}

impl<C: Codec> Relay<C> {
    /// Reads `request`, a message of `records` records, folding each record into the digest; the
    /// bytes to forward are `request` itself.
    pub fn relay(&mut self, request: &[u8]) -> Result<(), DecodeError> {
        let mut digest = self.digest;
        decode_message(&mut self.codec, self.records, request, |view| {
            digest = fold_record(digest, view.timestamp(), view.http_request_uri());
        })?;
        self.digest = digest;
        Ok(())
    }
}

impl<C> Relay<C> {
    /// Folds one record that arrived as the typed record itself (codec `wit`, components only)
    /// into the digest, as [`Relay::relay`] folds each record it reads from bytes.
    pub fn relay_record(&mut self, timestamp: i64, request_uri: &str) {
        self.digest = fold_record(self.digest, timestamp, request_uri);
    }

    /// The fold of every record read so far.
    pub fn digest(&self) -> u64 {
        self.digest
    }
}

/// `digest` with one more record folded in: its timestamp and request URI. The one fold of the
/// byte and typed paths, so that a relay's digest is the same for the same records whatever
/// carried them.
fn fold_record(digest: u64, timestamp: i64, request_uri: &str) -> u64 {
    let mut record = Fnv::default();
    record.u64(timestamp as u64);
    record.str(request_uri);
    hash::fold(digest, record.finish())
}

/// The wasm ABI of a relay (feature `relay`; see the producer's `exports` for the conventions):
/// besides the consumer's exports, `relay(ptr, len)`, which reads the message there and returns
/// the packed range to forward (the same bytes, 0 if it could not read them: see
/// `error_message`), and `relay_digest()`. (With the feature `component` too, the relay is a
/// component instead: `relay_component`.)
#[cfg(all(target_arch = "wasm32", feature = "relay", not(feature = "component")))]
#[allow(unsafe_code)] // `no_mangle` exports and the one read of host-provided bytes
pub mod exports {
    use super::Relay;
    use std::cell::RefCell;
    use wasmatrix_proto::abi;

    include!(concat!(env!("OUT_DIR"), "/selected_codec.rs"));

    thread_local! {
        static RELAY: RefCell<Relay<Selected>> = RefCell::new(Relay::with_records(RECORDS));
    }

    #[no_mangle]
    pub extern "C" fn relay(ptr: u32, len: u32) -> u64 {
        // SAFETY: the host passes a range it wrote (copy) or the sender's message (shared), and
        // leaves it alone until this call returns.
        let request = unsafe { abi::bytes(ptr, len) };
        RELAY.with_borrow_mut(|r| match r.relay(request) {
            Ok(()) => abi::pack(request),
            Err(e) => abi::fail(e),
        })
    }

    #[no_mangle]
    pub extern "C" fn relay_digest() -> u64 {
        RELAY.with_borrow(|r| r.digest())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmatrix_proto::codec::Raw;
    use wasmatrix_proto::{encode_message, CodecId, CodecVisitor, Log};

    /// Every codec's relay reads the same records to the same digest, and refuses a message of
    /// another count.
    struct Reads(u32);
    impl CodecVisitor for Reads {
        type Output = u64;
        fn visit<C: Codec>(self) -> u64 {
            let k = self.0;
            let (mut relay, mut codec) = (Relay::<C>::with_records(k), C::default());
            for i in 0..3 {
                let logs: Vec<Log> = (0..k).map(|j| Log::nth(i * k + j)).collect();
                let mut inbox = wasmatrix_proto::AlignedBuf::new();
                inbox.extend_from_slice(encode_message(&mut codec, &logs));
                relay.relay(&inbox).unwrap();
            }
            assert!(Relay::<C>::with_records(k + 1).relay(&[1, 2, 3]).is_err());
            relay.digest()
        }
    }

    /// The typed record (codec `wit`) folds into the digest its bytes fold into.
    #[test]
    fn a_typed_record_folds_as_its_bytes() {
        let (mut bytes, mut typed, mut raw) =
            (Relay::<Raw>::with_records(1), Relay::<()>::with_records(1), Raw::default());
        for i in 0..5 {
            let log = Log::nth(i);
            let mut inbox = wasmatrix_proto::AlignedBuf::new();
            inbox.extend_from_slice(raw.encode(&log));
            bytes.relay(&inbox).unwrap();
            typed.relay_record(log.timestamp, &log.http.request_uri);
        }
        assert_eq!(bytes.digest(), typed.digest());
        assert_ne!(typed.digest(), 0);
    }

    #[test]
    fn every_codec_relays_to_one_digest() {
        for k in [1, 16] {
            let digests: Vec<u64> = CodecId::ALL.iter().map(|&id| id.visit(Reads(k))).collect();
            assert!(digests.iter().all(|&d| d == digests[0] && d != 0), "k = {k}: {digests:x?}");
        }
    }
}
