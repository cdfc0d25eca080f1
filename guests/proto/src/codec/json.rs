//! JSON through serde_json (compact; enums by variant name).

use super::serde_format::SerdeFormat;
use super::DecodeError;
use serde::de::{DeserializeOwned, DeserializeSeed};

/// The serde format; the codec is [`super::Json`].
pub struct JsonFormat;

impl SerdeFormat for JsonFormat {
    fn encode(value: &impl serde::Serialize, out: &mut Vec<u8>) {
        out.clear();
        // Writing into a Vec cannot fail, and our types have only string keys.
        serde_json::to_writer(out, value).expect("serde_json encodes into a Vec");
    }

    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
        serde_json::from_slice(bytes).map_err(|e| DecodeError::new(format_args!("json: {e}")))
    }

    fn decode_seed<'de, S: DeserializeSeed<'de>>(bytes: &'de [u8], seed: S) -> Result<S::Value, DecodeError> {
        let error = |e: serde_json::Error| DecodeError::new(format_args!("json: {e}"));
        let mut deserializer = serde_json::Deserializer::from_slice(bytes);
        let value = seed.deserialize(&mut deserializer).map_err(error)?;
        // what follows the value may only be whitespace, as `from_slice` requires
        deserializer.end().map_err(error)?;
        Ok(value)
    }
}
