//! How the host reaches the guests: through a store, as wasmatrix-core's transports do ([`Api`]);
//! the guests' exports, as wasmatrix-core declares them (`guest_exports!`), in Wasmer's typed
//! functions ([`ProducerFns`], [`ConsumerFns`], [`RoundTrip`], [`Consume`], [`Allocate`]); what
//! comes back from a call into a guest, its error as a [`Failure`] (a trap, or a failure the
//! producer's `env.deliver` relayed, which keeps its kind); and the messages it leaves in its
//! memory.

use wasmatrix_core::abi::Bytes;
use wasmatrix_core::guests::{Failure, Relayed};
use wasmatrix_core::transport::Access;
use wasmer::{AsStoreRef, Instance, Memory, RuntimeError, Store, StoreMut, TypedFunction};

/// Wasmer, as wasmatrix-core's transports reach the guests: through a `StoreMut`, made from the
/// store or, inside a host function, from its environment. (Wasmer's store holds no data of the
/// host's, so the context ignores `D`; callers name it `()`.)
pub enum Api {}

impl Access for Api {
    type Ctx<'a, D: 'static> = StoreMut<'a>;
}

wasmatrix_core::guest_exports! {
    func: TypedFunction, args: spread, api: Api, failure: failure,
    lookup: fn(store: &Store, instance: &Instance) = |name| instance.exports.get_typed_function(store, name),
}

/// A Wasmer error from a guest call as a [`Failure`]: a trap, unless it is a failure relayed out
/// of `env.deliver` ([`relay`]), which keeps its kind.
#[cold]
pub fn failure(e: RuntimeError) -> Failure {
    match e.downcast_ref::<Relayed>() {
        Some(relayed) => relayed.failure(),
        None => Failure::Trap(e.to_string()),
    }
}

/// A failure inside `env.deliver`, as the error Wasmer carries through the producer's frames.
pub fn relay(failure: Failure) -> RuntimeError {
    RuntimeError::user(Box::new(Relayed(failure)))
}

/// Reads a packed UTF-8 message out of a guest memory, for error reports.
pub fn read_text(store: &impl AsStoreRef, memory: &Memory, packed: u64) -> String {
    let Some(range) = Bytes::unpack(packed) else {
        return "(no message)".into();
    };
    let mut buf = vec![0; range.len.min(4096) as usize];
    match memory.view(store).read(u64::from(range.ptr), &mut buf) {
        Ok(()) => String::from_utf8_lossy(&buf).into_owned(),
        Err(e) => format!("(unreadable message: {e})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmer::{imports, Function, FunctionEnv, FunctionEnvMut, Instance, Module, Store, Value};

    /// A producer whose `round_trip` calls `env.deliver`, which fails with `relayed`: the failure
    /// comes out of the producer's frames with its kind.
    fn through_the_producer(relayed: Failure) -> Failure {
        let wat = r#"(module
            (import "env" "deliver" (func $deliver (param i32 i32) (result i64)))
            (func (export "round_trip") (param i32) (result i32)
                (drop (call $deliver (local.get 0) (i32.const 4)))
                (i32.const 0)))"#;
        let mut store = Store::default();
        let module = Module::new(&store, wat).unwrap();
        let env = FunctionEnv::new(&mut store, Some(relayed));
        fn deliver(mut env: FunctionEnvMut<Option<Failure>>, _: u32, _: u32) -> Result<u64, RuntimeError> {
            Err(relay(env.data_mut().take().unwrap()))
        }
        let imports = imports! { "env" => { "deliver" => Function::new_typed_with_env(&mut store, &env, deliver) } };
        let instance = Instance::new(&mut store, &module, &imports).unwrap();
        let round_trip = instance.exports.get_function("round_trip").unwrap();
        failure(round_trip.call(&mut store, &[Value::I32(7)]).unwrap_err())
    }

    #[test]
    fn a_failure_inside_env_deliver_keeps_its_kind() {
        let Failure::Trap(m) = through_the_producer(Failure::Trap("unreachable".into())) else { panic!("a trap") };
        assert_eq!(m, "inside env.deliver: unreachable");
        let Failure::Error(m) = through_the_producer(Failure::Error("no".into())) else { panic!("an error") };
        assert_eq!(m, "no");
        let Failure::OutOfMemory(_) = through_the_producer(Failure::OutOfMemory("cap".into())) else {
            panic!("out of memory")
        };
    }
}
