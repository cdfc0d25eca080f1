//! Chromium's home in the runner: its worker is runner/chromium/worker.mjs under Node.js (the V8
//! worker's Node, [`super::v8::node`]), which drives headless Chromium ([`browser`]) over the
//! DevTools protocol; nothing is built. Before a run, Node.js and the browser are checked and
//! `--measure instructions` refused.

use super::recipe::{Recipe, WorkerCommand};
use super::v8::{check_node, node_running, Node};
use crate::guest_build::Builder;
use crate::matrix::Cell;
use anyhow::{bail, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use wasmatrix_core::measure::MechanismKind;

pub struct Chromium;

impl Recipe for Chromium {
    /// Node.js, once the driver is found.
    fn worker(&self, builder: &Builder, _cell: &Cell) -> Result<PathBuf> {
        node_running(Node::Default, builder.root(), &script(builder.root()), "Chromium")
    }

    /// Node.js, the driver and the browser it starts (V8's flags are the driver's to give).
    fn start(&self, node: &Path, root: &Path, _cell: &Cell) -> WorkerCommand {
        let args =
            [script(root).to_string_lossy().into_owned(), "--browser".into(), browser().to_string_lossy().into_owned()];
        WorkerCommand { program: node.to_owned(), args: args.into() }
    }

    fn check(&self, root: &Path, cells: &[Cell], mechanism: MechanismKind) -> Result<()> {
        if !cells.iter().any(|c| c.unsupported().is_none()) {
            return Ok(());
        }
        check_node(Node::Default, root)?;
        check_browser()?;
        if mechanism == MechanismKind::Instructions {
            bail!(
                "--measure instructions cannot count Chromium's cells: callgrind cannot count a region of a page, and \
                 the browser's other processes would be counted; leave them out with \
                 --filter runtime=wasmer,wasmtime,wasmi,native"
            );
        }
        Ok(())
    }
}

/// The driver script.
fn script(root: &Path) -> PathBuf {
    root.join("runner/chromium/worker.mjs")
}

/// Debian's Chromium binary itself, not its /usr/bin/chromium shell wrapper (which reads
/// /etc/chromium.d and adds switches).
const DEBIAN_CHROMIUM: &str = "/usr/lib/chromium/chromium";

/// The browser: `WASMATRIX_CHROMIUM`, else Debian's (package `chromium`, which the set-up
/// installs), else `chromium` on the PATH.
pub fn browser() -> PathBuf {
    if let Some(browser) = std::env::var_os("WASMATRIX_CHROMIUM") {
        return PathBuf::from(browser);
    }
    if Path::new(DEBIAN_CHROMIUM).exists() {
        PathBuf::from(DEBIAN_CHROMIUM)
    } else {
        PathBuf::from("chromium")
    }
}

/// That the browser starts and says its version.
fn check_browser() -> Result<()> {
    let browser = browser();
    match Command::new(&browser).arg("--version").output() {
        Ok(o) if o.status.success() => Ok(()),
        _ => bail!(
            "Chromium's cells need a Chromium, and `{}` cannot be started: runner/wasmatrix.sh setup installs \
             Debian's package `chromium`; or point WASMATRIX_CHROMIUM at a Chromium binary",
            browser.display()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_starts_the_driver_with_the_browser() {
        let cell = Cell::parse("liftoff/jit/bare/copy/raw/release/off/default/chromium/host").unwrap();
        let command = Chromium.start(Path::new("node"), Path::new("/w"), &cell);
        assert_eq!(command.program, Path::new("node"));
        assert_eq!(command.args[..2], ["/w/runner/chromium/worker.mjs", "--browser"]);
        assert_eq!(command.args.len(), 3);
    }
}
