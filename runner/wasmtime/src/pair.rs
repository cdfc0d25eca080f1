//! The two instantiated guests and the calls of a round trip between them: the hot path every
//! latency figure measures, sequenced by wasmatrix-core's `calls::Pair` as under every other
//! runtime. Generic over the transport, so each transport's loop is compiled on its own, with
//! nothing dynamic inside.

use crate::call::{failure, read_text, Consume, ConsumerFns, ProducerFns, RoundTrip};
use crate::engine::Modules;
use crate::environment::{Host, HostState, Sink};
use crate::transport::Transport;
use wasmatrix_core::abi::{Bytes, Role};
use wasmatrix_core::axes::Call;
use wasmatrix_core::calls::{self, GuestCalls, Pair};
use wasmatrix_core::guests::{Failure, MemoryPages, Output};
use wasmatrix_core::transport::Router;
use wasmtime::{AsContextMut, InstancePre, Store, StoreContextMut};

/// What a request is routed through: the transport `T` and the consumer's `consume`.
pub type Route<T> = Router<T, Consume>;

/// The store both guests live in; its state holds the route under `call = import`.
pub type GuestStore<T> = Store<HostState<Route<T>>>;

/// The instantiated guests, linked by transport `T`: each export call of wasmatrix-core's
/// [`GuestCalls`], which makes the round trip every runtime makes.
pub struct Calls<T: 'static> {
    store: GuestStore<T>,
    sink: Sink,
    producer: ProducerFns,
    consumer: ConsumerFns,
    /// `call = host`: the route, here; under `import` it is the store's.
    route: Option<Route<T>>,
    /// `call = import`: the producer's `round_trip` export.
    round_trip: Option<RoundTrip>,
}

/// The environment of a pair: its store, and its linkers (`instantiate = fresh`; the other
/// strategies' linkers are in their [`PrePair`]).
pub type Environment<T> = (GuestStore<T>, Option<Host<Route<T>>>);

/// Both guests' pre-linked forms (`instantiate = pre`, `pooled`), made once from their linkers:
/// imports resolved and type-checked, nothing tied to a store.
pub struct PrePair<T: 'static> {
    producer: InstancePre<HostState<Route<T>>>,
    consumer: InstancePre<HostState<Route<T>>>,
    sink: Sink,
}

impl<T: Transport> PrePair<T> {
    /// The pre-linked forms of both guests, from `host`'s linkers.
    pub fn new(host: Host<Route<T>>, modules: &Modules) -> Result<PrePair<T>, Failure> {
        let pre = |role: Role, linker: &wasmtime::Linker<HostState<Route<T>>>, module| {
            linker
                .instantiate_pre(module)
                .map_err(|e| Failure::Error(format!("cannot pre-link the {}: {e:#}", role.name())))
        };
        Ok(PrePair {
            producer: pre(Role::Producer, &host.producer, &modules.producer)?,
            consumer: pre(Role::Consumer, &host.consumer, &modules.consumer)?,
            sink: host.sink,
        })
    }
}

/// Instantiates both guests in their environment (the measured "instantiate" phase).
pub fn instantiate<T: Transport>(
    (mut store, host): Environment<T>,
    modules: &Modules,
    call: Call,
) -> Result<Pair<Calls<T>>, Failure> {
    let mut host = host.ok_or_else(|| Failure::Error("no linkers in a fresh pair's environment".into()))?;
    let linked = T::link(&mut store, &mut host, modules)?;
    started(store, host.sink, linked, call)
}

/// Instantiates both guests in their store from their pre-linked forms (the "instantiate" phase of
/// `pre` and `pooled` cells).
pub fn instantiate_pre<T: Transport>(
    (mut store, _): Environment<T>,
    pre: &PrePair<T>,
    call: Call,
) -> Result<Pair<Calls<T>>, Failure> {
    let linked = T::link_pre(&mut store, &pre.producer, &pre.consumer, pre.sink)?;
    started(store, pre.sink, linked, call)
}

/// The calls of both guests, once linked.
fn started<T: Transport>(
    mut store: GuestStore<T>,
    sink: Sink,
    linked: crate::transport::Linked<T>,
    call: Call,
) -> Result<Pair<Calls<T>>, Failure> {
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
    Ok(Pair::new(Calls { store, sink, producer, consumer, route, round_trip }, call))
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
        self.sink.output(&self.store)
    }

    /// The transport's own check, after the timed round trips (a chain's relays read the same
    /// records).
    fn count_traffic(&mut self) -> Result<(), Failure> {
        match self.route.as_mut() {
            Some(route) => route.transport.settle(&mut self.store.as_context_mut()),
            None => self.with_store_route(|route, ctx| route.transport.settle(ctx)),
        }
    }

    /// Each guest's memory as the transport holds it (under `shared`, the one both import).
    fn memory_pages(&self) -> MemoryPages {
        let Some(route) = self.route() else { return MemoryPages::default() };
        let pages = |role| Some(route.transport.memory(role).size(&self.store));
        MemoryPages { producer: pages(Role::Producer), consumer: pages(Role::Consumer) }
    }
}
