//! The two instantiated guests and the calls of a round trip between them: the hot path every
//! latency figure measures, sequenced by wasmatrix-core's `calls::Pair` as under every other
//! runtime. Generic over the transport, so each transport's loop is compiled on its own, with
//! nothing dynamic inside.

use crate::engine::Modules;
use crate::host::{failure, Host, HostState};
use crate::transport::Transport;
use wasmatrix_core::abi::{Bytes, Role};
use wasmatrix_core::calls::{GuestCalls, Pair};
use wasmatrix_core::guests::{Failure, Output};
use wasmtime::{Instance, Memory, Store, TypedFunc};

/// A guest call's error as a [`Failure`]: `.call(..).trapped()?`.
pub trait Trapped<T> {
    fn trapped(self) -> Result<T, Failure>;
}

impl<T> Trapped<T> for wasmtime::Result<T> {
    #[inline]
    fn trapped(self) -> Result<T, Failure> {
        self.map_err(failure)
    }
}

fn export<P: wasmtime::WasmParams, R: wasmtime::WasmResults>(
    store: &mut Store<HostState>,
    instance: &Instance,
    who: &str,
    name: &str,
) -> Result<TypedFunc<P, R>, Failure> {
    instance
        .get_typed_func(&mut *store, name)
        .map_err(|e| Failure::Error(format!("{who} lacks an export the harness calls ({name}): {e:#}")))
}

/// The producer's exports (see guests/producer).
pub struct ProducerFns {
    pub produce: TypedFunc<u32, u64>,
    pub check_reply: TypedFunc<(u32, u32), u32>,
    pub reply_buffer: TypedFunc<u32, u32>,
    pub checksum: TypedFunc<(), u64>,
    pub bench_encode: TypedFunc<(u32, u32), u32>,
    pub error_message: TypedFunc<(), u64>,
}

/// The consumer's exports (see guests/consumer).
pub struct ConsumerFns {
    pub consume: TypedFunc<(u32, u32), u64>,
    pub request_buffer: TypedFunc<u32, u32>,
    pub ping: TypedFunc<u32, u32>,
    pub bench_decode: TypedFunc<(u32, u32, u32), u32>,
    pub error_message: TypedFunc<(), u64>,
}

impl ProducerFns {
    fn new(store: &mut Store<HostState>, i: &Instance) -> Result<Self, Failure> {
        let w = "producer";
        Ok(ProducerFns {
            produce: export(store, i, w, "produce")?,
            check_reply: export(store, i, w, "check_reply")?,
            reply_buffer: export(store, i, w, "reply_buffer")?,
            checksum: export(store, i, w, "checksum")?,
            bench_encode: export(store, i, w, "bench_encode")?,
            error_message: export(store, i, w, "error_message")?,
        })
    }
}

impl ConsumerFns {
    fn new(store: &mut Store<HostState>, i: &Instance) -> Result<Self, Failure> {
        let w = "consumer";
        Ok(ConsumerFns {
            consume: export(store, i, w, "consume")?,
            request_buffer: export(store, i, w, "request_buffer")?,
            ping: export(store, i, w, "ping")?,
            bench_decode: export(store, i, w, "bench_decode")?,
            error_message: export(store, i, w, "error_message")?,
        })
    }
}

/// The instantiated guests, linked by transport `T`: each export call of wasmatrix-core's
/// [`GuestCalls`], which makes the round trip every runtime makes.
pub struct Calls<T> {
    store: Store<HostState>,
    host: Host,
    producer: ProducerFns,
    consumer: ConsumerFns,
    transport: T,
}

/// Instantiates both guests in their environment (the measured "instantiate" phase).
pub fn instantiate<T: Transport>(
    (mut store, mut host): (Store<HostState>, Host),
    modules: &Modules,
) -> Result<Pair<Calls<T>>, Failure> {
    let linked = T::link(&mut store, &mut host, modules)?;
    let producer = ProducerFns::new(&mut store, &linked.producer)?;
    let consumer = ConsumerFns::new(&mut store, &linked.consumer)?;
    Ok(Pair::new(Calls { store, host, producer, consumer, transport: linked.transport }))
}

impl<T: Transport> GuestCalls for Calls<T> {
    #[inline]
    fn produce(&mut self, i: u32) -> Result<u64, Failure> {
        self.producer.produce.call(&mut self.store, i).trapped()
    }

    #[inline]
    fn check_reply(&mut self, reply: Bytes) -> Result<u32, Failure> {
        self.producer.check_reply.call(&mut self.store, (reply.ptr, reply.len)).trapped()
    }

    fn checksum(&mut self) -> Result<u64, Failure> {
        self.producer.checksum.call(&mut self.store, ()).trapped()
    }

    fn bench_encode(&mut self, i: u32, n: u32) -> Result<u32, Failure> {
        self.producer.bench_encode.call(&mut self.store, (i, n)).trapped()
    }

    #[inline]
    fn consume(&mut self, request: Bytes) -> Result<u64, Failure> {
        self.consumer.consume.call(&mut self.store, (request.ptr, request.len)).trapped()
    }

    #[inline]
    fn ping(&mut self, x: u32) -> Result<u32, Failure> {
        self.consumer.ping.call(&mut self.store, x).trapped()
    }

    fn bench_decode(&mut self, request: Bytes, n: u32) -> Result<u32, Failure> {
        self.consumer.bench_decode.call(&mut self.store, (request.ptr, request.len, n)).trapped()
    }

    #[inline]
    fn to_consumer(&mut self, request: Bytes) -> Result<Bytes, Failure> {
        self.transport.to_consumer(&mut self.store, &self.consumer, request)
    }

    #[inline]
    fn to_producer(&mut self, reply: Bytes) -> Result<Bytes, Failure> {
        self.transport.to_producer(&mut self.store, &self.producer, reply)
    }

    fn copied_bytes(&self) -> u64 {
        self.transport.copied_bytes()
    }

    fn says(&mut self, role: Role) -> Result<String, Failure> {
        Ok(match role {
            Role::Producer => {
                let packed = self.producer.error_message.call(&mut self.store, ()).trapped()?;
                self.transport.producer_text(&self.store, packed)
            }
            Role::Consumer => {
                let packed = self.consumer.error_message.call(&mut self.store, ()).trapped()?;
                self.transport.consumer_text(&self.store, packed)
            }
        })
    }

    fn output(&self) -> Output {
        self.host.output(&self.store)
    }
}

/// Reads a packed UTF-8 message out of a guest memory, for error reports.
pub fn read_text(store: &Store<HostState>, memory: &Memory, packed: u64) -> String {
    let Some(range) = Bytes::unpack(packed) else {
        return "(no message)".into();
    };
    let start = range.ptr as usize;
    match memory.data(store).get(start..start + range.len.min(4096) as usize) {
        Some(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        None => "(unreadable message: outside the guest's memory)".into(),
    }
}
