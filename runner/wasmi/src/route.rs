//! The route a request takes (wasmatrix-core's `transport::Router`: the transport and the
//! consumer's `consume`), and where it lives, per call pattern ([`Place`]): under `call = host` the
//! worker's calls own it ([`Held`]); under `import` the store does ([`Stored`]), so that the
//! producer's `env.deliver` import reaches it from its caller. Each place is compiled on its own,
//! with nothing dynamic inside.

use crate::call::{failure, Consume, ProducerFns, RoundTrip};
use crate::environment::Host;
use crate::transport::Transport;
use anyhow::Result;
use wasmatrix_core::abi::Bytes;
use wasmatrix_core::guests::Failure;
use wasmatrix_core::transport::Router;
use wasmi::{AsContextMut, Instance, Store, StoreContextMut};

/// What a request is routed through: the transport `T` and the consumer's `consume`.
pub type Route<T> = Router<T, Consume>;

/// The store both guests live in; its data holds the route under `call = import`.
pub type GuestStore<T> = Store<Host<Route<T>>>;

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
    /// The transport's own check after the timed round trips (a chain's relays read the same
    /// records).
    fn check(&mut self, store: &mut GuestStore<T>) -> Result<(), Failure>;
}

/// `call = host`: the worker holds the route; the store never does.
pub struct Held<T>(Route<T>);

impl<T: Transport> Place<T> for Held<T> {
    fn settle(route: Route<T>, _: &mut GuestStore<T>, _: &Instance) -> Result<Self> {
        Ok(Held(route))
    }

    #[inline]
    fn to_consumer(&mut self, store: &mut GuestStore<T>, request: Bytes) -> Result<Bytes, Failure> {
        self.0.transport.to_consumer(&mut store.as_context_mut(), request)
    }

    #[inline]
    fn to_producer(&mut self, store: &mut GuestStore<T>, reply: Bytes) -> Result<Bytes, Failure> {
        self.0.transport.to_producer(&mut store.as_context_mut(), reply)
    }

    fn round_trip(&mut self, _: &mut GuestStore<T>, _: u32) -> Result<u32, Failure> {
        Err(Failure::Error("call = host: the host runs the round trip, not the producer's round_trip".into()))
    }

    fn route<'a>(&'a self, _: &'a GuestStore<T>) -> Option<&'a Route<T>> {
        Some(&self.0)
    }

    fn check(&mut self, store: &mut GuestStore<T>) -> Result<(), Failure> {
        self.0.transport.settle(&mut store.as_context_mut())
    }
}

/// `call = import`: the store holds the route, for `env.deliver`; the worker calls the producer's
/// `round_trip`.
pub struct Stored {
    round_trip: RoundTrip,
}

impl Stored {
    /// Runs `f` on the store's route, taken out for the call and put back.
    fn with_route<T: Transport, R>(
        store: &mut GuestStore<T>,
        f: impl FnOnce(&mut Route<T>, &mut StoreContextMut<'_, Host<Route<T>>>) -> Result<R, Failure>,
    ) -> Result<R, Failure> {
        let mut route =
            store.data_mut().route.take().ok_or_else(|| Failure::Error("the store holds no route".into()))?;
        let outcome = f(&mut route, &mut store.as_context_mut());
        store.data_mut().route = Some(route);
        outcome
    }
}

impl<T: Transport> Place<T> for Stored {
    fn settle(route: Route<T>, store: &mut GuestStore<T>, producer: &Instance) -> Result<Self> {
        let round_trip = ProducerFns::round_trip(store, producer)?;
        store.data_mut().route = Some(route);
        Ok(Stored { round_trip })
    }

    fn to_consumer(&mut self, store: &mut GuestStore<T>, request: Bytes) -> Result<Bytes, Failure> {
        Stored::with_route(store, |route, ctx| route.transport.to_consumer(ctx, request))
    }

    fn to_producer(&mut self, store: &mut GuestStore<T>, reply: Bytes) -> Result<Bytes, Failure> {
        Stored::with_route(store, |route, ctx| route.transport.to_producer(ctx, reply))
    }

    #[inline]
    fn round_trip(&mut self, store: &mut GuestStore<T>, i: u32) -> Result<u32, Failure> {
        self.round_trip.call(store, i).map_err(failure)
    }

    fn route<'a>(&'a self, store: &'a GuestStore<T>) -> Option<&'a Route<T>> {
        store.data().route.as_ref()
    }

    fn check(&mut self, store: &mut GuestStore<T>) -> Result<(), Failure> {
        Stored::with_route(store, |route, ctx| route.transport.settle(ctx))
    }
}
