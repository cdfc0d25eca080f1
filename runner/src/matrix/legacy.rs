//! The older form of a matrix: one cross product of every listed axis value (`[axes]`) minus the
//! combinations `[[exclude]]` tables name. Still read, for matrices written before studies
//! (docs/matrices.md).

use crate::matrix::file::{OneOrMany, Source};
use crate::matrix::product::Product;
use crate::matrix::select::{value, Selector};
use anyhow::{bail, Context, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;
use wasmatrix_core::axes::*;
use wasmatrix_core::cell::Cell;

/// `[axes]`: every value of each axis the product crosses.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAxes {
    compiler: Vec<Spanned<String>>,
    engine: Vec<Spanned<String>>,
    environment: Vec<Spanned<String>>,
    transport: Vec<Spanned<String>>,
    codec: Vec<Spanned<String>>,
    profile: Vec<Spanned<String>>,
    /// Optional: `["off"]` when left out.
    logging: Option<Vec<Spanned<String>>>,
    /// Optional: `["default"]` when left out.
    allocator: Option<Vec<Spanned<String>>>,
    /// Optional: `["wasmer", "native"]` when left out, what a matrix meant before the axis (each
    /// runtime runs the compilers it has).
    runtime: Option<Vec<Spanned<String>>>,
    /// Optional: `["host"]` when left out, what a matrix meant before the axis.
    call: Option<Vec<Spanned<String>>>,
    instantiate: Option<Vec<Spanned<String>>>,
    records: Option<Vec<Spanned<String>>>,
    modules: Option<Vec<Spanned<String>>>,
    release: Option<Vec<Spanned<String>>>,
}

/// One `[[exclude]]`: axis = value(s) pairs; a combination matching all of them is left out.
pub type RawExclude = Spanned<BTreeMap<String, OneOrMany>>;

/// The cells of `[axes]` minus `[[exclude]]`, in the product's order.
pub fn cells(axes: &RawAxes, exclude: &[RawExclude], source: &Source) -> Result<Vec<Cell>> {
    let mut excludes = Vec::new();
    for entry in exclude {
        let mut selector = Selector::default();
        for (axis, values) in entry.get_ref() {
            selector
                .add(axis, values.as_list())
                .with_context(|| format!("{}: in [[exclude]]", source.at(entry.span())))?;
        }
        excludes.push(selector);
    }
    let mut cells = product(axes, source)?.cells();
    cells.retain(|cell| !excludes.iter().any(|x| x.matches(cell)));
    if cells.is_empty() {
        bail!("{}: the exclusions leave no cells to run", source.path.display());
    }
    Ok(cells)
}

fn product(a: &RawAxes, source: &Source) -> Result<Product> {
    fn or<A: Axis>(list: &Option<Vec<Spanned<String>>>, source: &Source, absent: &[A]) -> Result<Vec<A>> {
        list.as_ref().map_or_else(|| Ok(absent.to_vec()), |list| values(list, source))
    }
    Ok(Product {
        compilers: values(&a.compiler, source)?,
        engines: values(&a.engine, source)?,
        environments: values(&a.environment, source)?,
        transports: values(&a.transport, source)?,
        codecs: values(&a.codec, source)?,
        profiles: values(&a.profile, source)?,
        loggings: or(&a.logging, source, &[Logging::Off])?,
        allocators: or(&a.allocator, source, &[Allocator::Default])?,
        runtimes: or(&a.runtime, source, &[Runtime::Wasmer, Runtime::Native])?,
        calls: or(&a.call, source, &[Call::Host])?,
        instantiates: or(&a.instantiate, source, &[Instantiate::Fresh])?,
        records: or(&a.records, source, &[Records::One])?,
        modules: or(&a.modules, source, &[Modules::Two])?,
        releases: or(&a.release, source, &[Release::Default])?,
    })
}

/// An `[axes]` list: each value once, at least one; an unknown value's error names its place.
fn values<A: Axis>(list: &[Spanned<String>], source: &Source) -> Result<Vec<A>> {
    let mut out = Vec::new();
    for item in list {
        let v = value::<A>(item.get_ref()).with_context(|| source.at(item.span()))?;
        if !out.contains(&v) {
            out.push(v);
        }
    }
    if out.is_empty() {
        bail!("axis `{}` lists no values; allowed: {}", A::NAME, A::allowed());
    }
    Ok(out)
}
