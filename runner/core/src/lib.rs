//! What every wasmatrix worker shares, with no runtime in it: the host side of the guests' ABI
//! ([`abi`]) and the exports the workers call through typed functions ([`exports`]), the round trip
//! every runtime makes over its calls ([`calls`]), the axes and what a cell is
//! ([`axes`], [`cell`]), the `[measure]` settings and the statistics ([`measure`]), the narrow
//! interface every way of running the guests implements and the failures it reports ([`guests`]),
//! the memory cap ([`cap`]), the merged pair of transport `merged` ([`merged`]), the one trait a runtime implements and the phases every cell goes
//! through ([`runtime`]), the transports and the route every round trip's middle runs over
//! ([`transport`]), and the worker protocol with the measuring code every cell runs ([`worker`]).

pub mod abi;
pub mod axes;
pub mod calls;
pub mod cap;
pub mod cell;
pub mod exports;
pub mod guests;
pub mod measure;
pub mod merged;
pub mod runtime;
pub mod transport;
pub mod worker;
