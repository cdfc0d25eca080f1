//! What a request is routed through: the transport and the consumer's `consume`, the middle of
//! every round trip (wasmatrix-core's `calls::deliver`). Under `call = host` the worker holds the
//! route; under `import` the store does, for the producer's `env.deliver` import ([`Deliver`]).

use crate::call::failure;
use crate::environment::{Deliver, HostState};
use crate::transport::Transport;
use wasmatrix_core::abi::Bytes;
use wasmatrix_core::calls;
use wasmatrix_core::guests::{Failure, Traffic};
use wasmtime::{AsContextMut, Caller, TypedFunc};

/// The transport `T` that links the guests, and the consumer's `consume`.
pub struct Route<T> {
    pub transport: T,
    pub consume: TypedFunc<(u32, u32), u64>,
}

/// A route in use: a store context (the store, or `env.deliver`'s caller) and the route.
pub struct Routing<'a, C, T> {
    pub ctx: C,
    pub route: &'a mut Route<T>,
}

impl<C: AsContextMut, T: Transport> calls::Route for Routing<'_, C, T> {
    #[inline]
    fn to_consumer(&mut self, request: Bytes) -> Result<Bytes, Failure> {
        self.route.transport.to_consumer(&mut self.ctx, request)
    }

    #[inline]
    fn consume(&mut self, request: Bytes) -> Result<u64, Failure> {
        self.route.consume.call(&mut self.ctx, (request.ptr, request.len)).map_err(failure)
    }

    #[inline]
    fn to_producer(&mut self, reply: Bytes) -> Result<Bytes, Failure> {
        self.route.transport.to_producer(&mut self.ctx, reply)
    }
}

impl<T: Transport> Deliver for Route<T> {
    #[inline]
    fn deliver(
        &mut self,
        caller: &mut Caller<'_, HostState<Self>>,
        request: Bytes,
        traffic: &mut Traffic,
    ) -> Result<u64, Failure> {
        calls::deliver(&mut Routing { ctx: caller, route: self }, request, traffic)
    }
}
