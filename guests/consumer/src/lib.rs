//! The consumer: decodes (or accesses in place) a message of one record or more (`records`, one by
//! default), does the work of `wasmatrix_proto::work` on each, and encodes a small reply for the
//! message (`wasmatrix_proto::message`); with a log sink, it writes one log line per message. Plain Rust, generic over the codec and the sink; the wasm exports are in
//! [`exports`] (wasm32 only; with the feature `component`, the component's are in `component`
//! instead, or with `component` and `relay` a relay component's in `relay_component`).

pub mod log;
pub mod relay;

use core::hint::black_box;
use log::{LogSink, NoLog};
use wasmatrix_proto::record::typed_bytes;
use wasmatrix_proto::work::{self, Scratch};
use wasmatrix_proto::{decode_message, process_message, Codec, DecodeError, LogView, Reply};

pub struct Consumer<C, S = NoLog> {
    /// How many records a message carries (`k` of issue 31's payload-size axis): at least 1.
    records: u32,
    codec: C,
    scratch: Scratch,
    sink: S,
    /// The log line being written, reused.
    line: String,
}

/// `C: Default` only: the typed record's consumer (codec `wit`) is a `Consumer<()>`, no byte codec.
impl<C: Default, S: LogSink + Default> Default for Consumer<C, S> {
    fn default() -> Self {
        Consumer::with_records(1)
    }
}

impl<C: Default, S: LogSink + Default> Consumer<C, S> {
    /// A consumer of messages carrying `records` records each; it refuses a message holding
    /// another number.
    ///
    /// # Panics
    ///
    /// If `records` is 0: a message carries at least one record (the runner refuses 0).
    pub fn with_records(records: u32) -> Self {
        assert!(records > 0, "a message carries at least one record");
        Consumer { records, codec: C::default(), scratch: Scratch::default(), sink: S::default(), line: String::new() }
    }
}

impl<C: Codec, S: LogSink> Consumer<C, S> {
    /// Answers one encoded request, a message of `records` records ([`process_message`]); the
    /// reply bytes stay valid until the next call.
    pub fn consume(&mut self, request: &[u8]) -> Result<&[u8], DecodeError> {
        let reply = process_message(&mut self.codec, self.records, request, &mut self.scratch)?;
        if S::ON {
            log::write_line(&mut self.sink, &mut self.line, &reply);
        }
        Ok(self.codec.encode_reply(&reply))
    }

    /// The log sink, for the bytes it took.
    pub fn sink(&self) -> &S {
        &self.sink
    }

    /// The decode benchmark: decodes (or validates and accesses) `request`, a message of
    /// `records` records, `n` times, reading one field of every record so that each view is used.
    /// Owned formats build every record; zero-copy formats check the message and reach every
    /// record: each format's cheapest honest way to records that can be read. One field of every
    /// record rather than of the first only, as a format that reads in place would otherwise be
    /// timed reaching one record of many while the others build them all.
    pub fn decode_repeatedly(&mut self, request: &[u8], n: u32) -> Result<(), DecodeError> {
        for _ in 0..n {
            decode_message(&mut self.codec, self.records, black_box(request), |view| {
                black_box(view.timestamp());
            })?;
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

/// `bytes`, or a copy of them in `buf` if they do not start at the alignment codec `C` reads at
/// ([`Codec::INPUT_ALIGN`]: rkyv 16, Cap'n Proto 8, the others 1). The canonical ABI allocates a
/// `list<u8>` with `cabi_realloc` asking for alignment 1, while the core module's `copy` transport
/// hands the consumer a 16-byte aligned inbox; this copy is the component ABI's price for the
/// formats that read in place as native values, paid only when the allocation misses. The
/// consumer and relay components read every request through it.
pub fn aligned_for<'a, C: Codec>(bytes: &'a [u8], buf: &'a mut wasmatrix_proto::AlignedBuf) -> &'a [u8] {
    if (bytes.as_ptr() as usize).is_multiple_of(C::INPUT_ALIGN) {
        return bytes;
    }
    buf.clear();
    buf.extend_from_slice(bytes);
    buf.as_slice()
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
        static CONSUMER: RefCell<Consumer<Selected, Sink>> = RefCell::new(Consumer::with_records(RECORDS));
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
#[cfg(all(target_arch = "wasm32", feature = "component", not(feature = "relay")))]
pub mod component;

/// A relay of a chain of components (features `component` and `relay`): the world `relay` of
/// guests/wit, in place of the consumer's.
#[cfg(all(target_arch = "wasm32", feature = "component", feature = "relay"))]
pub mod relay_component;

#[cfg(test)]
mod tests {
    use super::*;
    use log::BufferLog;
    use wasmatrix_proto::codec::Raw;
    use wasmatrix_proto::message::expected_reply;
    use wasmatrix_proto::{encode_message, hash, AlignedBuf, CodecId, CodecVisitor, Log};

    /// Message `i` of `k` records as the producer makes it: records `i * k ..`, through
    /// [`encode_message`], where the consumer receives it (aligned, as the guests' inbox is).
    fn message<C: Codec>(codec: &mut C, k: u32, i: u32) -> (Vec<Log>, AlignedBuf) {
        let logs: Vec<Log> = (0..k).map(|j| Log::nth(i * k + j)).collect();
        let mut inbox = AlignedBuf::new();
        inbox.extend_from_slice(encode_message(codec, &logs));
        (logs, inbox)
    }

    /// Messages `0..messages` of `k` records through a consumer of codec `C`; returns the
    /// checksum of its replies, each checked against the records' own reply.
    struct Consumes {
        k: u32,
        messages: u32,
    }
    impl CodecVisitor for Consumes {
        type Output = u64;
        fn visit<C: Codec>(self) -> u64 {
            let (name, k) = (core::any::type_name::<C>(), self.k);
            let (mut consumer, mut producer) = (Consumer::<C, BufferLog>::with_records(k), C::default());
            let mut scratch = Scratch::default();
            let mut checksum = 0;
            for i in 0..self.messages {
                let (logs, request) = message(&mut producer, k, i);
                let reply = consumer.consume(&request).unwrap_or_else(|e| panic!("{name}, k = {k}: {e}")).to_vec();
                let reply = producer.decode_reply(&reply).unwrap();
                assert_eq!(Some(reply), expected_reply(&logs, request.len() as u32, &mut scratch), "{name}, k = {k}");
                checksum = hash::fold(checksum, reply.digest);
                consumer.decode_repeatedly(&request, 2).unwrap();
            }
            let lines = consumer.sink().buffer.iter().filter(|&&b| b == b'\n').count();
            assert_eq!(lines, self.messages as usize, "{name}: one log line a message");
            checksum
        }
    }

    /// Every codec answers messages of every `k` with the records' own replies, to one checksum.
    #[test]
    fn every_codec_consumes_batches_to_one_checksum() {
        for (k, messages) in [(1, 30), (2, 20), (16, 8), (256, 3), (4096, 2)] {
            let checksums: Vec<(CodecId, u64)> =
                CodecId::ALL.iter().map(|&id| (id, id.visit(Consumes { k, messages }))).collect();
            assert!(checksums.iter().all(|&(_, c)| c == checksums[0].1), "k = {k}: {checksums:x?}");
        }
    }

    /// One record a message is today's message and reply: the codec's encoding of the record,
    /// answered with the record's own reply.
    #[test]
    fn one_record_a_message_is_answered_as_before() {
        let (mut consumer, mut raw) = (Consumer::<Raw>::default(), Raw::default());
        for i in 0..20 {
            let log = Log::nth(i);
            let request = raw.encode(&log).to_vec();
            let reply = consumer.consume(&request).unwrap().to_vec();
            let today = work::process(&log, request.len() as u32, &mut Scratch::default());
            assert_eq!(raw.decode_reply(&reply), Ok(today));
        }
    }

    /// A message of another number of records than the consumer's is refused, by `consume` and
    /// by the decode benchmark alike.
    #[test]
    fn a_message_of_another_count_is_refused() {
        let mut raw = Raw::default();
        let mut consumer = Consumer::<Raw>::with_records(16);
        for k in [1, 15, 17] {
            let (_, request) = message(&mut raw, k, 0);
            let refused = consumer.consume(&request).unwrap_err();
            assert!(
                k == 1 || refused.0.contains(&format!("a batch of {k} records where 16 were expected")),
                "{refused}"
            );
            assert!(consumer.decode_repeatedly(&request, 1).is_err());
        }
        let (_, request) = message(&mut raw, 16, 0);
        assert!(Consumer::<Raw>::default().consume(&request).is_err(), "a batch read as one record");
        assert!(consumer.consume(&request).is_ok());
    }

    #[test]
    #[should_panic(expected = "at least one record")]
    fn no_records_a_message_is_refused() {
        Consumer::<Raw>::with_records(0);
    }

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
