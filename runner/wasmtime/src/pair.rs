//! The two instantiated guests and the calls of a round trip between them: the hot path every
//! latency figure measures, sequenced by wasmatrix-core's `calls::Pair` as under every other
//! runtime. Generic over the transport, so each transport's loop is compiled on its own, with
//! nothing dynamic inside.

use crate::engine::Modules;
use crate::host::{failure, Host, HostState};
use crate::transport::{Ctx, Link, Transport};
use wasmatrix_core::abi::{Bytes, Role};
use wasmatrix_core::axes::Call;
use wasmatrix_core::calls::{self, GuestCalls, Pair};
use wasmatrix_core::guests::{Failure, Output, Traffic};
use wasmtime::{AsContext, Instance, Memory, Store, TypedFunc};

/// A guest call's error as a [`Failure`]: `.call(..).trapped()?`.
pub trait Trapped<T> {
    fn trapped(self) -> Result<T, Failure>;
}

impl<T> Trapped<T> for wasmtime::Result<T> {
    #[inline]
    fn trapped(self) -> Result<T, Failure> {
        self.map_err(failure)
    }
}

fn export<P: wasmtime::WasmParams, R: wasmtime::WasmResults>(
    store: &mut Store<HostState>,
    instance: &Instance,
    who: &str,
    name: &str,
) -> Result<TypedFunc<P, R>, Failure> {
    instance
        .get_typed_func(&mut *store, name)
        .map_err(|e| Failure::Error(format!("{who} lacks an export the harness calls ({name}): {e:#}")))
}

/// The producer's exports (see guests/producer).
pub struct ProducerFns {
    pub produce: TypedFunc<u32, u64>,
    pub check_reply: TypedFunc<(u32, u32), u32>,
    pub reply_buffer: TypedFunc<u32, u32>,
    pub checksum: TypedFunc<(), u64>,
    pub bench_encode: TypedFunc<(u32, u32), u32>,
    pub error_message: TypedFunc<(), u64>,
}

/// The consumer's exports (see guests/consumer).
pub struct ConsumerFns {
    pub consume: TypedFunc<(u32, u32), u64>,
    pub request_buffer: TypedFunc<u32, u32>,
    pub ping: TypedFunc<u32, u32>,
    pub bench_decode: TypedFunc<(u32, u32, u32), u32>,
    pub error_message: TypedFunc<(), u64>,
}

impl ProducerFns {
    fn new(store: &mut Store<HostState>, i: &Instance) -> Result<Self, Failure> {
        let w = "producer";
        Ok(ProducerFns {
            produce: export(store, i, w, "produce")?,
            check_reply: export(store, i, w, "check_reply")?,
            reply_buffer: export(store, i, w, "reply_buffer")?,
            checksum: export(store, i, w, "checksum")?,
            bench_encode: export(store, i, w, "bench_encode")?,
            error_message: export(store, i, w, "error_message")?,
        })
    }
}

impl ConsumerFns {
    fn new(store: &mut Store<HostState>, i: &Instance) -> Result<Self, Failure> {
        let w = "consumer";
        Ok(ConsumerFns {
            consume: export(store, i, w, "consume")?,
            request_buffer: export(store, i, w, "request_buffer")?,
            ping: export(store, i, w, "ping")?,
            bench_decode: export(store, i, w, "bench_decode")?,
            error_message: export(store, i, w, "error_message")?,
        })
    }
}

/// What a request is routed through: the transport and the calls of the middle of a round trip
/// (wasmatrix-core's `calls::deliver`). Under `call = host` the worker holds it; under `import`
/// the store does, for the producer's `env.deliver` import.
pub struct Route<T = Link> {
    transport: T,
    consume: TypedFunc<(u32, u32), u64>,
    request_buffer: TypedFunc<u32, u32>,
    reply_buffer: TypedFunc<u32, u32>,
}

/// A route in use: a store context (the store, or `env.deliver`'s caller) and the route.
pub struct Routing<'a, C, T> {
    pub ctx: C,
    pub route: &'a mut Route<T>,
}

/// A transport as the route needs it: [`Transport`]s, and [`Link`], either of them.
pub trait Carry {
    fn to_consumer(&mut self, ctx: &mut impl Ctx, grow: &TypedFunc<u32, u32>, request: Bytes)
        -> Result<Bytes, Failure>;
    fn to_producer(&mut self, ctx: &mut impl Ctx, grow: &TypedFunc<u32, u32>, reply: Bytes) -> Result<Bytes, Failure>;
}

impl<T: Transport> Carry for T {
    #[inline]
    fn to_consumer(
        &mut self,
        ctx: &mut impl Ctx,
        grow: &TypedFunc<u32, u32>,
        request: Bytes,
    ) -> Result<Bytes, Failure> {
        Transport::to_consumer(self, ctx, grow, request)
    }
    #[inline]
    fn to_producer(&mut self, ctx: &mut impl Ctx, grow: &TypedFunc<u32, u32>, reply: Bytes) -> Result<Bytes, Failure> {
        Transport::to_producer(self, ctx, grow, reply)
    }
}

impl Carry for Link {
    #[inline]
    fn to_consumer(
        &mut self,
        ctx: &mut impl Ctx,
        grow: &TypedFunc<u32, u32>,
        request: Bytes,
    ) -> Result<Bytes, Failure> {
        match self {
            Link::Copy(link) => Transport::to_consumer(link, ctx, grow, request),
            Link::Shared(link) => Transport::to_consumer(link, ctx, grow, request),
        }
    }
    #[inline]
    fn to_producer(&mut self, ctx: &mut impl Ctx, grow: &TypedFunc<u32, u32>, reply: Bytes) -> Result<Bytes, Failure> {
        match self {
            Link::Copy(link) => Transport::to_producer(link, ctx, grow, reply),
            Link::Shared(link) => Transport::to_producer(link, ctx, grow, reply),
        }
    }
}

impl<C: Ctx, T: Carry> calls::Route for Routing<'_, C, T> {
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

/// The instantiated guests, linked by transport `T`: each export call of wasmatrix-core's
/// [`GuestCalls`], which makes the round trip every runtime makes.
pub struct Calls<T> {
    store: Store<HostState>,
    host: Host,
    producer: ProducerFns,
    consumer: ConsumerFns,
    /// `call = host`: the route, here; under `import` it is the store's.
    route: Option<Route<T>>,
    /// `call = import`: the producer's `round_trip` export.
    round_trip: Option<TypedFunc<u32, u32>>,
}

/// Instantiates both guests in their environment (the measured "instantiate" phase).
pub fn instantiate<T: Transport>(
    (mut store, mut host): (Store<HostState>, Host),
    modules: &Modules,
    call: Call,
) -> Result<Pair<Calls<T>>, Failure> {
    let linked = T::link(&mut store, &mut host, modules)?;
    let producer = ProducerFns::new(&mut store, &linked.producer)?;
    let consumer = ConsumerFns::new(&mut store, &linked.consumer)?;
    let route = Route {
        transport: linked.transport,
        consume: consumer.consume.clone(),
        request_buffer: consumer.request_buffer.clone(),
        reply_buffer: producer.reply_buffer.clone(),
    };
    let (route, round_trip) = match call {
        Call::Host => (Some(route), None),
        Call::Import => {
            let Route { transport, consume, request_buffer, reply_buffer } = route;
            store.data_mut().route = Some(Route { transport: transport.into(), consume, request_buffer, reply_buffer });
            (None, Some(export(&mut store, &linked.producer, "producer", "round_trip")?))
        }
    };
    Ok(Pair::new(Calls { store, host, producer, consumer, route, round_trip }, call))
}

impl<T: Transport> calls::Route for Calls<T> {
    #[inline]
    fn to_consumer(&mut self, request: Bytes) -> Result<Bytes, Failure> {
        match self.route.as_mut() {
            Some(route) => Routing { ctx: &mut self.store, route }.to_consumer(request),
            None => self.with_store_route(|r| r.to_consumer(request)),
        }
    }

    #[inline]
    fn consume(&mut self, request: Bytes) -> Result<u64, Failure> {
        self.consumer.consume.call(&mut self.store, (request.ptr, request.len)).trapped()
    }

    #[inline]
    fn to_producer(&mut self, reply: Bytes) -> Result<Bytes, Failure> {
        match self.route.as_mut() {
            Some(route) => Routing { ctx: &mut self.store, route }.to_producer(reply),
            None => self.with_store_route(|r| r.to_producer(reply)),
        }
    }
}

impl<T> Calls<T> {
    /// Runs `f` on the store's route (`call = import`), taken out for the call and put back.
    fn with_store_route<R>(
        &mut self,
        f: impl FnOnce(&mut Routing<&mut Store<HostState>, Link>) -> Result<R, Failure>,
    ) -> Result<R, Failure> {
        let mut route =
            self.store.data_mut().route.take().ok_or_else(|| Failure::Error("the store holds no route".into()))?;
        let outcome = f(&mut Routing { ctx: &mut self.store, route: &mut route });
        self.store.data_mut().route = Some(route);
        outcome
    }
}

impl<T: Transport> GuestCalls for Calls<T> {
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
        let round_trip =
            self.round_trip.as_ref().ok_or_else(|| Failure::Error("the producer has no round_trip".into()))?;
        round_trip.call(&mut self.store, i).trapped()
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
        match (&self.route, &self.store.data().route) {
            (Some(route), _) => route.transport.copied_bytes(),
            (None, Some(route)) => route.transport.copied_bytes(),
            (None, None) => 0,
        }
    }

    fn says(&mut self, role: Role) -> Result<String, Failure> {
        let packed = match role {
            Role::Producer => self.producer.error_message.call(&mut self.store, ()).trapped()?,
            Role::Consumer => self.consumer.error_message.call(&mut self.store, ()).trapped()?,
        };
        Ok(match (&self.route, &self.store.data().route) {
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
pub fn read_text(store: impl AsContext, memory: &Memory, packed: u64) -> String {
    let Some(range) = Bytes::unpack(packed) else {
        return "(no message)".into();
    };
    let start = range.ptr as usize;
    match memory.data(&store).get(start..start + range.len.min(4096) as usize) {
        Some(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        None => "(unreadable message: outside the guest's memory)".into(),
    }
}
