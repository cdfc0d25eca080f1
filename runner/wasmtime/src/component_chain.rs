//! A chain of components under Wasmtime (the `modules` axis with transports `component` and
//! `composed`): relays of the world `relay` of guests/wit between the producer and the consumer.
//!
//! - `component`: each relay instantiated in the pair's store, after the consumer and from the
//!   consumer's end, its `deliver` import defined by the host (the linker of its hop,
//!   component.rs's `Linkers`) as a call of the next component's exported `deliver`; so the host
//!   is in the middle of every hop, as it is for the pair. The producer's import calls relay 1's
//!   export; under `call = host` the host calls relay 1's `deliver`, which forwards down the chain.
//! - `composed`: wac plugged the relays in ahead of time (runner/src/component.rs,
//!   `compose_chain`); the composed component exports each relay's `relay-bench` under a name of
//!   its own (`relay-<j>`), which is how the host reaches the digests.
//!
//! After the timed round trips the relays' digests must agree ([`check_digests`]), as a chain of
//! core modules checks them.

use crate::call::failure;
use crate::component::{typed, Deliver, DeliverIndices, Part, Source, State};
use wasmatrix_core::guests::Failure;
use wasmtime::component::{Instance, TypedFunc};
use wasmtime::Store;

/// A relay's `relay-digest` export.
type DigestFn = TypedFunc<(), (u64,)>;

/// The relays' `relay-digest`s in order (relay 1 first); empty for a pair.
pub type RelayDigests = Vec<DigestFn>;

/// What a relay exports (guests/wit's `relay-bench`).
const RELAY_BENCH: &str = "wasmatrix:pair/relay-bench@0.1.0";

/// The name under which a composed chain exports relay `j`'s `relay-bench` (runner/src/component.rs,
/// `relay_bench_export`).
fn relay_bench_export(j: usize) -> String {
    format!("relay-{j}")
}

/// Instantiates `relays` relays from `source` in `store`, relay `relays` first (its import calls
/// `consumer`, the consumer's `deliver`), relay 1 last. Returns each hop's receiver in order (hop 0,
/// the producer's: relay 1's `deliver`, or the consumer's for a pair) and the relays' digests.
pub fn relays(
    store: &mut Store<State>,
    source: &Source<'_>,
    consumer: Deliver,
    relays: usize,
) -> Result<(Vec<Deliver>, RelayDigests), Failure> {
    let mut next = vec![consumer];
    let mut digests = Vec::with_capacity(relays);
    for j in (1..=relays).rev() {
        let instance = source.instantiate(store, Part::Relay(j))?;
        let lacks = |e: wasmtime::Error| Failure::Error(format!("relay {j} does not implement its WIT world: {e:#}"));
        let deliver = DeliverIndices::new(&instance.instance_pre(&*store))
            .and_then(|indices| indices.load(&mut *store, &instance))
            .map_err(lacks)?;
        next.push(deliver);
        digests.push(typed(store, &instance, RELAY_BENCH, "relay-digest")?);
    }
    next.reverse();
    digests.reverse();
    Ok((next, digests))
}

/// The `relay-digest` of each of a composed chain's `relays` relays, from the composed component's
/// exports (`relay-<j>`).
pub fn composed_digests(store: &mut Store<State>, composed: &Instance, relays: usize) -> Result<RelayDigests, Failure> {
    (1..=relays).map(|j| typed(store, composed, &relay_bench_export(j), "relay-digest")).collect()
}

/// Every relay read the same records: their digests agree with relay 1's (the words of a chain of
/// core modules, wasmatrix-core's `transport::Chain`).
pub fn check_digests(store: &mut Store<State>, digests: &[DigestFn]) -> Result<(), Failure> {
    let Some((first_fn, others)) = digests.split_first() else { return Ok(()) };
    let first = first_fn.call(&mut *store, ()).map_err(failure)?.0;
    for (j, digest) in (2..).zip(others) {
        let digest = digest.call(&mut *store, ()).map_err(failure)?.0;
        if digest != first {
            return Err(Failure::Error(format!(
                "relay {j} read other records than relay 1 (digest {digest:#x}, relay 1's {first:#x})"
            )));
        }
    }
    Ok(())
}
