//! A cross product of axis values: a matrix's `[axes]`. Its combinations come in one stable
//! order; some are not cells ([`Cell::not_a_cell`]).

use wasmatrix_core::axes::*;
use wasmatrix_core::cell::Cell;

/// The values of each axis, each listed once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Product {
    pub compilers: Vec<Compiler>,
    pub engines: Vec<Engine>,
    pub environments: Vec<Environment>,
    pub transports: Vec<Transport>,
    pub codecs: Vec<Codec>,
    pub profiles: Vec<Profile>,
    pub loggings: Vec<Logging>,
    pub allocators: Vec<Allocator>,
    pub runtimes: Vec<Runtime>,
    pub calls: Vec<Call>,
}

impl Product {
    /// Every combination of the values, in a stable order: the call varies fastest, then the
    /// runtime, engine, compiler, transport, environment, logging, codec, allocator and profile,
    /// each in the order listed.
    pub fn combinations(&self) -> Vec<Cell> {
        let mut cells = Vec::new();
        for &profile in &self.profiles {
            for &allocator in &self.allocators {
                for &codec in &self.codecs {
                    for &logging in &self.loggings {
                        for &environment in &self.environments {
                            for &transport in &self.transports {
                                for &compiler in &self.compilers {
                                    for &engine in &self.engines {
                                        for &runtime in &self.runtimes {
                                            cells.extend(self.calls.iter().map(|&call| Cell {
                                                compiler,
                                                engine,
                                                environment,
                                                transport,
                                                codec,
                                                profile,
                                                logging,
                                                allocator,
                                                runtime,
                                                call,
                                            }));
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        cells
    }

    /// The combinations that are cells, in the same order.
    pub fn cells(&self) -> Vec<Cell> {
        self.combinations().into_iter().filter(|c| c.not_a_cell().is_none()).collect()
    }
}
