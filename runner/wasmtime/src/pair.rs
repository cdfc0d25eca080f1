//! The two instantiated guests and one round trip between them: the hot path every latency
//! figure measures, the same as under every other runtime (runner/src/harness/wasmer/pair.rs).
//! Generic over the transport, so each transport's loop is compiled on its own, with nothing
//! dynamic inside.

use crate::engine::Modules;
use crate::host::{failure, Host, HostState};
use crate::transport::Transport;
use wasmatrix_core::abi::Bytes;
use wasmatrix_core::guests::{Failure, Guests, Output, Traffic};
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

/// The instantiated guests, linked by transport `T`.
pub struct Pair<T> {
    store: Store<HostState>,
    host: Host,
    producer: ProducerFns,
    consumer: ConsumerFns,
    transport: T,
    traffic: Traffic,
    /// Where the request staged for the decode benchmark is, as the consumer sees it.
    staged: Option<Bytes>,
}

impl<T: Transport> Pair<T> {
    /// Instantiates both guests in their environment (the measured "instantiate" phase).
    pub fn instantiate((mut store, mut host): (Store<HostState>, Host), modules: &Modules) -> Result<Pair<T>, Failure> {
        let linked = T::link(&mut store, &mut host, modules)?;
        let producer = ProducerFns::new(&mut store, &linked.producer)?;
        let consumer = ConsumerFns::new(&mut store, &linked.consumer)?;
        Ok(Pair {
            store,
            host,
            producer,
            consumer,
            transport: linked.transport,
            traffic: Traffic::default(),
            staged: None,
        })
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
