//! The two instantiated guests and the calls of a round trip between them: the hot path every
//! latency figure measures, sequenced by wasmatrix-core's `calls::Pair` as under every other
//! runtime. Generic over the transport, so each transport's loop is compiled on its own, with
//! nothing dynamic inside.

use crate::call::{failure, read_text, Consume, ConsumerFns, ProducerFns, RoundTrip};
use crate::engine::Modules;
use crate::environment::Host;
use crate::transport::Transport;
use anyhow::Result;
use wasmatrix_core::abi::{Bytes, Role};
use wasmatrix_core::axes::Call;
use wasmatrix_core::calls::{self, GuestCalls, Pair};
use wasmatrix_core::guests::{Failure, MemoryPages, Output};
use wasmatrix_core::transport::Router;
use wasmer::{AsStoreMut, Store, StoreMut};

/// What a request is routed through: the transport `T` and the consumer's `consume`.
pub type Route<T> = Router<T, Consume>;

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
    round_trip: Option<RoundTrip>,
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
            let round_trip = ProducerFns::round_trip(&store, &linked.producer)?;
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
    wasmatrix_core::guest_calls!(args: spread, failure: failure, read_text: read_text, round_trip: held);

    fn output(&self) -> Output {
        self.host.output(&self.store)
    }

    /// The transport's own check, after the timed round trips (a chain's relays read the same
    /// records).
    fn count_traffic(&mut self) -> Result<(), Failure> {
        match self.route.as_mut() {
            Some(route) => route.transport.settle::<()>(&mut self.store.as_store_mut()),
            None => self.with_delivery_route(|route, store| route.transport.settle::<()>(store)),
        }
    }

    /// Each guest's memory as the transport holds it (under `shared`, the one both import).
    fn memory_pages(&self) -> MemoryPages {
        let Some(route) = self.route() else { return MemoryPages::default() };
        let pages = |role| Some(u64::from(route.transport.memory(role).view(&self.store).size().0));
        MemoryPages { producer: pages(Role::Producer), consumer: pages(Role::Consumer) }
    }
}
