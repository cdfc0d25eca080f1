//! How the host reaches the guests: through a store context, as wasmatrix-core's transports do
//! ([`Api`]); the guests' exports, as wasmatrix-core declares them (`guest_exports!`), in
//! Wasmtime's typed functions ([`ProducerFns`], [`ConsumerFns`], [`RoundTrip`], [`Consume`],
//! [`Allocate`]); what comes back from a call into a guest, its error as a [`Failure`] (a trap
//! keeps its kind, as does a failure the producer's `env.deliver` relayed); and the messages it
//! leaves in its memory.

use wasmatrix_core::abi::Bytes;
use wasmatrix_core::guests::{Failure, Relayed};
use wasmatrix_core::transport::Access;
use wasmtime::{AsContext, Instance, Memory, Store, StoreContextMut, TypedFunc};

/// Wasmtime, as wasmatrix-core's transports reach the guests: through a `StoreContextMut`, made
/// from the store or, inside a host function, from its caller.
pub enum Api {}

impl Access for Api {
    type Ctx<'a, D: 'static> = StoreContextMut<'a, D>;
}

wasmatrix_core::guest_exports! {
    func: TypedFunc, args: tupled, api: Api, failure: failure,
    lookup: fn<S>(store: &mut Store<S>, instance: &Instance) = |name| instance.get_typed_func(&mut *store, name),
}

/// A Wasmtime error from a guest call or instantiation as a [`Failure`]: traps keep their kind, and
/// so does a failure relayed out of `env.deliver` ([`relay`]).
#[cold]
pub fn failure(e: wasmtime::Error) -> Failure {
    if let Some(relayed) = e.downcast_ref::<Relayed>() {
        return relayed.failure();
    }
    if e.downcast_ref::<wasmtime::Trap>().is_some() {
        Failure::Trap(format!("{e:#}"))
    } else {
        Failure::Error(format!("{e:#}"))
    }
}

/// A failure inside `env.deliver`, as the error Wasmtime carries through the producer's frames.
pub fn relay(failure: Failure) -> wasmtime::Error {
    wasmtime::Error::new(Relayed(failure))
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
