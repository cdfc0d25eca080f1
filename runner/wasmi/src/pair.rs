//! The two instantiated guests and the calls of a round trip between them: the hot path every
//! latency figure measures, sequenced by wasmatrix-core's `calls::Pair` as under every other
//! runtime. Generic over the transport and the route's place (see [`crate::route`]), so each
//! transport's and call pattern's loop is compiled on its own, with nothing dynamic inside.

use crate::call::{failure, read_text, Consume, ConsumerFns, ProducerFns};
use crate::engine::Modules;
use crate::route::{GuestStore, Place, Route};
use crate::transport::Transport;
use anyhow::Result;
use wasmatrix_core::abi::Bytes;
use wasmatrix_core::abi::Role;
use wasmatrix_core::calls::{self, GuestCalls, Pair};
use wasmatrix_core::guests::{Failure, MemoryPages, Output};
use wasmatrix_core::transport::Router;

/// The instantiated guests, linked by transport `T` (the environment is the store's data), their
/// route where the call pattern `P` keeps it: each export call of wasmatrix-core's
/// [`GuestCalls`], which makes the round trip every runtime makes.
pub struct Calls<T, P> {
    store: GuestStore<T>,
    producer: ProducerFns,
    consumer: ConsumerFns,
    place: P,
}

/// Links and instantiates both guests in the store's environment (the measured "instantiate"
/// phase), for the call pattern `call`, whose place `P` is.
pub fn instantiate<T: Transport, P: Place<T>>(
    mut store: GuestStore<T>,
    modules: &Modules,
    call: wasmatrix_core::axes::Call,
) -> Result<Pair<Calls<T, P>>> {
    let linked = T::link(&mut store, modules)?;
    let producer = ProducerFns::new(&store, &linked.producer)?;
    let consumer = ConsumerFns::new(&store, &linked.consumer)?;
    let route = Router::new(linked.transport, Consume(consumer.consume));
    let place = P::settle(route, &mut store, &linked.producer)?;
    Ok(Pair::new(Calls { store, producer, consumer, place }, call))
}

impl<T: Transport, P: Place<T>> calls::Route for Calls<T, P> {
    #[inline]
    fn to_consumer(&mut self, request: Bytes) -> Result<Bytes, Failure> {
        self.place.to_consumer(&mut self.store, request)
    }

    #[inline]
    fn consume(&mut self, request: Bytes) -> Result<u64, Failure> {
        self.consumer.consume.call(&mut self.store, (request.ptr, request.len)).map_err(failure)
    }

    #[inline]
    fn to_producer(&mut self, reply: Bytes) -> Result<Bytes, Failure> {
        self.place.to_producer(&mut self.store, reply)
    }
}

impl<T: Transport, P: Place<T>> Calls<T, P> {
    /// The route, unless it is out on a request.
    fn route(&self) -> Option<&Route<T>> {
        self.place.route(&self.store)
    }
}

impl<T: Transport, P: Place<T>> GuestCalls for Calls<T, P> {
    wasmatrix_core::guest_calls!(args: tupled, failure: failure, read_text: read_text);

    #[inline]
    fn round_trip(&mut self, i: u32) -> Result<u32, Failure> {
        self.place.round_trip(&mut self.store, i)
    }

    fn output(&self) -> Output {
        self.store.data().output()
    }

    fn count_traffic(&mut self) -> Result<(), Failure> {
        self.place.check(&mut self.store)
    }

    /// Each guest's memory as the transport holds it (under `shared`, the one both import).
    fn memory_pages(&self) -> MemoryPages {
        let Some(route) = self.route() else { return MemoryPages::default() };
        let pages = |role| Some(route.transport.memory(role).size(&self.store));
        MemoryPages { producer: pages(Role::Producer), consumer: pages(Role::Consumer) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::environment::{store, Host};
    use crate::route::Stored;
    use crate::transport::CopyLink;
    use wasmatrix_core::axes::{Call, Environment, Logging};
    use wasmatrix_core::guests::Guests;
    use wasmi::{Engine, Module};

    /// A producer whose `round_trip(i)` delivers the `i` bytes at 100 and folds the reply's
    /// length into its checksum, refusing a reply that is not in its reply buffer (at 1000).
    const PRODUCER: &str = r#"(module
        (import "env" "deliver" (func $deliver (param i32 i32) (result i64)))
        (memory (export "memory") 1)
        (global $sum (mut i64) (i64.const 0))
        (func (export "produce") (param i32) (result i64)
            (i64.or (i64.const 0x6400000000) (i64.extend_i32_u (local.get 0))))
        (func (export "reply_buffer") (param i32) (result i32) (i32.const 1000))
        (func (export "check_reply") (param i32 i32) (result i32) (i32.const 0))
        (func (export "checksum") (result i64) (global.get $sum))
        (func (export "bench_encode") (param i32 i32) (result i32) (i32.const 0))
        (func (export "error_message") (result i64) (i64.const 0))
        (func (export "round_trip") (param $i i32) (result i32) (local $r i64)
            (local.set $r (call $deliver (i32.const 100) (local.get $i)))
            (if (i64.eqz (local.get $r)) (then (return (i32.const 1))))
            (if (i64.ne (i64.shr_u (local.get $r) (i64.const 32)) (i64.const 1000)) (then (return (i32.const 2))))
            (global.set $sum (i64.add (global.get $sum) (i64.and (local.get $r) (i64.const 0xffffffff))))
            (i32.const 0)))"#;

    /// A consumer that answers a request in its request buffer (at 200) with 2 bytes (3 if the
    /// request was elsewhere), refuses a request of 4 bytes and traps on one of 5.
    const CONSUMER: &str = r#"(module
        (memory (export "memory") 1)
        (func (export "request_buffer") (param i32) (result i32) (i32.const 200))
        (func (export "consume") (param $p i32) (param $n i32) (result i64)
            (if (i32.eq (local.get $n) (i32.const 5)) (then unreachable))
            (if (i32.eq (local.get $n) (i32.const 4)) (then (return (i64.const 0))))
            (i64.or (i64.const 0x12c00000000)
                (select (i64.const 2) (i64.const 3) (i32.eq (local.get $p) (i32.const 200)))))
        (func (export "ping") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
        (func (export "bench_decode") (param i32 i32 i32) (result i32) (i32.const 0))
        (func (export "error_message") (result i64) (i64.const 0)))"#;

    #[test]
    fn under_import_the_producer_reaches_the_consumer_through_env_deliver() {
        let engine = Engine::default();
        let modules = Modules {
            producer: Module::new(&engine, PRODUCER).unwrap(),
            consumer: Module::new(&engine, CONSUMER).unwrap(),
            relays: vec![],
            relay_of: vec![],
        };
        let host = Host::new(Environment::Bare, Logging::Off, Call::Import, 64).unwrap();
        let mut pair = instantiate::<CopyLink, Stored>(store(&engine, host), &modules, Call::Import).unwrap();
        pair.round_trips(1, 3).unwrap();
        assert_eq!(pair.checksum().unwrap(), 3 * 2, "each reply carried back into the reply buffer");
        let traffic = pair.traffic();
        assert_eq!((traffic.request_bytes, traffic.reply_bytes, traffic.copied_bytes), (6, 6, 12));

        let Err(Failure::Error(e)) = pair.round_trip(4) else { panic!("the consumer refuses 4 bytes") };
        assert_eq!(e, "consumer refused record 4: (no message)");
        let Err(Failure::Trap(e)) = pair.round_trip(5) else { panic!("the consumer traps on 5 bytes") };
        assert!(e.starts_with("inside env.deliver: "), "{e}");

        // The route is back in the store after the trap.
        pair.round_trip(1).unwrap();
        pair.stage(2).unwrap();
        pair.decode_batch(1).unwrap();
        assert_eq!(pair.checksum().unwrap(), 4 * 2);
        assert_eq!(
            pair.traffic().copied_bytes,
            12 + 4 + 5 + (1 + 2) + 2,
            "refused and trapped requests were carried too"
        );
    }

    #[test]
    fn each_guest_memory_is_counted_in_pages() {
        let engine = Engine::default();
        let modules = Modules {
            producer: Module::new(&engine, PRODUCER.replace(r#"(export "memory") 1"#, r#"(export "memory") 3"#))
                .unwrap(),
            consumer: Module::new(&engine, CONSUMER).unwrap(),
            relays: vec![],
            relay_of: vec![],
        };
        let host = Host::new(Environment::Bare, Logging::Off, Call::Import, 64).unwrap();
        let pair = instantiate::<CopyLink, Stored>(store(&engine, host), &modules, Call::Import).unwrap();
        assert_eq!(pair.memory_pages(), MemoryPages { producer: Some(3), consumer: Some(1) });
    }
}
