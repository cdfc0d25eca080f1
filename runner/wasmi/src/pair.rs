//! The two instantiated guests and the calls of a round trip between them: the hot path every
//! latency figure measures, sequenced by wasmatrix-core's `calls::Pair` as under every other
//! runtime. Generic over the transport so each transport's loop is compiled on its own, with
//! nothing dynamic inside.
//!
//! The middle of a round trip (wasmatrix-core's `calls::deliver`) runs over a [`Route`]: the
//! transport and the calls it makes. Where the route lives is the call pattern's [`Place`]: under
//! `call = host` the worker's [`Calls`] owns it ([`Held`]), as it always did; under `import` the
//! store does ([`Stored`]), so that the producer's `env.deliver` import reaches it from its caller.

use super::engine::Modules;
use super::environment::{Deliver, Host};
use super::transport::Transport;
use anyhow::{Context, Result};
use wasmatrix_core::abi::Role;
use wasmatrix_core::calls::{self, GuestCalls, Pair};
use wasmatrix_core::guests::{Failure, Output, Traffic};
use wasmi::errors::HostError;
use wasmi::{AsContext, AsContextMut, Caller, Instance, Memory, Store, TypedFunc};

pub use wasmatrix_core::abi::Bytes;

/// A guest call's trap as a [`Failure`]: `.call(..).trapped()?`.
pub trait Trapped<T> {
    fn trapped(self) -> Result<T, Failure>;
}

impl<T> Trapped<T> for Result<T, wasmi::Error> {
    #[inline]
    fn trapped(self) -> Result<T, Failure> {
        self.map_err(failure)
    }
}

/// A guest call's error as a [`Failure`]: a trap, unless it is a failure `env.deliver` relayed
/// through the producer's frames, which keeps its kind.
#[cold]
fn failure(mut e: wasmi::Error) -> Failure {
    match e.downcast_mut::<Relayed>() {
        Some(Relayed(relayed)) => match std::mem::replace(relayed, Failure::Error(String::new())) {
            Failure::Trap(m) => Failure::Trap(format!("inside env.deliver: {m}")),
            other => other,
        },
        None => Failure::Trap(e.to_string()),
    }
}

/// A failure inside `env.deliver` (a trap in the consumer, say), carried through the producer's
/// frames as a host error and told apart again by [`Trapped`], so it keeps its kind.
#[derive(Debug)]
struct Relayed(Failure);

impl std::fmt::Display for Relayed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl HostError for Relayed {}

/// The store both guests live in; its data holds the route under `call = import`.
pub type GuestStore<T> = Store<Host<Route<T>>>;

/// The producer's exports (see guests/producer); its `reply_buffer` is the [`Route`]'s.
pub struct ProducerFns {
    pub produce: TypedFunc<u32, u64>,
    pub check_reply: TypedFunc<(u32, u32), u32>,
    pub checksum: TypedFunc<(), u64>,
    pub bench_encode: TypedFunc<(u32, u32), u32>,
    pub error_message: TypedFunc<(), u64>,
}

/// The consumer's exports (see guests/consumer); its `request_buffer` is the [`Route`]'s.
pub struct ConsumerFns {
    pub consume: TypedFunc<(u32, u32), u64>,
    pub ping: TypedFunc<u32, u32>,
    pub bench_decode: TypedFunc<(u32, u32, u32), u32>,
    pub error_message: TypedFunc<(), u64>,
}

const PRODUCER_LACKS: &str = "producer lacks an export the harness calls";
const CONSUMER_LACKS: &str = "consumer lacks an export the harness calls";

impl ProducerFns {
    fn new<R>(store: &Store<R>, instance: &Instance) -> Result<Self> {
        let context = PRODUCER_LACKS;
        Ok(ProducerFns {
            produce: instance.get_typed_func(store, "produce").context(context)?,
            check_reply: instance.get_typed_func(store, "check_reply").context(context)?,
            checksum: instance.get_typed_func(store, "checksum").context(context)?,
            bench_encode: instance.get_typed_func(store, "bench_encode").context(context)?,
            error_message: instance.get_typed_func(store, "error_message").context(context)?,
        })
    }
}

impl ConsumerFns {
    fn new<R>(store: &Store<R>, instance: &Instance) -> Result<Self> {
        let context = CONSUMER_LACKS;
        Ok(ConsumerFns {
            consume: instance.get_typed_func(store, "consume").context(context)?,
            ping: instance.get_typed_func(store, "ping").context(context)?,
            bench_decode: instance.get_typed_func(store, "bench_decode").context(context)?,
            error_message: instance.get_typed_func(store, "error_message").context(context)?,
        })
    }
}

/// What a request is routed through: the transport, and the calls of the middle of a round trip.
pub struct Route<T> {
    transport: T,
    consume: TypedFunc<(u32, u32), u64>,
    request_buffer: TypedFunc<u32, u32>,
    reply_buffer: TypedFunc<u32, u32>,
}

/// A route in use from a store context: the store (`call = host`, or a carry outside a round
/// trip), or the caller of `env.deliver`.
struct Routing<'a, C, T> {
    ctx: C,
    route: &'a mut Route<T>,
}

impl<C: AsContextMut, T: Transport> calls::Route for Routing<'_, C, T> {
    #[inline]
    fn to_consumer(&mut self, request: Bytes) -> Result<Bytes, Failure> {
        self.route.transport.to_consumer(&mut self.ctx, &self.route.request_buffer, request)
    }

    #[inline]
    fn consume(&mut self, request: Bytes) -> Result<u64, Failure> {
        self.route.consume.call(&mut self.ctx, (request.ptr, request.len)).trapped()
    }

    #[inline]
    fn to_producer(&mut self, reply: Bytes) -> Result<Bytes, Failure> {
        self.route.transport.to_producer(&mut self.ctx, &self.route.reply_buffer, reply)
    }
}

impl<T: Transport> Deliver for Route<T> {
    /// wasmatrix-core's `calls::deliver` over the route the store holds, taken out for the call
    /// (the consumer's `consume` runs in the same store) and put back.
    fn deliver(mut caller: Caller<'_, Host<Self>>, ptr: u32, len: u32) -> Result<u64, wasmi::Error> {
        let mut route = caller
            .data_mut()
            .route
            .take()
            .ok_or_else(|| wasmi::Error::new("env.deliver re-entered, or called before both guests were linked"))?;
        let mut traffic = caller.data().delivered;
        let outcome =
            calls::deliver(&mut Routing { ctx: &mut caller, route: &mut route }, Bytes { ptr, len }, &mut traffic);
        let host = caller.data_mut();
        (host.route, host.delivered) = (Some(route), traffic);
        outcome.map_err(|failure| wasmi::Error::host(Relayed(failure)))
    }
}

/// Where the route lives, per call pattern, and the producer's part in a round trip there.
pub trait Place<T: Transport>: Sized {
    /// Puts the linked guests' route in its place.
    fn settle(route: Route<T>, store: &mut GuestStore<T>, producer: &Instance) -> Result<Self>;
    /// The transport's carries, outside `env.deliver`.
    fn to_consumer(&mut self, store: &mut GuestStore<T>, request: Bytes) -> Result<Bytes, Failure>;
    fn to_producer(&mut self, store: &mut GuestStore<T>, reply: Bytes) -> Result<Bytes, Failure>;
    /// The producer's `round_trip` export (`call = import`).
    fn round_trip(&mut self, store: &mut GuestStore<T>, i: u32) -> Result<u32, Failure>;
    /// The route, unless it is out on a request.
    fn route<'a>(&'a self, store: &'a GuestStore<T>) -> Option<&'a Route<T>>;
}

/// `call = host`: the worker holds the route; the store never does.
pub struct Held<T>(Route<T>);

impl<T: Transport> Place<T> for Held<T> {
    fn settle(route: Route<T>, _: &mut GuestStore<T>, _: &Instance) -> Result<Self> {
        Ok(Held(route))
    }

    #[inline]
    fn to_consumer(&mut self, store: &mut GuestStore<T>, request: Bytes) -> Result<Bytes, Failure> {
        self.0.transport.to_consumer(store, &self.0.request_buffer, request)
    }

    #[inline]
    fn to_producer(&mut self, store: &mut GuestStore<T>, reply: Bytes) -> Result<Bytes, Failure> {
        self.0.transport.to_producer(store, &self.0.reply_buffer, reply)
    }

    fn round_trip(&mut self, _: &mut GuestStore<T>, _: u32) -> Result<u32, Failure> {
        Err(Failure::Error("call = host: the host runs the round trip, not the producer's round_trip".into()))
    }

    fn route<'a>(&'a self, _: &'a GuestStore<T>) -> Option<&'a Route<T>> {
        Some(&self.0)
    }
}

/// `call = import`: the store holds the route, for `env.deliver`; the worker calls the producer's
/// `round_trip`.
pub struct Stored {
    round_trip: TypedFunc<u32, u32>,
}

impl Stored {
    /// Runs `f` on the store's route, taken out for the call and put back.
    fn with_route<T: Transport, R>(
        store: &mut GuestStore<T>,
        f: impl FnOnce(&mut Routing<&mut GuestStore<T>, T>) -> Result<R, Failure>,
    ) -> Result<R, Failure> {
        let mut route =
            store.data_mut().route.take().ok_or_else(|| Failure::Error("the store holds no route".into()))?;
        let outcome = f(&mut Routing { ctx: &mut *store, route: &mut route });
        store.data_mut().route = Some(route);
        outcome
    }
}

impl<T: Transport> Place<T> for Stored {
    fn settle(route: Route<T>, store: &mut GuestStore<T>, producer: &Instance) -> Result<Self> {
        let round_trip = producer
            .get_typed_func(&*store, "round_trip")
            .context("the producer exports no round_trip(u32) -> u32: it was not built with the feature call-import")?;
        store.data_mut().route = Some(route);
        Ok(Stored { round_trip })
    }

    fn to_consumer(&mut self, store: &mut GuestStore<T>, request: Bytes) -> Result<Bytes, Failure> {
        Stored::with_route(store, |r| calls::Route::to_consumer(r, request))
    }

    fn to_producer(&mut self, store: &mut GuestStore<T>, reply: Bytes) -> Result<Bytes, Failure> {
        Stored::with_route(store, |r| calls::Route::to_producer(r, reply))
    }

    #[inline]
    fn round_trip(&mut self, store: &mut GuestStore<T>, i: u32) -> Result<u32, Failure> {
        self.round_trip.call(store, i).trapped()
    }

    fn route<'a>(&'a self, store: &'a GuestStore<T>) -> Option<&'a Route<T>> {
        store.data().route.as_ref()
    }
}

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
    let route = Route {
        transport: linked.transport,
        consume: consumer.consume,
        request_buffer: linked.consumer.get_typed_func(&store, "request_buffer").context(CONSUMER_LACKS)?,
        reply_buffer: linked.producer.get_typed_func(&store, "reply_buffer").context(PRODUCER_LACKS)?,
    };
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
        self.consumer.consume.call(&mut self.store, (request.ptr, request.len)).trapped()
    }

    #[inline]
    fn to_producer(&mut self, reply: Bytes) -> Result<Bytes, Failure> {
        self.place.to_producer(&mut self.store, reply)
    }
}

impl<T: Transport, P: Place<T>> GuestCalls for Calls<T, P> {
    #[inline]
    fn produce(&mut self, i: u32) -> Result<u64, Failure> {
        self.producer.produce.call(&mut self.store, i).trapped()
    }

    #[inline]
    fn check_reply(&mut self, reply: Bytes) -> Result<u32, Failure> {
        self.producer.check_reply.call(&mut self.store, (reply.ptr, reply.len)).trapped()
    }

    #[inline]
    fn round_trip(&mut self, i: u32) -> Result<u32, Failure> {
        self.place.round_trip(&mut self.store, i)
    }

    fn delivered(&self) -> Traffic {
        self.store.data().delivered
    }

    fn checksum(&mut self) -> Result<u64, Failure> {
        self.producer.checksum.call(&mut self.store, ()).trapped()
    }

    fn bench_encode(&mut self, i: u32, n: u32) -> Result<u32, Failure> {
        self.producer.bench_encode.call(&mut self.store, (i, n)).trapped()
    }

    #[inline]
    fn ping(&mut self, x: u32) -> Result<u32, Failure> {
        self.consumer.ping.call(&mut self.store, x).trapped()
    }

    fn bench_decode(&mut self, request: Bytes, n: u32) -> Result<u32, Failure> {
        self.consumer.bench_decode.call(&mut self.store, (request.ptr, request.len, n)).trapped()
    }

    fn copied_bytes(&self) -> u64 {
        self.place.route(&self.store).map_or(0, |route| route.transport.copied_bytes())
    }

    fn says(&mut self, role: Role) -> Result<String, Failure> {
        let packed = match role {
            Role::Producer => self.producer.error_message.call(&mut self.store, ()).trapped()?,
            Role::Consumer => self.consumer.error_message.call(&mut self.store, ()).trapped()?,
        };
        let Some(route) = self.place.route(&self.store) else {
            return Ok("(unreadable message: the route is out)".into());
        };
        Ok(match role {
            Role::Producer => route.transport.producer_text(&self.store, packed),
            Role::Consumer => route.transport.consumer_text(&self.store, packed),
        })
    }

    fn output(&self) -> Output {
        self.store.data().output()
    }
}

/// Reads a packed UTF-8 message out of a guest memory, for error reports.
pub fn read_text(ctx: impl AsContext, memory: &Memory, packed: u64) -> String {
    let Some(range) = Bytes::unpack(packed) else {
        return "(no message)".into();
    };
    let mut buf = vec![0; range.len.min(4096) as usize];
    match memory.read(ctx, range.ptr as usize, &mut buf) {
        Ok(()) => String::from_utf8_lossy(&buf).into_owned(),
        Err(e) => format!("(unreadable message: {e})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::environment::{store, Host};
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
}
