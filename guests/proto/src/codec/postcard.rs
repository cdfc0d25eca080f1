//! postcard through serde (varint integers, no field names).

use super::serde_format::SerdeFormat;
use super::DecodeError;
use serde::de::{DeserializeOwned, DeserializeSeed};

/// The serde format; the codec is [`super::Postcard`].
pub struct PostcardFormat;

impl SerdeFormat for PostcardFormat {
    fn encode(value: &impl serde::Serialize, out: &mut Vec<u8>) {
        out.clear();
        // postcard appends to any `Extend<u8>` and fails only when its output is full, which a Vec
        // never is.
        let buf = std::mem::take(out);
        *out = postcard::to_extend(value, buf).expect("postcard encodes into a Vec");
    }

    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
        let (value, rest) =
            postcard::take_from_bytes(bytes).map_err(|e| DecodeError::new(format_args!("postcard: {e}")))?;
        if !rest.is_empty() {
            return Err(DecodeError::new(format_args!("postcard: {} trailing bytes", rest.len())));
        }
        Ok(value)
    }

    fn decode_seed<'de, S: DeserializeSeed<'de>>(bytes: &'de [u8], seed: S) -> Result<S::Value, DecodeError> {
        let error = |e: postcard::Error| DecodeError::new(format_args!("postcard: {e}"));
        let mut deserializer = postcard::Deserializer::from_bytes(bytes);
        let value = seed.deserialize(&mut deserializer).map_err(error)?;
        let rest = deserializer.finalize().map_err(error)?;
        if !rest.is_empty() {
            return Err(DecodeError::new(format_args!("postcard: {} trailing bytes", rest.len())));
        }
        Ok(value)
    }
}
