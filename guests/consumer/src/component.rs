//! The consumer as a component: the world `consumer` of guests/wit, around the same [`Consumer`]
//! as the core module's `exports`. With a byte codec a request arrives through `deliver` as bytes;
//! with the codec `wit` (cfg `wasmatrix_wit`, no byte codec compiled in) through `deliver-log` as
//! the typed record, read in place through [`LogView`].

use super::Consumer;
use bindings::exports::wasmatrix::pair::consumer_bench;
use bindings::exports::wasmatrix::pair::deliver;
use bindings::wasmatrix::pair::types as wit;
use std::cell::RefCell;
use wasmatrix_proto::guest_build;
use wasmatrix_proto::record as p;
#[cfg(not(wasmatrix_wit))]
use wasmatrix_proto::AlignedBuf;
use wasmatrix_proto::LogView;

#[cfg(feature = "logging")]
compile_error!(
    "the consumer component has no way out for log lines yet (no WIT interface for them): build it without `logging`"
);

/// The bindings: `wit_bindgen`'s lifting and lowering, and the exported functions `export!`
/// writes, are `unsafe` code of the generator's; this crate's own code stays out of here.
#[allow(unsafe_code)]
mod bindings {
    wit_bindgen::generate!({
        path: "../wit",
        world: "consumer",
    });
    use super::Component;
    export!(Component);
}

include!(concat!(env!("OUT_DIR"), "/selected_codec.rs"));

/// The codec `wit` needs no byte codec: the record arrives as itself.
#[cfg(wasmatrix_wit)]
type Selected = ();

struct State {
    consumer: Consumer<Selected>,
    /// Where a request that does not arrive at its codec's alignment is copied
    /// ([`crate::aligned_for`]).
    #[cfg(not(wasmatrix_wit))]
    aligned: AlignedBuf,
}

/// The consumer of the build's records per message.
impl Default for State {
    fn default() -> State {
        State {
            consumer: Consumer::with_records(RECORDS),
            #[cfg(not(wasmatrix_wit))]
            aligned: AlignedBuf::new(),
        }
    }
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

struct Component;

impl deliver::Guest for Component {
    fn deliver(msg: Vec<u8>) -> Result<Vec<u8>, String> {
        #[cfg(wasmatrix_wit)]
        {
            let _ = msg;
            guest_build::not_for_wit("deliver")
        }
        #[cfg(not(wasmatrix_wit))]
        STATE.with_borrow_mut(|s| {
            let request = crate::aligned_for::<Selected>(&msg, &mut s.aligned);
            match s.consumer.consume(request) {
                Ok(reply) => Ok(reply.to_vec()),
                Err(e) => Err(e.to_string()),
            }
        })
    }

    fn deliver_log(rec: wit::Log) -> wit::Reply {
        #[cfg(not(wasmatrix_wit))]
        {
            let _ = rec;
            guest_build::not_for_bytes("deliver-log")
        }
        #[cfg(wasmatrix_wit)]
        {
            let reply = STATE.with_borrow_mut(|s| s.consumer.consume_log(&rec));
            wit::Reply { timestamp: reply.timestamp, request_bytes: reply.request_bytes, digest: reply.digest }
        }
    }
}

impl consumer_bench::Guest for Component {
    fn ping(x: u32) -> u32 {
        super::ping(x)
    }

    fn bench_decode(msg: Vec<u8>, n: u32) -> Result<(), String> {
        #[cfg(wasmatrix_wit)]
        {
            let _ = (msg, n);
            guest_build::not_for_wit("bench-decode")
        }
        #[cfg(not(wasmatrix_wit))]
        STATE.with_borrow_mut(|s| {
            let request = crate::aligned_for::<Selected>(&msg, &mut s.aligned);
            s.consumer.decode_repeatedly(request, n).map_err(|e| e.to_string())
        })
    }
}

/// The typed record as the consumer's work reads it; its enums mapped by name, exhaustively.
impl LogView for wit::Log {
    wasmatrix_proto::log_view_fields!();
    fn zone_plan(&self) -> p::ZonePlan {
        match self.zone_plan {
            wit::ZonePlan::Free => p::ZonePlan::Free,
            wit::ZonePlan::Pro => p::ZonePlan::Pro,
            wit::ZonePlan::Biz => p::ZonePlan::Biz,
            wit::ZonePlan::Ent => p::ZonePlan::Ent,
        }
    }
    fn http_protocol(&self) -> p::HttpProtocol {
        match self.http.protocol {
            wit::HttpProtocol::Http10 => p::HttpProtocol::Http10,
            wit::HttpProtocol::Http11 => p::HttpProtocol::Http11,
            wit::HttpProtocol::Http2 => p::HttpProtocol::Http2,
        }
    }
    fn http_method(&self) -> p::HttpMethod {
        match self.http.method {
            wit::HttpMethod::Get => p::HttpMethod::Get,
            wit::HttpMethod::Post => p::HttpMethod::Post,
            wit::HttpMethod::Delete => p::HttpMethod::Delete,
            wit::HttpMethod::Put => p::HttpMethod::Put,
            wit::HttpMethod::Head => p::HttpMethod::Head,
            wit::HttpMethod::Purge => p::HttpMethod::Purge,
            wit::HttpMethod::Options => p::HttpMethod::Options,
            wit::HttpMethod::Propfind => p::HttpMethod::Propfind,
            wit::HttpMethod::Mkcol => p::HttpMethod::Mkcol,
            wit::HttpMethod::Patch => p::HttpMethod::Patch,
        }
    }
    fn origin_protocol(&self) -> p::OriginProtocol {
        match self.origin.protocol {
            wit::OriginProtocol::Http => p::OriginProtocol::Http,
            wit::OriginProtocol::Https => p::OriginProtocol::Https,
        }
    }
    fn country(&self) -> p::Country {
        match self.country {
            wit::Country::Us => p::Country::Us,
            wit::Country::Gb => p::Country::Gb,
            wit::Country::De => p::Country::De,
            wit::Country::Fr => p::Country::Fr,
            wit::Country::Nl => p::Country::Nl,
            wit::Country::Se => p::Country::Se,
            wit::Country::Jp => p::Country::Jp,
            wit::Country::Cn => p::Country::Cn,
            wit::Country::In => p::Country::In,
            wit::Country::Br => p::Country::Br,
            wit::Country::Au => p::Country::Au,
            wit::Country::Ca => p::Country::Ca,
            wit::Country::Za => p::Country::Za,
            wit::Country::Ng => p::Country::Ng,
            wit::Country::Ar => p::Country::Ar,
            wit::Country::Mx => p::Country::Mx,
        }
    }
    fn cache_status(&self) -> p::CacheStatus {
        match self.cache_status {
            wit::CacheStatus::Unknown => p::CacheStatus::Unknown,
            wit::CacheStatus::Miss => p::CacheStatus::Miss,
            wit::CacheStatus::Expired => p::CacheStatus::Expired,
            wit::CacheStatus::Hit => p::CacheStatus::Hit,
        }
    }
}
