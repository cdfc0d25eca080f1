//! The producer as a component: the world `producer` of guests/wit, around the same [`Producer`]
//! as the core module's `exports`. With a byte codec the request crosses `deliver` as bytes; with
//! the codec `wit` (cfg `wasmatrix_wit`, no byte codec compiled in) it crosses `deliver-log` as
//! the typed record, lowered by the canonical ABI straight from the producer's [`Log`]'s strings.

use super::Producer;
use bindings::exports::wasmatrix::pair::producer_api::{Guest, Refusal, TrafficBytes};
use bindings::wasmatrix::pair::deliver;
use bindings::wasmatrix::pair::types as wit;
use std::cell::RefCell;
use wasmatrix_proto::guest_build;
use wasmatrix_proto::Reply;
#[cfg(wasmatrix_wit)]
use wasmatrix_proto::{record, Log};

/// The bindings: `wit_bindgen`'s lifting and lowering, and the exported functions `export!`
/// writes, are `unsafe` code of the generator's; this crate's own code stays out of here.
#[allow(unsafe_code)]
mod bindings {
    wit_bindgen::generate!({
        path: "../wit",
        world: "producer",
        // `deliver-log`'s record is lowered from borrowed `&str`s (no copy of the strings before
        // the canonical ABI's own); `produce-log` returns an owned one (`LogResult`).
        ownership: Borrowing { duplicate_if_necessary: true },
    });
    use super::Component;
    export!(Component);
}

include!(concat!(env!("OUT_DIR"), "/selected_codec.rs"));

/// The codec `wit` needs no byte codec: the producer's own record is what crosses.
#[cfg(wasmatrix_wit)]
type Selected = ();

/// A reply's size under the codec `wit`: its scalars at their WIT widths (s64, u32, u64).
#[cfg(wasmatrix_wit)]
const TYPED_REPLY_BYTES: u64 = 8 + 4 + 8;

struct State {
    producer: Producer<Selected>,
    /// Request and reply bytes so far: the lists' lengths for byte codecs,
    /// `wasmatrix_proto::record::typed_bytes` and [`TYPED_REPLY_BYTES`] for `wit`.
    request_bytes: u64,
    reply_bytes: u64,
}

/// The producer of the build's records per message.
impl Default for State {
    fn default() -> State {
        State { producer: Producer::with_records(RECORDS), request_bytes: 0, reply_bytes: 0 }
    }
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

struct Component;

impl Guest for Component {
    fn round_trip(i: u32) -> Result<(), Refusal> {
        STATE.with_borrow_mut(|s| s.round_trip(i))
    }

    fn produce(i: u32) -> Vec<u8> {
        #[cfg(wasmatrix_wit)]
        {
            let _ = i;
            guest_build::not_for_wit("produce")
        }
        #[cfg(not(wasmatrix_wit))]
        STATE.with_borrow_mut(|s| {
            let request = s.producer.produce(i);
            s.request_bytes += request.len() as u64;
            request.to_vec()
        })
    }

    fn check_reply(reply: Vec<u8>) -> Result<(), String> {
        #[cfg(wasmatrix_wit)]
        {
            let _ = reply;
            guest_build::not_for_wit("check-reply")
        }
        #[cfg(not(wasmatrix_wit))]
        STATE.with_borrow_mut(|s| {
            s.reply_bytes += reply.len() as u64;
            s.producer.check_reply(&reply).map_err(|e| e.to_string())
        })
    }

    fn produce_log(i: u32) -> wit::LogResult {
        #[cfg(not(wasmatrix_wit))]
        {
            let _ = i;
            guest_build::not_for_bytes("produce-log")
        }
        #[cfg(wasmatrix_wit)]
        STATE.with_borrow_mut(|s| {
            let log = s.producer.produce_log(i);
            s.request_bytes += u64::from(record::typed_bytes(log));
            // A returned record is owned: the canonical ABI reads it after this call returns.
            owned(log)
        })
    }

    fn check_reply_log(reply: wit::Reply) -> Result<(), String> {
        #[cfg(not(wasmatrix_wit))]
        {
            let _ = reply;
            guest_build::not_for_bytes("check-reply-log")
        }
        #[cfg(wasmatrix_wit)]
        STATE.with_borrow_mut(|s| {
            s.reply_bytes += TYPED_REPLY_BYTES;
            s.producer.check_reply_log(from_wit(reply)).map_err(|e| e.to_string())
        })
    }

    fn checksum() -> u64 {
        STATE.with_borrow(|s| s.producer.checksum())
    }

    fn bench_encode(i: u32, n: u32) -> u32 {
        #[cfg(wasmatrix_wit)]
        {
            let _ = (i, n);
            guest_build::not_for_wit("bench-encode")
        }
        #[cfg(not(wasmatrix_wit))]
        STATE.with_borrow_mut(|s| s.producer.encode_repeatedly(i, n))
    }

    fn traffic() -> TrafficBytes {
        STATE.with_borrow(|s| TrafficBytes { request_bytes: s.request_bytes, reply_bytes: s.reply_bytes })
    }
}

impl State {
    /// `round-trip` for a byte codec: the request crosses the imported `deliver`.
    #[cfg(not(wasmatrix_wit))]
    fn round_trip(&mut self, i: u32) -> Result<(), Refusal> {
        let (request_bytes, reply_bytes) = (&mut self.request_bytes, &mut self.reply_bytes);
        let mut refused = None;
        let outcome = self.producer.round_trip(i, |request| {
            *request_bytes += request.len() as u64;
            match deliver::deliver(request) {
                Ok(reply) => {
                    *reply_bytes += reply.len() as u64;
                    Some(reply)
                }
                Err(why) => {
                    refused = Some(why);
                    None
                }
            }
        });
        finish(outcome, refused)
    }

    /// `round-trip` for the codec `wit`: the record crosses the imported `deliver-log` as itself.
    #[cfg(wasmatrix_wit)]
    fn round_trip(&mut self, i: u32) -> Result<(), Refusal> {
        let (request_bytes, reply_bytes) = (&mut self.request_bytes, &mut self.reply_bytes);
        let outcome = self.producer.round_trip_log(i, |log| {
            *request_bytes += u64::from(record::typed_bytes(log));
            let reply = deliver::deliver_log(borrowed(log));
            *reply_bytes += TYPED_REPLY_BYTES;
            Some(from_wit(reply))
        });
        finish(outcome, None)
    }
}

/// The WIT `refusal` for a round trip's outcome; `refused`: the consumer's reason, if it gave one.
fn finish(outcome: Result<(), Option<super::ReplyError>>, refused: Option<String>) -> Result<(), Refusal> {
    match outcome {
        Ok(()) => Ok(()),
        Err(None) => Err(Refusal::Consumer(refused.unwrap_or_else(|| "(no reason)".to_owned()))),
        Err(Some(e)) => Err(Refusal::Reply(e.to_string())),
    }
}

#[cfg_attr(not(wasmatrix_wit), allow(dead_code))]
fn from_wit(reply: wit::Reply) -> Reply {
    Reply { timestamp: reply.timestamp, request_bytes: reply.request_bytes, digest: reply.digest }
}

/// The WIT record borrowing `log`'s strings: what `deliver-log` lowers.
#[cfg(wasmatrix_wit)]
fn borrowed(log: &Log) -> wit::LogParam<'_> {
    wit::LogParam {
        timestamp: log.timestamp,
        zone_id: log.zone_id,
        zone_plan: enums::zone_plan(log.zone_plan),
        http: wit::HttpParam {
            protocol: enums::http_protocol(log.http.protocol),
            status: log.http.status,
            host_status: log.http.host_status,
            up_status: log.http.up_status,
            method: enums::http_method(log.http.method),
            content_type: &log.http.content_type,
            user_agent: &log.http.user_agent,
            referer: &log.http.referer,
            request_uri: &log.http.request_uri,
        },
        origin: wit::OriginParam {
            ip: &log.origin.ip,
            port: log.origin.port,
            hostname: &log.origin.hostname,
            protocol: enums::origin_protocol(log.origin.protocol),
        },
        country: enums::country(log.country),
        cache_status: enums::cache_status(log.cache_status),
        server_ip: &log.server_ip,
        server_name: &log.server_name,
        remote_ip: &log.remote_ip,
        bytes_dlv: log.bytes_dlv,
        ray_id: &log.ray_id,
    }
}

/// The WIT record owning copies of `log`'s strings: what `produce-log` returns.
#[cfg(wasmatrix_wit)]
fn owned(log: &Log) -> wit::LogResult {
    let b = borrowed(log);
    wit::LogResult {
        timestamp: b.timestamp,
        zone_id: b.zone_id,
        zone_plan: b.zone_plan,
        http: wit::HttpResult {
            protocol: b.http.protocol,
            status: b.http.status,
            host_status: b.http.host_status,
            up_status: b.http.up_status,
            method: b.http.method,
            content_type: b.http.content_type.to_owned(),
            user_agent: b.http.user_agent.to_owned(),
            referer: b.http.referer.to_owned(),
            request_uri: b.http.request_uri.to_owned(),
        },
        origin: wit::OriginResult {
            ip: b.origin.ip.to_owned(),
            port: b.origin.port,
            hostname: b.origin.hostname.to_owned(),
            protocol: b.origin.protocol,
        },
        country: b.country,
        cache_status: b.cache_status,
        server_ip: b.server_ip.to_owned(),
        server_name: b.server_name.to_owned(),
        remote_ip: b.remote_ip.to_owned(),
        bytes_dlv: b.bytes_dlv,
        ray_id: b.ray_id.to_owned(),
    }
}

/// The record's enums as their WIT twins: matched by name, exhaustively, so a variant added on one
/// side only does not compile.
#[cfg(wasmatrix_wit)]
mod enums {
    use super::wit;
    use wasmatrix_proto::record as p;

    pub fn zone_plan(v: p::ZonePlan) -> wit::ZonePlan {
        match v {
            p::ZonePlan::Free => wit::ZonePlan::Free,
            p::ZonePlan::Pro => wit::ZonePlan::Pro,
            p::ZonePlan::Biz => wit::ZonePlan::Biz,
            p::ZonePlan::Ent => wit::ZonePlan::Ent,
        }
    }

    pub fn http_protocol(v: p::HttpProtocol) -> wit::HttpProtocol {
        match v {
            p::HttpProtocol::Http10 => wit::HttpProtocol::Http10,
            p::HttpProtocol::Http11 => wit::HttpProtocol::Http11,
            p::HttpProtocol::Http2 => wit::HttpProtocol::Http2,
        }
    }

    pub fn http_method(v: p::HttpMethod) -> wit::HttpMethod {
        match v {
            p::HttpMethod::Get => wit::HttpMethod::Get,
            p::HttpMethod::Post => wit::HttpMethod::Post,
            p::HttpMethod::Delete => wit::HttpMethod::Delete,
            p::HttpMethod::Put => wit::HttpMethod::Put,
            p::HttpMethod::Head => wit::HttpMethod::Head,
            p::HttpMethod::Purge => wit::HttpMethod::Purge,
            p::HttpMethod::Options => wit::HttpMethod::Options,
            p::HttpMethod::Propfind => wit::HttpMethod::Propfind,
            p::HttpMethod::Mkcol => wit::HttpMethod::Mkcol,
            p::HttpMethod::Patch => wit::HttpMethod::Patch,
        }
    }

    pub fn origin_protocol(v: p::OriginProtocol) -> wit::OriginProtocol {
        match v {
            p::OriginProtocol::Http => wit::OriginProtocol::Http,
            p::OriginProtocol::Https => wit::OriginProtocol::Https,
        }
    }

    pub fn cache_status(v: p::CacheStatus) -> wit::CacheStatus {
        match v {
            p::CacheStatus::Unknown => wit::CacheStatus::Unknown,
            p::CacheStatus::Miss => wit::CacheStatus::Miss,
            p::CacheStatus::Expired => wit::CacheStatus::Expired,
            p::CacheStatus::Hit => wit::CacheStatus::Hit,
        }
    }

    pub fn country(v: p::Country) -> wit::Country {
        match v {
            p::Country::Us => wit::Country::Us,
            p::Country::Gb => wit::Country::Gb,
            p::Country::De => wit::Country::De,
            p::Country::Fr => wit::Country::Fr,
            p::Country::Nl => wit::Country::Nl,
            p::Country::Se => wit::Country::Se,
            p::Country::Jp => wit::Country::Jp,
            p::Country::Cn => wit::Country::Cn,
            p::Country::In => wit::Country::In,
            p::Country::Br => wit::Country::Br,
            p::Country::Au => wit::Country::Au,
            p::Country::Ca => wit::Country::Ca,
            p::Country::Za => wit::Country::Za,
            p::Country::Ng => wit::Country::Ng,
            p::Country::Ar => wit::Country::Ar,
            p::Country::Mx => wit::Country::Mx,
        }
    }
}
