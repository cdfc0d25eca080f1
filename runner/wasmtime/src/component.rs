//! The guests as components (guests/wit/wasmatrix.wit), for transports `component` and `composed`,
//! measured by one [`Components`] whichever links them:
//!
//! - `component`: the producer and the consumer in one store. The consumer is instantiated first;
//!   the producer's import `wasmatrix:pair/deliver` is two host functions (`deliver`,
//!   `deliver-log`) that call the consumer's exports of the same names through the store (they are
//!   `LinkerInstance::func_wrap` closures, which get the store; bindgen's generated `Host` trait gets
//!   only the store's data, so it could not call another instance). Under `call = host` the host
//!   calls the producer's `produce`, the consumer's `deliver`, the producer's `check-reply` (codec
//!   `wit`: `produce-log`, `deliver-log`, `check-reply-log`); under `call = import` the producer's
//!   `round-trip` once, which calls its import.
//! - `composed`: the one component the two were plugged into (world `pair`), instantiated with an
//!   empty linker: its `round-trip` never leaves wasm (`call = import` only).
//!
//! A chain of components (the `modules` axis) puts relays between them (below, `relays`).
//!
//! The functions the hot loop calls are typed functions looked up once at set-up; those whose
//! parameters are borrowed (`list<u8>`, `log`) are bindgen's generated callers.

use crate::call::failure;
use crate::engine::Components as Compiled;
use crate::limits::Cap;
use wasmatrix_core::axes::{Call, Codec, Transport};
use wasmatrix_core::guests::{Failure, Guests, Output, Traffic};
use wasmtime::component::{Instance, InstancePre, Linker, TypedFunc, WasmList};
use wasmtime::{Store, StoreContextMut};

/// The bindings of guests/wit's three worlds, from `$wit`: guests/wit as a path from the manifest
/// of the crate being built (bindgen reads it from there; a release's crate in runner/releases/
/// sits one level deeper than runner/wasmtime). The consumer's and the composed pair's share the
/// producer's `types` (`with`), so a `Log` or `Reply` one guest returns passes straight to the
/// other's functions. (bindgen's callers are the generator's `unsafe` code; and the generated
/// `Host` traits and linker functions go unused: the host links the components itself.)
macro_rules! bindings {
    ($wit:literal) => {
        #[allow(unsafe_code, dead_code, unused)]
        mod bindings {
            pub mod producer {
                wasmtime::component::bindgen!({ world: "producer", path: $wit });
            }
            pub mod consumer {
                wasmtime::component::bindgen!({
                    world: "consumer",
                    path: $wit,
                    with: { "wasmatrix:pair/types": super::producer::wasmatrix::pair::types },
                });
            }
            pub mod pair {
                wasmtime::component::bindgen!({
                    world: "pair",
                    path: $wit,
                    with: { "wasmatrix:pair/types": super::producer::wasmatrix::pair::types },
                });
            }
        }
    };
}
#[cfg(not(release_crate))]
bindings!("../../guests/wit");
#[cfg(release_crate)]
bindings!("../../../guests/wit");

use bindings::producer::exports::wasmatrix::pair::producer_api::{self, Refusal, TrafficBytes};
use bindings::producer::wasmatrix::pair::types::{Log, Reply};

/// The consumer's `deliver` interface, as the host calls it (a relay's too: the same interface,
/// loaded from the relay's instance).
type Deliver = bindings::consumer::exports::wasmatrix::pair::deliver::Guest;

/// A hop's receiver as the store holds it: each import call takes its own handle out of the store
/// (so that the call can take the store). Wasmtime 48's generated exports are `Clone` (a few
/// function handles); 36's (release `wasmtime-36`) are not, so there the store shares them.
#[cfg(not(wasmtime_36))]
type Receiver = Deliver;
#[cfg(wasmtime_36)]
type Receiver = std::rc::Rc<Deliver>;

/// Loads the `Guest` of one exported interface (its bindings' module `$interface`) from
/// `$instance`; `$lacks` says why a component that lacks it does not implement its world.
macro_rules! load {
    ($interface:path, $store:expr, $instance:expr, $lacks:expr) => {{
        use $interface as interface;
        interface::GuestIndices::new(&$instance.instance_pre(&*$store))
            .and_then(|indices| indices.load(&mut *$store, $instance))
            .map_err($lacks)
    }};
}

/// `f(params)` in `store`. Wasmtime 36 wants every typed call followed by its `post_return` (the
/// callee's clean-up of what it returned) before the instance is entered again; 48 runs it within
/// the call.
#[inline]
fn call<P, R>(f: &TypedFunc<P, R>, store: &mut Store<State>, params: P) -> wasmtime::Result<R>
where
    P: wasmtime::component::ComponentNamedList + wasmtime::component::Lower,
    R: wasmtime::component::ComponentNamedList + wasmtime::component::Lift,
{
    let result = f.call(&mut *store, params)?;
    #[cfg(wasmtime_36)]
    f.post_return(&mut *store)?;
    Ok(result)
}

const DELIVER: &str = "wasmatrix:pair/deliver@0.1.0";
const PRODUCER_API: &str = "wasmatrix:pair/producer-api@0.1.0";
const CONSUMER_BENCH: &str = "wasmatrix:pair/consumer-bench@0.1.0";

/// What the store holds.
pub struct State {
    cap: Cap,
    /// `component`: hop `k`'s receiver's `deliver` exports, which the `deliver` import of the
    /// component sending on hop `k` calls (the producer's: hop 0; relay `j`'s: hop `j`). A pair's
    /// one hop is the consumer's.
    next: Vec<Receiver>,
    /// Per hop, the request as the sender's import copies it out of the sender's memory (reused;
    /// one a hop, as a chain's imports run nested).
    requests: Vec<Vec<u8>>,
}

/// The linkers of a cell's components, one per hop: hop `k`'s defines the `deliver` import of the
/// component sending on it as calls of hop `k`'s receiver ([`State::next`]); the consumer is
/// linked by the last. One empty linker for `composed`.
pub type Linkers = Vec<Linker<State>>;

/// The components' environment: the store (with the memory cap) and, `linked`, the linkers of a
/// chain of `relays` relays (for `instantiate = fresh`; the other strategies' is in their
/// [`PreComponents`]).
pub fn environment(
    engine: &wasmtime::Engine,
    transport: Transport,
    memory_limit_mib: u64,
    linked: bool,
    relays: usize,
) -> Result<(Store<State>, Option<Linkers>), Failure> {
    let mut store = Store::new(
        engine,
        State { cap: Cap::new(memory_limit_mib), next: Vec::new(), requests: vec![Vec::new(); relays + 1] },
    );
    store.limiter(|state| &mut state.cap);
    let linkers = || match transport {
        Transport::Component => (0..=relays).map(|hop| linker_of_hop(engine, hop)).collect(),
        _ => Ok(vec![Linker::new(engine)]),
    };
    Ok((store, linked.then(linkers).transpose()?))
}

/// The linker of a pair (`pre`, `pooled`): empty for `composed`, the producer's `deliver` import
/// for `component`.
pub fn linker(engine: &wasmtime::Engine, transport: Transport) -> Result<Linker<State>, Failure> {
    match transport {
        Transport::Component => linker_of_hop(engine, 0),
        _ => Ok(Linker::new(engine)),
    }
}

/// The linker whose `deliver` import calls hop `hop`'s receiver.
fn linker_of_hop(engine: &wasmtime::Engine, hop: usize) -> Result<Linker<State>, Failure> {
    let mut linker = Linker::new(engine);
    define_deliver(&mut linker, hop).map_err(|e| {
        let sender = if hop == 0 { "the producer".to_owned() } else { format!("relay {hop}") };
        Failure::Error(format!("cannot define {sender}'s deliver import: {e:#}"))
    })?;
    Ok(linker)
}

/// The components' pre-linked forms (`instantiate = pre`, `pooled`): imports resolved and
/// type-checked once, nothing tied to a store.
pub enum PreComponents {
    Linked { producer: InstancePre<State>, consumer: InstancePre<State> },
    Composed(InstancePre<State>),
}

impl PreComponents {
    /// The pre-linked forms of the cell's components, from their linker.
    pub fn new(linker: &Linker<State>, compiled: &Compiled) -> Result<PreComponents, Failure> {
        let pre = |component, who: &str| {
            linker.instantiate_pre(component).map_err(|e| Failure::Error(format!("cannot pre-link the {who}: {e:#}")))
        };
        Ok(match compiled {
            Compiled::Linked { relay_of, .. } if !relay_of.is_empty() => {
                return Err(Failure::Error(
                    "a chain of components is instantiated fresh only (see Cell::unsupported)".into(),
                ))
            }
            Compiled::Linked { producer, consumer, .. } => {
                PreComponents::Linked { producer: pre(producer, "producer")?, consumer: pre(consumer, "consumer")? }
            }
            Compiled::Composed(composed) => PreComponents::Composed(pre(composed, "composed component")?),
        })
    }
}

/// Where a pair's components come from: their code and their linkers (`fresh`, [`Linkers`]), or
/// their pre-linked forms.
pub enum Source<'a> {
    Fresh(&'a [Linker<State>], &'a Compiled),
    Pre(&'a PreComponents),
}

impl Source<'_> {
    /// One part of the pair or chain, instantiated in `store`.
    fn instantiate(&self, store: &mut Store<State>, role: Part) -> Result<Instance, Failure> {
        // (The part's name is made only for an error: this is the measured instantiation.)
        let linker = |hop: usize| match self {
            Source::Fresh(linkers, _) => {
                linkers.get(hop).ok_or_else(|| Failure::Error(format!("no linker for the {} (hop {hop})", role.name())))
            }
            Source::Pre(_) => unreachable!("asked of fresh sources only"),
        };
        let instance = match (self, role) {
            (Source::Fresh(_, Compiled::Linked { producer, .. }), Part::Producer) => {
                linker(0)?.instantiate(&mut *store, producer)
            }
            (Source::Fresh(linkers, Compiled::Linked { consumer, .. }), Part::Consumer) => {
                linker(linkers.len().saturating_sub(1))?.instantiate(&mut *store, consumer)
            }
            (Source::Fresh(_, Compiled::Linked { relays, relay_of, .. }), Part::Relay(j)) => {
                let relay = relay_of.get(j - 1).and_then(|&which| relays.get(which));
                let relay = relay.ok_or_else(|| Failure::Error(format!("no component for relay {j}")))?;
                linker(j)?.instantiate(&mut *store, relay)
            }
            (Source::Fresh(_, Compiled::Composed(composed)), Part::Composed) => {
                linker(0)?.instantiate(&mut *store, composed)
            }
            (Source::Pre(_), Part::Relay(_)) => {
                return Err(Failure::Error(
                    "a chain of components is instantiated fresh only (see Cell::unsupported)".into(),
                ))
            }
            (Source::Pre(PreComponents::Linked { producer, .. }), Part::Producer) => producer.instantiate(&mut *store),
            (Source::Pre(PreComponents::Linked { consumer, .. }), Part::Consumer) => consumer.instantiate(&mut *store),
            (Source::Pre(PreComponents::Composed(composed)), Part::Composed) => composed.instantiate(&mut *store),
            _ => unreachable!("a pair's parts are its shape's"),
        };
        instance.map_err(|e| Failure::Error(format!("cannot instantiate the {}: {e:#}", role.name())))
    }

    fn composed(&self) -> bool {
        matches!(self, Source::Fresh(_, Compiled::Composed(_)) | Source::Pre(PreComponents::Composed(_)))
    }
}

/// One component of a pair or chain.
#[derive(Clone, Copy, Debug)]
enum Part {
    Producer,
    /// Relay `j` (from 1) of a chain.
    Relay(usize),
    Consumer,
    Composed,
}

impl Part {
    fn name(self) -> String {
        match self {
            Part::Producer => "producer".into(),
            Part::Relay(j) => format!("relay {j}"),
            Part::Consumer => "consumer".into(),
            Part::Composed => "composed component".into(),
        }
    }
}

/// Hop `hop`'s receiver's `deliver` exports in the store, for the import.
fn receiver(store: &StoreContextMut<'_, State>, hop: usize) -> wasmtime::Result<Receiver> {
    store.data().next.get(hop).cloned().ok_or_else(|| wasmtime::Error::msg("deliver called before its receiver exists"))
}

/// The import `wasmatrix:pair/deliver` of the component sending on hop `hop` (the producer's, or
/// relay `hop`'s): each function calls hop `hop`'s receiver's export of its name (the consumer's,
/// or the next relay's), in the same store. A byte request is copied out of the sender's memory
/// into a reused host buffer, then lowered into the receiver's; its reply (or the receiver's
/// reason) is lifted into the host and lowered into the sender's memory. A typed record (codec
/// `wit`) is lifted into the host whole and lowered again.
fn define_deliver(linker: &mut Linker<State>, hop: usize) -> wasmtime::Result<()> {
    let mut deliver = linker.instance(DELIVER)?;
    deliver.func_wrap(
        "deliver",
        move |mut store: StoreContextMut<'_, State>,
              (msg,): (WasmList<u8>,)|
              -> wasmtime::Result<(Result<Vec<u8>, String>,)> {
            let consumer = receiver(&store, hop)?;
            let slot = |store: &mut StoreContextMut<'_, State>| {
                store.data_mut().requests.get_mut(hop).map(std::mem::take).unwrap_or_default()
            };
            let mut request = slot(&mut store);
            request.clear();
            request.extend_from_slice(msg.as_le_slice(&store));
            let reply = consumer.call_deliver(&mut store, &request);
            if let Some(kept) = store.data_mut().requests.get_mut(hop) {
                *kept = request;
            }
            Ok((reply?,))
        },
    )?;
    deliver.func_wrap(
        "deliver-log",
        move |mut store: StoreContextMut<'_, State>, (log,): (Log,)| -> wasmtime::Result<(Reply,)> {
            let consumer = receiver(&store, hop)?;
            Ok((consumer.call_deliver_log(&mut store, &log)?,))
        },
    )?;
    Ok(())
}

/// The functions the harness calls by name, typed (both links: the producer's and the consumer's
/// exports live in the composed component too).
struct Fns {
    round_trip: TypedFunc<(u32,), (Result<(), Refusal>,)>,
    produce: TypedFunc<(u32,), (Vec<u8>,)>,
    produce_log: TypedFunc<(u32,), (Log,)>,
    check_reply_log: TypedFunc<(Reply,), (Result<(), String>,)>,
    checksum: TypedFunc<(), (u64,)>,
    bench_encode: TypedFunc<(u32, u32), (u32,)>,
    traffic: TypedFunc<(), (TrafficBytes,)>,
    ping: TypedFunc<(u32,), (u32,)>,
}

/// One export of `instance`'s interface `interface`, typed.
fn typed<P, R>(
    store: &mut Store<State>,
    instance: &Instance,
    interface: &str,
    name: &str,
) -> Result<TypedFunc<P, R>, Failure>
where
    P: wasmtime::component::ComponentNamedList + wasmtime::component::Lower,
    R: wasmtime::component::ComponentNamedList + wasmtime::component::Lift,
{
    let lacks =
        |why: String| Failure::Error(format!("the component lacks {interface}#{name}, which the harness calls: {why}"));
    let index = instance
        .get_export_index(&mut *store, None, interface)
        .and_then(|i| instance.get_export_index(&mut *store, Some(&i), name))
        .ok_or_else(|| lacks("no such export".into()))?;
    instance.get_typed_func::<P, R>(&mut *store, &index).map_err(|e| lacks(format!("{e:#}")))
}

impl Fns {
    /// `producer`: the instance exporting `producer-api`; `consumer`: `consumer-bench`.
    fn new(store: &mut Store<State>, producer: &Instance, consumer: &Instance) -> Result<Fns, Failure> {
        let p = PRODUCER_API;
        Ok(Fns {
            round_trip: typed(store, producer, p, "round-trip")?,
            produce: typed(store, producer, p, "produce")?,
            produce_log: typed(store, producer, p, "produce-log")?,
            check_reply_log: typed(store, producer, p, "check-reply-log")?,
            checksum: typed(store, producer, p, "checksum")?,
            bench_encode: typed(store, producer, p, "bench-encode")?,
            traffic: typed(store, producer, p, "traffic")?,
            ping: typed(store, consumer, CONSUMER_BENCH, "ping")?,
        })
    }
}

/// The consumer's `bench-decode` (a borrowed list: bindgen's caller), from whichever world.
enum BenchDecode {
    Consumer(bindings::consumer::exports::wasmatrix::pair::consumer_bench::Guest),
    Pair(bindings::pair::exports::wasmatrix::pair::consumer_bench::Guest),
}

/// What the host calls under `call = host` (transport `component`).
struct HostCalls {
    producer: producer_api::Guest,
    /// The receiver of the producer's request: the consumer's `deliver`, or a chain's relay 1's
    /// (which forwards it down the chain).
    consumer: Receiver,
}

/// How a round trip is driven.
enum Mode {
    /// The producer's `round-trip`.
    Import,
    /// The host calls each guest in turn, with bytes.
    HostBytes(HostCalls),
    /// The host calls each guest in turn, with the typed record (codec `wit`).
    HostLog(HostCalls),
}

/// The instantiated components, as the worker measures them.
pub struct Components {
    store: Store<State>,
    fns: Fns,
    mode: Mode,
    codec: Codec,
    bench_decode: BenchDecode,
    /// The request staged for the decode benchmark.
    staged: Vec<u8>,
    /// The producer's `traffic` as of the end of the last batch of round trips.
    traffic: Traffic,
    /// How many times a request and its reply cross between memories: once per hop.
    hops: u64,
    /// A chain's relays' `relay-digest`s, where the host can reach them.
    relay_digests: RelayDigests,
}

fn world(who: &str) -> impl Fn(wasmtime::Error) -> Failure + '_ {
    move |e| Failure::Error(format!("the {who} does not implement its WIT world: {e:#}"))
}

/// Instantiates the components in their store, from `source` (the measured "instantiate" phase).
/// `relays`: a chain's relays between the producer and the consumer (0 for a pair).
pub fn instantiate(
    mut store: Store<State>,
    source: Source<'_>,
    call: Call,
    codec: Codec,
    relays: usize,
) -> Result<Components, Failure> {
    let (fns, host, bench_decode, relay_digests) = if source.composed() {
        let instance = source.instantiate(&mut store, Part::Composed)?;
        let lacks = world("composed component");
        let bench = load!(bindings::pair::exports::wasmatrix::pair::consumer_bench, &mut store, &instance, lacks)?;
        let fns = Fns::new(&mut store, &instance, &instance)?;
        let digests = composed_digests(&mut store, &instance, relays)?;
        (fns, None, BenchDecode::Pair(bench), digests)
    } else {
        let consumer_instance = source.instantiate(&mut store, Part::Consumer)?;
        let lacks = world("consumer");
        let deliver =
            load!(bindings::consumer::exports::wasmatrix::pair::deliver, &mut store, &consumer_instance, &lacks)?;
        let bench = load!(
            bindings::consumer::exports::wasmatrix::pair::consumer_bench,
            &mut store,
            &consumer_instance,
            &lacks
        )?;
        let (next, digests) = instantiate_relays(&mut store, &source, deliver, relays)?;
        let first = next[0].clone();
        store.data_mut().next = next;
        let producer_instance = source.instantiate(&mut store, Part::Producer)?;
        let producer = load!(producer_api, &mut store, &producer_instance, world("producer"))?;
        let fns = Fns::new(&mut store, &producer_instance, &consumer_instance)?;
        let host = HostCalls { producer, consumer: first };
        (fns, Some(host), BenchDecode::Consumer(bench), digests)
    };
    let mode = match (call, codec, host) {
        (Call::Import, _, _) => Mode::Import,
        (Call::Host, _, None) => {
            return Err(Failure::Error(
                "composed components call each other inside wasm: the host cannot call each in turn (call = host)"
                    .into(),
            ))
        }
        (Call::Host, Codec::Wit, Some(host)) => Mode::HostLog(host),
        (Call::Host, Codec::Bytes(_), Some(host)) => Mode::HostBytes(host),
    };
    Ok(Components {
        store,
        fns,
        mode,
        codec,
        bench_decode,
        staged: Vec::new(),
        traffic: Traffic::default(),
        hops: relays as u64 + 1,
        relay_digests,
    })
}

impl Components {
    /// The producer's traffic so far; what crossed between memories is both directions, on every
    /// hop (a chain's reply returns through each relay, as its request went).
    fn refresh_traffic(&mut self) -> Result<(), Failure> {
        let (t,) = call(&self.fns.traffic, &mut self.store, ()).map_err(failure)?;
        self.traffic = Traffic {
            request_bytes: t.request_bytes,
            reply_bytes: t.reply_bytes,
            copied_bytes: self.hops * (t.request_bytes + t.reply_bytes),
        };
        Ok(())
    }
}

impl Guests for Components {
    #[inline]
    fn round_trip(&mut self, i: u32) -> Result<(), Failure> {
        match &self.mode {
            Mode::Import => match call(&self.fns.round_trip, &mut self.store, (i,)).map_err(failure)?.0 {
                Ok(()) => Ok(()),
                Err(Refusal::Consumer(why)) => Err(Failure::consumer_refused(i, why)),
                Err(Refusal::Reply(why)) => Err(Failure::reply_refused(i, why)),
            },
            Mode::HostBytes(host) => {
                let (request,) = call(&self.fns.produce, &mut self.store, (i,)).map_err(failure)?;
                let reply = host
                    .consumer
                    .call_deliver(&mut self.store, &request)
                    .map_err(failure)?
                    .map_err(|why| Failure::consumer_refused(i, why))?;
                host.producer
                    .call_check_reply(&mut self.store, &reply)
                    .map_err(failure)?
                    .map_err(|why| Failure::reply_refused(i, why))
            }
            Mode::HostLog(host) => {
                let (log,) = call(&self.fns.produce_log, &mut self.store, (i,)).map_err(failure)?;
                let reply = host.consumer.call_deliver_log(&mut self.store, &log).map_err(failure)?;
                call(&self.fns.check_reply_log, &mut self.store, (reply,))
                    .map_err(failure)?
                    .0
                    .map_err(|why| Failure::reply_refused(i, why))
            }
        }
    }

    /// The batch, then the producer's traffic so far (one call per batch: `traffic` reads `&self`,
    /// so it cannot ask the producer itself).
    fn round_trips(&mut self, from: u32, n: u32) -> Result<(), Failure> {
        (from..from + n).try_for_each(|i| self.round_trip(i))?;
        self.refresh_traffic()
    }

    fn pings(&mut self, n: u32) -> Result<u32, Failure> {
        let mut x = 0;
        for _ in 0..n {
            x = call(&self.fns.ping, &mut self.store, (x,)).map_err(failure)?.0;
        }
        Ok(x)
    }

    fn checksum(&mut self) -> Result<u64, Failure> {
        Ok(call(&self.fns.checksum, &mut self.store, ()).map_err(failure)?.0)
    }

    fn encode_batch(&mut self, i: u32, n: u32) -> Result<(), Failure> {
        call(&self.fns.bench_encode, &mut self.store, (i, n)).map_err(failure).map(drop)
    }

    fn stage(&mut self, i: u32) -> Result<(), Failure> {
        self.staged = call(&self.fns.produce, &mut self.store, (i,)).map_err(failure)?.0;
        Ok(())
    }

    fn decode_batch(&mut self, n: u32) -> Result<(), Failure> {
        let decoded = match &self.bench_decode {
            BenchDecode::Consumer(bench) => bench.call_bench_decode(&mut self.store, &self.staged, n),
            BenchDecode::Pair(bench) => bench.call_bench_decode(&mut self.store, &self.staged, n),
        };
        decoded
            .map_err(failure)?
            .map_err(|why| Failure::Error(format!("consumer could not decode the staged request: {why}")))
    }

    fn codec_alone(&self) -> bool {
        self.codec != Codec::Wit
    }

    fn traffic(&self) -> Traffic {
        self.traffic
    }

    /// After the timed round trips: a chain's relays read the same records (their digests agree).
    fn count_traffic(&mut self) -> Result<(), Failure> {
        check_digests(&mut self.store, &self.relay_digests)
    }

    /// Components have no log sink and no stdout here (environment `bare`, logging off).
    fn output(&self) -> Output {
        Output::default()
    }
}

// A chain of components (the `modules` axis): the relays of the world `relay` between the producer
// and the consumer. Under `component` each relay is instantiated in the pair's store, after the
// consumer and from its end, its `deliver` import defined by the host (its hop's linker) as a call
// of the next component's export, so the host is in the middle of every hop, as for the pair;
// under `composed` wac plugged the relays in ahead of time (runner/src/component.rs,
// `compose_chain`) and the composed component exports each relay's `relay-bench` as `relay-<j>`.
// After the timed round trips the relays' digests must agree, as a chain of core modules checks.

/// A relay's `relay-digest` export.
type DigestFn = TypedFunc<(), (u64,)>;

/// The relays' `relay-digest`s in order (relay 1 first); empty for a pair.
type RelayDigests = Vec<DigestFn>;

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
fn instantiate_relays(
    store: &mut Store<State>,
    source: &Source<'_>,
    consumer: Deliver,
    relays: usize,
) -> Result<(Vec<Receiver>, RelayDigests), Failure> {
    let mut next = vec![Receiver::from(consumer)];
    let mut digests = Vec::with_capacity(relays);
    for j in (1..=relays).rev() {
        let instance = source.instantiate(store, Part::Relay(j))?;
        let lacks = |e: wasmtime::Error| Failure::Error(format!("relay {j} does not implement its WIT world: {e:#}"));
        let deliver = load!(bindings::consumer::exports::wasmatrix::pair::deliver, store, &instance, lacks)?;
        next.push(Receiver::from(deliver));
        digests.push(typed(store, &instance, RELAY_BENCH, "relay-digest")?);
    }
    next.reverse();
    digests.reverse();
    Ok((next, digests))
}

/// The `relay-digest` of each of a composed chain's `relays` relays, from the composed component's
/// exports (`relay-<j>`).
fn composed_digests(store: &mut Store<State>, composed: &Instance, relays: usize) -> Result<RelayDigests, Failure> {
    (1..=relays).map(|j| typed(store, composed, &relay_bench_export(j), "relay-digest")).collect()
}

/// Every relay read the same records: their digests agree with relay 1's (the words of a chain of
/// core modules, wasmatrix-core's `transport::Chain`).
fn check_digests(store: &mut Store<State>, digests: &[DigestFn]) -> Result<(), Failure> {
    let Some((first_fn, others)) = digests.split_first() else { return Ok(()) };
    let first = call(first_fn, store, ()).map_err(failure)?.0;
    for (j, digest) in (2..).zip(others) {
        let digest = call(digest, store, ()).map_err(failure)?.0;
        if digest != first {
            return Err(Failure::relay_disagrees(j, digest, first));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine;
    use wasmatrix_core::axes::Compiler;

    /// The smallest component: the preamble of a component binary, nothing in it.
    const EMPTY: &[u8] = b"\0asm\x0d\0\x01\0";

    #[test]
    fn a_component_that_is_not_the_worlds_is_refused_with_the_reason() {
        for compiler in [Compiler::Cranelift, Compiler::Winch, Compiler::Pulley] {
            let engine = engine::engine(compiler, true, None).unwrap();
            let empty = wasmtime::component::Component::new(&engine, EMPTY).unwrap();
            let cases = [
                (
                    Transport::Component,
                    Compiled::Linked {
                        producer: empty.clone(),
                        consumer: empty.clone(),
                        relays: Vec::new(),
                        relay_of: Vec::new(),
                    },
                    "consumer",
                ),
                (Transport::Composed, Compiled::Composed(empty.clone()), "composed component"),
            ];
            for (transport, compiled, who) in cases {
                let (store, linkers) = environment(&engine, transport, 64, true, 0).unwrap();
                let source = Source::Fresh(linkers.as_ref().unwrap(), &compiled);
                let Err(Failure::Error(e)) = instantiate(store, source, Call::Import, Codec::Wit, 0) else {
                    panic!("{compiler}/{transport}: an empty component has no producer-api")
                };
                assert!(e.starts_with(&format!("the {who} does not implement its WIT world")), "{e}");
            }
        }
    }
}
