//! The checksum every cell must reproduce, computed natively from the same guest code before any
//! cell runs, so a cell that disagrees is flagged in its own row as soon as it ends.

use wasmatrix_consumer::Consumer;
use wasmatrix_producer::Producer;
use wasmatrix_proto::codec::Raw;

/// The checksum of round trips `0..round_trips`. The consumer's work is defined on the record,
/// not on its bytes, so this holds for every codec.
pub fn expected_checksum(round_trips: u32) -> u64 {
    let mut producer = Producer::<Raw>::default();
    let mut consumer = Consumer::<Raw>::default();
    for i in 0..round_trips {
        let reply = consumer.consume(producer.produce(i)).expect("raw decodes what raw encoded");
        producer.check_reply(reply).expect("the consumer answers the request in flight");
    }
    producer.checksum()
}

#[cfg(test)]
mod tests {
    #[test]
    fn depends_on_every_round_trip() {
        assert_ne!(super::expected_checksum(10), super::expected_checksum(11));
        assert_eq!(super::expected_checksum(10), super::expected_checksum(10));
    }
}
