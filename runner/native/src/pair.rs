//! The `native` engine: the producer and consumer crates compiled by rustc into this worker and
//! driven like the wasm guests, with the same transport semantics: under `copy` each side reads
//! only its own buffers and the host copies messages across; under `shared` the slices pass as
//! they are. Every wasm row can be read as a ratio to its native twin.

use std::hint::black_box;
use wasmatrix_consumer::log::{BufferLog, LogSink, NoLog};
use wasmatrix_consumer::relay::Relay;
use wasmatrix_consumer::Consumer;
use wasmatrix_core::axes::Call;
use wasmatrix_core::guests::{Failure, Guests, Output, Traffic};
use wasmatrix_producer::Producer;
use wasmatrix_proto::{AlignedBuf, Codec};

/// How a message reaches the other side.
pub trait Link: Default {
    /// The bytes the receiver reads: `bytes` itself, or the receiver's copy of them.
    fn carry<'a>(&'a mut self, bytes: &'a [u8]) -> &'a [u8];
    fn copied_bytes(&self) -> u64;
}

/// `copy`: the receiver's own buffer, reused and aligned as a guest's inbox is; the host copies
/// into it.
#[derive(Default)]
pub struct CopyLink {
    inbox: AlignedBuf,
    copied: u64,
}

impl Link for CopyLink {
    #[inline]
    fn carry<'a>(&'a mut self, bytes: &'a [u8]) -> &'a [u8] {
        self.inbox.clear();
        self.inbox.extend_from_slice(bytes);
        self.copied += bytes.len() as u64;
        &self.inbox
    }

    fn copied_bytes(&self) -> u64 {
        self.copied
    }
}

/// `shared`: both sides read the same bytes.
#[derive(Default)]
pub struct SharedLink;

impl Link for SharedLink {
    #[inline]
    fn carry<'a>(&'a mut self, bytes: &'a [u8]) -> &'a [u8] {
        bytes
    }

    fn copied_bytes(&self) -> u64 {
        0
    }
}

/// A log sink whose bytes the worker can report.
pub trait Sink: LogSink + Default {
    fn bytes(&self) -> Option<u64>;
}

impl Sink for NoLog {
    fn bytes(&self) -> Option<u64> {
        None
    }
}

impl Sink for BufferLog {
    fn bytes(&self) -> Option<u64> {
        Some(self.buffer.len() as u64)
    }
}

pub struct NativePair<C, L, S> {
    call: Call,
    producer: Producer<C>,
    consumer: Consumer<C, S>,
    /// A chain's relays (the `modules` axis), each with the link that carries a request to it.
    relays: Vec<(L, Relay<C>)>,
    to_consumer: L,
    to_producer: L,
    traffic: Traffic,
    /// The request staged for the decode benchmark, as the consumer would receive it.
    staged: AlignedBuf,
}

impl<C: Codec, L: Link, S: Sink> NativePair<C, L, S> {
    /// Both sides and `relays` relays between them, constructed for messages of `records`
    /// records: a native cell's `instantiate`.
    pub fn new(call: Call, records: u32, relays: usize) -> Self {
        NativePair {
            call,
            producer: Producer::with_records(records),
            consumer: Consumer::with_records(records),
            relays: (0..relays).map(|_| (L::default(), Relay::with_records(records))).collect(),
            to_consumer: L::default(),
            to_producer: L::default(),
            traffic: Traffic::default(),
            staged: AlignedBuf::new(),
        }
    }
}

/// A request through a chain's relays, each carried to it and read by it; the bytes the last
/// one forwards, or why one could not read them.
#[inline]
fn through_relays<'a, C: Codec, L: Link>(
    relays: &'a mut [(L, Relay<C>)],
    request: &'a [u8],
) -> Result<&'a [u8], String> {
    let mut at = request;
    for (j, (link, relay)) in (1..).zip(relays.iter_mut()) {
        at = link.carry(at);
        relay.relay(at).map_err(|e| format!("relay {j} could not read the request: {e}"))?;
    }
    Ok(at)
}

impl<C: Codec, L: Link, S: Sink> NativePair<C, L, S> {
    /// `call = import`: the producer drives the round trip, reaching the consumer through a
    /// callback (the guest's `env.deliver` import), which carries the request, has it answered and
    /// carries the reply back. Natively there is no boundary to cross: the callback is inlined.
    fn round_trip_by_import(&mut self, i: u32) -> Result<(), Failure> {
        let (consumer, traffic, relays) = (&mut self.consumer, &mut self.traffic, &mut self.relays);
        let (to_consumer, to_producer) = (&mut self.to_consumer, &mut self.to_producer);
        let mut refused = None;
        let why = &mut refused;
        // Called once: the captured references move into the call, so the reply may borrow them.
        let outcome = self.producer.round_trip(i, move |request: &[u8]| {
            traffic.request_bytes += request.len() as u64;
            let request = match through_relays(relays, request) {
                Ok(request) => request,
                Err(e) => {
                    *why = Some(e);
                    return None;
                }
            };
            match Consumer::consume(consumer, L::carry(to_consumer, request)) {
                Ok(reply) => {
                    traffic.reply_bytes += reply.len() as u64;
                    Some(L::carry(to_producer, reply))
                }
                Err(e) => {
                    *why = Some(e.to_string());
                    None
                }
            }
        });
        match outcome {
            Ok(()) => Ok(()),
            Err(None) => Err(Failure::consumer_refused(i, refused.unwrap_or_else(|| "(no reason)".into()))),
            Err(Some(e)) => Err(Failure::reply_refused(i, e)),
        }
    }
}

impl<C: Codec, L: Link, S: Sink> Guests for NativePair<C, L, S> {
    #[inline]
    fn round_trip(&mut self, i: u32) -> Result<(), Failure> {
        if self.call == Call::Import {
            return self.round_trip_by_import(i);
        }
        let request = self.producer.produce(i);
        self.traffic.request_bytes += request.len() as u64;
        let request = through_relays(&mut self.relays, request).map_err(Failure::Error)?;
        let request = self.to_consumer.carry(request);
        let reply = self.consumer.consume(request).map_err(|e| Failure::consumer_refused(i, e))?;
        self.traffic.reply_bytes += reply.len() as u64;
        let reply = self.to_producer.carry(reply);
        self.producer.check_reply(reply).map_err(|e| Failure::reply_refused(i, e))
    }

    fn pings(&mut self, n: u32) -> Result<u32, Failure> {
        // Through a function pointer the optimiser cannot see through: a real call each time,
        // as a host->guest call is.
        let ping: fn(u32) -> u32 = black_box(wasmatrix_consumer::ping);
        let mut x = 0;
        for _ in 0..n {
            x = ping(x);
        }
        Ok(x)
    }

    fn checksum(&mut self) -> Result<u64, Failure> {
        Ok(self.producer.checksum())
    }

    fn encode_batch(&mut self, i: u32, n: u32) -> Result<(), Failure> {
        black_box(self.producer.encode_repeatedly(i, n));
        Ok(())
    }

    fn stage(&mut self, i: u32) -> Result<(), Failure> {
        self.staged.clear();
        self.staged.extend_from_slice(self.producer.produce(i));
        Ok(())
    }

    fn decode_batch(&mut self, n: u32) -> Result<(), Failure> {
        self.consumer
            .decode_repeatedly(&self.staged, n)
            .map_err(|e| Failure::Error(format!("consumer could not decode the staged request: {e}")))
    }

    fn traffic(&self) -> Traffic {
        let relays: u64 = self.relays.iter().map(|(link, _)| link.copied_bytes()).sum();
        Traffic {
            copied_bytes: self.to_consumer.copied_bytes() + self.to_producer.copied_bytes() + relays,
            ..self.traffic
        }
    }

    /// A chain's relays read the same records, as the wasm chains check.
    fn count_traffic(&mut self) -> Result<(), Failure> {
        let Some(((_, first), rest)) = self.relays.split_first() else { return Ok(()) };
        match (2..).zip(rest).find(|(_, (_, relay))| relay.digest() != first.digest()) {
            Some((j, (_, relay))) => Err(Failure::relay_disagrees(j, relay.digest(), first.digest())),
            None => Ok(()),
        }
    }

    fn output(&self) -> Output {
        Output { log_bytes: self.consumer.sink().bytes(), ..Output::default() }
    }
}
