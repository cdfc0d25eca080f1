//! A test-only codec, behind the feature `test-codec` and never in a measured run: it exists to
//! prove that a codec is its file and its line in the `codecs!` list (runner/test_codec.sh runs it
//! through the runner, the workers and the notebooks, none of them edited for it).
//!
//! Its format frames `raw`'s message: the message's length (`u32`), the message, and its FNV-1a 64
//! hash (`u64`), both little-endian; the reply alike. Decoding checks the length and the hash before
//! `raw` reads the message, so a cut or a changed byte is refused before any field is read. A batch
//! is `raw`'s batch framed alike.

use super::{Codec, DecodeError, Raw};
use crate::hash::Fnv;
use crate::record::Log;
use crate::reply::Reply;

#[derive(Default)]
pub struct Probe {
    raw: Raw,
    out: Vec<u8>,
}

fn hash(body: &[u8]) -> u64 {
    let mut fnv = Fnv::default();
    fnv.bytes(body);
    fnv.finish()
}

/// `body` framed, in `out`.
fn frame<'a>(out: &'a mut Vec<u8>, body: &[u8]) -> &'a [u8] {
    out.clear();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(body);
    out.extend_from_slice(&hash(body).to_le_bytes());
    out
}

/// The message a frame holds, once its length and hash are checked.
fn unframe(bytes: &[u8]) -> Result<&[u8], DecodeError> {
    let error = |what| DecodeError::new(format_args!("probe: {what} in a frame of {} bytes", bytes.len()));
    let (len, rest) = bytes.split_first_chunk::<4>().ok_or_else(|| error("no length"))?;
    let (body, sum) = rest.split_last_chunk::<8>().ok_or_else(|| error("no hash"))?;
    if body.len() != u32::from_le_bytes(*len) as usize {
        return Err(error("a length that is not the message's"));
    }
    if hash(body) != u64::from_le_bytes(*sum) {
        return Err(error("a hash that is not the message's"));
    }
    Ok(body)
}

impl Codec for Probe {
    type View<'a> = <Raw as Codec>::View<'a>;

    fn encode(&mut self, log: &Log) -> &[u8] {
        frame(&mut self.out, self.raw.encode(log))
    }

    fn decode<R>(&mut self, bytes: &[u8], read: impl FnOnce(&Self::View<'_>) -> R) -> Result<R, DecodeError> {
        self.raw.decode(unframe(bytes)?, read)
    }

    fn encode_batch(&mut self, logs: &[Log]) -> &[u8] {
        frame(&mut self.out, self.raw.encode_batch(logs))
    }

    fn decode_batch(&mut self, bytes: &[u8], read: impl FnMut(&Self::View<'_>)) -> Result<u32, DecodeError> {
        self.raw.decode_batch(unframe(bytes)?, read)
    }

    fn encode_reply(&mut self, reply: &Reply) -> &[u8] {
        frame(&mut self.out, self.raw.encode_reply(reply))
    }

    fn decode_reply(&mut self, bytes: &[u8]) -> Result<Reply, DecodeError> {
        self.raw.decode_reply(unframe(bytes)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::CodecId;

    #[test]
    fn a_frame_is_the_length_raws_message_and_its_hash() {
        let reply = Reply { timestamp: -2, request_bytes: 7, digest: 1 << 40 };
        let inner = Raw::default().encode_reply(&reply).to_vec();
        let framed = Probe::default().encode_reply(&reply).to_vec();
        assert_eq!(framed.len(), 4 + inner.len() + 8);
        assert_eq!(framed[..4], (inner.len() as u32).to_le_bytes());
        assert_eq!(framed[4..4 + inner.len()], inner);
        assert_eq!(Probe::default().decode_reply(&framed), Ok(reply));
    }

    #[test]
    fn a_changed_length_or_byte_is_refused_before_raw_reads() {
        let mut probe = Probe::default();
        let framed = probe.encode(&Log::nth(3)).to_vec();
        let mut longer = framed.clone();
        longer[0] += 1;
        let wrong = probe.decode(&longer, |_| ()).unwrap_err();
        assert!(wrong.0.contains("a length that is not the message's"), "{wrong}");
        let mut changed = framed.clone();
        changed[10] ^= 1;
        let wrong = probe.decode(&changed, |_| ()).unwrap_err();
        assert!(wrong.0.contains("a hash that is not the message's"), "{wrong}");
        assert!(probe.decode(&framed[..3], |_| ()).unwrap_err().0.contains("no length"));
        assert!(probe.decode(&framed[..11], |_| ()).is_err());
    }

    #[test]
    fn it_is_a_codec_of_the_axis_with_its_feature() {
        assert_eq!(CodecId::from_name("probe"), Some(CodecId::Probe));
        assert_eq!(CodecId::ALL.last(), Some(&CodecId::Probe));
        assert_eq!(CodecId::Probe.rust_path(), "wasmatrix_proto::codec::Probe");
    }
}
