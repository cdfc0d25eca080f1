//! What the serde formats share: each decodes into an owned [`Log`], as serde users do, and
//! differs from the others only in its [`SerdeFormat`] functions. A batch is the records as a
//! serde sequence (the format's own: a length-prefixed sequence in bincode and postcard, an array
//! in JSON), decoded as a stream: each record is deserialized, read and dropped in turn, as a
//! serde user reading a long sequence does with a seed, rather than building all of it at once.

use super::{Codec, DecodeError};
use crate::record::Log;
use crate::reply::Reply;
use core::fmt;
use core::marker::PhantomData;
use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, Error as _, SeqAccess, Visitor};
use serde::Serialize;

/// The codec of serde format `F`.
pub struct Serde<F> {
    out: Vec<u8>,
    format: PhantomData<F>,
}

impl<F> Default for Serde<F> {
    fn default() -> Self {
        Serde { out: Vec::new(), format: PhantomData }
    }
}

/// A serde data format.
pub trait SerdeFormat: 'static {
    /// Serializes `value` into `out`, replacing its contents.
    fn encode(value: &impl Serialize, out: &mut Vec<u8>);
    /// Deserializes exactly `bytes` (trailing bytes are an error).
    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError>;
    /// Deserializes exactly `bytes` (trailing bytes are an error) through `seed`.
    fn decode_seed<'de, S: DeserializeSeed<'de>>(bytes: &'de [u8], seed: S) -> Result<S::Value, DecodeError>;
}

/// A sequence of records, each handed to `F` as it is deserialized; its value is their count.
struct EachLog<F>(F);

impl<'de, F: FnMut(&Log)> DeserializeSeed<'de> for EachLog<F> {
    type Value = u32;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<u32, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(&Log)> Visitor<'de> for EachLog<F> {
    type Value = u32;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sequence of Log records")
    }

    /// Nothing is reserved from the sequence's announced length, which a malformed message may
    /// overstate: a record is only ever as big as the bytes it was read from.
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<u32, A::Error> {
        let mut records = 0u32;
        while let Some(log) = seq.next_element::<Log>()? {
            (self.0)(&log);
            records = records.checked_add(1).ok_or_else(|| A::Error::custom("more records than a u32 counts"))?;
        }
        Ok(records)
    }
}

impl<F: SerdeFormat> Codec for Serde<F> {
    type View<'a> = Log;

    fn encode(&mut self, log: &Log) -> &[u8] {
        F::encode(log, &mut self.out);
        &self.out
    }

    fn decode<R>(&mut self, bytes: &[u8], read: impl FnOnce(&Log) -> R) -> Result<R, DecodeError> {
        Ok(read(&F::decode(bytes)?))
    }

    fn encode_batch(&mut self, logs: &[Log]) -> &[u8] {
        F::encode(&logs, &mut self.out);
        &self.out
    }

    fn decode_batch(&mut self, bytes: &[u8], read: impl FnMut(&Log)) -> Result<u32, DecodeError> {
        F::decode_seed(bytes, EachLog(read))
    }

    fn encode_reply(&mut self, reply: &Reply) -> &[u8] {
        F::encode(reply, &mut self.out);
        &self.out
    }

    fn decode_reply(&mut self, bytes: &[u8]) -> Result<Reply, DecodeError> {
        F::decode(bytes)
    }
}
