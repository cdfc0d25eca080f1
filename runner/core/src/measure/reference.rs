//! The in-process reference: a small fixed native workload that every Rust worker times between
//! the cell's own round-trip batches (see `worker::exercise`), so that each process carries a
//! measure of how fast the machine was while it measured. The workload is the consumer's hash
//! (64-bit FNV-1a, as guests/consumer hashes every field) over a fixed 1 KiB buffer that a
//! fixed xorshift fills, with a data-dependent branch per byte; it allocates nothing, touches
//! 1 KiB, and depends on no runtime, codec or guest, so its time moves only with the machine:
//! frequency, steal, a busy sibling hyperthread, cache pressure.
//!
//! Its code is the same in every worker (this crate, built with opt-level 3 in every profile: see
//! the workspace's `[profile.*.package.wasmatrix-core]`); one reference op is one pass over the
//! buffer, about 1 µs.

use std::hint::black_box;

/// Bytes hashed per reference op.
pub const BYTES: usize = 1024;

/// Reference ops per timed reference batch: about 50 µs, a quarter of a quick round-trip batch.
pub const BATCH: u32 = 50;

/// The reference's fixed input and its running digest.
pub struct Reference {
    buffer: [u8; BYTES],
    digest: u64,
}

impl Default for Reference {
    fn default() -> Self {
        let mut buffer = [0u8; BYTES];
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for byte in buffer.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *byte = x as u8;
        }
        Reference { buffer, digest: 0 }
    }
}

impl Reference {
    /// `n` reference ops.
    #[inline(never)]
    pub fn run(&mut self, n: u32) {
        for i in 0..n {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ u64::from(i);
            for &b in black_box(&self.buffer).iter() {
                // The consumer's FNV-1a step, with a branch on the data as its string work has.
                h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
                if b & 0x80 != 0 {
                    h = h.rotate_left(5);
                }
            }
            self.digest ^= black_box(h);
        }
    }

    /// What the ops computed (kept so the work cannot be optimised away).
    pub fn digest(&self) -> u64 {
        self.digest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_is_deterministic_and_depends_on_every_op() {
        let (mut a, mut b) = (Reference::default(), Reference::default());
        a.run(3);
        b.run(3);
        assert_eq!(a.digest(), b.digest());
        assert_ne!(a.digest(), 0);
        b.run(1);
        assert_ne!(a.digest(), b.digest());
    }
}
