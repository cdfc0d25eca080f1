//! The host side of the guests' ABI, the same for every runtime's worker: how a byte range
//! crosses a call, which guest is which, and how the `shared` transport lays both guests out in one
//! memory. The guest side is guests/proto/src/abi.rs.

/// Where the consumer's data and stack start in the shared memory. The producer keeps the
/// linker's default, stack first: stack in [0, 1 MiB), then its data; the consumer's data starts
/// here, followed by its stack. Both heaps grow the memory at its end.
pub const SHARED_CONSUMER_BASE: u32 = 2 << 20;

/// Where relay `j` (1-based, the `modules` axis's chains) starts its data and stack in the shared
/// memory: above the consumer's, [`SHARED_CONSUMER_BASE`] apart (the consumer's data and stack span
/// a little more than 1 MiB).
pub fn shared_relay_base(j: usize) -> u32 {
    SHARED_CONSUMER_BASE * (j as u32 + 1)
}

/// Checks a chain's guests sharing one memory, from each guest's end of data and stack (its
/// exported `__heap_base`), in slot order: the producer, the consumer, then the relays. Each lies
/// below the next one's base ([`SHARED_CONSUMER_BASE`], then [`shared_relay_base`]) and above its
/// own.
pub fn check_shared_chain(producer_end: u32, consumer_end: u32, relay_ends: &[u32]) -> Result<(), String> {
    check_shared_layout(producer_end, consumer_end)?;
    let mut ends = std::iter::once(consumer_end).chain(relay_ends.iter().copied());
    for j in 1..=relay_ends.len() {
        let (below, base) = (ends.next().unwrap_or_default(), shared_relay_base(j));
        let end = relay_ends[j - 1];
        if below > base || end <= base {
            return Err(format!(
                "guests overlap in the shared memory: relay {j} spans {base:#x}..{end:#x}, the guest below it ends at \
                 {below:#x}; rebuild the guests"
            ));
        }
    }
    Ok(())
}

/// The import both guests take the `shared` transport's memory from.
pub const SHARED_MEMORY_IMPORT: (&str, &str) = ("env", "memory");

/// A byte range in one guest's memory, as the guests pack it into a `u64`: pointer high, length
/// low.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bytes {
    pub ptr: u32,
    pub len: u32,
}

impl Bytes {
    /// `None` for the guests' "failed" value, 0.
    #[inline]
    pub fn unpack(packed: u64) -> Option<Bytes> {
        (packed != 0).then_some(Bytes { ptr: (packed >> 32) as u32, len: packed as u32 })
    }

    /// The packed form, as a guest reads it.
    #[inline]
    pub fn pack(self) -> u64 {
        (u64::from(self.ptr) << 32) | u64::from(self.len)
    }
}

/// Which of the two guests: what is built, linked and instantiated for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Producer,
    Consumer,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Producer => "producer",
            Role::Consumer => "consumer",
        }
    }
}

/// The limits (in 64 KiB pages) of the memory the host creates for the `shared` transport: what
/// both guests' `env.memory` imports accept, the larger minimum and the smaller maximum if either
/// declares one (emcc's output always does).
pub fn shared_memory_pages(producer: (u64, Option<u64>), consumer: (u64, Option<u64>)) -> (u64, Option<u64>) {
    (producer.0.max(consumer.0), [producer.1, consumer.1].into_iter().flatten().min())
}

/// Checks, from each guest's exported `__heap_base` (the end of its static data and stack), that
/// the two guests sharing one memory do not overlap: the producer's data and stack lie below
/// [`SHARED_CONSUMER_BASE`], the consumer's above it.
pub fn check_shared_layout(producer_end: u32, consumer_end: u32) -> Result<(), String> {
    if producer_end > SHARED_CONSUMER_BASE || consumer_end <= SHARED_CONSUMER_BASE {
        return Err(format!(
            "guests overlap in the shared memory: producer data and stack end at {producer_end:#x}, consumer's span \
             {SHARED_CONSUMER_BASE:#x}..{consumer_end:#x}; rebuild the guests"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_ranges_and_the_failed_value() {
        assert_eq!(Bytes::unpack(0), None);
        assert_eq!(Bytes::unpack((0x10 << 32) | 7), Some(Bytes { ptr: 0x10, len: 7 }));
        assert_eq!(Bytes { ptr: 0x10, len: 7 }.pack(), (0x10 << 32) | 7);
    }

    #[test]
    fn shared_memory_takes_what_both_accept() {
        assert_eq!(shared_memory_pages((17, None), (40, None)), (40, None));
        assert_eq!(shared_memory_pages((17, Some(100)), (40, None)), (40, Some(100)));
        assert_eq!(shared_memory_pages((17, Some(100)), (40, Some(80))), (40, Some(80)));
    }

    #[test]
    fn overlapping_guests_are_refused() {
        assert!(check_shared_layout(0x11_0000, SHARED_CONSUMER_BASE + 0x1_0000).is_ok());
        assert!(check_shared_layout(SHARED_CONSUMER_BASE + 1, SHARED_CONSUMER_BASE + 0x1_0000)
            .unwrap_err()
            .contains("overlap"));
        assert!(check_shared_layout(0x11_0000, SHARED_CONSUMER_BASE).is_err());
    }

    #[test]
    fn a_chain_is_laid_out_relay_above_relay() {
        let (p, c) = (0x11_0000, SHARED_CONSUMER_BASE + 0x11_0000);
        let relays = [shared_relay_base(1) + 0x11_0000, shared_relay_base(2) + 0x11_0000];
        assert!(check_shared_chain(p, c, &relays).is_ok());
        assert!(check_shared_chain(p, c, &[]).is_ok());
        let e = check_shared_chain(p, c, &[relays[0], shared_relay_base(2)]).unwrap_err();
        assert!(e.contains("relay 2 spans 0x600000..0x600000"), "{e}");
        assert!(check_shared_chain(p, shared_relay_base(1) + 1, &relays[..1]).unwrap_err().contains("relay 1"));
    }
}
