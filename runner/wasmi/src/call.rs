//! How the host reaches the guests: through a store context, as wasmatrix-core's transports do
//! ([`Api`]); the guests' exports, as wasmatrix-core declares them (`guest_exports!`), in wasmi's
//! typed functions ([`ProducerFns`], [`ConsumerFns`], [`RoundTrip`], [`Consume`], [`Allocate`]);
//! what comes back from a call into a guest, its error as a [`Failure`] (a trap, or a failure the
//! producer's `env.deliver` relayed, which keeps its kind); and the messages it leaves in its
//! memory.

use wasmatrix_core::abi::Bytes;
use wasmatrix_core::guests::{Failure, Relayed};
use wasmatrix_core::transport::Access;
use wasmi::errors::HostError;
use wasmi::{AsContext, Instance, Memory, Store, StoreContextMut, TypedFunc};

/// wasmi, as wasmatrix-core's transports reach the guests: through a `StoreContextMut`, made from
/// the store or, inside a host function, from its caller.
pub enum Api {}

impl Access for Api {
    type Ctx<'a, D: 'static> = StoreContextMut<'a, D>;
}

wasmatrix_core::guest_exports! {
    func: TypedFunc, args: tupled, api: Api, failure: failure,
    lookup: fn<S>(store: &Store<S>, instance: &Instance) = |name| instance.get_typed_func(store, name),
}

/// A guest call's error as a [`Failure`]: a trap, unless it is a failure `env.deliver` relayed
/// through the producer's frames ([`relay`]), which keeps its kind.
#[cold]
pub fn failure(e: wasmi::Error) -> Failure {
    match e.downcast_ref::<Relay>() {
        Some(Relay(relayed)) => relayed.failure(),
        None => Failure::Trap(e.to_string()),
    }
}

/// A failure inside `env.deliver`, as the error wasmi carries through the producer's frames.
pub fn relay(failure: Failure) -> wasmi::Error {
    wasmi::Error::host(Relay(Relayed(failure)))
}

/// wasmi carries only its own `HostError`s through a guest's frames.
#[derive(Debug)]
struct Relay(Relayed);

impl std::fmt::Display for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl HostError for Relay {}

/// Reads a packed UTF-8 message out of a guest memory, for error reports.
pub fn read_text(ctx: impl AsContext, memory: &Memory, packed: u64) -> String {
    let Some(range) = Bytes::unpack(packed) else {
        return "(no message)".into();
    };
    let mut buf = vec![0; range.len.min(4096) as usize];
    match memory.read(ctx, range.ptr as usize, &mut buf) {
        Ok(()) => String::from_utf8_lossy(&buf).into_owned(),
        Err(e) => format!("(unreadable message: {e})"),
    }
}
