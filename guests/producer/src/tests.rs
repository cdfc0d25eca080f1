//! The producer's tests: the typed record's path, and messages of one record and of batches
//! through every codec.

use super::*;
use wasmatrix_proto::codec::Raw;
use wasmatrix_proto::work::{self, Scratch};
use wasmatrix_proto::{message, process_message, AlignedBuf, CodecId, CodecVisitor, LogView};

/// The typed round trip (codec `wit`) folds the same digests as a byte codec's: the work is
/// defined on the record, and the reply echoes the record's typed size.
#[test]
fn typed_round_trip_matches_the_byte_codecs_checksum() {
    let mut scratch = Scratch::default();
    let (mut typed, mut bytes) = (Producer::<()>::default(), Producer::<Raw>::default());
    for i in 0..50 {
        typed.round_trip_log(i, |log| Some(work::process(log, typed_bytes(log), &mut scratch))).unwrap();
        bytes
            .round_trip(i, |request| {
                let reply = work::process(&Log::nth(i), request.len() as u32, &mut Scratch::default());
                Some(Raw::default().encode_reply(&reply).to_vec())
            })
            .unwrap();
    }
    assert_eq!(typed.checksum(), bytes.checksum());
}

/// The checksum of messages `0..messages` of `k` records, from the records themselves: what
/// every codec's round trips must reach.
fn expected_checksum(k: u32, messages: u32) -> u64 {
    let mut scratch = Scratch::default();
    (0..messages).fold(0, |checksum, i| {
        let logs: Vec<Log> = (0..k).map(|j| Log::nth(i * k + j)).collect();
        hash::fold(checksum, message::expected_reply(&logs, 0, &mut scratch).unwrap().digest)
    })
}

/// Messages `0..messages` of `k` records through a producer of codec `C` and the consumer's
/// side of the round trip ([`process_message`], what the consumer's `consume` answers with);
/// returns the producer's checksum.
struct RoundTrips {
    k: u32,
    messages: u32,
}
impl CodecVisitor for RoundTrips {
    type Output = u64;
    fn visit<C: Codec>(self) -> u64 {
        let name = core::any::type_name::<C>();
        let mut producer = Producer::<C>::with_records(self.k);
        let (mut consumer, mut scratch) = (C::default(), Scratch::default());
        // where the consumer receives a request: aligned, as the guests' inbox is
        let mut inbox = AlignedBuf::new();
        for i in 0..self.messages {
            producer
                .round_trip(i, |request| {
                    inbox.clear();
                    inbox.extend_from_slice(request);
                    let reply = process_message(&mut consumer, self.k, &inbox, &mut scratch).unwrap();
                    Some(consumer.encode_reply(&reply).to_vec())
                })
                .unwrap_or_else(|e| panic!("{name}, k = {}: {e:?}", self.k));
        }
        producer.checksum()
    }
}

/// One record a message is the message as before batches: each codec's encoding of record `i`,
/// and the checksum of the single-record round trip.
struct OneRecord;
impl CodecVisitor for OneRecord {
    type Output = ();
    fn visit<C: Codec>(self) {
        let name = core::any::type_name::<C>();
        let (mut producer, mut codec) = (Producer::<C>::default(), C::default());
        let mut scratch = Scratch::default();
        let mut checksum = 0;
        for i in 0..30 {
            let message = producer.produce(i).to_vec();
            let log = Log::nth(i);
            assert_eq!(message, codec.encode(&log), "{name}: message {i}");
            let reply = work::process(&log, message.len() as u32, &mut scratch);
            producer.check_reply(codec.encode_reply(&reply)).unwrap();
            checksum = hash::fold(checksum, reply.digest);
        }
        assert_eq!(producer.checksum(), checksum, "{name}");
        assert_eq!(producer.encode_repeatedly(3, 2), codec.encode(&Log::nth(3)).len() as u32, "{name}");
    }
}

#[test]
fn one_record_a_message_is_todays_message() {
    for id in CodecId::ALL {
        id.visit(OneRecord);
    }
}

/// Every codec reaches the same checksum for each `k`: the records' own.
#[test]
fn every_codec_round_trips_batches_to_the_records_checksum() {
    for (k, messages) in [(1, 40), (2, 20), (16, 8), (256, 3), (4096, 2)] {
        let expected = expected_checksum(k, messages);
        for id in CodecId::ALL {
            assert_eq!(id.visit(RoundTrips { k, messages }), expected, "{id}, k = {k}");
        }
    }
    assert_ne!(expected_checksum(2, 3), expected_checksum(3, 2), "the same six records, batched otherwise");
}

/// Message `i` of `k` records holds records `i * k ..`, in order, whose first timestamp the
/// reply must echo; the encode benchmark encodes that message.
#[test]
fn message_i_holds_records_i_times_k_onwards() {
    let mut producer = Producer::<Raw>::with_records(3);
    let message = producer.produce(2).to_vec();
    let mut seen = Vec::new();
    Raw::default().decode_batch(&message, |view| seen.push(view.timestamp())).unwrap();
    let expected: Vec<i64> = (6..9).map(|r| Log::nth(r).timestamp).collect();
    assert_eq!(seen, expected);
    let wrong = Reply { timestamp: Log::nth(7).timestamp, request_bytes: message.len() as u32, digest: 0 };
    let refused = producer.check_reply(Raw::default().encode_reply(&wrong));
    assert_eq!(refused, Err(ReplyError::WrongTimestamp { sent: expected[0], echoed: wrong.timestamp }));
    assert_eq!(producer.encode_repeatedly(2, 3), message.len() as u32);
}

#[test]
#[should_panic(expected = "at least one record")]
fn no_records_a_message_is_refused() {
    Producer::<Raw>::with_records(0);
}

#[test]
#[should_panic(expected = "a message of one record")]
fn the_typed_record_is_a_message_of_one() {
    Producer::<()>::with_records(2).produce_log(0);
}

#[test]
fn typed_reply_is_checked() {
    let mut p = Producer::<()>::default();
    assert_eq!(p.check_reply_log(Reply::default()), Err(ReplyError::NothingSent));
    let log = p.produce_log(4).clone();
    let size = typed_bytes(&log);
    let wrong = Reply { timestamp: log.timestamp, request_bytes: size + 1, digest: 1 };
    assert_eq!(p.check_reply_log(wrong), Err(ReplyError::WrongLength { sent: size, seen: size + 1 }));
    assert_eq!(p.round_trip_log(5, |_| None), Err(None));
    assert_eq!(p.check_reply_log(Reply::default()), Err(ReplyError::NothingSent), "a refused request is dropped");
    assert_eq!(p.checksum(), 0);
}
