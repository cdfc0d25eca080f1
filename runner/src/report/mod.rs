//! `runner report FILE`: a results file read back and told as tables: the run, every cell, each
//! axis's best and worst values, the codecs, the speed targets, and the noisy and failed cells.
//! The same tables come out as aligned text, Markdown (what the documents' result tables, the
//! speed targets in docs/results.md among them, and the results pages are made from, so no figure
//! there is typed by hand), JSON (numbers as numbers), or one self-contained HTML page with
//! figures as inline SVG.
//!
//! [`load`] reads the file; [`Report`] is the run the [`sections`] read, each filling a
//! [`table::Table`] (the model), and the [`figures`] (the HTML page's); [`identity`] is the run's
//! who, where and when; [`render`] prints them in a [`Format`], as a results page
//! ([`pages`]: `runner page`, docs/results/<run>.md) or as the glance `runner run` ends with.

mod figures;
mod identity;
mod load;
pub mod pages;
mod render;
mod sections;
mod table;
mod view;

pub use load::{load, parse};
pub use render::Format;
pub use view::Report;

impl Report<'_> {
    /// Every table of the report, in `format`.
    pub fn render(&self, format: Format) -> String {
        render::render(self, format)
    }

    /// The answer at a glance, where this report's rows are of the results file `results`: what
    /// `runner run` prints when it ends.
    pub fn glance(&self, results: &std::path::Path) -> String {
        render::glance(self, results)
    }
}

#[cfg(test)]
mod tests;
