//! What a request is routed through: the transport and the consumer's `consume`, the middle of
//! every round trip (wasmatrix-core's `calls::deliver`). Under `call = host` the worker holds the
//! route; under `import` the state of the producer's `env.deliver` does ([`Deliver`]).

use crate::call::failure;
use crate::environment::Deliver;
use crate::transport::Transport;
use wasmatrix_core::abi::Bytes;
use wasmatrix_core::calls;
use wasmatrix_core::guests::{Failure, Traffic};
use wasmer::{AsStoreMut, StoreMut, TypedFunction};

/// The transport `T` that links the guests, and the consumer's `consume`.
pub struct Route<T> {
    pub transport: T,
    pub consume: TypedFunction<(u32, u32), u64>,
}

/// A route in use: a store (the worker's, or the one `env.deliver` is handed) and the route.
pub struct Routing<'a, S, T> {
    pub store: S,
    pub route: &'a mut Route<T>,
}

impl<S: AsStoreMut, T: Transport> calls::Route for Routing<'_, S, T> {
    #[inline]
    fn to_consumer(&mut self, request: Bytes) -> Result<Bytes, Failure> {
        self.route.transport.to_consumer(&mut self.store, request)
    }

    #[inline]
    fn consume(&mut self, request: Bytes) -> Result<u64, Failure> {
        self.route.consume.call(&mut self.store, request.ptr, request.len).map_err(failure)
    }

    #[inline]
    fn to_producer(&mut self, reply: Bytes) -> Result<Bytes, Failure> {
        self.route.transport.to_producer(&mut self.store, reply)
    }
}

impl<T: Transport> Deliver for Route<T> {
    #[inline]
    fn deliver(&mut self, store: StoreMut<'_>, request: Bytes, traffic: &mut Traffic) -> Result<u64, Failure> {
        calls::deliver(&mut Routing { store, route: self }, request, traffic)
    }
}
