//! The two instantiated guests and the calls of a round trip between them: the hot path every
//! latency figure measures, sequenced by wasmatrix-core's `calls::Pair` as under every other
//! runtime. Generic over the transport, so each transport's loop is compiled on its own, with
//! nothing dynamic inside.

use crate::call::{failure, read_text, Consume, ConsumerFns, ProducerFns, RoundTrip};
use crate::engine::Modules;
use crate::environment::{Host, HostState};
use crate::transport::Transport;
use wasmatrix_core::abi::Bytes;
use wasmatrix_core::axes::Call;
use wasmatrix_core::calls::{self, GuestCalls, Pair};
use wasmatrix_core::guests::{Failure, Output};
use wasmatrix_core::transport::Router;
use wasmtime::{AsContextMut, Store, StoreContextMut};

/// What a request is routed through: the transport `T` and the consumer's `consume`.
pub type Route<T> = Router<T, Consume>;

/// The store both guests live in; its state holds the route under `call = import`.
pub type GuestStore<T> = Store<HostState<Route<T>>>;

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
    round_trip: Option<RoundTrip>,
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
            (None, Some(ProducerFns::round_trip(&mut store, &linked.producer)?))
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
    wasmatrix_core::guest_calls!(args: tupled, failure: failure, read_text: read_text, round_trip: held);

    fn output(&self) -> Output {
        self.host.output(&self.store)
    }
}
