//! Running the guests under Wasmer ([`wasmer`]), behind the `Guests` interface of
//! wasmatrix-core; the native twin runs in its own worker binary (runner/native).

pub mod wasmer;

pub use wasmatrix_core::guests::{Failure, Guests, Output, Traffic};
