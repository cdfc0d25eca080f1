//! Running the two guests under Wasmer: engines are configured in [`engine`], imports come from
//! [`environment`], the guests are linked by a [`transport`], and [`pair`] is the round trip.

pub mod engine;
pub mod environment;
pub mod pair;
pub mod transport;
