//! What the serde formats share: each decodes into an owned [`Log`], as serde users do, and
//! differs from the others only in its [`SerdeFormat`] pair of functions.

use super::{Codec, DecodeError};
use crate::record::Log;
use crate::reply::Reply;
use core::marker::PhantomData;
use serde::de::DeserializeOwned;
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

    fn encode_reply(&mut self, reply: &Reply) -> &[u8] {
        F::encode(reply, &mut self.out);
        &self.out
    }

    fn decode_reply(&mut self, bytes: &[u8]) -> Result<Reply, DecodeError> {
        F::decode(bytes)
    }
}
