//! The round trip every runtime's worker measures, written once over the calls a runtime makes.
//! A worker implements [`GuestCalls`] (each method one typed call into a guest, or one step of its
//! transport) and [`Pair`] turns that into the [`Guests`] the worker measures, so every runtime
//! runs the same sequence of calls. Generic, so each runtime's and transport's loop is compiled on
//! its own, with nothing dynamic inside.
//!
//! The two call patterns (the `call` axis) share the middle of a round trip, [`deliver`]: the
//! request carried to the consumer, its answer, the reply carried back. Under `host` the host runs
//! it between its calls of `produce` and `check_reply`; under `import` the runtime's `env.deliver`
//! import runs it while the producer's `round_trip` export waits for it.

use crate::abi::{Bytes, Role};
use crate::axes::Call;
use crate::guests::{Failure, Guests, MemoryPages, Output, Traffic};

/// How a request reaches the consumer and its reply the producer: the consumer's `consume` and a
/// transport's two carries. What a runtime's `env.deliver` import has to hand.
pub trait Route {
    /// Makes the producer's request readable by the consumer; returns where it now is.
    fn to_consumer(&mut self, request: Bytes) -> Result<Bytes, Failure>;
    /// The consumer answers a request: the packed reply, 0 if refused.
    fn consume(&mut self, request: Bytes) -> Result<u64, Failure>;
    /// Makes the consumer's reply readable by the producer; returns where it now is.
    fn to_producer(&mut self, reply: Bytes) -> Result<Bytes, Failure>;
}

/// The middle of every round trip: carries `request` to the consumer, has it answered and carries
/// the reply back, counting the bytes into `traffic`. Returns the packed reply as the producer
/// reads it, or 0 if the consumer refused the request (its `error_message` says why).
#[inline]
pub fn deliver(route: &mut impl Route, request: Bytes, traffic: &mut Traffic) -> Result<u64, Failure> {
    traffic.request_bytes += u64::from(request.len);
    let request = route.to_consumer(request)?;
    let Some(reply) = Bytes::unpack(route.consume(request)?) else {
        return Ok(0);
    };
    traffic.reply_bytes += u64::from(reply.len);
    Ok(route.to_producer(reply)?.pack())
}

/// The guests' exports as one runtime calls them (see guests/producer and guests/consumer), and
/// its transport ([`Route`]). A byte range the guests return is packed (see [`Bytes::unpack`]).
pub trait GuestCalls: Route {
    /// The producer makes and encodes record `i`: the packed request.
    fn produce(&mut self, i: u32) -> Result<u64, Failure>;
    /// The producer checks a reply: 0 if accepted.
    fn check_reply(&mut self, reply: Bytes) -> Result<u32, Failure>;
    /// The producer's checksum so far.
    fn checksum(&mut self) -> Result<u64, Failure>;
    /// The producer makes record `i` and encodes it `n` times.
    fn bench_encode(&mut self, i: u32, n: u32) -> Result<u32, Failure>;
    /// `call = import`: the producer's `round_trip(i)` export, during which the runtime's
    /// `env.deliver` import runs [`deliver`]: 0 if the reply was accepted, 1 if the consumer
    /// refused the request, 2 if the producer refused the reply.
    fn round_trip(&mut self, i: u32) -> Result<u32, Failure>;
    /// What the `env.deliver` import carried so far (`call = import`).
    fn delivered(&self) -> Traffic;
    /// The consumer's bare call.
    fn ping(&mut self, x: u32) -> Result<u32, Failure>;
    /// The consumer decodes a request `n` times: 0 if it decoded.
    fn bench_decode(&mut self, request: Bytes, n: u32) -> Result<u32, Failure>;
    /// Bytes the transport copied between guest memories so far.
    fn copied_bytes(&self) -> u64;
    /// Why a guest's last call failed, in its own words (its `error_message`).
    fn says(&mut self, role: Role) -> Result<String, Failure>;
    /// What the guests wrote out of their sandbox so far.
    fn output(&self) -> Output;
    /// Reads what the guests counted of the traffic themselves ([`Guests::count_traffic`]).
    fn count_traffic(&mut self) -> Result<(), Failure> {
        Ok(())
    }
    /// Each guest memory's size now, in pages, where the runtime says
    /// ([`Guests::memory_pages`]).
    fn memory_pages(&self) -> MemoryPages {
        MemoryPages::default()
    }
}

/// The instantiated guests of one runtime, as the worker measures them, called as `call` says.
pub struct Pair<C> {
    calls: C,
    call: Call,
    traffic: Traffic,
    /// Where the request staged for the decode benchmark is, as the consumer sees it.
    staged: Option<Bytes>,
}

impl<C: GuestCalls> Pair<C> {
    pub fn new(calls: C, call: Call) -> Pair<C> {
        Pair { calls, call, traffic: Traffic::default(), staged: None }
    }

    /// The producer encodes record `i`; returns where the consumer reads it.
    #[inline]
    fn deliver_request(&mut self, i: u32) -> Result<Bytes, Failure> {
        let request = Bytes::unpack(self.calls.produce(i)?)
            .ok_or_else(|| Failure::Error("producer returned no request".into()))?;
        self.calls.to_consumer(request)
    }
}

impl<C: GuestCalls> Guests for Pair<C> {
    #[inline]
    fn round_trip(&mut self, i: u32) -> Result<(), Failure> {
        let outcome = match self.call {
            Call::Host => {
                let request = Bytes::unpack(self.calls.produce(i)?)
                    .ok_or_else(|| Failure::Error("producer returned no request".into()))?;
                match Bytes::unpack(deliver(&mut self.calls, request, &mut self.traffic)?) {
                    None => 1,
                    Some(reply) if self.calls.check_reply(reply)? != 0 => 2,
                    Some(_) => 0,
                }
            }
            Call::Import => self.calls.round_trip(i)?,
        };
        match outcome {
            0 => Ok(()),
            1 => Err(Failure::consumer_refused(i, self.calls.says(Role::Consumer)?)),
            2 => Err(Failure::reply_refused(i, self.calls.says(Role::Producer)?)),
            other => Err(Failure::Error(format!("the producer's round_trip answered {other} for record {i}"))),
        }
    }

    fn pings(&mut self, n: u32) -> Result<u32, Failure> {
        let mut x = 0;
        for _ in 0..n {
            x = self.calls.ping(x)?;
        }
        Ok(x)
    }

    fn checksum(&mut self) -> Result<u64, Failure> {
        self.calls.checksum()
    }

    fn encode_batch(&mut self, i: u32, n: u32) -> Result<(), Failure> {
        self.calls.bench_encode(i, n).map(drop)
    }

    fn stage(&mut self, i: u32) -> Result<(), Failure> {
        self.staged = Some(self.deliver_request(i)?);
        Ok(())
    }

    fn decode_batch(&mut self, n: u32) -> Result<(), Failure> {
        let staged = self.staged.ok_or_else(|| Failure::Error("decode benchmark without a staged request".into()))?;
        if self.calls.bench_decode(staged, n)? != 0 {
            let why = self.calls.says(Role::Consumer)?;
            return Err(Failure::Error(format!("consumer could not decode the staged request: {why}")));
        }
        Ok(())
    }

    fn traffic(&self) -> Traffic {
        let carried = match self.call {
            Call::Host => self.traffic,
            Call::Import => self.calls.delivered(),
        };
        Traffic { copied_bytes: self.calls.copied_bytes(), ..carried }
    }

    fn count_traffic(&mut self) -> Result<(), Failure> {
        self.calls.count_traffic()
    }

    fn output(&self) -> Output {
        self.calls.output()
    }

    fn memory_pages(&self) -> MemoryPages {
        self.calls.memory_pages()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Guests that echo: the reply is the request, which the producer accepts unless it is
    /// record 3's; the consumer refuses record 5's.
    #[derive(Default)]
    struct Echo {
        checked: u64,
        said: Vec<Role>,
        delivered: Traffic,
    }

    impl Route for Echo {
        fn to_consumer(&mut self, request: Bytes) -> Result<Bytes, Failure> {
            Ok(request)
        }
        fn consume(&mut self, request: Bytes) -> Result<u64, Failure> {
            Ok(if request.ptr == 5 { 0 } else { (u64::from(request.ptr) << 32) | 4 })
        }
        fn to_producer(&mut self, reply: Bytes) -> Result<Bytes, Failure> {
            Ok(reply)
        }
    }

    /// The producer's own round trip (`call = import`) over the same route.
    impl Echo {
        fn producer_round_trip(&mut self, i: u32) -> Result<u32, Failure> {
            let request = Bytes::unpack(self.produce(i)?).unwrap();
            let mut traffic = self.delivered;
            let reply = deliver(self, request, &mut traffic)?;
            self.delivered = traffic;
            match Bytes::unpack(reply) {
                None => Ok(1),
                Some(reply) => Ok(if self.check_reply(reply)? == 0 { 0 } else { 2 }),
            }
        }
    }

    impl GuestCalls for Echo {
        fn round_trip(&mut self, i: u32) -> Result<u32, Failure> {
            self.producer_round_trip(i)
        }
        fn delivered(&self) -> Traffic {
            self.delivered
        }
        fn produce(&mut self, i: u32) -> Result<u64, Failure> {
            Ok((u64::from(i) << 32) | 10)
        }
        fn check_reply(&mut self, reply: Bytes) -> Result<u32, Failure> {
            self.checked += u64::from(reply.ptr);
            Ok(u32::from(reply.ptr == 3))
        }
        fn checksum(&mut self) -> Result<u64, Failure> {
            Ok(self.checked)
        }
        fn bench_encode(&mut self, _: u32, n: u32) -> Result<u32, Failure> {
            Ok(n)
        }
        fn ping(&mut self, x: u32) -> Result<u32, Failure> {
            Ok(x + 1)
        }
        fn bench_decode(&mut self, _: Bytes, _: u32) -> Result<u32, Failure> {
            Ok(0)
        }
        fn copied_bytes(&self) -> u64 {
            7
        }
        fn says(&mut self, role: Role) -> Result<String, Failure> {
            self.said.push(role);
            Ok(format!("{} says no", role.name()))
        }
        fn output(&self) -> Output {
            Output::default()
        }
    }

    #[test]
    fn a_round_trip_is_produce_carry_consume_carry_check_whoever_calls() {
        for call in [Call::Host, Call::Import] {
            let mut pair = Pair::new(Echo::default(), call);
            pair.round_trips(0, 3).unwrap();
            assert_eq!(pair.checksum().unwrap(), 1 + 2);
            let traffic = pair.traffic();
            assert_eq!((traffic.request_bytes, traffic.reply_bytes, traffic.copied_bytes), (30, 12, 7), "{call}");
            assert_eq!(pair.pings(4).unwrap(), 4);
        }
    }

    #[test]
    fn refusals_quote_the_guest_that_refused() {
        for call in [Call::Host, Call::Import] {
            refusals_under(call);
        }
    }

    fn refusals_under(call: Call) {
        let mut pair = Pair::new(Echo::default(), call);
        let Err(Failure::Error(e)) = pair.round_trip(3) else { panic!("record 3's reply is refused") };
        assert_eq!(e, "producer refused the reply to record 3: producer says no");
        let Err(Failure::Error(e)) = pair.round_trip(5) else { panic!("record 5 is refused") };
        assert_eq!(e, "consumer refused record 5: consumer says no");
        assert!(pair.decode_batch(1).is_err(), "nothing staged");
        pair.stage(1).unwrap();
        pair.decode_batch(1).unwrap();
    }
}
