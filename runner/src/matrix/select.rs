//! The axis and value names a matrix file and `--filter` may use, and which cells a selector
//! (`--filter`, the older form's `[[exclude]]`) matches.

use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use wasmatrix_core::axes::*;
use wasmatrix_core::cell::Cell;

/// Which cells a selector matches: every listed axis must have one of its listed values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector(BTreeMap<&'static str, Vec<&'static str>>);

impl Selector {
    pub fn matches(&self, cell: &Cell) -> bool {
        cell.values().iter().all(|(axis, value)| self.0.get(axis).is_none_or(|allowed| allowed.contains(value)))
    }

    /// Parses `--filter` text: space-separated `axis=value[,value...]` terms.
    pub fn parse_filter(text: &str) -> Result<Selector> {
        let mut selector = Selector::default();
        for term in text.split_whitespace() {
            let Some((axis, values)) = term.split_once('=') else {
                bail!("filter term `{term}` is not axis=value[,value...]; axes: {}", axis_names().join(", "));
            };
            selector.add(axis, values.split(',')).with_context(|| format!("in filter term `{term}`"))?;
        }
        Ok(selector)
    }

    pub fn add<'a>(&mut self, axis: &str, values: impl IntoIterator<Item = &'a str>) -> Result<()> {
        let (axis, checked) = check_axis_values(axis, values)?;
        self.0.entry(axis).or_default().extend(checked);
        Ok(())
    }
}

/// Every axis's name, in the order of a cell's name.
pub fn axis_names() -> [&'static str; 14] {
    Cell::axes().map(|axis| axis.name)
}

/// Resolves an axis name and its value names to their canonical static names.
fn check_axis_values<'a>(
    axis: &str,
    values: impl IntoIterator<Item = &'a str>,
) -> Result<(&'static str, Vec<&'static str>)> {
    fn check<'a, A: Axis>(values: impl IntoIterator<Item = &'a str>) -> Result<(&'static str, Vec<&'static str>)> {
        let names = values.into_iter().map(|v| value::<A>(v).map(A::name)).collect::<Result<_>>()?;
        Ok((A::NAME, names))
    }
    match axis {
        Compiler::NAME => check::<Compiler>(values),
        Engine::NAME => check::<Engine>(values),
        Environment::NAME => check::<Environment>(values),
        Transport::NAME => check::<Transport>(values),
        Codec::NAME => check::<Codec>(values),
        Profile::NAME => check::<Profile>(values),
        Logging::NAME => check::<Logging>(values),
        Allocator::NAME => check::<Allocator>(values),
        Runtime::NAME => check::<Runtime>(values),
        Call::NAME => check::<Call>(values),
        Instantiate::NAME => check::<Instantiate>(values),
        Records::NAME => check::<Records>(values),
        Modules::NAME => check::<Modules>(values),
        Release::NAME => check::<Release>(values),
        _ => bail!("unknown axis `{axis}`; axes: {}", axis_names().join(", ")),
    }
}

/// The value of axis `A` named `name`; the error names the values allowed.
pub fn value<A: Axis>(name: &str) -> Result<A> {
    A::from_name(name).with_context(|| format!("unknown {} `{name}`; allowed: {}", A::NAME, A::allowed()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_name_axes_and_values() {
        let f = Selector::parse_filter("compiler=llvm,cranelift transport=shared").unwrap();
        let cell = Cell::parse("llvm/jit/bare/shared/raw/release").unwrap();
        assert!(f.matches(&cell));
        assert!(!f.matches(&Cell { transport: Transport::Copy, ..cell }));
        assert!(Selector::parse_filter("compiler").is_err());
        assert!(format!("{:#}", Selector::parse_filter("compiler=v8").unwrap_err()).contains("allowed"));
        assert!(format!("{:#}", Selector::parse_filter("flavour=x").unwrap_err()).contains("unknown axis `flavour`"));
    }
}
