//! Results: the CSV schema ([`row`]), the results file ([`file`]), and the terminal summary
//! ([`summary`]). Every column is documented in results/README.md.

pub mod file;
pub mod row;
pub mod samples;
pub mod summary;
