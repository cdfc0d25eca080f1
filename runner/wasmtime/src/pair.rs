//! The two instantiated guests and the calls of a round trip between them: the hot path every
//! latency figure measures, sequenced by wasmatrix-core's `calls::Pair` as under every other
//! runtime. Generic over the transport, so each transport's loop is compiled on its own, with
//! nothing dynamic inside.

use crate::call::{failure, read_text, Api};
use crate::engine::Modules;
use crate::environment::{Host, HostState};
use crate::transport::Transport;
use wasmatrix_core::abi::{Bytes, Role};
use wasmatrix_core::axes::Call;
use wasmatrix_core::calls::{self, GuestCalls, Pair};
use wasmatrix_core::guests::{Failure, Output, Traffic};
use wasmatrix_core::transport::{self, Router};
use wasmtime::{AsContextMut, Instance, Store, StoreContextMut, TypedFunc};

/// The consumer's `consume`, as the route calls it.
pub struct Consume(TypedFunc<(u32, u32), u64>);

impl transport::Consume<Api> for Consume {
    #[inline]
    fn consume<D: 'static>(&self, ctx: &mut StoreContextMut<'_, D>, request: Bytes) -> Result<u64, Failure> {
        self.0.call(ctx, (request.ptr, request.len)).map_err(failure)
    }
}

/// What a request is routed through: the transport `T` and the consumer's `consume`.
pub type Route<T> = Router<T, Consume>;

/// The store both guests live in; its state holds the route under `call = import`.
pub type GuestStore<T> = Store<HostState<Route<T>>>;

fn export<P: wasmtime::WasmParams, R: wasmtime::WasmResults, S>(
    store: &mut Store<S>,
    instance: &Instance,
    who: &str,
    name: &str,
) -> Result<TypedFunc<P, R>, Failure> {
    instance
        .get_typed_func(&mut *store, name)
        .map_err(|e| Failure::Error(format!("{who} lacks an export the harness calls ({name}): {e:#}")))
}

/// The producer's exports (see guests/producer); its `reply_buffer` is the transport's.
pub struct ProducerFns {
    pub produce: TypedFunc<u32, u64>,
    pub check_reply: TypedFunc<(u32, u32), u32>,
    pub checksum: TypedFunc<(), u64>,
    pub bench_encode: TypedFunc<(u32, u32), u32>,
    pub error_message: TypedFunc<(), u64>,
}

/// The consumer's exports (see guests/consumer); its `request_buffer` is the transport's.
pub struct ConsumerFns {
    pub consume: TypedFunc<(u32, u32), u64>,
    pub ping: TypedFunc<u32, u32>,
    pub bench_decode: TypedFunc<(u32, u32, u32), u32>,
    pub error_message: TypedFunc<(), u64>,
}

impl ProducerFns {
    fn new<S>(store: &mut Store<S>, i: &Instance) -> Result<Self, Failure> {
        let w = "producer";
        Ok(ProducerFns {
            produce: export(store, i, w, "produce")?,
            check_reply: export(store, i, w, "check_reply")?,
            checksum: export(store, i, w, "checksum")?,
            bench_encode: export(store, i, w, "bench_encode")?,
            error_message: export(store, i, w, "error_message")?,
        })
    }
}

impl ConsumerFns {
    fn new<S>(store: &mut Store<S>, i: &Instance) -> Result<Self, Failure> {
        let w = "consumer";
        Ok(ConsumerFns {
            consume: export(store, i, w, "consume")?,
            ping: export(store, i, w, "ping")?,
            bench_decode: export(store, i, w, "bench_decode")?,
            error_message: export(store, i, w, "error_message")?,
        })
    }
}

/// The instantiated guests, linked by transport `T`: each export call of wasmatrix-core's
/// [`GuestCalls`], which makes the round trip every runtime makes.
pub struct Calls<T: 'static> {
    store: GuestStore<T>,
    host: Host<Route<T>>,
    producer: ProducerFns,
    consumer: ConsumerFns,
    /// `call = host`: the route, here; under `import` it is the store's.
    route: Option<Route<T>>,
    /// `call = import`: the producer's `round_trip` export.
    round_trip: Option<TypedFunc<u32, u32>>,
}

/// Instantiates both guests in their environment (the measured "instantiate" phase).
pub fn instantiate<T: Transport>(
    (mut store, mut host): (GuestStore<T>, Host<Route<T>>),
    modules: &Modules,
    call: Call,
) -> Result<Pair<Calls<T>>, Failure> {
    let linked = T::link(&mut store, &mut host, modules)?;
    let producer = ProducerFns::new(&mut store, &linked.producer)?;
    let consumer = ConsumerFns::new(&mut store, &linked.consumer)?;
    let route = Router::new(linked.transport, Consume(consumer.consume.clone()));
    let (route, round_trip) = match call {
        Call::Host => (Some(route), None),
        Call::Import => {
            store.data_mut().route = Some(route);
            (None, Some(export(&mut store, &linked.producer, "producer", "round_trip")?))
        }
    };
    Ok(Pair::new(Calls { store, host, producer, consumer, route, round_trip }, call))
}

impl<T: Transport> calls::Route for Calls<T> {
    #[inline]
    fn to_consumer(&mut self, request: Bytes) -> Result<Bytes, Failure> {
        match self.route.as_mut() {
            Some(route) => route.transport.to_consumer(&mut self.store.as_context_mut(), request),
            None => self.with_store_route(|route, ctx| route.transport.to_consumer(ctx, request)),
        }
    }

    #[inline]
    fn consume(&mut self, request: Bytes) -> Result<u64, Failure> {
        self.consumer.consume.call(&mut self.store, (request.ptr, request.len)).map_err(failure)
    }

    #[inline]
    fn to_producer(&mut self, reply: Bytes) -> Result<Bytes, Failure> {
        match self.route.as_mut() {
            Some(route) => route.transport.to_producer(&mut self.store.as_context_mut(), reply),
            None => self.with_store_route(|route, ctx| route.transport.to_producer(ctx, reply)),
        }
    }
}

impl<T: Transport> Calls<T> {
    /// The route, wherever the call pattern keeps it.
    fn route(&self) -> Option<&Route<T>> {
        self.route.as_ref().or(self.store.data().route.as_ref())
    }

    /// Runs `f` on the store's route (`call = import`), taken out for the call and put back.
    fn with_store_route<R>(
        &mut self,
        f: impl FnOnce(&mut Route<T>, &mut StoreContextMut<'_, HostState<Route<T>>>) -> Result<R, Failure>,
    ) -> Result<R, Failure> {
        let mut route =
            self.store.data_mut().route.take().ok_or_else(|| Failure::Error("the store holds no route".into()))?;
        let outcome = f(&mut route, &mut self.store.as_context_mut());
        self.store.data_mut().route = Some(route);
        outcome
    }
}

impl<T: Transport> GuestCalls for Calls<T> {
    #[inline]
    fn produce(&mut self, i: u32) -> Result<u64, Failure> {
        self.producer.produce.call(&mut self.store, i).map_err(failure)
    }

    #[inline]
    fn check_reply(&mut self, reply: Bytes) -> Result<u32, Failure> {
        self.producer.check_reply.call(&mut self.store, (reply.ptr, reply.len)).map_err(failure)
    }

    #[inline]
    fn round_trip(&mut self, i: u32) -> Result<u32, Failure> {
        let round_trip =
            self.round_trip.as_ref().ok_or_else(|| Failure::Error("the producer has no round_trip".into()))?;
        round_trip.call(&mut self.store, i).map_err(failure)
    }

    fn delivered(&self) -> Traffic {
        self.store.data().route.as_ref().map(Router::delivered).unwrap_or_default()
    }

    fn checksum(&mut self) -> Result<u64, Failure> {
        self.producer.checksum.call(&mut self.store, ()).map_err(failure)
    }

    fn bench_encode(&mut self, i: u32, n: u32) -> Result<u32, Failure> {
        self.producer.bench_encode.call(&mut self.store, (i, n)).map_err(failure)
    }

    #[inline]
    fn ping(&mut self, x: u32) -> Result<u32, Failure> {
        self.consumer.ping.call(&mut self.store, x).map_err(failure)
    }

    fn bench_decode(&mut self, request: Bytes, n: u32) -> Result<u32, Failure> {
        self.consumer.bench_decode.call(&mut self.store, (request.ptr, request.len, n)).map_err(failure)
    }

    fn copied_bytes(&self) -> u64 {
        self.route().map_or(0, |route| route.transport.copied_bytes())
    }

    fn says(&mut self, role: Role) -> Result<String, Failure> {
        let error_message = match role {
            Role::Producer => &self.producer.error_message,
            Role::Consumer => &self.consumer.error_message,
        };
        let packed = error_message.call(&mut self.store, ()).map_err(failure)?;
        Ok(match self.route() {
            Some(route) => read_text(&self.store, route.transport.memory(role), packed),
            None => "(no route)".into(),
        })
    }

    fn output(&self) -> Output {
        self.host.output(&self.store)
    }
}
