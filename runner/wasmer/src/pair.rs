//! The two instantiated guests and one round trip between them: the hot path every latency
//! figure measures. Generic over the transport so each transport's loop is compiled on its own,
//! with nothing dynamic inside.

use crate::engine::Modules;
use crate::environment::Host;
use crate::transport::Transport;
use anyhow::{Context, Result};
use wasmatrix_core::guests::{Failure, Guests, Output, Traffic};
use wasmer::{Instance, Memory, RuntimeError, Store, TypedFunction};

pub use wasmatrix_core::abi::Bytes;

/// A guest call's trap as a [`Failure`]: `.call(..).trapped()?`.
pub trait Trapped<T> {
    fn trapped(self) -> Result<T, Failure>;
}

impl<T> Trapped<T> for Result<T, RuntimeError> {
    #[inline]
    fn trapped(self) -> Result<T, Failure> {
        self.map_err(|e| Failure::Trap(e.to_string()))
    }
}

/// The producer's exports (see guests/producer).
pub struct ProducerFns {
    pub produce: TypedFunction<u32, u64>,
    pub check_reply: TypedFunction<(u32, u32), u32>,
    pub reply_buffer: TypedFunction<u32, u32>,
    pub checksum: TypedFunction<(), u64>,
    pub bench_encode: TypedFunction<(u32, u32), u32>,
    pub error_message: TypedFunction<(), u64>,
}

/// The consumer's exports (see guests/consumer).
pub struct ConsumerFns {
    pub consume: TypedFunction<(u32, u32), u64>,
    pub request_buffer: TypedFunction<u32, u32>,
    pub ping: TypedFunction<u32, u32>,
    pub bench_decode: TypedFunction<(u32, u32, u32), u32>,
    pub error_message: TypedFunction<(), u64>,
}

impl ProducerFns {
    fn new(store: &Store, instance: &Instance) -> Result<Self> {
        let e = &instance.exports;
        let context = "producer lacks an export the harness calls";
        Ok(ProducerFns {
            produce: e.get_typed_function(store, "produce").context(context)?,
            check_reply: e.get_typed_function(store, "check_reply").context(context)?,
            reply_buffer: e.get_typed_function(store, "reply_buffer").context(context)?,
            checksum: e.get_typed_function(store, "checksum").context(context)?,
            bench_encode: e.get_typed_function(store, "bench_encode").context(context)?,
            error_message: e.get_typed_function(store, "error_message").context(context)?,
        })
    }
}

impl ConsumerFns {
    fn new(store: &Store, instance: &Instance) -> Result<Self> {
        let e = &instance.exports;
        let context = "consumer lacks an export the harness calls";
        Ok(ConsumerFns {
            consume: e.get_typed_function(store, "consume").context(context)?,
            request_buffer: e.get_typed_function(store, "request_buffer").context(context)?,
            ping: e.get_typed_function(store, "ping").context(context)?,
            bench_decode: e.get_typed_function(store, "bench_decode").context(context)?,
            error_message: e.get_typed_function(store, "error_message").context(context)?,
        })
    }
}

/// The instantiated guests, linked by transport `T`.
pub struct Pair<T> {
    store: Store,
    host: Host,
    producer: ProducerFns,
    consumer: ConsumerFns,
    transport: T,
    traffic: Traffic,
    /// Where the request staged for the decode benchmark is, as the consumer sees it.
    staged: Option<Bytes>,
}

impl<T: Transport> Pair<T> {
    /// Instantiates both guests in `host`, their environment (the measured "instantiate" phase).
    pub fn instantiate(mut store: Store, mut host: Host, modules: &Modules) -> Result<Pair<T>> {
        let linked = T::link(&mut store, modules, &mut host)?;
        let producer = ProducerFns::new(&store, &linked.producer)?;
        let consumer = ConsumerFns::new(&store, &linked.consumer)?;
        let traffic = Traffic::default();
        Ok(Pair { store, host, producer, consumer, transport: linked.transport, traffic, staged: None })
    }
}

impl<T: Transport> Pair<T> {
    /// The producer encodes record `i`; returns where the consumer reads it.
    #[inline]
    fn deliver_request(&mut self, i: u32) -> Result<Bytes, Failure> {
        let store = &mut self.store;
        let request = Bytes::unpack(self.producer.produce.call(store, i).trapped()?)
            .ok_or_else(|| Failure::Error("producer returned no request".into()))?;
        self.transport.to_consumer(store, &self.consumer, request)
    }

    /// Why the consumer's last call failed, in its own words.
    fn consumer_says(&mut self) -> Result<String, Failure> {
        let packed = self.consumer.error_message.call(&mut self.store).trapped()?;
        Ok(self.transport.consumer_text(&self.store, packed))
    }

    /// Why the producer's last call failed, in its own words.
    fn producer_says(&mut self) -> Result<String, Failure> {
        let packed = self.producer.error_message.call(&mut self.store).trapped()?;
        Ok(self.transport.producer_text(&self.store, packed))
    }
}

impl<T: Transport> Guests for Pair<T> {
    #[inline]
    fn round_trip(&mut self, i: u32) -> Result<(), Failure> {
        let request = self.deliver_request(i)?;
        self.traffic.request_bytes += u64::from(request.len);
        let store = &mut self.store;
        let Some(reply) = Bytes::unpack(self.consumer.consume.call(store, request.ptr, request.len).trapped()?) else {
            return Err(Failure::Error(format!("consumer refused record {i}: {}", self.consumer_says()?)));
        };
        self.traffic.reply_bytes += u64::from(reply.len);
        let reply = self.transport.to_producer(store, &self.producer, reply)?;
        if self.producer.check_reply.call(store, reply.ptr, reply.len).trapped()? != 0 {
            return Err(Failure::Error(format!("producer refused the reply to record {i}: {}", self.producer_says()?)));
        }
        Ok(())
    }

    fn pings(&mut self, n: u32) -> Result<u32, Failure> {
        let mut x = 0;
        for _ in 0..n {
            x = self.consumer.ping.call(&mut self.store, x).trapped()?;
        }
        Ok(x)
    }

    fn checksum(&mut self) -> Result<u64, Failure> {
        self.producer.checksum.call(&mut self.store).trapped()
    }

    fn encode_batch(&mut self, i: u32, n: u32) -> Result<(), Failure> {
        self.producer.bench_encode.call(&mut self.store, i, n).trapped()?;
        Ok(())
    }

    fn stage(&mut self, i: u32) -> Result<(), Failure> {
        self.staged = Some(self.deliver_request(i)?);
        Ok(())
    }

    fn decode_batch(&mut self, n: u32) -> Result<(), Failure> {
        let staged = self.staged.ok_or_else(|| Failure::Error("decode benchmark without a staged request".into()))?;
        if self.consumer.bench_decode.call(&mut self.store, staged.ptr, staged.len, n).trapped()? != 0 {
            return Err(Failure::Error(format!(
                "consumer could not decode the staged request: {}",
                self.consumer_says()?
            )));
        }
        Ok(())
    }

    fn traffic(&self) -> Traffic {
        Traffic { copied_bytes: self.transport.copied_bytes(), ..self.traffic }
    }

    fn output(&self) -> Output {
        self.host.output(&self.store)
    }
}

/// Reads a packed UTF-8 message out of a guest memory, for error reports.
pub fn read_text(store: &Store, memory: &Memory, packed: u64) -> String {
    let Some(range) = Bytes::unpack(packed) else {
        return "(no message)".into();
    };
    let mut buf = vec![0; range.len.min(4096) as usize];
    match memory.view(store).read(u64::from(range.ptr), &mut buf) {
        Ok(()) => String::from_utf8_lossy(&buf).into_owned(),
        Err(e) => format!("(unreadable message: {e})"),
    }
}
