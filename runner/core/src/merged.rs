//! Transport `merged`: both guests and a small adapter (guests/merged/adapter.wat) merged by
//! binaryen's `wasm-merge` into one module with two memories (the multi-memory feature). The
//! producer's memory is memory 0, exported as `memory`; the consumer's memory 1, exported as
//! [`CONSUMER_MEMORY`]. The producer's `env.deliver` import is the adapter's `deliver`, which copies
//! the request into a buffer the consumer allocated (`memory.copy` from memory 0 to 1), calls its
//! `consume` and copies the reply back the same way: under `call = import` a round trip never
//! leaves wasm. The module exports the producer's exports under their own names, the consumer's the
//! harness calls under [`CONSUMER`] then their name, and the adapter's carries and counters under
//! [`ADAPTER`] then theirs (the table `MergedFns` of [`guest_exports!`](crate::guest_exports)).
//!
//! A worker instantiates the one module and holds its exports in a type with the fields
//! [`merged_calls!`](crate::merged_calls) names; the macro makes it the [`GuestCalls`] and
//! [`Route`] every round trip runs over: under `call = host` the host calls `produce`, the
//! adapter's `to_consumer`, the consumer's `consume`, the adapter's `to_producer` and the producer's
//! `check_reply`, each a call into the module; under `call = import`, the producer's `round_trip`.
//!
//! A merged chain (`modules` above 2) holds the relays too, each with a memory of its own between
//! the producer's and the consumer's: the adapter's `to_consumer` walks the request through every
//! relay inside wasm (a copy into its buffer, its `relay`), and the module exports each relay's
//! exports under [`relay_prefix`], the adapter's `refused_by` (which relay could not read a
//! request, after the adapter trapped) too. The worker checks the relays' digests when it reads
//! the adapter's counts.
//!
//! [`GuestCalls`]: crate::calls::GuestCalls
//! [`Route`]: crate::calls::Route

use crate::guests::Failure;

/// The prefix of the consumer's exports the harness calls (`consumer.consume`, ...).
pub const CONSUMER: &str = "consumer.";
/// The consumer's memory (memory 1 of a pair, the last of a chain).
pub const CONSUMER_MEMORY: &str = "consumer.memory";
/// The prefix of the adapter's exports (`merged.to_consumer`, ...).
pub const ADAPTER: &str = "merged.";

/// The prefix of relay `j`'s exports (from 1) in a merged chain: `relay<j>.relay_digest`, ...
pub fn relay_prefix(j: usize) -> String {
    format!("relay{j}.")
}

/// A merged chain's relays, in order, each as `table(prefix)` makes it from its exports under
/// [`relay_prefix`]: relay `j` is there while `has(name)` says the module exports relay `j`'s
/// `relay_digest` (a pair has none).
pub fn relays<R>(
    has: impl Fn(&str) -> bool,
    mut table: impl FnMut(&str) -> Result<R, Failure>,
) -> Result<Vec<R>, Failure> {
    let mut relays = Vec::new();
    while has(&format!("{}relay_digest", relay_prefix(relays.len() + 1))) {
        relays.push(table(&relay_prefix(relays.len() + 1))?);
    }
    Ok(relays)
}

/// Implements [`Route`](crate::calls::Route) and [`GuestCalls`](crate::calls::GuestCalls) for a
/// worker's merged pair `$Ty`, whose fields are: `store` (what a call takes); `producer`,
/// `consumer` and `adapter`, the tables of [`guest_exports!`](crate::guest_exports) looked up
/// with [`CONSUMER`] and [`ADAPTER`]; `round_trip`, the producer's `round_trip` if `call =
/// import`; `memories`, the producer's and the consumer's memory; and `traffic`, the
/// [`Traffic`](crate::guests::Traffic) the adapter counted, as of the last `count_traffic`.
/// `relays`, the tables `RelayFns` of each relay of a merged chain, looked up with [`relays`]
/// (empty for a pair); and `chain`, the adapter's `MergedChainFns` if there are relays.
/// `args`, `failure` and `read_text` as for [`guest_calls!`](crate::guest_calls); the items after
/// them (`output`, `memory_pages`) go into the `GuestCalls` impl. A carry or `round_trip` that
/// fails in a chain whose adapter says a relay could not read the request fails with
/// [`Failure::relay_refused`] (its `relay` returned 0 and the adapter trapped, saying which in
/// `merged.refused_by`); `count_traffic` checks that every relay's digest is relay 1's.
#[macro_export]
macro_rules! merged_calls {
    (
        impl $Ty:ty, args: $args:ident, failure: $failure:path, read_text: $read_text:path $(,)?
        { $($item:item)* }
    ) => {
        impl $crate::calls::Route for $Ty {
            #[inline]
            fn to_consumer(&mut self, request: $crate::abi::Bytes) -> ::core::result::Result<$crate::abi::Bytes, $crate::guests::Failure> {
                let to_consumer = &self.adapter.to_consumer;
                match $crate::guest_exports!(@call $args, to_consumer, &mut self.store, request.ptr, request.len) {
                    Ok(at) => Ok($crate::abi::Bytes { ptr: at, len: request.len }),
                    Err(e) => Err($crate::merged_calls!(@refused $args, self, $failure(e))),
                }
            }

            #[inline]
            fn consume(&mut self, request: $crate::abi::Bytes) -> ::core::result::Result<u64, $crate::guests::Failure> {
                let consume = &self.consumer.consume;
                $crate::guest_exports!(@call $args, consume, &mut self.store, request.ptr, request.len).map_err($failure)
            }

            #[inline]
            fn to_producer(&mut self, reply: $crate::abi::Bytes) -> ::core::result::Result<$crate::abi::Bytes, $crate::guests::Failure> {
                let to_producer = &self.adapter.to_producer;
                let at = $crate::guest_exports!(@call $args, to_producer, &mut self.store, reply.ptr, reply.len)
                    .map_err($failure)?;
                Ok($crate::abi::Bytes { ptr: at, len: reply.len })
            }
        }

        impl $crate::calls::GuestCalls for $Ty {
            $crate::guest_calls!(@exports args: $args, failure: $failure);

            #[inline]
            fn round_trip(&mut self, i: u32) -> ::core::result::Result<u32, $crate::guests::Failure> {
                let why = "call = host: the host runs the round trip, not the producer's round_trip";
                let round_trip = self.round_trip.as_ref().ok_or_else(|| $crate::guests::Failure::Error(why.into()))?;
                match $crate::guest_exports!(@call $args, round_trip, &mut self.store, i) {
                    Ok(outcome) => Ok(outcome),
                    Err(e) => Err($crate::merged_calls!(@refused $args, self, $failure(e))),
                }
            }

            /// What the adapter's `deliver` carried (`call = import`).
            fn delivered(&self) -> $crate::guests::Traffic {
                self.traffic
            }

            /// What the adapter copied between the memories, under either call pattern.
            fn copied_bytes(&self) -> u64 {
                self.traffic.copied_bytes
            }

            fn count_traffic(&mut self) -> ::core::result::Result<(), $crate::guests::Failure> {
                let adapter = &self.adapter;
                let request_bytes = $crate::guest_exports!(@call $args, adapter.request_bytes, &mut self.store).map_err($failure)?;
                let reply_bytes = $crate::guest_exports!(@call $args, adapter.reply_bytes, &mut self.store).map_err($failure)?;
                let copied_bytes = $crate::guest_exports!(@call $args, adapter.copied_bytes, &mut self.store).map_err($failure)?;
                self.traffic = $crate::guests::Traffic { request_bytes, reply_bytes, copied_bytes };
                // A chain: every relay read the same records as relay 1.
                if let Some((first, rest)) = self.relays.split_first() {
                    let first = $crate::guest_exports!(@call $args, first.relay_digest, &mut self.store).map_err($failure)?;
                    for (k, relay) in rest.iter().enumerate() {
                        let digest = $crate::guest_exports!(@call $args, relay.relay_digest, &mut self.store).map_err($failure)?;
                        if digest != first {
                            return Err($crate::guests::Failure::relay_disagrees(k + 2, digest, first));
                        }
                    }
                }
                Ok(())
            }

            fn says(&mut self, role: $crate::abi::Role) -> ::core::result::Result<String, $crate::guests::Failure> {
                let packed = $crate::guest_calls!(@error_message $args, $failure, self, role)?;
                let memory = match role {
                    $crate::abi::Role::Producer => &self.memories.0,
                    $crate::abi::Role::Consumer => &self.memories.1,
                };
                Ok($read_text(&self.store, memory, packed))
            }

            $($item)*
        }
    };

    // The failure of a carry or round trip: in a chain whose adapter says which relay could not
    // read the request (it trapped after that relay returned 0), that relay's refusal.
    (@refused $args:ident, $self:ident, $failure:expr) => {{
        let failure = $failure;
        match &$self.chain {
            Some(chain) => match $crate::guest_exports!(@call $args, chain.refused_by, &mut $self.store) {
                Ok(j) if j > 0 => $crate::guests::Failure::relay_refused(j),
                _ => failure,
            },
            None => failure,
        }
    }};
}
