//! The study's own sections: this run read against the speed targets
//! (docs/results.md, "Speed targets") and against the
//! 2021 report's claims (../shared/origin.md), whose figures are in nanoseconds.

pub(super) mod against_2021;
pub(super) mod targets;
