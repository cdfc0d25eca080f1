//! The two instantiated guests and the calls of a round trip between them: the hot path every
//! latency figure measures, sequenced by wasmatrix-core's `calls::Pair` as under every other
//! runtime. Generic over the transport, so each transport's loop is compiled on its own, with
//! nothing dynamic inside.

use crate::call::{failure, read_text, Api};
use crate::engine::Modules;
use crate::environment::Host;
use crate::transport::Transport;
use anyhow::{Context, Result};
use wasmatrix_core::abi::{Bytes, Role};
use wasmatrix_core::axes::Call;
use wasmatrix_core::calls::{self, GuestCalls, Pair};
use wasmatrix_core::guests::{Failure, Output, Traffic};
use wasmatrix_core::transport::{self, Router};
use wasmer::{AsStoreMut, Instance, Store, StoreMut, TypedFunction};

/// The consumer's `consume`, as the route calls it.
pub struct Consume(TypedFunction<(u32, u32), u64>);

impl transport::Consume<Api> for Consume {
    #[inline]
    fn consume<D: 'static>(&self, ctx: &mut StoreMut<'_>, request: Bytes) -> Result<u64, Failure> {
        self.0.call(ctx, request.ptr, request.len).map_err(failure)
    }
}

/// What a request is routed through: the transport `T` and the consumer's `consume`.
pub type Route<T> = Router<T, Consume>;

/// The producer's exports (see guests/producer); its `reply_buffer` is the transport's.
pub struct ProducerFns {
    pub produce: TypedFunction<u32, u64>,
    pub check_reply: TypedFunction<(u32, u32), u32>,
    pub checksum: TypedFunction<(), u64>,
    pub bench_encode: TypedFunction<(u32, u32), u32>,
    pub error_message: TypedFunction<(), u64>,
}

/// The consumer's exports (see guests/consumer); its `request_buffer` is the transport's.
pub struct ConsumerFns {
    pub consume: TypedFunction<(u32, u32), u64>,
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
            ping: e.get_typed_function(store, "ping").context(context)?,
            bench_decode: e.get_typed_function(store, "bench_decode").context(context)?,
            error_message: e.get_typed_function(store, "error_message").context(context)?,
        })
    }
}

/// The instantiated guests, linked by transport `T`: each export call of wasmatrix-core's
/// [`GuestCalls`], which makes the round trip every runtime makes.
pub struct Calls<T> {
    store: Store,
    host: Host<Route<T>>,
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
    mut host: Host<Route<T>>,
    modules: &Modules,
    call: Call,
) -> Result<Pair<Calls<T>>> {
    let linked = T::link(&mut store, modules, &mut host)?;
    let producer = ProducerFns::new(&store, &linked.producer)?;
    let consumer = ConsumerFns::new(&store, &linked.consumer)?;
    let route = Router::new(linked.transport, Consume(consumer.consume.clone()));
    let (route, round_trip) = match (call, &host.delivery) {
        (Call::Host, _) => (Some(route), None),
        (Call::Import, Some(delivery)) => {
            let round_trip = linked
                .producer
                .exports
                .get_typed_function(&store, "round_trip")
                .context("producer lacks an export the harness calls (built without the call-import feature?)")?;
            *delivery.as_mut(&mut store) = Some(route);
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
            Some(route) => route.transport.to_consumer::<()>(&mut self.store.as_store_mut(), request),
            None => self.with_delivery_route(|route, store| route.transport.to_consumer::<()>(store, request)),
        }
    }

    #[inline]
    fn consume(&mut self, request: Bytes) -> Result<u64, Failure> {
        self.consumer.consume.call(&mut self.store, request.ptr, request.len).map_err(failure)
    }

    #[inline]
    fn to_producer(&mut self, reply: Bytes) -> Result<Bytes, Failure> {
        match self.route.as_mut() {
            Some(route) => route.transport.to_producer::<()>(&mut self.store.as_store_mut(), reply),
            None => self.with_delivery_route(|route, store| route.transport.to_producer::<()>(store, reply)),
        }
    }
}

impl<T: Transport> Calls<T> {
    /// The route, wherever the call pattern keeps it: here, or in `env.deliver`'s state.
    fn route(&self) -> Option<&Route<T>> {
        let delivered = || self.host.delivery.as_ref().and_then(|delivery| delivery.as_ref(&self.store).as_ref());
        self.route.as_ref().or_else(delivered)
    }

    /// Runs `f` on `env.deliver`'s route (`call = import`), with the store, as `env.deliver` does.
    fn with_delivery_route<R>(
        &mut self,
        f: impl FnOnce(&mut Route<T>, &mut StoreMut<'_>) -> Result<R, Failure>,
    ) -> Result<R, Failure> {
        let delivery =
            self.host.delivery.clone().ok_or_else(|| Failure::Error("no env.deliver holds the route".into()))?;
        let mut env = delivery.into_mut(&mut self.store);
        let (route, mut store) = env.data_and_store_mut();
        let route = route.as_mut().ok_or_else(|| Failure::Error("env.deliver holds no route".into()))?;
        f(route, &mut store)
    }
}

impl<T: Transport> GuestCalls for Calls<T> {
    #[inline]
    fn produce(&mut self, i: u32) -> Result<u64, Failure> {
        self.producer.produce.call(&mut self.store, i).map_err(failure)
    }

    #[inline]
    fn check_reply(&mut self, reply: Bytes) -> Result<u32, Failure> {
        self.producer.check_reply.call(&mut self.store, reply.ptr, reply.len).map_err(failure)
    }

    #[inline]
    fn round_trip(&mut self, i: u32) -> Result<u32, Failure> {
        let round_trip =
            self.round_trip.as_ref().ok_or_else(|| Failure::Error("the producer has no round_trip".into()))?;
        round_trip.call(&mut self.store, i).map_err(failure)
    }

    fn delivered(&self) -> Traffic {
        self.route().map(Router::delivered).unwrap_or_default()
    }

    fn checksum(&mut self) -> Result<u64, Failure> {
        self.producer.checksum.call(&mut self.store).map_err(failure)
    }

    fn bench_encode(&mut self, i: u32, n: u32) -> Result<u32, Failure> {
        self.producer.bench_encode.call(&mut self.store, i, n).map_err(failure)
    }

    #[inline]
    fn ping(&mut self, x: u32) -> Result<u32, Failure> {
        self.consumer.ping.call(&mut self.store, x).map_err(failure)
    }

    fn bench_decode(&mut self, request: Bytes, n: u32) -> Result<u32, Failure> {
        self.consumer.bench_decode.call(&mut self.store, request.ptr, request.len, n).map_err(failure)
    }

    fn copied_bytes(&self) -> u64 {
        self.route().map_or(0, |route| route.transport.copied_bytes())
    }

    fn says(&mut self, role: Role) -> Result<String, Failure> {
        let error_message = match role {
            Role::Producer => &self.producer.error_message,
            Role::Consumer => &self.consumer.error_message,
        };
        let packed = error_message.call(&mut self.store).map_err(failure)?;
        Ok(match self.route() {
            Some(route) => read_text(&self.store, route.transport.memory(role), packed),
            None => "(no route)".into(),
        })
    }

    fn output(&self) -> Output {
        self.host.output(&self.store)
    }
}
