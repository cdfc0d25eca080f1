//! A relay of a chain of components: the world `relay` of guests/wit, around the same [`Relay`] as
//! the core relay's `exports`. It exports `deliver` and imports it: each request is read (with a
//! byte codec through the codec, as the core relay reads it; with the codec `wit`, cfg
//! `wasmatrix_wit`, the typed record's timestamp and request URI), folded into the digest, and
//! passed on through the import to the next component (another relay or the consumer), whose
//! reply is returned unchanged. `relay-digest` says what the relay read.

use crate::relay::Relay;
use bindings::exports::wasmatrix::pair::deliver;
use bindings::exports::wasmatrix::pair::relay_bench;
use bindings::wasmatrix::pair::deliver as next;
use bindings::wasmatrix::pair::types as wit;
use std::cell::RefCell;
use wasmatrix_proto::guest_build;
#[cfg(not(wasmatrix_wit))]
use wasmatrix_proto::AlignedBuf;

/// The bindings: `wit_bindgen`'s lifting and lowering, and the exported functions `export!`
/// writes, are `unsafe` code of the generator's; this crate's own code stays out of here.
#[allow(unsafe_code)]
mod bindings {
    wit_bindgen::generate!({
        path: "../wit",
        world: "relay",
    });
    use super::Component;
    export!(Component);
}

include!(concat!(env!("OUT_DIR"), "/selected_codec.rs"));

/// The codec `wit` needs no byte codec: the record arrives as itself.
#[cfg(wasmatrix_wit)]
type Selected = ();

struct State {
    relay: Relay<Selected>,
    /// Where a request that does not arrive at its codec's alignment is copied
    /// ([`crate::aligned_for`], as the consumer component does).
    #[cfg(not(wasmatrix_wit))]
    aligned: AlignedBuf,
}

/// The relay of the build's records per message.
impl Default for State {
    fn default() -> State {
        State {
            relay: Relay::with_records(RECORDS),
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
        {
            STATE.with_borrow_mut(|s| {
                let request = crate::aligned_for::<Selected>(&msg, &mut s.aligned);
                s.relay.relay(request).map_err(|e| format!("a relay could not read the request: {e}"))
            })?;
            // The message's bytes as they arrived: the next component reads what this one read.
            next::deliver(&msg)
        }
    }

    fn deliver_log(rec: wit::Log) -> wit::Reply {
        #[cfg(not(wasmatrix_wit))]
        {
            let _ = rec;
            guest_build::not_for_bytes("deliver-log")
        }
        #[cfg(wasmatrix_wit)]
        {
            STATE.with_borrow_mut(|s| s.relay.relay_record(rec.timestamp, &rec.http.request_uri));
            next::deliver_log(&rec)
        }
    }
}

impl relay_bench::Guest for Component {
    fn relay_digest() -> u64 {
        STATE.with_borrow(|s| s.relay.digest())
    }
}
