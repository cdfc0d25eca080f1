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
//! [`GuestCalls`]: crate::calls::GuestCalls
//! [`Route`]: crate::calls::Route

/// The prefix of the consumer's exports the harness calls (`consumer.consume`, ...).
pub const CONSUMER: &str = "consumer.";
/// The consumer's memory (memory 1).
pub const CONSUMER_MEMORY: &str = "consumer.memory";
/// The prefix of the adapter's exports (`merged.to_consumer`, ...).
pub const ADAPTER: &str = "merged.";

/// Implements [`Route`](crate::calls::Route) and [`GuestCalls`](crate::calls::GuestCalls) for a
/// worker's merged pair `$Ty`, whose fields are: `store` (what a call takes); `producer`,
/// `consumer` and `adapter`, the tables of [`guest_exports!`](crate::guest_exports) looked up
/// with [`CONSUMER`] and [`ADAPTER`]; `round_trip`, the producer's `round_trip` if `call =
/// import`; `memories`, the producer's and the consumer's memory; and `traffic`, the
/// [`Traffic`](crate::guests::Traffic) the adapter counted, as of the last `count_traffic`.
/// `args`, `failure` and `read_text` as for [`guest_calls!`](crate::guest_calls); the items after
/// them (`output`, `memory_pages`) go into the `GuestCalls` impl.
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
                let at = $crate::guest_exports!(@call $args, to_consumer, &mut self.store, request.ptr, request.len)
                    .map_err($failure)?;
                Ok($crate::abi::Bytes { ptr: at, len: request.len })
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
                $crate::guest_exports!(@call $args, round_trip, &mut self.store, i).map_err($failure)
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
}
