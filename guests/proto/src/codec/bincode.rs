//! bincode 2 through serde, standard configuration (varint integers).

use super::serde_format::SerdeFormat;
use super::DecodeError;
use serde::de::{DeserializeOwned, DeserializeSeed};

/// The serde format; the codec is [`super::Bincode`].
pub struct BincodeFormat;

impl SerdeFormat for BincodeFormat {
    fn encode(value: &impl serde::Serialize, out: &mut Vec<u8>) {
        out.clear();
        // Writing into a Vec cannot fail, and every field of our types serializes.
        bincode::serde::encode_into_std_write(value, out, bincode::config::standard())
            .expect("bincode encodes into a Vec");
    }

    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
        let (value, read) = bincode::serde::decode_from_slice(bytes, bincode::config::standard())
            .map_err(|e| DecodeError::new(format_args!("bincode: {e}")))?;
        if read != bytes.len() {
            return Err(DecodeError::new(format_args!("bincode: trailing bytes from byte {read}")));
        }
        Ok(value)
    }

    fn decode_seed<'de, S: DeserializeSeed<'de>>(bytes: &'de [u8], seed: S) -> Result<S::Value, DecodeError> {
        let (value, read) = bincode::serde::seed_decode_from_slice(seed, bytes, bincode::config::standard())
            .map_err(|e| DecodeError::new(format_args!("bincode: {e}")))?;
        if read != bytes.len() {
            return Err(DecodeError::new(format_args!("bincode: trailing bytes from byte {read}")));
        }
        Ok(value)
    }
}
