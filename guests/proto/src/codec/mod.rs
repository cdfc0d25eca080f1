//! The codec seam: how a [`Log`] request and a [`Reply`] become bytes and back.
//!
//! Adding a codec is one file in this folder implementing [`Codec`] and one line in the
//! `codecs!` list below; the guests, the runner's `codec` axis and the native baseline all
//! pick it up from that list.

use crate::record::{Log, LogView};
use crate::reply::Reply;
use core::fmt;

mod raw;
pub use raw::Raw;

/// One wire format, used by both guests for the request and the reply.
pub trait Codec: 'static {
    /// What the consumer reads: an owned record, or fields read in place for zero-copy formats.
    type View<'a>: LogView;

    fn encode(log: &Log, out: &mut Vec<u8>);
    /// Decodes (or, for zero-copy formats, validates and accesses) one request.
    fn decode(bytes: &[u8]) -> Result<Self::View<'_>, DecodeError>;
    fn encode_reply(reply: &Reply, out: &mut Vec<u8>);
    fn decode_reply(bytes: &[u8]) -> Result<Reply, DecodeError>;
}

/// Runs code generic over a codec for a codec chosen at run time (see [`CodecId::visit`]).
pub trait CodecVisitor {
    type Output;
    fn visit<C: Codec>(self) -> Self::Output;
}

macro_rules! codecs {
    ($($(#[$doc:meta])* $ty:ident = $name:literal,)+) => {
        /// Every codec wasmatrix knows: the values of the `codec` axis.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum CodecId {
            $($(#[$doc])* $ty,)+
        }

        impl CodecId {
            pub const ALL: &'static [CodecId] = &[$(CodecId::$ty),+];

            /// The name used in matrices, CSV rows and guest build paths.
            pub fn name(self) -> &'static str {
                match self { $(CodecId::$ty => $name,)+ }
            }

            pub fn from_name(name: &str) -> Option<CodecId> {
                match name { $($name => Some(CodecId::$ty),)+ _ => None }
            }

            /// The codec's type as a path, for the guests' build scripts.
            pub fn rust_path(self) -> &'static str {
                match self { $(CodecId::$ty => concat!("wasmatrix_proto::codec::", stringify!($ty)),)+ }
            }

            /// Calls `visitor` with this codec's type.
            pub fn visit<V: CodecVisitor>(self, visitor: V) -> V::Output {
                match self { $(CodecId::$ty => visitor.visit::<$ty>(),)+ }
            }
        }
    };
}

codecs! {
    /// Hand-rolled little-endian bytes; strings are read in place.
    Raw = "raw",
}

impl fmt::Display for CodecId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a message could not be decoded. Decoders return this for any malformed input; they
/// never panic on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    pub what: &'static str,
    /// Byte offset where decoding stopped.
    pub at: usize,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.what, self.at)
    }
}

impl std::error::Error for DecodeError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::work::{process, Scratch};

    struct RoundTrip;
    impl CodecVisitor for RoundTrip {
        type Output = ();
        fn visit<C: Codec>(self) {
            let mut scratch = Scratch::default();
            let mut buf = Vec::new();
            for i in 0..200 {
                let log = Log::nth(i);
                C::encode(&log, &mut buf);
                let n = buf.len() as u32;
                let reply = process(&log, n, &mut scratch);
                // the consumer's work must not see a difference between the view and the record
                let view = C::decode(&buf).expect("decodes");
                assert_eq!(process(&view, n, &mut scratch), reply);
                drop(view);
                C::encode_reply(&reply, &mut buf);
                assert_eq!(C::decode_reply(&buf), Ok(reply));
            }
        }
    }

    struct Malformed;
    impl CodecVisitor for Malformed {
        type Output = ();
        fn visit<C: Codec>(self) {
            let mut buf = Vec::new();
            C::encode(&Log::nth(5), &mut buf);
            // every truncation and a flipped byte at every position: an error or a valid view,
            // never a panic
            for cut in 0..buf.len() {
                assert!(C::decode(&buf[..cut]).is_err(), "{cut}-byte prefix decoded");
            }
            for at in 0..buf.len() {
                let mut bad = buf.clone();
                bad[at] ^= 0xff;
                let _ =
                    C::decode(&bad).map(|v| crate::work::process(&v, 0, &mut Scratch::default()));
            }
            assert!(C::decode_reply(&[1, 2, 3]).is_err());
        }
    }

    #[test]
    fn every_codec_round_trips_records_and_replies() {
        for id in CodecId::ALL {
            id.visit(RoundTrip);
        }
    }

    #[test]
    fn every_codec_rejects_malformed_bytes_without_panicking() {
        for id in CodecId::ALL {
            id.visit(Malformed);
        }
    }

    #[test]
    fn names_round_trip() {
        for &id in CodecId::ALL {
            assert_eq!(CodecId::from_name(id.name()), Some(id));
        }
        assert_eq!(CodecId::from_name("nope"), None);
    }
}
