//! The two instantiated guests and the calls of a round trip between them: the hot path every
//! latency figure measures, sequenced by wasmatrix-core's `calls::Pair` as under every other
//! runtime. Generic over the transport, so each transport's loop is compiled on its own, with
//! nothing dynamic inside.

use crate::engine::Modules;
use crate::environment::{failure, Delivery, Host};
use crate::transport::{Link, Transport};
use anyhow::{Context, Result};
use wasmatrix_core::abi::Role;
use wasmatrix_core::axes::Call;
use wasmatrix_core::calls::{self, GuestCalls, Pair};
use wasmatrix_core::guests::{Failure, Output, Traffic};
use wasmer::{AsStoreMut, AsStoreRef, Instance, Memory, RuntimeError, Store, StoreMut, TypedFunction};

pub use wasmatrix_core::abi::Bytes;

/// A guest call's error as a [`Failure`]: `.call(..).trapped()?`.
pub trait Trapped<T> {
    fn trapped(self) -> Result<T, Failure>;
}

impl<T> Trapped<T> for Result<T, RuntimeError> {
    #[inline]
    fn trapped(self) -> Result<T, Failure> {
        self.map_err(failure)
    }
}

/// The producer's exports (see guests/producer).
pub struct ProducerFns {
    pub produce: TypedFunction<u32, u64>,
    pub check_reply: TypedFunction<(u32, u32), u32>,
    pub reply_buffer: TypedFunction<u32, u32>,
    pub checksum: TypedFunction<(), u64>,
    pub bench_encode: TypedFunction<(u32, u32), u32>,
    pub error_message: TypedFunction<(), u64>,
}

/// The consumer's exports (see guests/consumer).
pub struct ConsumerFns {
    pub consume: TypedFunction<(u32, u32), u64>,
    pub request_buffer: TypedFunction<u32, u32>,
    pub ping: TypedFunction<u32, u32>,
    pub bench_decode: TypedFunction<(u32, u32, u32), u32>,
    pub error_message: TypedFunction<(), u64>,
}

impl ProducerFns {
    fn new(store: &Store, instance: &Instance) -> Result<Self> {
        let e = &instance.exports;
        let context = "producer lacks an export the harness calls";
        Ok(ProducerFns {
            produce: e.get_typed_function(store, "produce").context(context)?,
            check_reply: e.get_typed_function(store, "check_reply").context(context)?,
            reply_buffer: e.get_typed_function(store, "reply_buffer").context(context)?,
            checksum: e.get_typed_function(store, "checksum").context(context)?,
            bench_encode: e.get_typed_function(store, "bench_encode").context(context)?,
            error_message: e.get_typed_function(store, "error_message").context(context)?,
        })
    }
}

impl ConsumerFns {
    fn new(store: &Store, instance: &Instance) -> Result<Self> {
        let e = &instance.exports;
        let context = "consumer lacks an export the harness calls";
        Ok(ConsumerFns {
            consume: e.get_typed_function(store, "consume").context(context)?,
            request_buffer: e.get_typed_function(store, "request_buffer").context(context)?,
            ping: e.get_typed_function(store, "ping").context(context)?,
            bench_decode: e.get_typed_function(store, "bench_decode").context(context)?,
            error_message: e.get_typed_function(store, "error_message").context(context)?,
        })
    }
}

/// What a request is routed through: the transport and the calls of the middle of a round trip
/// (wasmatrix-core's `calls::deliver`). Under `call = host` the worker holds it; under `import`
/// the state of the producer's `env.deliver` does.
pub struct Route<T = Link> {
    transport: T,
    consume: TypedFunction<(u32, u32), u64>,
    request_buffer: TypedFunction<u32, u32>,
    reply_buffer: TypedFunction<u32, u32>,
}

/// A route in use: a store (the worker's, or the one `env.deliver` is handed) and the route.
pub struct Routing<'a, S, T> {
    pub store: S,
    pub route: &'a mut Route<T>,
}

/// A transport as the route needs it: [`Transport`]s, and [`Link`], either of them.
pub trait Carry {
    fn to_consumer(
        &mut self,
        store: &mut impl AsStoreMut,
        grow: &TypedFunction<u32, u32>,
        request: Bytes,
    ) -> Result<Bytes, Failure>;
    fn to_producer(
        &mut self,
        store: &mut impl AsStoreMut,
        grow: &TypedFunction<u32, u32>,
        reply: Bytes,
    ) -> Result<Bytes, Failure>;
}

impl<T: Transport> Carry for T {
    #[inline]
    fn to_consumer(
        &mut self,
        store: &mut impl AsStoreMut,
        grow: &TypedFunction<u32, u32>,
        request: Bytes,
    ) -> Result<Bytes, Failure> {
        Transport::to_consumer(self, store, grow, request)
    }
    #[inline]
    fn to_producer(
        &mut self,
        store: &mut impl AsStoreMut,
        grow: &TypedFunction<u32, u32>,
        reply: Bytes,
    ) -> Result<Bytes, Failure> {
        Transport::to_producer(self, store, grow, reply)
    }
}

impl Carry for Link {
    #[inline]
    fn to_consumer(
        &mut self,
        store: &mut impl AsStoreMut,
        grow: &TypedFunction<u32, u32>,
        request: Bytes,
    ) -> Result<Bytes, Failure> {
        match self {
            Link::Copy(link) => Transport::to_consumer(link, store, grow, request),
            Link::Shared(link) => Transport::to_consumer(link, store, grow, request),
        }
    }
    #[inline]
    fn to_producer(
        &mut self,
        store: &mut impl AsStoreMut,
        grow: &TypedFunction<u32, u32>,
        reply: Bytes,
    ) -> Result<Bytes, Failure> {
        match self {
            Link::Copy(link) => Transport::to_producer(link, store, grow, reply),
            Link::Shared(link) => Transport::to_producer(link, store, grow, reply),
        }
    }
}

impl<S: AsStoreMut, T: Carry> calls::Route for Routing<'_, S, T> {
    #[inline]
    fn to_consumer(&mut self, request: Bytes) -> Result<Bytes, Failure> {
        self.route.transport.to_consumer(&mut self.store, &self.route.request_buffer, request)
    }
    #[inline]
    fn consume(&mut self, request: Bytes) -> Result<u64, Failure> {
        self.route.consume.call(&mut self.store, request.ptr, request.len).trapped()
    }
    #[inline]
    fn to_producer(&mut self, reply: Bytes) -> Result<Bytes, Failure> {
        self.route.transport.to_producer(&mut self.store, &self.route.reply_buffer, reply)
    }
}

/// The instantiated guests, linked by transport `T`: each export call of wasmatrix-core's
/// [`GuestCalls`], which makes the round trip every runtime makes.
pub struct Calls<T> {
    store: Store,
    host: Host,
    producer: ProducerFns,
    consumer: ConsumerFns,
    /// `call = host`: the route, here; under `import` it is `env.deliver`'s (`host.delivery`).
    route: Option<Route<T>>,
    /// `call = import`: the producer's `round_trip` export.
    round_trip: Option<TypedFunction<u32, u32>>,
}

/// Instantiates both guests in `host`, their environment (the measured "instantiate" phase).
pub fn instantiate<T: Transport>(
    mut store: Store,
    mut host: Host,
    modules: &Modules,
    call: Call,
) -> Result<Pair<Calls<T>>> {
    let linked = T::link(&mut store, modules, &mut host)?;
    let producer = ProducerFns::new(&store, &linked.producer)?;
    let consumer = ConsumerFns::new(&store, &linked.consumer)?;
    let route = Route {
        transport: linked.transport,
        consume: consumer.consume.clone(),
        request_buffer: consumer.request_buffer.clone(),
        reply_buffer: producer.reply_buffer.clone(),
    };
    let (route, round_trip) = match (call, &host.delivery) {
        (Call::Host, _) => (Some(route), None),
        (Call::Import, Some(delivery)) => {
            let round_trip = linked
                .producer
                .exports
                .get_typed_function(&store, "round_trip")
                .context("producer lacks an export the harness calls (built without the call-import feature?)")?;
            let Route { transport, consume, request_buffer, reply_buffer } = route;
            delivery.as_mut(&mut store).route =
                Some(Route { transport: transport.into(), consume, request_buffer, reply_buffer });
            (None, Some(round_trip))
        }
        (Call::Import, None) => anyhow::bail!("call = import, but the environment defines no env.deliver"),
    };
    Ok(Pair::new(Calls { store, host, producer, consumer, route, round_trip }, call))
}

impl<T: Transport> calls::Route for Calls<T> {
    #[inline]
    fn to_consumer(&mut self, request: Bytes) -> Result<Bytes, Failure> {
        match self.route.as_mut() {
            Some(route) => Routing { store: &mut self.store, route }.to_consumer(request),
            None => self.with_delivery_route(|r| r.to_consumer(request)),
        }
    }

    #[inline]
    fn consume(&mut self, request: Bytes) -> Result<u64, Failure> {
        self.consumer.consume.call(&mut self.store, request.ptr, request.len).trapped()
    }

    #[inline]
    fn to_producer(&mut self, reply: Bytes) -> Result<Bytes, Failure> {
        match self.route.as_mut() {
            Some(route) => Routing { store: &mut self.store, route }.to_producer(reply),
            None => self.with_delivery_route(|r| r.to_producer(reply)),
        }
    }
}

impl<T> Calls<T> {
    /// `env.deliver`'s state (`call = import`).
    fn delivery(&self) -> Option<&Delivery> {
        self.host.delivery.as_ref().map(|delivery| delivery.as_ref(&self.store))
    }

    /// Runs `f` on `env.deliver`'s route (`call = import`), with the store, as `env.deliver` does.
    fn with_delivery_route<R>(
        &mut self,
        f: impl FnOnce(&mut Routing<StoreMut, Link>) -> Result<R, Failure>,
    ) -> Result<R, Failure> {
        let delivery =
            self.host.delivery.clone().ok_or_else(|| Failure::Error("no env.deliver holds the route".into()))?;
        let mut env = delivery.into_mut(&mut self.store);
        let (Delivery { route, .. }, store) = env.data_and_store_mut();
        let route = route.as_mut().ok_or_else(|| Failure::Error("env.deliver holds no route".into()))?;
        f(&mut Routing { store, route })
    }
}

impl<T: Transport> GuestCalls for Calls<T> {
    #[inline]
    fn produce(&mut self, i: u32) -> Result<u64, Failure> {
        self.producer.produce.call(&mut self.store, i).trapped()
    }

    #[inline]
    fn check_reply(&mut self, reply: Bytes) -> Result<u32, Failure> {
        self.producer.check_reply.call(&mut self.store, reply.ptr, reply.len).trapped()
    }

    #[inline]
    fn round_trip(&mut self, i: u32) -> Result<u32, Failure> {
        let round_trip =
            self.round_trip.as_ref().ok_or_else(|| Failure::Error("the producer has no round_trip".into()))?;
        round_trip.call(&mut self.store, i).trapped()
    }

    fn delivered(&self) -> Traffic {
        self.delivery().map(|delivery| delivery.delivered).unwrap_or_default()
    }

    fn checksum(&mut self) -> Result<u64, Failure> {
        self.producer.checksum.call(&mut self.store).trapped()
    }

    fn bench_encode(&mut self, i: u32, n: u32) -> Result<u32, Failure> {
        self.producer.bench_encode.call(&mut self.store, i, n).trapped()
    }

    #[inline]
    fn ping(&mut self, x: u32) -> Result<u32, Failure> {
        self.consumer.ping.call(&mut self.store, x).trapped()
    }

    fn bench_decode(&mut self, request: Bytes, n: u32) -> Result<u32, Failure> {
        self.consumer.bench_decode.call(&mut self.store, request.ptr, request.len, n).trapped()
    }

    fn copied_bytes(&self) -> u64 {
        match (&self.route, self.delivery().and_then(|delivery| delivery.route.as_ref())) {
            (Some(route), _) => route.transport.copied_bytes(),
            (None, Some(route)) => route.transport.copied_bytes(),
            (None, None) => 0,
        }
    }

    fn says(&mut self, role: Role) -> Result<String, Failure> {
        let packed = match role {
            Role::Producer => self.producer.error_message.call(&mut self.store).trapped()?,
            Role::Consumer => self.consumer.error_message.call(&mut self.store).trapped()?,
        };
        Ok(match (&self.route, self.delivery().and_then(|delivery| delivery.route.as_ref())) {
            (Some(route), _) => match role {
                Role::Producer => route.transport.producer_text(&self.store, packed),
                Role::Consumer => route.transport.consumer_text(&self.store, packed),
            },
            (None, Some(route)) => route.transport.text(&self.store, role, packed),
            (None, None) => "(no route)".into(),
        })
    }

    fn output(&self) -> Output {
        self.host.output(&self.store)
    }
}

/// Reads a packed UTF-8 message out of a guest memory, for error reports.
pub fn read_text(store: &impl AsStoreRef, memory: &Memory, packed: u64) -> String {
    let Some(range) = Bytes::unpack(packed) else {
        return "(no message)".into();
    };
    let mut buf = vec![0; range.len.min(4096) as usize];
    match memory.view(store).read(u64::from(range.ptr), &mut buf) {
        Ok(()) => String::from_utf8_lossy(&buf).into_owned(),
        Err(e) => format!("(unreadable message: {e})"),
    }
}
