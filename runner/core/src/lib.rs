//! What every wasmatrix worker shares, with no runtime in it: the host side of the guests' ABI
//! ([`abi`]), the round trip every runtime makes over its calls ([`calls`]), the axes and what a cell is
//! ([`axes`], [`cell`]), the `[measure]` settings and the statistics ([`measure`]), the narrow
//! interface every way of running the guests implements ([`guests`]), and the worker protocol
//! with the measuring code every cell runs ([`worker`]).

pub mod abi;
pub mod axes;
pub mod calls;
pub mod cell;
pub mod guests;
pub mod measure;
pub mod worker;
