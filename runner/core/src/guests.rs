//! The narrow interface every way of running the two guests implements (each runtime's worker, and
//! the guest crates compiled natively in wasmatrix-native), so that every cell is measured with the
//! same code; the guests' files; and why a cell stops ([`Failure`]), in the same words everywhere.

use std::fmt;
use std::path::Path;

/// Two guests, set up and ready: what a cell measures. Implementations keep their hot loop
/// free of dynamic dispatch; the worker is generic over this trait.
pub trait Guests {
    /// Round trip `i`: the producer encodes record `i`, the consumer decodes it, works on it and
    /// replies, the producer checks the reply and folds its digest into the checksum.
    fn round_trip(&mut self, i: u32) -> Result<(), Failure>;

    /// Round trips `from..from + n`.
    fn round_trips(&mut self, from: u32, n: u32) -> Result<(), Failure> {
        (from..from + n).try_for_each(|i| self.round_trip(i))
    }

    /// `n` bare host->guest calls, each depending on the last: the call floor.
    fn pings(&mut self, n: u32) -> Result<u32, Failure>;

    /// The producer's checksum over every round trip so far.
    fn checksum(&mut self) -> Result<u64, Failure>;

    /// The encode benchmark: inside the producer, make record `i` once and encode it `n` times.
    fn encode_batch(&mut self, i: u32, n: u32) -> Result<(), Failure>;

    /// Puts record `i`, encoded, where the consumer reads requests (as a round trip would), for
    /// [`Guests::decode_batch`]. Not timed.
    fn stage(&mut self, i: u32) -> Result<(), Failure>;

    /// The decode benchmark: inside the consumer, decode (or validate and access) the staged
    /// request `n` times.
    fn decode_batch(&mut self, n: u32) -> Result<(), Failure>;

    /// Whether the codec runs apart from the crossing, so that [`Guests::encode_batch`] and
    /// [`Guests::decode_batch`] measure it: not for codec `wit`, whose encoding is the canonical
    /// ABI's lowering and lifting during the call itself.
    fn codec_alone(&self) -> bool {
        true
    }

    /// Bytes moved so far, as of the last [`Guests::count_traffic`] where the guests count them.
    fn traffic(&self) -> Traffic;

    /// Reads what the guests counted of the traffic themselves (the merged module's adapter),
    /// outside any timed region, for [`Guests::traffic`]; nothing where the host counts it.
    fn count_traffic(&mut self) -> Result<(), Failure> {
        Ok(())
    }

    /// What the guests wrote out of their sandbox so far.
    fn output(&self) -> Output;

    /// Each guest memory's size now, in wasm pages (64 KiB): after set-up, what a pair holds
    /// before its first message. `None` where the runtime does not say (the default), or where
    /// there is no wasm memory (the native twin); under the shared transport both guests' memory
    /// is the one they share.
    fn memory_pages(&self) -> MemoryPages {
        MemoryPages::default()
    }
}

/// Each guest memory's size, in wasm pages; `None` where it is not known.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryPages {
    pub producer: Option<u64>,
    pub consumer: Option<u64>,
}

/// Bytes the guests wrote out of their sandbox; `None` where a channel does not exist.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Output {
    /// Log lines the consumer's sink took (logging on).
    pub log_bytes: Option<u64>,
    /// What the guests wrote to their WASI stdout and stderr.
    pub stdout_bytes: Option<u64>,
    pub stderr_bytes: Option<u64>,
}

/// Message bytes moved between the guests.
#[derive(Clone, Copy, Debug, Default)]
pub struct Traffic {
    /// Encoded requests and replies, summed over round trips.
    pub request_bytes: u64,
    pub reply_bytes: u64,
    /// Bytes the host copied from one guest's memory into the other's.
    pub copied_bytes: u64,
}

/// Why a cell stopped; each kind becomes a status in its row.
#[derive(Debug)]
pub enum Failure {
    /// The guest trapped (a wasm trap, or a Rust panic, which aborts).
    Trap(String),
    /// A guest refused a message, or the harness met something it cannot go on from.
    Error(String),
    /// A guest or the worker needed more memory than the cell's cap (`[measure]
    /// memory_limit_mib`) allows.
    OutOfMemory(String),
}

impl Failure {
    /// The consumer refused record `i`'s request, saying `why`: the same words from every worker.
    pub fn consumer_refused(i: u32, why: impl fmt::Display) -> Failure {
        Failure::Error(format!("consumer refused record {i}: {why}"))
    }

    /// Relay `j` (from 1) of a chain could not read a request: the same words from every worker,
    /// whatever links the chain.
    #[cold]
    pub fn relay_refused(j: impl fmt::Display) -> Failure {
        Failure::Error(format!("relay {j} could not read the request (its error_message says why)"))
    }

    /// Relay `j`'s digest is not relay 1's after the timed round trips: it read other records.
    #[cold]
    pub fn relay_disagrees(j: usize, digest: u64, first: u64) -> Failure {
        Failure::Error(format!("relay {j} read other records than relay 1 (digest {digest:#x}, relay 1's {first:#x})"))
    }

    /// The producer refused the consumer's reply to record `i`, saying `why`.
    pub fn reply_refused(i: u32, why: impl fmt::Display) -> Failure {
        Failure::Error(format!("producer refused the reply to record {i}: {why}"))
    }
}

/// A failure inside the producer's `env.deliver` import (a trap in the consumer, say), carried out
/// through the producer's frames as the runtime's host error and told apart again once out, so
/// that it keeps its kind ([`Relayed::failure`]).
#[derive(Debug)]
pub struct Relayed(pub Failure);

impl Relayed {
    /// The failure as the worker reports it: a trap says it was inside `env.deliver`.
    pub fn failure(&self) -> Failure {
        match &self.0 {
            Failure::Trap(m) => Failure::Trap(format!("inside env.deliver: {m}")),
            Failure::Error(m) => Failure::Error(m.clone()),
            Failure::OutOfMemory(m) => Failure::OutOfMemory(m.clone()),
        }
    }
}

impl fmt::Display for Relayed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Relayed {}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Failure {
        Failure::Error(format!("{e:#}"))
    }
}

/// So that a worker whose set-up speaks `anyhow` takes a [`Failure`] with `?`.
impl std::error::Error for Failure {}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Trap(m) => write!(f, "trap: {m}"),
            Failure::Error(m) => f.write_str(m),
            Failure::OutOfMemory(m) => write!(f, "out of memory: {m}"),
        }
    }
}

/// The two guests' `.wasm` files of one cell.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct GuestFiles {
    pub producer: std::path::PathBuf,
    pub consumer: std::path::PathBuf,
    /// Transport `composed`: the two components plugged into one (what the worker runs; the
    /// producer's and consumer's files are the components it was made of).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub composed: Option<std::path::PathBuf>,
    /// Transport `merged`: both guests and their adapter merged into one module with two memories
    /// (what the worker runs; see [`crate::merged`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged: Option<std::path::PathBuf>,
    /// A chain of more than two modules (`modules`): each relay's module, in order from the
    /// producer's side (under `copy` one file for every relay, under `shared` one per place in the
    /// memory).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relays: Vec<std::path::PathBuf>,
}

impl GuestFiles {
    /// The one module a worker runs for transport `merged`, or why there is none.
    pub fn merged(&self) -> Result<&Path, Failure> {
        self.merged
            .as_deref()
            .ok_or_else(|| Failure::Error("the job names no merged module for transport merged".into()))
    }

    /// The relays' distinct modules (each compiled once), and which of them each relay
    /// instantiates.
    pub fn relay_modules(&self) -> (Vec<&Path>, Vec<usize>) {
        let mut distinct: Vec<&Path> = Vec::new();
        let which = self
            .relays
            .iter()
            .map(|path| match distinct.iter().position(|d| *d == path.as_path()) {
                Some(i) => i,
                None => {
                    distinct.push(path);
                    distinct.len() - 1
                }
            })
            .collect();
        (distinct, which)
    }
}

/// Reads one guest's `.wasm` file, saying which one could not be read.
pub fn read_guest(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::Error(format!("cannot read guest {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_say_who_refused_in_the_words_every_worker_uses() {
        let Failure::Error(e) = Failure::consumer_refused(5, "bad") else { panic!() };
        assert_eq!(e, "consumer refused record 5: bad");
        let Failure::Error(e) = Failure::reply_refused(3, "worse") else { panic!() };
        assert_eq!(e, "producer refused the reply to record 3: worse");
    }

    #[test]
    fn a_relayed_failure_keeps_its_kind_and_a_trap_says_where() {
        let Failure::Trap(m) = Relayed(Failure::Trap("unreachable".into())).failure() else { panic!("a trap") };
        assert_eq!(m, "inside env.deliver: unreachable");
        let Failure::Error(m) = Relayed(Failure::Error("no".into())).failure() else { panic!("an error") };
        assert_eq!(m, "no");
        assert!(matches!(Relayed(Failure::OutOfMemory("cap".into())).failure(), Failure::OutOfMemory(_)));
    }

    #[test]
    fn an_unreadable_guest_is_named() {
        let Err(Failure::Error(e)) = read_guest(Path::new("/nonexistent/producer.wasm")) else { panic!() };
        assert!(e.starts_with("cannot read guest /nonexistent/producer.wasm: "), "{e}");
    }
}
