//! The codec seam: how a [`Log`] request and a [`Reply`] become bytes and back.
//!
//! Adding a codec is one file in this folder implementing [`Codec`] (with its `mod` and `pub use`
//! lines below) and one line in the `codecs!` list below; the guests, the runner's `codec` axis and
//! the native baseline all pick it up from that list. A line may carry `#[cfg(...)]`, which then
//! applies to its variant everywhere: the test-only codec `probe` is there only with the feature
//! `test-codec` (runner/test_codec.sh proves the seam with it).

use crate::record::{Log, LogView};
use crate::reply::Reply;
use core::fmt;

mod bincode;
mod capnp;
mod flatbuffers;
mod json;
mod postcard;
#[cfg(feature = "test-codec")]
mod probe;
mod raw;
mod rkyv;
mod serde_format;
pub use self::bincode::BincodeFormat;
pub use self::capnp::Capnp;
pub use self::flatbuffers::Flatbuffers;
pub use self::json::JsonFormat;
pub use self::postcard::PostcardFormat;
#[cfg(feature = "test-codec")]
pub use self::probe::Probe;
pub use self::raw::Raw;
pub use self::rkyv::Rkyv;
pub use self::serde_format::{Serde, SerdeFormat};

pub type Bincode = Serde<BincodeFormat>;
pub type Postcard = Serde<PostcardFormat>;
pub type Json = Serde<JsonFormat>;

/// One wire format, used by both guests for the request and the reply. A codec value owns its
/// output buffer and whatever its format reuses between messages (builders, scratch space), as a
/// long-running service using the format would; an encoded message is handed out where the
/// format finished it, without a further copy.
pub trait Codec: Default + 'static {
    /// What the consumer reads: an owned record, or fields read in place for zero-copy formats.
    type View<'a>: LogView;

    /// The alignment [`Codec::decode`]'s input must start at: formats that read their message in
    /// place as native values need it (rkyv 16, Cap'n Proto 8); formats that read bytes at any
    /// address have 1. The guests' core-module inbox is 16-byte aligned for every codec; a
    /// consumer given bytes at an address of another's choosing (the component's `list<u8>`)
    /// copies them into an aligned buffer only when this is not met.
    const INPUT_ALIGN: usize = 1;

    /// Encodes `log`; the bytes stay valid until this codec encodes again.
    fn encode(&mut self, log: &Log) -> &[u8];
    /// Decodes (or, for zero-copy formats, validates and accesses) one request and lets `read`
    /// read it. The view lives only as long as `read` runs: some formats' readers borrow state
    /// made while decoding.
    fn decode<R>(&mut self, bytes: &[u8], read: impl FnOnce(&Self::View<'_>) -> R) -> Result<R, DecodeError>;
    /// Encodes `logs` as one message, in the format's own way of carrying many records (see each
    /// codec's file); the bytes stay valid until this codec encodes again. Meant for two or more
    /// records: a message of one is [`Codec::encode`]'s (see [`crate::message`]).
    fn encode_batch(&mut self, logs: &[Log]) -> &[u8];
    /// Validates a message [`Codec::encode_batch`] made and lets `read` read each of its records,
    /// in order, in place where [`Codec::decode`] reads one in place; returns how many there were.
    /// Formats that check their whole message before reading any of it do so first; the others
    /// (raw, the serde formats) check each record as they come to it, so `read` may have seen the
    /// records before a malformed one: on an error, whatever `read` made of them is to be dropped.
    /// The limits a format puts on what it traverses follow from `bytes.len()`, so a batch of any
    /// size the message can hold (the benchmark's go to some 20 MB) is read, and no more.
    fn decode_batch(&mut self, bytes: &[u8], read: impl FnMut(&Self::View<'_>)) -> Result<u32, DecodeError>;
    /// Encodes a reply; the bytes stay valid until this codec encodes again.
    fn encode_reply(&mut self, reply: &Reply) -> &[u8];
    fn decode_reply(&mut self, bytes: &[u8]) -> Result<Reply, DecodeError>;
}

/// How many records `logs` holds, as the formats that count a batch's records count them: a
/// message holds far fewer than `u32::MAX` (each record is some 300 bytes).
pub(crate) fn record_count(logs: &[Log]) -> u32 {
    u32::try_from(logs.len()).unwrap_or_else(|_| panic!("a batch of {} records: more than a u32 counts", logs.len()))
}

/// Runs code generic over a codec for a codec chosen at run time (see [`CodecId::visit`]).
pub trait CodecVisitor {
    type Output;
    fn visit<C: Codec>(self) -> Self::Output;
}

/// How a codec reads a message: the families the report compares (zero-copy against serde).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// Hand-written bytes, strings read in place.
    Handwritten,
    /// Through serde, into owned records.
    Serde,
    /// A format made to be read in place: validated, then read where it lies.
    ZeroCopy,
}

macro_rules! codecs {
    ($($(#[doc = $doc:literal])* $(#[cfg($cfg:meta)])? $ty:ident = $name:literal ($family:ident),)+) => {
        /// Every codec wasmatrix knows: the values of the `codec` axis. Each variant names the
        /// codec type of the same name in this module.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum CodecId {
            $($(#[doc = $doc])* $(#[cfg($cfg)])? $ty,)+
        }

        impl CodecId {
            pub const ALL: &'static [CodecId] = &[$($(#[cfg($cfg)])? CodecId::$ty),+];

            /// The name used in matrices, CSV rows and guest build paths.
            pub fn name(self) -> &'static str {
                match self { $($(#[cfg($cfg)])? CodecId::$ty => $name,)+ }
            }

            pub fn from_name(name: &str) -> Option<CodecId> {
                match name { $($(#[cfg($cfg)])? $name => Some(CodecId::$ty),)+ _ => None }
            }

            /// The codec's type as a path, for the guests' build scripts.
            pub fn rust_path(self) -> &'static str {
                match self {
                    $($(#[cfg($cfg)])? CodecId::$ty => concat!("wasmatrix_proto::codec::", stringify!($ty)),)+
                }
            }

            /// How the codec reads a message.
            pub fn family(self) -> Family {
                match self { $($(#[cfg($cfg)])? CodecId::$ty => Family::$family,)+ }
            }

            /// Calls `visitor` with this codec's type.
            pub fn visit<V: CodecVisitor>(self, visitor: V) -> V::Output {
                match self { $($(#[cfg($cfg)])? CodecId::$ty => visitor.visit::<$ty>(),)+ }
            }
        }
    };
}

codecs! {
    /// Hand-rolled little-endian bytes; strings are read in place.
    Raw = "raw" (Handwritten),
    /// bincode 2 through serde (varint integers), decoded into an owned `Log`.
    Bincode = "bincode" (Serde),
    /// postcard through serde, decoded into an owned `Log`.
    Postcard = "postcard" (Serde),
    /// JSON through serde_json, decoded into an owned `Log`.
    Json = "json" (Serde),
    /// FlatBuffers: verified, then every field read in place through the table accessors.
    Flatbuffers = "flatbuffers" (ZeroCopy),
    /// Cap'n Proto (unpacked): read with traversal limits, strings borrowed in place.
    Capnp = "capnp" (ZeroCopy),
    /// rkyv: validated with bytecheck, then read in place as the archived record.
    Rkyv = "rkyv" (ZeroCopy),
    /// Test only: raw's message framed by its length and hash (probe.rs), never measured.
    #[cfg(feature = "test-codec")]
    Probe = "probe" (Handwritten),
}

impl fmt::Display for CodecId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a message could not be decoded. Decoders return this for any malformed input; they
/// never panic on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl DecodeError {
    pub fn new(why: impl fmt::Display) -> DecodeError {
        DecodeError(why.to_string())
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecodeError {}

#[cfg(test)]
mod batch_tests;
#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::*;
    use crate::work::{process, Scratch};
    use proptest::prelude::*;

    /// Encodes `log` with one codec value and reads it back with another, as the two guests do;
    /// the consumer's work must see the same record, and the reply must survive too.
    fn round_trip<C: Codec>(log: &Log) {
        let (mut producer, mut consumer) = (C::default(), C::default());
        let mut scratch = Scratch::default();
        let request = producer.encode(log).to_vec();
        let n = request.len() as u32;
        let reply = process(log, n, &mut scratch);
        let seen = consumer.decode(&request, |view| process(view, n, &mut scratch));
        assert_eq!(seen, Ok(reply), "{}", core::any::type_name::<C>());
        let encoded = consumer.encode_reply(&reply).to_vec();
        assert_eq!(producer.decode_reply(&encoded), Ok(reply), "{}", core::any::type_name::<C>());
    }

    struct RoundTrip<'a>(&'a Log);
    impl CodecVisitor for RoundTrip<'_> {
        type Output = ();
        fn visit<C: Codec>(self) {
            round_trip::<C>(self.0);
        }
    }

    struct Malformed;
    impl CodecVisitor for Malformed {
        type Output = ();
        fn visit<C: Codec>(self) {
            let name = core::any::type_name::<C>();
            let mut codec = C::default();
            let log = Log::nth(5);
            let good = codec.encode(&log).to_vec();
            let digest = |bytes: &[u8], codec: &mut C| codec.decode(bytes, |v| process(v, 0, &mut Scratch::default()));
            let whole = process(&log, 0, &mut Scratch::default());
            // a truncated message is refused, or (trailing padding) still the same record: never
            // another record; a flipped byte anywhere gives an error or a record the work can run
            // on: never a panic
            for cut in 0..good.len() {
                let seen = digest(&good[..cut], &mut codec);
                assert!(seen.is_err() || seen == Ok(whole), "{name}: {cut}-byte prefix decoded to another record");
            }
            for at in 0..good.len() {
                let mut bad = good.clone();
                bad[at] ^= 0xff;
                let _ = digest(&bad, &mut codec);
            }
            assert!(codec.decode(&[], |_| ()).is_err(), "{name}: empty input decoded");
            let reply = Reply { timestamp: -5, request_bytes: 300, digest: u64::MAX };
            let good = codec.encode_reply(&reply).to_vec();
            for cut in 0..good.len() {
                let seen = codec.decode_reply(&good[..cut]);
                assert!(seen.is_err() || seen == Ok(reply), "{name}: {cut}-byte prefix of a reply decoded to another");
            }
        }
    }

    #[test]
    fn every_codec_round_trips_generated_records() {
        for i in 0..200 {
            for id in CodecId::ALL {
                id.visit(RoundTrip(&Log::nth(i)));
            }
        }
    }

    #[test]
    fn every_codec_rejects_malformed_bytes_without_panicking() {
        for id in CodecId::ALL {
            id.visit(Malformed);
        }
    }

    /// Decoding works from any address `INPUT_ALIGN` allows: here the worst, one byte past an
    /// `INPUT_ALIGN` boundary when that is 1 (an odd address), else exactly on one.
    struct AtItsAlignment;
    impl CodecVisitor for AtItsAlignment {
        type Output = ();
        fn visit<C: Codec>(self) {
            let name = core::any::type_name::<C>();
            let mut codec = C::default();
            let log = Log::nth(7);
            let good = codec.encode(&log).to_vec();
            let mut buf = crate::AlignedBuf::new();
            let offset = if C::INPUT_ALIGN == 1 { 1 } else { C::INPUT_ALIGN };
            buf.extend_from_slice(&vec![0; offset]);
            buf.extend_from_slice(&good);
            let bytes = &buf[offset..];
            assert!((bytes.as_ptr() as usize).is_multiple_of(C::INPUT_ALIGN));
            let seen = codec.decode(bytes, |v| process(v, 0, &mut Scratch::default()));
            assert_eq!(seen, Ok(process(&log, 0, &mut Scratch::default())), "{name} at offset {offset}");
        }
    }

    #[test]
    fn every_codec_decodes_at_the_alignment_it_declares() {
        for id in CodecId::ALL {
            id.visit(AtItsAlignment);
        }
    }

    #[test]
    fn names_round_trip() {
        for &id in CodecId::ALL {
            assert_eq!(CodecId::from_name(id.name()), Some(id));
        }
        assert_eq!(CodecId::from_name("nope"), None);
    }

    fn pick<T: Copy + core::fmt::Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = T> {
        proptest::sample::select(all)
    }

    prop_compose! {
        fn arbitrary_http()(protocol in pick(HttpProtocol::ALL), status: u32, host_status: u32, up_status: u32,
                            method in pick(HttpMethod::ALL), content_type: String, user_agent: String,
                            referer: String, request_uri: String) -> Http {
            Http { protocol, status, host_status, up_status, method, content_type, user_agent, referer, request_uri }
        }
    }

    prop_compose! {
        fn arbitrary_log()(timestamp: i64, zone_id: u32, zone_plan in pick(ZonePlan::ALL), http in arbitrary_http(),
                           ip: String, port: u32, hostname: String, protocol in pick(OriginProtocol::ALL),
                           country in pick(Country::ALL), cache_status in pick(CacheStatus::ALL),
                           server_ip: String, server_name: String, remote_ip: String, bytes_dlv: u64,
                           ray_id: String) -> Log {
            Log { timestamp, zone_id, zone_plan, http, origin: Origin { ip, port, hostname, protocol }, country,
                  cache_status, server_ip, server_name, remote_ip, bytes_dlv, ray_id }
        }
    }

    proptest! {
        #[test]
        fn every_codec_round_trips_arbitrary_records(log in arbitrary_log()) {
            for id in CodecId::ALL {
                id.visit(RoundTrip(&log));
            }
        }
    }
}
