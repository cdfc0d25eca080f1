//! Batches ([`Codec::encode_batch`], [`Codec::decode_batch`]) for every codec: they round-trip to
//! the same reply whatever the codec, up to the largest planned batch, and malformed ones are
//! refused without a panic.

use super::*;
use crate::message::{decode_message, expected_reply, process_message};
use crate::work::Scratch;
use crate::AlignedBuf;

/// Records `first..first + k`.
fn logs(first: u32, k: u32) -> Vec<Log> {
    (first..first + k).map(Log::nth).collect()
}

/// `bytes` where a consumer receives them: at an aligned address, as the guests' inbox is.
fn received(bytes: &[u8]) -> AlignedBuf {
    let mut buf = AlignedBuf::new();
    buf.extend_from_slice(bytes);
    buf
}

/// Encodes a batch of `k` with one codec value, twice (the second time with whatever the first
/// left to reuse), and reads both back with another: the reply is the one the records themselves
/// give, and so the same for every codec. Returns its digest.
struct RoundTrip<'a>(&'a [Log]);
impl CodecVisitor for RoundTrip<'_> {
    type Output = u64;
    fn visit<C: Codec>(self) -> u64 {
        let (name, k) = (core::any::type_name::<C>(), self.0.len() as u32);
        let (mut producer, mut consumer) = (C::default(), C::default());
        let mut scratch = Scratch::default();
        let mut digests = Vec::new();
        for _ in 0..2 {
            let message = received(producer.encode_batch(self.0));
            let mut seen = 0;
            let count = consumer.decode_batch(&message, |view| {
                assert_eq!(view.timestamp(), self.0[seen].timestamp, "{name}: record {seen} of {k}");
                seen += 1;
            });
            assert_eq!(count, Ok(k), "{name}");
            let reply = process_message(&mut consumer, k, &message, &mut scratch);
            let expected = expected_reply(self.0, message.len() as u32, &mut scratch).unwrap();
            assert_eq!(reply, Ok(expected), "{name}, k = {k}");
            digests.push(expected.digest);
        }
        assert_eq!(digests[0], digests[1], "{name}");
        digests[0]
    }
}

/// Every codec, every planned batch size up to 4096: one digest per size, the same for all.
#[test]
fn every_codec_round_trips_batches_to_one_digest() {
    for k in [2, 16, 256, 4096] {
        let logs = logs(k * 3, k);
        let digests: Vec<(CodecId, u64)> = CodecId::ALL.iter().map(|&id| (id, id.visit(RoundTrip(&logs)))).collect();
        assert!(digests.iter().all(|&(_, d)| d == digests[0].1), "k = {k}: {digests:x?}");
    }
}

/// The largest planned batch, some 20 MB: within every format's limits, which follow its length.
#[test]
fn every_codec_carries_the_largest_batch() {
    let logs = logs(0, 65_536);
    let digests: Vec<(CodecId, u64)> = CodecId::ALL.iter().map(|&id| (id, id.visit(RoundTrip(&logs)))).collect();
    assert!(digests.iter().all(|&(_, d)| d == digests[0].1), "{digests:x?}");
}

/// A small batch cut short is refused (or, trailing padding, still the same batch: never another);
/// a flipped byte anywhere gives an error or records the work can run on: never a panic.
struct Malformed;
impl CodecVisitor for Malformed {
    type Output = ();
    fn visit<C: Codec>(self) {
        let name = core::any::type_name::<C>();
        let mut codec = C::default();
        let logs = logs(5, 3);
        let good = received(codec.encode_batch(&logs)).to_vec();
        let mut scratch = Scratch::default();
        let mut reply = |bytes: &[u8], codec: &mut C| process_message(codec, 3, &received(bytes), &mut scratch);
        let whole = reply(&good, &mut codec);
        assert!(whole.is_ok(), "{name}: {whole:?}");
        let whole = whole.map(|r| (r.timestamp, r.digest));
        for cut in 0..good.len() {
            let seen = reply(&good[..cut], &mut codec).map(|r| (r.timestamp, r.digest));
            assert!(seen.is_err() || seen == whole, "{name}: {cut}-byte prefix decoded to another batch");
        }
        for at in 0..good.len() {
            let mut bad = good.clone();
            bad[at] ^= 0xff;
            let _ = reply(&bad, &mut codec);
            let _ = codec.decode_batch(&received(&bad), |_| ());
        }
        assert!(codec.decode_batch(&[], |_| ()).is_err(), "{name}: empty input decoded");
        // a batch read as another number of records, or as one record, is refused
        for records in [0, 1, 2, 4] {
            assert!(
                decode_message(&mut codec, records, &received(&good), |_| ()).is_err(),
                "{name}: read as {records}"
            );
        }
    }
}

#[test]
fn every_codec_refuses_malformed_batches_without_panicking() {
    for id in CodecId::ALL {
        id.visit(Malformed);
    }
}

/// A batch of one record and an empty one are still batches, read back as such (the message
/// layer never sends them: one record is `encode`'s, none is no message).
struct Edges;
impl CodecVisitor for Edges {
    type Output = ();
    fn visit<C: Codec>(self) {
        let name = core::any::type_name::<C>();
        let mut codec = C::default();
        let one = received(codec.encode_batch(&logs(9, 1)));
        assert_eq!(codec.decode_batch(&one, |_| ()), Ok(1), "{name}");
        let none = received(codec.encode_batch(&[]));
        assert_eq!(codec.decode_batch(&none, |_| panic!("{name}: a record in an empty batch")), Ok(0), "{name}");
        assert!(decode_message(&mut codec, 1, &none, |_| ()).is_err(), "{name}: an empty batch read as one record");
    }
}

#[test]
fn every_codec_carries_batches_of_one_and_none() {
    for id in CodecId::ALL {
        id.visit(Edges);
    }
}
