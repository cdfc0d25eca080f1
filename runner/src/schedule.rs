//! The order a run's worker processes go in. Every cell gets between `min_processes` and
//! `processes` independent processes; they run in rounds, one process of every cell still running
//! per round, each round in its own order shuffled from a recorded seed. So a slow spell of the
//! machine, drift over the night or the cell that happens to follow a heavy compile cannot favour
//! one cell over another, and the same seed (with the same cells stopping in the same rounds)
//! replays the same order. A cell leaves the rounds when it stops (see `run`).

use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::SliceRandom;
use rand::SeedableRng;

/// Rounds over a run's cells, shuffled from a seed.
pub struct Rounds {
    rng: Xoshiro256PlusPlus,
}

impl Rounds {
    pub fn new(seed: u64) -> Rounds {
        Rounds { rng: Xoshiro256PlusPlus::seed_from_u64(seed) }
    }

    /// The next round: `running` (the cells still adding processes, by index) in a shuffled order.
    pub fn next(&mut self, mut running: Vec<usize>) -> Vec<usize> {
        running.sort_unstable();
        running.shuffle(&mut self.rng);
        running
    }
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
    fn every_running_cell_once_per_round() {
        let mut rounds = Rounds::new(42);
        for _ in 0..3 {
            let mut round = rounds.next((0..7).collect());
            round.sort();
            assert_eq!(round, (0..7).collect::<Vec<_>>());
        }
        let mut round = rounds.next(vec![5, 1, 3]);
        round.sort();
        assert_eq!(round, [1, 3, 5], "a cell that stopped leaves the rounds");
    }

    #[test]
    fn the_seed_replays_the_order_and_rounds_differ() {
        let order = |seed| {
            let mut rounds = Rounds::new(seed);
            (0..4).map(|_| rounds.next((0..10).collect())).collect::<Vec<_>>()
        };
        assert_eq!(order(7), order(7));
        assert_ne!(order(7), order(8));
        let rounds = order(7);
        assert_ne!(rounds[0], rounds[1]);
        let mut again = Rounds::new(7);
        assert_eq!(again.next((0..10).rev().collect()), rounds[0], "the order given does not matter");
    }
}
