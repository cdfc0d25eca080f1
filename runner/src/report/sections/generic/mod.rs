//! The sections any run has (some only where the run varies what they compare): the run, its
//! cells, each axis, runtimes, set-up strategies, a cold start phase by phase, components, the web
//! half, what isolation costs (transport merged), payload size, chains of modules, releases side by side, codecs, environments, builds, and the
//! trouble.

pub(super) mod axes;
pub(super) mod builds;
pub(super) mod cells;
pub(super) mod chain;
pub(super) mod codecs;
pub(super) mod cold_start;
pub(super) mod components;
pub(super) mod environments;
pub(super) mod isolation;
pub(super) mod payload;
pub(super) mod releases;
pub(super) mod run;
pub(super) mod runtimes;
pub(super) mod strategies;
pub(super) mod trouble;
pub(super) mod web;
