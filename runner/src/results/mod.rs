//! Results: the CSV schema ([`row`]), how a cell ended ([`status`]) and the figures it is made of
//! ([`figure`]), from the samples sidecar ([`samples`]) of the [`metric`]s; the results file
//! ([`file`]), its one reader ([`read`]), a row as the read side sees it ([`view`]: its cell and
//! status typed), whether the cells computed what they should ([`checksums`]), and the terminal
//! summary ([`summary`], with the machine's [`drift`]). Every
//! column is documented in results/README.md.

pub mod checksums;
pub mod drift;
pub mod figure;
pub mod file;
pub mod metric;
pub mod read;
pub mod row;
pub mod samples;
pub mod status;
pub mod summary;
pub mod view;
