//! The round trip every runtime's worker measures, written once over the calls a runtime makes.
//! A worker implements [`GuestCalls`] (each method one typed call into a guest, or one step of its
//! transport) and [`Pair`] turns that into the [`Guests`] the worker measures, so every runtime
//! runs the same sequence of calls. Generic, so each runtime's and transport's loop is compiled on
//! its own, with nothing dynamic inside.

use crate::abi::{Bytes, Role};
use crate::guests::{Failure, Guests, Output, Traffic};

/// The guests' exports as one runtime calls them (see guests/producer and guests/consumer), and
/// its transport. A byte range the guests return is packed (see [`Bytes::unpack`]).
pub trait GuestCalls {
    /// The producer makes and encodes record `i`: the packed request.
    fn produce(&mut self, i: u32) -> Result<u64, Failure>;
    /// The producer checks a reply: 0 if accepted.
    fn check_reply(&mut self, reply: Bytes) -> Result<u32, Failure>;
    /// The producer's checksum so far.
    fn checksum(&mut self) -> Result<u64, Failure>;
    /// The producer makes record `i` and encodes it `n` times.
    fn bench_encode(&mut self, i: u32, n: u32) -> Result<u32, Failure>;
    /// The consumer answers a request: the packed reply, 0 if refused.
    fn consume(&mut self, request: Bytes) -> Result<u64, Failure>;
    /// The consumer's bare call.
    fn ping(&mut self, x: u32) -> Result<u32, Failure>;
    /// The consumer decodes a request `n` times: 0 if it decoded.
    fn bench_decode(&mut self, request: Bytes, n: u32) -> Result<u32, Failure>;
    /// Makes the producer's request readable by the consumer; returns where it now is.
    fn to_consumer(&mut self, request: Bytes) -> Result<Bytes, Failure>;
    /// Makes the consumer's reply readable by the producer; returns where it now is.
    fn to_producer(&mut self, reply: Bytes) -> Result<Bytes, Failure>;
    /// Bytes the transport copied between guest memories so far.
    fn copied_bytes(&self) -> u64;
    /// Why a guest's last call failed, in its own words (its `error_message`).
    fn says(&mut self, role: Role) -> Result<String, Failure>;
    /// What the guests wrote out of their sandbox so far.
    fn output(&self) -> Output;
}

/// The instantiated guests of one runtime, as the worker measures them.
pub struct Pair<C> {
    calls: C,
    traffic: Traffic,
    /// Where the request staged for the decode benchmark is, as the consumer sees it.
    staged: Option<Bytes>,
}

impl<C: GuestCalls> Pair<C> {
    pub fn new(calls: C) -> Pair<C> {
        Pair { calls, traffic: Traffic::default(), staged: None }
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
        let request = self.deliver_request(i)?;
        self.traffic.request_bytes += u64::from(request.len);
        let Some(reply) = Bytes::unpack(self.calls.consume(request)?) else {
            return Err(Failure::Error(format!("consumer refused record {i}: {}", self.calls.says(Role::Consumer)?)));
        };
        self.traffic.reply_bytes += u64::from(reply.len);
        let reply = self.calls.to_producer(reply)?;
        if self.calls.check_reply(reply)? != 0 {
            let why = self.calls.says(Role::Producer)?;
            return Err(Failure::Error(format!("producer refused the reply to record {i}: {why}")));
        }
        Ok(())
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
        Traffic { copied_bytes: self.calls.copied_bytes(), ..self.traffic }
    }

    fn output(&self) -> Output {
        self.calls.output()
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
    }

    impl GuestCalls for Echo {
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
        fn consume(&mut self, request: Bytes) -> Result<u64, Failure> {
            Ok(if request.ptr == 5 { 0 } else { (u64::from(request.ptr) << 32) | 4 })
        }
        fn ping(&mut self, x: u32) -> Result<u32, Failure> {
            Ok(x + 1)
        }
        fn bench_decode(&mut self, _: Bytes, _: u32) -> Result<u32, Failure> {
            Ok(0)
        }
        fn to_consumer(&mut self, request: Bytes) -> Result<Bytes, Failure> {
            Ok(request)
        }
        fn to_producer(&mut self, reply: Bytes) -> Result<Bytes, Failure> {
            Ok(reply)
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
    fn a_round_trip_is_produce_carry_consume_carry_check() {
        let mut pair = Pair::new(Echo::default());
        pair.round_trips(0, 3).unwrap();
        assert_eq!(pair.checksum().unwrap(), 1 + 2);
        let traffic = pair.traffic();
        assert_eq!((traffic.request_bytes, traffic.reply_bytes, traffic.copied_bytes), (30, 12, 7));
        assert_eq!(pair.pings(4).unwrap(), 4);
    }

    #[test]
    fn refusals_quote_the_guest_that_refused() {
        let mut pair = Pair::new(Echo::default());
        let Err(Failure::Error(e)) = pair.round_trip(3) else { panic!("record 3's reply is refused") };
        assert_eq!(e, "producer refused the reply to record 3: producer says no");
        let Err(Failure::Error(e)) = pair.round_trip(5) else { panic!("record 5 is refused") };
        assert_eq!(e, "consumer refused record 5: consumer says no");
        assert!(pair.decode_batch(1).is_err(), "nothing staged");
        pair.stage(1).unwrap();
        pair.decode_batch(1).unwrap();
    }
}
