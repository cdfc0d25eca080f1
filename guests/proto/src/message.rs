//! A message carries `k` records (issue 31: the payload-size axis, `k` from 1 up to some 65 536,
//! about 20 MB). A message of one record is the record as [`Codec::encode`] writes it, byte for
//! byte what a message was before there were batches, so results from then stay comparable; a
//! message of more is [`Codec::encode_batch`]'s, the format's own way of carrying many. Both
//! guests know `k` (the runner tells them), so the consumer reads a message the way it was written
//! and refuses one that holds another number of records.
//!
//! `k = 0` is never valid: a message answers with its first record's timestamp, and the runner
//! refuses the value.

use crate::codec::{Codec, DecodeError};
use crate::hash;
use crate::record::Log;
use crate::reply::Reply;
use crate::work::{self, Scratch};

/// Encodes `logs` as one message: [`Codec::encode`] for one record, [`Codec::encode_batch`] for
/// more. The bytes stay valid until `codec` encodes again.
///
/// # Panics
///
/// If `logs` is empty: a message carries at least one record.
pub fn encode_message<'c, C: Codec>(codec: &'c mut C, logs: &[Log]) -> &'c [u8] {
    match logs {
        [] => panic!("a message carries at least one record"),
        [log] => codec.encode(log),
        logs => codec.encode_batch(logs),
    }
}

/// Decodes a message of `records` records and lets `read` read each, in order: [`Codec::decode`]
/// for one, [`Codec::decode_batch`] for more. A batch holding another number of records is an
/// error, as is `records == 0`. On an error, `read` may have seen some records (see
/// [`Codec::decode_batch`]); whatever it made of them is to be dropped.
pub fn decode_message<C: Codec>(
    codec: &mut C,
    records: u32,
    bytes: &[u8],
    mut read: impl FnMut(&C::View<'_>),
) -> Result<(), DecodeError> {
    match records {
        0 => Err(DecodeError::new("a message of 0 records: a message carries at least one")),
        1 => codec.decode(bytes, |view| read(view)),
        _ => {
            let found = codec.decode_batch(bytes, read)?;
            if found == records {
                Ok(())
            } else {
                Err(DecodeError::new(format_args!("a batch of {found} records where {records} were expected")))
            }
        }
    }
}

/// A message's reply, made record by record: the first record's reply (its timestamp, the
/// message's length, its digest), each further record's digest folded into it in order with
/// [`hash::fold`]. For a message of one record this is that record's reply, as before batches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MessageReply(Option<Reply>);

impl MessageReply {
    /// Adds the reply to the next record ([`work::process`] of it).
    #[inline]
    pub fn add(&mut self, record: Reply) {
        self.0 = Some(match self.0 {
            None => record,
            Some(reply) => Reply { digest: hash::fold(reply.digest, record.digest), ..reply },
        });
    }

    /// The message's reply; `None` if no record was added.
    pub fn finish(self) -> Option<Reply> {
        self.0
    }
}

/// The consumer's work on a message of `records` records ([`decode_message`]): every record's
/// [`work::process`], with the message's length as its `request_bytes`, made into the message's
/// reply by [`MessageReply`].
pub fn process_message<C: Codec>(
    codec: &mut C,
    records: u32,
    bytes: &[u8],
    scratch: &mut Scratch,
) -> Result<Reply, DecodeError> {
    let request_bytes = bytes.len() as u32;
    let mut reply = MessageReply::default();
    decode_message(codec, records, bytes, |view| reply.add(work::process(view, request_bytes, scratch)))?;
    // `decode_message` read exactly `records` records, at least one
    Ok(reply.finish().unwrap_or_else(|| unreachable!("a decoded message has a record")))
}

/// The reply [`process_message`] makes of a message of `logs` that is `request_bytes` long,
/// computed from the records themselves: what the producer's side and tests expect.
pub fn expected_reply(logs: &[Log], request_bytes: u32, scratch: &mut Scratch) -> Option<Reply> {
    let mut reply = MessageReply::default();
    for log in logs {
        reply.add(work::process(log, request_bytes, scratch));
    }
    reply.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{CodecId, CodecVisitor};

    fn logs(first: u32, k: u32) -> Vec<Log> {
        (first..first + k).map(Log::nth).collect()
    }

    /// One record is the codec's single message, batch or not.
    struct OneIsToday;
    impl CodecVisitor for OneIsToday {
        type Output = ();
        fn visit<C: Codec>(self) {
            let name = core::any::type_name::<C>();
            let (mut codec, mut today) = (C::default(), C::default());
            let mut scratch = Scratch::default();
            for i in [0, 7, 300] {
                let log = Log::nth(i);
                let message = encode_message(&mut codec, core::slice::from_ref(&log)).to_vec();
                assert_eq!(message, today.encode(&log), "{name}");
                let reply = process_message(&mut codec, 1, &message, &mut scratch);
                assert_eq!(reply, Ok(work::process(&log, message.len() as u32, &mut scratch)), "{name}");
            }
        }
    }

    #[test]
    fn a_message_of_one_record_is_the_record_as_before() {
        for id in CodecId::ALL {
            id.visit(OneIsToday);
        }
    }

    /// A batch is read back, record for record, and the count is checked both ways.
    struct Batches;
    impl CodecVisitor for Batches {
        type Output = ();
        fn visit<C: Codec>(self) {
            let name = core::any::type_name::<C>();
            let (mut producer, mut consumer) = (C::default(), C::default());
            let mut scratch = Scratch::default();
            for k in [2, 3, 16] {
                let logs = logs(40, k);
                let message = encode_message(&mut producer, &logs).to_vec();
                let n = message.len() as u32;
                let reply = process_message(&mut consumer, k, &message, &mut scratch);
                assert_eq!(reply, Ok(expected_reply(&logs, n, &mut scratch).unwrap()), "{name}, k = {k}");
                for wrong in [0, 1, k - 1, k + 1] {
                    let refused = decode_message(&mut consumer, wrong, &message, |_| ());
                    assert!(refused.is_err(), "{name}: a batch of {k} read as {wrong}");
                }
                let refused = decode_message(&mut consumer, k + 1, &message, |_| ()).unwrap_err();
                assert!(refused.0.contains(&format!("{k} records where {} were expected", k + 1)), "{name}: {refused}");
            }
        }
    }

    #[test]
    fn batches_round_trip_and_their_count_is_checked() {
        for id in CodecId::ALL {
            id.visit(Batches);
        }
    }

    #[test]
    fn the_reply_is_the_first_records_with_every_digest_folded() {
        let mut scratch = Scratch::default();
        let logs = logs(3, 3);
        let each: Vec<Reply> = logs.iter().map(|log| work::process(log, 99, &mut scratch)).collect();
        let reply = expected_reply(&logs, 99, &mut scratch).unwrap();
        assert_eq!((reply.timestamp, reply.request_bytes), (logs[0].timestamp, 99));
        assert_eq!(reply.digest, hash::fold(hash::fold(each[0].digest, each[1].digest), each[2].digest));
        assert_eq!(expected_reply(&logs[..1], 99, &mut scratch), Some(each[0]));
        assert_eq!(expected_reply(&[], 99, &mut scratch), None);
    }

    #[test]
    #[should_panic(expected = "at least one record")]
    fn a_message_of_no_records_is_not_encoded() {
        encode_message(&mut crate::codec::Raw::default(), &[]);
    }
}
