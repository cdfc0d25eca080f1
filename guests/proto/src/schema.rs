//! Code generated at build time from `schema/` (see build.rs). Generated accessors use `unsafe`
//! internally and are checked by each format's own verifier before any field is read.
#![allow(unsafe_code, clippy::all, clippy::pedantic, unused, non_camel_case_types, mismatched_lifetime_syntaxes)]

pub mod log_fbs {
    include!(concat!(env!("OUT_DIR"), "/log_generated.rs"));
}

pub mod log_capnp {
    include!(concat!(env!("OUT_DIR"), "/log_capnp.rs"));
}
