//! The two instantiated guests and one round trip between them: the hot path every latency
//! figure measures. Generic over the transport so each transport's loop is compiled on its own,
//! with nothing dynamic inside.

use super::engine::Modules;
use super::environment::Host;
use super::transport::Transport;
use anyhow::{Context, Result};
use wasmatrix_core::guests::{Failure, Guests, Output, Traffic};
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

/// The instantiated guests, linked by transport `T`; the environment is the store's data.
pub struct Pair<T> {
    store: Store<Host>,
    producer: ProducerFns,
    consumer: ConsumerFns,
    transport: T,
    traffic: Traffic,
    /// Where the request staged for the decode benchmark is, as the consumer sees it.
    staged: Option<Bytes>,
}

impl<T: Transport> Pair<T> {
    /// Links and instantiates both guests in the store's environment (the measured "instantiate"
    /// phase).
    pub fn instantiate(mut store: Store<Host>, modules: &Modules) -> Result<Pair<T>> {
        let linked = T::link(&mut store, modules)?;
        let producer = ProducerFns::new(&store, &linked.producer)?;
        let consumer = ConsumerFns::new(&store, &linked.consumer)?;
        let traffic = Traffic::default();
        Ok(Pair { store, producer, consumer, transport: linked.transport, traffic, staged: None })
    }

    /// The producer encodes record `i`; returns where the consumer reads it.
    #[inline]
    fn deliver_request(&mut self, i: u32) -> Result<Bytes, Failure> {
        let store = &mut self.store;
        let request = Bytes::unpack(self.producer.produce.call(&mut *store, i).trapped()?)
            .ok_or_else(|| Failure::Error("producer returned no request".into()))?;
        self.transport.to_consumer(store, &self.consumer, request)
    }

    /// Why the consumer's last call failed, in its own words.
    fn consumer_says(&mut self) -> Result<String, Failure> {
        let packed = self.consumer.error_message.call(&mut self.store, ()).trapped()?;
        Ok(self.transport.consumer_text(&self.store, packed))
    }

    /// Why the producer's last call failed, in its own words.
    fn producer_says(&mut self) -> Result<String, Failure> {
        let packed = self.producer.error_message.call(&mut self.store, ()).trapped()?;
        Ok(self.transport.producer_text(&self.store, packed))
    }
}

impl<T: Transport> Guests for Pair<T> {
    #[inline]
    fn round_trip(&mut self, i: u32) -> Result<(), Failure> {
        let request = self.deliver_request(i)?;
        self.traffic.request_bytes += u64::from(request.len);
        let store = &mut self.store;
        let Some(reply) = Bytes::unpack(self.consumer.consume.call(&mut *store, (request.ptr, request.len)).trapped()?)
        else {
            return Err(Failure::Error(format!("consumer refused record {i}: {}", self.consumer_says()?)));
        };
        self.traffic.reply_bytes += u64::from(reply.len);
        let reply = self.transport.to_producer(store, &self.producer, reply)?;
        if self.producer.check_reply.call(&mut *store, (reply.ptr, reply.len)).trapped()? != 0 {
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
        self.producer.checksum.call(&mut self.store, ()).trapped()
    }

    fn encode_batch(&mut self, i: u32, n: u32) -> Result<(), Failure> {
        self.producer.bench_encode.call(&mut self.store, (i, n)).trapped()?;
        Ok(())
    }

    fn stage(&mut self, i: u32) -> Result<(), Failure> {
        self.staged = Some(self.deliver_request(i)?);
        Ok(())
    }

    fn decode_batch(&mut self, n: u32) -> Result<(), Failure> {
        let staged = self.staged.ok_or_else(|| Failure::Error("decode benchmark without a staged request".into()))?;
        if self.consumer.bench_decode.call(&mut self.store, (staged.ptr, staged.len, n)).trapped()? != 0 {
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
