//! `runner-test-codec`: the `runner` command built with wasmatrix-proto's test-only codec `probe`
//! (`cargo build --release -p wasmatrix-runner --features test-codec --bin runner-test-codec`, as
//! runner/test_codec.sh does). The same program under another name, so that it shares the plain
//! runner's dependencies in target/ and leaves target/release/runner the plain one.

#[path = "../main.rs"]
mod runner;

fn main() -> std::process::ExitCode {
    runner::main()
}
