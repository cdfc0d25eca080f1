//! The two instantiated guests and the calls of a round trip between them: the hot path every
//! latency figure measures, sequenced by wasmatrix-core's `calls::Pair` as under every other
//! runtime. Generic over the transport so each transport's loop is compiled on its own, with
//! nothing dynamic inside.

use super::engine::Modules;
use super::environment::Host;
use super::transport::Transport;
use anyhow::{Context, Result};
use wasmatrix_core::abi::Role;
use wasmatrix_core::calls::{GuestCalls, Pair};
use wasmatrix_core::guests::{Failure, Output};
use wasmi::{Instance, Memory, Store, TypedFunc};

pub use wasmatrix_core::abi::Bytes;

/// A guest call's trap as a [`Failure`]: `.call(..).trapped()?`.
pub trait Trapped<T> {
    fn trapped(self) -> Result<T, Failure>;
}

impl<T> Trapped<T> for Result<T, wasmi::Error> {
    #[inline]
    fn trapped(self) -> Result<T, Failure> {
        self.map_err(|e| Failure::Trap(e.to_string()))
    }
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
    fn new(store: &Store<Host>, instance: &Instance) -> Result<Self> {
        let context = "producer lacks an export the harness calls";
        Ok(ProducerFns {
            produce: instance.get_typed_func(store, "produce").context(context)?,
            check_reply: instance.get_typed_func(store, "check_reply").context(context)?,
            reply_buffer: instance.get_typed_func(store, "reply_buffer").context(context)?,
            checksum: instance.get_typed_func(store, "checksum").context(context)?,
            bench_encode: instance.get_typed_func(store, "bench_encode").context(context)?,
            error_message: instance.get_typed_func(store, "error_message").context(context)?,
        })
    }
}

impl ConsumerFns {
    fn new(store: &Store<Host>, instance: &Instance) -> Result<Self> {
        let context = "consumer lacks an export the harness calls";
        Ok(ConsumerFns {
            consume: instance.get_typed_func(store, "consume").context(context)?,
            request_buffer: instance.get_typed_func(store, "request_buffer").context(context)?,
            ping: instance.get_typed_func(store, "ping").context(context)?,
            bench_decode: instance.get_typed_func(store, "bench_decode").context(context)?,
            error_message: instance.get_typed_func(store, "error_message").context(context)?,
        })
    }
}

/// The instantiated guests, linked by transport `T` (the environment is the store's data): each
/// export call of wasmatrix-core's [`GuestCalls`], which makes the round trip every runtime makes.
pub struct Calls<T> {
    store: Store<Host>,
    producer: ProducerFns,
    consumer: ConsumerFns,
    transport: T,
}

/// Links and instantiates both guests in the store's environment (the measured "instantiate"
/// phase).
pub fn instantiate<T: Transport>(mut store: Store<Host>, modules: &Modules) -> Result<Pair<Calls<T>>> {
    let linked = T::link(&mut store, modules)?;
    let producer = ProducerFns::new(&store, &linked.producer)?;
    let consumer = ConsumerFns::new(&store, &linked.consumer)?;
    Ok(Pair::new(Calls { store, producer, consumer, transport: linked.transport }))
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
        self.store.data().output()
    }
}

/// Reads a packed UTF-8 message out of a guest memory, for error reports.
pub fn read_text(store: &Store<Host>, memory: &Memory, packed: u64) -> String {
    let Some(range) = Bytes::unpack(packed) else {
        return "(no message)".into();
    };
    let mut buf = vec![0; range.len.min(4096) as usize];
    match memory.read(store, range.ptr as usize, &mut buf) {
        Ok(()) => String::from_utf8_lossy(&buf).into_owned(),
        Err(e) => format!("(unreadable message: {e})"),
    }
}
