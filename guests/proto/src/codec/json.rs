//! JSON through serde_json (compact; enums by variant name).

use super::serde_format::SerdeFormat;
use super::DecodeError;
use serde::de::DeserializeOwned;

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
}
