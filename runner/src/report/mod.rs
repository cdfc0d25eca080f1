//! `runner report FILE`: a results file read back and told as tables: the run, every cell, each
//! axis's best and worst values, the codecs, the speed targets, and the noisy and failed cells.
//! The same tables come out as aligned text, Markdown (what the README's result tables are made
//! from, so no figure there is typed by hand), JSON (numbers as numbers), or one self-contained
//! HTML page with figures as inline SVG.
//!
//! [`load`] reads the file; [`Report`] is the run the [`sections`] read, each filling a
//! [`table::Table`] (the model), and the [`figures`] (the HTML page's); [`render`] prints them in a
//! [`Format`].

mod figures;
mod load;
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
}

#[cfg(test)]
mod tests;
