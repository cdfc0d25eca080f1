//! The producer: makes message `i` (its `records` records, one by default), encodes it, and
//! checks the consumer's reply, folding every reply's digest into the run's checksum. Plain Rust, generic over the codec; the wasm exports
//! are in [`exports`] (wasm32 only; with the feature `component`, the component's are in
//! `component` instead), and the runner links this natively for the native baseline.

use core::fmt;
use core::hint::black_box;
use wasmatrix_proto::record::typed_bytes;
use wasmatrix_proto::{encode_message, hash, Codec, DecodeError, Log, Reply};

pub struct Producer<C> {
    /// How many records a message carries (`k` of issue 31's payload-size axis): at least 1.
    records: u32,
    /// The records of the message being made, `records` of them, reused from message to message.
    logs: Vec<Log>,
    codec: C,
    /// (timestamp of its first record, length) of the request in flight, which the reply must echo.
    in_flight: Option<(i64, u32)>,
    checksum: u64,
}

/// Why a reply was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum ReplyError {
    NothingSent,
    Decode(DecodeError),
    WrongTimestamp { sent: i64, echoed: i64 },
    WrongLength { sent: u32, seen: u32 },
}

impl fmt::Display for ReplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplyError::NothingSent => write!(f, "reply without a request"),
            ReplyError::Decode(e) => write!(f, "reply does not decode: {e}"),
            ReplyError::WrongTimestamp { sent, echoed } => {
                write!(f, "reply answers timestamp {echoed}, request had {sent}")
            }
            ReplyError::WrongLength { sent, seen } => {
                write!(f, "consumer saw {seen} request bytes, {sent} were sent")
            }
        }
    }
}

/// `C: Default` only: the typed record's producer (codec `wit`) is a `Producer<()>`, no byte codec.
impl<C: Default> Default for Producer<C> {
    fn default() -> Self {
        Producer::with_records(1)
    }
}

impl<C: Default> Producer<C> {
    /// A producer whose messages carry `records` records each.
    ///
    /// # Panics
    ///
    /// If `records` is 0: a message carries at least one record (the runner refuses 0).
    pub fn with_records(records: u32) -> Self {
        assert!(records > 0, "a message carries at least one record");
        let logs = (0..records).map(|_| Log::default()).collect();
        Producer { records, logs, codec: C::default(), in_flight: None, checksum: 0 }
    }
}

impl<C> Producer<C> {
    /// Fills the records of message `i`: record `j` is record `i * records + j` of the run, so
    /// with one record a message, message `i` is record `i`, as before batches.
    fn fill(&mut self, i: u32) {
        let first = i.wrapping_mul(self.records);
        for (j, log) in (0..).zip(&mut self.logs) {
            log.fill(first.wrapping_add(j));
        }
    }
}

impl<C: Codec> Producer<C> {
    /// Makes and encodes message `i` ([`encode_message`]); the bytes stay valid until the next
    /// call.
    pub fn produce(&mut self, i: u32) -> &[u8] {
        self.fill(i);
        let request = encode_message(&mut self.codec, &self.logs);
        self.in_flight = Some((self.logs[0].timestamp, request.len() as u32));
        request
    }

    /// The encode benchmark: makes message `i`, then encodes it `n` times; returns its length.
    pub fn encode_repeatedly(&mut self, i: u32, n: u32) -> u32 {
        self.fill(i);
        let mut len = 0;
        for _ in 0..n {
            len = black_box(encode_message(&mut self.codec, black_box(&self.logs))).len() as u32;
        }
        len
    }

    /// Checks the reply to the request in flight and folds its digest into the checksum.
    pub fn check_reply(&mut self, bytes: &[u8]) -> Result<(), ReplyError> {
        let in_flight = self.in_flight.take().ok_or(ReplyError::NothingSent)?;
        let reply = self.codec.decode_reply(bytes).map_err(ReplyError::Decode)?;
        self.accept(in_flight, reply)
    }

    /// One whole round trip driven from inside the producer (the `import` call pattern): makes
    /// and encodes message `i`, hands it to `deliver` (the consumer, reached through the host),
    /// and checks the reply `deliver` returns. `Err(None)`: the consumer refused the request
    /// (`deliver` returned no reply; the consumer knows why); `Err(Some(e))`: the reply was refused.
    /// The reply is borrowed (`&[u8]`: the core module's shared memory) or owned (`Vec<u8>`: a
    /// component's import hands it over).
    pub fn round_trip<R: AsRef<[u8]>>(
        &mut self,
        i: u32,
        deliver: impl FnOnce(&[u8]) -> Option<R>,
    ) -> Result<(), Option<ReplyError>> {
        let Some(reply) = deliver(self.produce(i)) else {
            self.in_flight = None;
            return Err(None);
        };
        self.check_reply(reply.as_ref()).map_err(Some)
    }
}

/// What needs no byte codec: the typed record (codec `wit`, components only), the checks every
/// reply goes through, the checksum.
impl<C> Producer<C> {
    /// Makes record `i` as the typed record (codec `wit`), whose size is
    /// [`typed_bytes`]; it stays valid until the next call. The typed record crosses as itself,
    /// one a call: a message of one record only.
    ///
    /// # Panics
    ///
    /// If this producer's messages carry more than one record.
    pub fn produce_log(&mut self, i: u32) -> &Log {
        assert_eq!(self.records, 1, "the typed record (codec wit) is a message of one record");
        let log = &mut self.logs[0];
        log.fill(i);
        self.in_flight = Some((log.timestamp, typed_bytes(log)));
        log
    }

    /// Checks the typed reply (codec `wit`) to the record in flight and folds its digest into the
    /// checksum.
    pub fn check_reply_log(&mut self, reply: Reply) -> Result<(), ReplyError> {
        let in_flight = self.in_flight.take().ok_or(ReplyError::NothingSent)?;
        self.accept(in_flight, reply)
    }

    /// [`Producer::round_trip`] for the typed record (codec `wit`): record `i` goes to `deliver`
    /// as itself, which returns the consumer's reply (`None`: the consumer refused it).
    pub fn round_trip_log(
        &mut self,
        i: u32,
        deliver: impl FnOnce(&Log) -> Option<Reply>,
    ) -> Result<(), Option<ReplyError>> {
        let Some(reply) = deliver(self.produce_log(i)) else {
            self.in_flight = None;
            return Err(None);
        };
        self.check_reply_log(reply).map_err(Some)
    }

    /// Checks `reply` against the request it answers, `(timestamp, size)`, and folds its digest.
    fn accept(&mut self, (sent_ts, sent_len): (i64, u32), reply: Reply) -> Result<(), ReplyError> {
        if reply.timestamp != sent_ts {
            return Err(ReplyError::WrongTimestamp { sent: sent_ts, echoed: reply.timestamp });
        }
        if reply.request_bytes != sent_len {
            return Err(ReplyError::WrongLength { sent: sent_len, seen: reply.request_bytes });
        }
        self.checksum = hash::fold(self.checksum, reply.digest);
        Ok(())
    }

    /// The fold of every checked reply's digest so far.
    pub fn checksum(&self) -> u64 {
        self.checksum
    }
}

/// The wasm ABI: what the host calls. Byte ranges cross as packed `u64`s (see
/// `wasmatrix_proto::abi`); a 0 result or non-zero status means failure, with the reason
/// available from `error_message`.
#[cfg(all(target_arch = "wasm32", not(feature = "component"), not(feature = "bindgen")))]
#[allow(unsafe_code)] // `no_mangle` exports and the one read of host-provided bytes
pub mod exports {
    use super::Producer;
    use std::cell::RefCell;
    use wasmatrix_proto::abi;

    include!(concat!(env!("OUT_DIR"), "/selected_codec.rs"));

    thread_local! {
        static PRODUCER: RefCell<Producer<Selected>> = RefCell::new(Producer::with_records(RECORDS));
    }

    /// Encodes record `i`; returns its packed byte range.
    #[no_mangle]
    pub extern "C" fn produce(i: u32) -> u64 {
        PRODUCER.with_borrow_mut(|p| abi::pack(p.produce(i)))
    }

    /// Where the host may write a reply of `len` bytes (`copy` transport).
    #[no_mangle]
    pub extern "C" fn reply_buffer(len: u32) -> u32 {
        abi::inbox(len)
    }

    /// Checks the reply at `ptr..ptr+len`: 0 if accepted, 1 if refused (see `error_message`).
    #[no_mangle]
    pub extern "C" fn check_reply(ptr: u32, len: u32) -> u32 {
        // SAFETY: the host passes a range it wrote (copy) or the consumer's reply (shared), and
        // leaves it alone until this call returns.
        let reply = unsafe { abi::bytes(ptr, len) };
        match PRODUCER.with_borrow_mut(|p| p.check_reply(reply)) {
            Ok(()) => 0,
            Err(e) => {
                abi::fail(e);
                1
            }
        }
    }

    /// Encodes record `i` `n` times (the encode benchmark); returns its length.
    #[no_mangle]
    pub extern "C" fn bench_encode(i: u32, n: u32) -> u32 {
        PRODUCER.with_borrow_mut(|p| p.encode_repeatedly(i, n))
    }

    /// One round trip driven by the producer (`call = import`, feature `call-import`): record
    /// `i` goes to the host's `env.deliver(ptr, len)`, which hands it to the consumer and returns
    /// the packed reply where this guest can read it (0 if the consumer refused it). Returns 0 if
    /// the reply was accepted, 1 if the consumer refused the request (the consumer's
    /// `error_message` says why), 2 if this guest refused the reply (see `error_message`).
    #[cfg(feature = "call-import")]
    #[no_mangle]
    pub extern "C" fn round_trip(i: u32) -> u32 {
        #[link(wasm_import_module = "env")]
        extern "C" {
            fn deliver(ptr: u32, len: u32) -> u64;
        }
        let outcome = PRODUCER.with_borrow_mut(|p| {
            p.round_trip(i, |request| {
                // SAFETY: the host reads `request` during the call and returns the range of the
                // reply it wrote (copy) or the consumer's (shared), which nothing touches until this
                // guest's next call into the host.
                let reply = unsafe { deliver(request.as_ptr() as usize as u32, request.len() as u32) };
                (reply != 0).then(|| unsafe { abi::bytes((reply >> 32) as u32, reply as u32) })
            })
        });
        match outcome {
            Ok(()) => 0,
            Err(None) => 1,
            Err(Some(e)) => {
                abi::fail(e);
                2
            }
        }
    }

    #[no_mangle]
    pub extern "C" fn checksum() -> u64 {
        PRODUCER.with_borrow(|p| p.checksum())
    }

    #[no_mangle]
    pub extern "C" fn error_message() -> u64 {
        abi::error_message()
    }
}

/// The exports for wasm-bindgen's glue (feature `bindgen`).
#[cfg(all(target_arch = "wasm32", feature = "bindgen"))]
pub mod bindgen;

/// The component's exports (feature `component`): the world `producer` of guests/wit.
#[cfg(all(target_arch = "wasm32", feature = "component"))]
pub mod component;

#[cfg(test)]
mod tests;
