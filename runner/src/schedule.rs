//! The order a run's worker processes go in. Every cell gets `processes` independent processes;
//! they run in rounds, one process of every cell per round, each round in its own order shuffled
//! from a recorded seed. So a slow spell of the machine, drift over the night or the cell that
//! happens to follow a heavy compile cannot favour one cell over another, and the same seed
//! replays the same order.

use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::SliceRandom;
use rand::SeedableRng;

/// One worker process to run: process `process` (0-based) of the run's cell number `cell`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    pub cell: usize,
    pub process: u32,
}

/// `processes` rounds over `cells` cells, each round shuffled from `seed`.
pub fn interleaved(cells: usize, processes: u32, seed: u64) -> Vec<Slot> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut order: Vec<usize> = (0..cells).collect();
    let mut slots = Vec::with_capacity(cells * processes as usize);
    for process in 0..processes {
        order.shuffle(&mut rng);
        slots.extend(order.iter().map(|&cell| Slot { cell, process }));
    }
    slots
}

/// A seed for a run that was given none: different for every run.
pub fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    (nanos as u64) ^ (u64::from(std::process::id()) << 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_process_of_every_cell_once_in_rounds() {
        let slots = interleaved(7, 3, 42);
        assert_eq!(slots.len(), 21);
        for (round, chunk) in slots.chunks(7).enumerate() {
            let mut cells: Vec<usize> = chunk.iter().map(|s| s.cell).collect();
            assert!(chunk.iter().all(|s| s.process == round as u32));
            cells.sort();
            assert_eq!(cells, (0..7).collect::<Vec<_>>());
        }
    }

    #[test]
    fn the_seed_replays_the_order_and_rounds_differ() {
        assert_eq!(interleaved(10, 4, 7), interleaved(10, 4, 7));
        assert_ne!(interleaved(10, 4, 7), interleaved(10, 4, 8));
        let slots = interleaved(10, 2, 7);
        assert_ne!(
            slots[..10].iter().map(|s| s.cell).collect::<Vec<_>>(),
            slots[10..].iter().map(|s| s.cell).collect::<Vec<_>>()
        );
    }
}
