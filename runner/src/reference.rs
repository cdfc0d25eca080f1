//! The checksum every cell must reproduce, computed natively from the same guest code before any
//! cell runs, so a cell that disagrees is flagged in its own row as soon as it ends: one per
//! payload (`records`), each over the round trips a cell of that payload makes.

use std::collections::BTreeMap;
use wasmatrix_consumer::Consumer;
use wasmatrix_core::axes::Records;
use wasmatrix_core::cell::Cell;
use wasmatrix_core::measure::Measure;
use wasmatrix_producer::Producer;
use wasmatrix_proto::codec::Raw;

/// The checksum of round trips `0..round_trips` of messages of `records` records. The consumer's
/// work is defined on the record, not on its bytes, so this holds for every codec.
pub fn expected_checksum(records: u32, round_trips: u32) -> u64 {
    let mut producer = Producer::<Raw>::with_records(records);
    let mut consumer = Consumer::<Raw>::with_records(records);
    for i in 0..round_trips {
        let reply = consumer.consume(producer.produce(i)).expect("raw decodes what raw encoded");
        producer.check_reply(reply).expect("the consumer answers the request in flight");
    }
    producer.checksum()
}

/// The checksum of each payload a run's cells carry.
pub struct Expected(BTreeMap<Records, u64>);

impl Expected {
    /// For every `records` value of `cells`, under the run's `measure` as it scales for that
    /// payload ([`Measure::for_records`]).
    pub fn of(measure: &Measure, cells: &[Cell]) -> Expected {
        let mut sums = BTreeMap::new();
        for cell in cells {
            sums.entry(cell.records).or_insert_with(|| {
                let k = cell.records.count();
                expected_checksum(k, measure.for_records(k).round_trips())
            });
        }
        Expected(sums)
    }

    /// The checksum `cell` must reproduce.
    pub fn of_cell(&self, cell: &Cell) -> u64 {
        self.0.get(&cell.records).copied().unwrap_or_else(|| panic!("no checksum computed for {cell}"))
    }
}

#[cfg(test)]
mod tests {
    use super::expected_checksum;

    #[test]
    fn depends_on_every_round_trip_and_the_payload() {
        assert_ne!(expected_checksum(1, 10), expected_checksum(1, 11));
        assert_eq!(expected_checksum(1, 10), expected_checksum(1, 10));
        assert_ne!(expected_checksum(1, 10), expected_checksum(16, 10));
    }
}
