//! Building the guest `.wasm` files a matrix needs: one build per (profile, allocator, environment,
//! logging, memory layout, codec), each cached under `target/wasmatrix/guests/` with a fingerprint of everything
//! that went into it, so a run builds only what changed.

use crate::matrix::axes::{Allocator, Axis, Call, Codec, Engine, Environment, Logging, Profile, Transport};
use crate::matrix::Cell;
use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;
pub use wasmatrix_core::guests::{GuestFiles, Output};
use wasmatrix_proto::guest_build::CODEC_ENV;

pub use wasmatrix_core::abi::{Role, SHARED_CONSUMER_BASE};

/// How a guest's linear memory is set up, which the transport dictates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layout {
    /// The guest defines and exports its own memory.
    Own,
    /// The guest imports `env.memory`, laid out to share it with the other guest.
    Shared,
    /// The guest is a component (feature `component`, the WIT worlds of guests/wit) with a memory
    /// of its own, encoded from its core module by the runner ([`crate::component`]); the pair is
    /// also composed into one component (transport `composed`).
    Component,
}

impl Layout {
    pub fn of(transport: Transport) -> Layout {
        match transport {
            Transport::Copy => Layout::Own,
            Transport::Shared => Layout::Shared,
            Transport::Component | Transport::Composed => Layout::Component,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Layout::Own => "own-memory",
            Layout::Shared => "shared-memory",
            Layout::Component => "component",
        }
    }

    /// The linker's arguments for `role` (wasm-ld's under `bare` and `wasi`, emcc's under
    /// `emscripten`), as rustc `-C link-arg`s.
    fn link_args(self, role: Role, environment: Environment) -> Vec<String> {
        let args: Vec<String> = match environment {
            Environment::Emscripten | Environment::EmscriptenLegacy => emcc_args(self, role),
            Environment::Bare | Environment::Wasi => {
                let mut args: Vec<String> = match (self, role) {
                    (Layout::Own | Layout::Component, _) => vec![],
                    (Layout::Shared, Role::Producer) => vec!["--import-memory".into()],
                    (Layout::Shared, Role::Consumer) => vec![
                        "--import-memory".into(),
                        "--no-stack-first".into(),
                        format!("--global-base={SHARED_CONSUMER_BASE}"),
                    ],
                };
                if self == Layout::Shared {
                    // The host checks the layout against each guest's end of data and stack.
                    args.push("--export=__heap_base".into());
                    if environment == Environment::Wasi {
                        // WASI preview 1's ABI has a module export its memory as `memory`, which
                        // WASI implementations read and write through (Wasmtime's, Node's): the
                        // imported memory is exported again.
                        args.push("--export-memory".into());
                    }
                }
                args
            }
        };
        args.into_iter().flat_map(|a| ["-C".to_owned(), format!("link-arg={a}")]).collect()
    }
}

/// emcc's arguments for the guests: a standalone reactor (no main; `_initialize` runs the
/// constructors) importing only WASI and `env.__syscall_getcwd`; a 1 MiB stack and the same
/// layouts as the other environments (stack first; under `shared` the consumer's data at
/// [`SHARED_CONSUMER_BASE`]); memory that may grow to 4 GiB (emcc always declares a maximum);
/// `__heap_base` exported for the layout check. rustc links a cdylib for this target as a side
/// module: `-sSIDE_MODULE=0` (emcc's last setting wins) makes it a module of its own. The heap's
/// `sbrk` (guests/emscripten/fresh_pages_sbrk.c) is added by the builder.
fn emcc_args(layout: Layout, role: Role) -> Vec<String> {
    let mut args: Vec<String> = [
        "-sSIDE_MODULE=0",
        "-sSTANDALONE_WASM",
        "--no-entry",
        "-sTOTAL_STACK=1048576",
        "-sALLOW_MEMORY_GROWTH=1",
        "-sMAXIMUM_MEMORY=4294967296",
        "-Wl,--export=__heap_base",
    ]
    .map(String::from)
    .to_vec();
    let stack_first = ["-Wl,--stack-first".to_owned(), "-sINITIAL_MEMORY=2097152".to_owned()];
    match (layout, role) {
        (Layout::Own | Layout::Component, _) => args.extend(stack_first),
        (Layout::Shared, Role::Producer) => {
            args.push("-sIMPORTED_MEMORY".into());
            args.extend(stack_first);
        }
        (Layout::Shared, Role::Consumer) => args.extend([
            "-sIMPORTED_MEMORY".to_owned(),
            format!("-sGLOBAL_BASE={SHARED_CONSUMER_BASE}"),
            format!("-sINITIAL_MEMORY={}", 2 * SHARED_CONSUMER_BASE),
        ]),
    }
    args
}

/// The cargo profile (in the workspace Cargo.toml) a `profile` value builds with, for the guests
/// and for their native twin.
pub fn cargo_profile(profile: Profile) -> &'static str {
    match profile {
        Profile::Release | Profile::WasmOpt => "guest-release",
        Profile::Size => "guest-size",
        Profile::S => "guest-s",
        Profile::Nolto => "guest-nolto",
        Profile::Unwind => "guest-unwind",
    }
}

/// binaryen's optimisation of each `.wasm` a `profile` value asks for after cargo, if any.
fn wasm_opt_passes(profile: Profile) -> &'static [&'static str] {
    match profile {
        Profile::WasmOpt => &["-O3"],
        Profile::Release | Profile::Size | Profile::S | Profile::Nolto | Profile::Unwind => &[],
    }
}

/// The cargo feature that selects an `allocator` value (guests/proto/src/allocator.rs), if any.
pub fn allocator_feature(allocator: Allocator) -> Option<&'static str> {
    match allocator {
        Allocator::Default => None,
        Allocator::WeeAlloc => Some("wasmatrix-proto/wee_alloc"),
        Allocator::Talc => Some("wasmatrix-proto/talc"),
    }
}

/// The wasm features Rust 1.95 enables by default for the wasm32 targets, which binaryen must be
/// told (the stripped guests carry no `target_features` section).
const WASM_FEATURES: [&str; 7] = [
    "--enable-bulk-memory",
    "--enable-bulk-memory-opt",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-multivalue",
    "--enable-reference-types",
];

/// Everything that makes one pair of guest binaries differ from another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GuestBuild {
    pub profile: Profile,
    pub allocator: Allocator,
    pub environment: Environment,
    pub logging: Logging,
    pub layout: Layout,
    pub codec: Codec,
    /// The producer's call pattern: `import` builds it with the feature `call-import` (a
    /// component exports both patterns: always `host` there).
    pub call: Call,
}

impl GuestBuild {
    /// The build a cell runs; `None` for the native engine, which runs no wasm.
    pub fn of(cell: &Cell) -> Option<GuestBuild> {
        let layout = Layout::of(cell.transport);
        (cell.engine != Engine::Native).then_some(GuestBuild {
            profile: cell.profile,
            allocator: cell.allocator,
            environment: cell.environment,
            logging: cell.logging,
            layout,
            codec: cell.codec,
            call: if layout == Layout::Component { Call::Host } else { cell.call },
        })
    }

    /// `<profile>/<allocator>/<environment>/logging-<off|on>/<layout>/<codec>`, then `call-import`
    /// for the `import` call pattern: the build's folder under a guest directory.
    pub fn relative_dir(&self) -> PathBuf {
        let logging = format!("logging-{}", self.logging.name());
        let mut dir: PathBuf = [
            self.profile.name(),
            self.allocator.name(),
            self.environment.name(),
            &logging,
            self.layout.name(),
            Axis::name(self.codec),
        ]
        .iter()
        .collect();
        if self.call == Call::Import {
            dir.push("call-import");
        }
        dir
    }

    /// The Rust target the guests are built for.
    pub fn target(&self) -> &'static str {
        guest_target(self.environment)
    }

    pub fn files_in(&self, guest_dir: &Path) -> GuestFiles {
        let dir = guest_dir.join(self.relative_dir());
        GuestFiles {
            producer: dir.join("producer.wasm"),
            consumer: dir.join("consumer.wasm"),
            composed: (self.layout == Layout::Component).then(|| dir.join("composed.wasm")),
        }
    }
}

/// Builds guests with cargo into `<root>/target/wasmatrix/guests`; the workers' cargo builds
/// ([`crate::workers`]) share its target directory and lock.
pub struct Builder {
    root: PathBuf,
    sources: String,
}

impl Builder {
    pub fn new(root: &Path) -> Result<Builder> {
        Ok(Builder { root: root.to_owned(), sources: fingerprint_sources(root)? })
    }

    /// A hash of every input of a guest build (see [`fingerprint_sources`]).
    pub fn sources(&self) -> &str {
        &self.sources
    }

    pub fn guest_dir(&self) -> PathBuf {
        self.root.join("target/wasmatrix/guests")
    }

    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    pub(crate) fn target_dir(&self) -> PathBuf {
        self.root.join("target/wasmatrix/cargo")
    }

    /// Holds every other runner's guest builds off until dropped: builds of different variants
    /// share cargo's output paths between the build and the copy.
    pub(crate) fn lock(&self) -> Result<std::fs::File> {
        let dir = self.guest_dir();
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let path = self.guest_dir().join(".lock");
        let lock = std::fs::File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        lock.lock().with_context(|| format!("cannot lock {}", path.display()))?;
        Ok(lock)
    }

    pub(crate) fn cargo(&self) -> Command {
        let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cargo.current_dir(&self.root);
        cargo
    }

    /// The guests of `build`, built now unless an identical build is cached.
    pub fn ensure(&self, build: GuestBuild) -> Result<GuestFiles> {
        let files = build.files_in(&self.guest_dir());
        let dir = files.producer.parent().expect("guest files live in a folder").to_owned();
        let stamp = dir.join("fingerprint");
        // What is given to the linker is part of the build, as the sources are.
        let link =
            [Role::Producer, Role::Consumer].map(|role| build.layout.link_args(role, build.environment).join(" "));
        let want = format!("{}\n{build:?}\n{link:?}\n", self.sources);
        let _lock = self.lock()?;
        let fresh = std::fs::read_to_string(&stamp).is_ok_and(|have| have == want)
            && files.producer.exists()
            && files.consumer.exists();
        if fresh {
            return Ok(files);
        }
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        for (role, dest) in [(Role::Producer, &files.producer), (Role::Consumer, &files.consumer)] {
            self.cargo_build(build, role, dest)?;
        }
        if let Some(composed) = &files.composed {
            self.compose(&files.producer, &files.consumer, composed)?;
        }
        std::fs::write(&stamp, want).with_context(|| format!("cannot write {}", stamp.display()))?;
        Ok(files)
    }

    fn cargo_build(&self, build: GuestBuild, role: Role, dest: &Path) -> Result<()> {
        let target = build.target();
        let profile = cargo_profile(build.profile);
        let target_dir = self.target_dir();
        let package = format!("wasmatrix-{}", role.name());
        let mut cargo = self.cargo();
        cargo.env(CODEC_ENV, Axis::name(build.codec)).args([
            "rustc",
            "--quiet",
            "--locked",
            "-p",
            &package,
            "--crate-type",
            "cdylib",
        ]);
        if role == Role::Consumer && build.logging == Logging::On {
            cargo.args(["--features", "logging"]);
        }
        if build.layout == Layout::Component {
            cargo.args(["--features", "component"]);
        }
        let imports_deliver = role == Role::Producer && build.call == Call::Import;
        if imports_deliver {
            cargo.args(["--features", "call-import"]);
        }
        if let Some(feature) = allocator_feature(build.allocator) {
            cargo.args(["--features", feature]);
        }
        cargo.args(["--target", target, "--profile", profile]).arg("--target-dir").arg(&target_dir).arg("--");
        cargo.args(build.layout.link_args(role, build.environment));
        let emscripten = build.environment == Environment::Emscripten;
        if emscripten {
            // Static code as on the other targets (this one defaults to PIC), and the heap's sbrk.
            cargo.args(["-C", "relocation-model=static", "-C"]);
            cargo.arg(format!("link-arg={}", self.emscripten_sbrk()?.display()));
            if imports_deliver {
                // `env.deliver` is the host's: emcc would refuse it as an undefined symbol.
                cargo.args(["-C", "link-arg=-sERROR_ON_UNDEFINED_SYMBOLS=0"]);
            }
            cargo.env("NODE_PATH", emcc_node_path());
        }
        let output = cargo.output().context("cannot run cargo to build the guests")?;
        if !output.status.success() {
            bail!(
                "building the {} guest ({}) failed:\n{}",
                role.name(),
                build.relative_dir().display(),
                String::from_utf8_lossy(&output.stderr).trim_end()
            );
        }
        let built = target_dir.join(target).join(profile).join(format!("wasmatrix_{}.wasm", role.name()));
        let mut passes: Vec<&str> = wasm_opt_passes(build.profile).to_vec();
        if emscripten {
            passes.push("--strip-eh");
        }
        write_whole(dest, |partial| {
            if passes.is_empty() {
                std::fs::copy(&built, partial)
                    .with_context(|| format!("cannot copy {} to {}", built.display(), partial.display()))
                    .map(drop)
            } else {
                self.wasm_opt(&passes, &built, partial)
            }?;
            if build.layout == Layout::Component {
                self.encode_component(role, partial)?;
            }
            Ok(())
        })
    }

    /// Turns the core module at `path` into the component of `role`'s WIT world, in place.
    fn encode_component(&self, role: Role, path: &Path) -> Result<()> {
        let core = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let component = crate::component::encode(&core, &crate::component::wit_dir(&self.root), role.name())
            .with_context(|| format!("cannot make the {} component from {}", role.name(), path.display()))?;
        std::fs::write(path, component).with_context(|| format!("cannot write {}", path.display()))
    }

    /// Plugs the consumer component into the producer's `deliver` import: `dest`.
    fn compose(&self, producer: &Path, consumer: &Path, dest: &Path) -> Result<()> {
        let read = |path: &Path| std::fs::read(path).with_context(|| format!("cannot read {}", path.display()));
        let composed = crate::component::compose(&read(producer)?, &read(consumer)?)
            .with_context(|| format!("cannot compose {} with {}", producer.display(), consumer.display()))?;
        write_whole(dest, |partial| {
            std::fs::write(partial, &composed).with_context(|| format!("cannot write {}", partial.display()))
        })
    }
}

/// Makes `dest` through `write` into a temporary file beside it, then renames it into place
/// ([`crate::atomic::Pending`]), so that a concurrent run never reads half a file and a failed
/// build leaves none.
pub(crate) fn write_whole(dest: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let out = crate::atomic::Pending::new(dest)?;
    write(out.path())?;
    out.commit(crate::atomic::Replace::Yes)
}

/// The Rust target the guests are built for in an environment.
pub fn guest_target(environment: Environment) -> &'static str {
    match environment {
        Environment::Bare => "wasm32-unknown-unknown",
        Environment::Wasi => "wasm32-wasip1",
        Environment::Emscripten | Environment::EmscriptenLegacy => "wasm32-unknown-emscripten",
    }
}

/// binaryen's `wasm-opt`, from the npm package the set-up installs (Debian's is too old).
pub fn wasm_opt(root: &Path) -> PathBuf {
    root.join("target/wasmatrix/node/node_modules/binaryen/bin/wasm-opt")
}

/// How to get binaryen's `wasm-opt`, which the `wasm-opt` profile and the `emscripten`
/// environment use.
pub const WASM_OPT_TOOL: &str = "binaryen's wasm-opt comes from the npm package binaryen@132.0.0 in \
target/wasmatrix/node/node_modules/binaryen, run by Node.js: runner/wasmatrix.sh setup installs both (by hand: copy runner/npm/package.json, \
package-lock.json and .npmrc into target/wasmatrix/node and run `npm ci --ignore-scripts` there)";

/// The `NODE_PATH` Debian's emcc needs (its JavaScript optimiser loads acorn from there), unless
/// the caller set one.
pub fn emcc_node_path() -> std::ffi::OsString {
    std::env::var_os("NODE_PATH").unwrap_or_else(|| "/usr/share/nodejs".into())
}

/// How to get what the `emscripten` environment's builds need.
pub const EMSCRIPTEN_TOOLS: &str = "apt-get install emscripten (emcc 3.1.6, and the node that runs wasm-opt) \
and the npm package binaryen@132.0.0 in target/wasmatrix/node/node_modules/binaryen (wasm-opt); \
runner/wasmatrix.sh setup does both";

impl Builder {
    /// guests/emscripten/fresh_pages_sbrk.c compiled by emcc: the guests' heap grows only into
    /// pages it grew itself, as Rust's allocator does on the other targets (emcc's own sbrk would
    /// grow from `__heap_base` into the other guest's data under `shared`).
    fn emscripten_sbrk(&self) -> Result<PathBuf> {
        let source = self.root.join("guests/emscripten/fresh_pages_sbrk.c");
        let object = self.root.join("target/wasmatrix/emscripten/fresh_pages_sbrk.o");
        let dir = object.parent().expect("a folder");
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let output = Command::new("emcc")
            .env("NODE_PATH", emcc_node_path())
            .args(["-O2", "-c"])
            .arg(&source)
            .arg("-o")
            .arg(&object)
            .output()
            .with_context(|| format!("cannot run emcc to compile {}: {EMSCRIPTEN_TOOLS}", source.display()))?;
        if !output.status.success() {
            bail!(
                "emcc could not compile {}:\n{}",
                source.display(),
                String::from_utf8_lossy(&output.stderr).trim_end()
            );
        }
        Ok(object)
    }

    /// Runs binaryen's `wasm-opt` with `passes` on `built`, writing `out`. Under `emscripten` the
    /// passes include `--strip-eh`: it removes the legacy exception instructions Rust's prebuilt
    /// std brings to `wasm32-unknown-emscripten` (Wasmer 7.4 refuses them; panic=abort leaves
    /// `try`/`catch_all` but no `throw`, so nothing can be caught and stripping them changes no
    /// behaviour).
    fn wasm_opt(&self, passes: &[&str], built: &Path, out: &Path) -> Result<()> {
        let wasm_opt = wasm_opt(&self.root);
        if !wasm_opt.exists() {
            bail!("{} is missing: {WASM_OPT_TOOL}", wasm_opt.display());
        }
        let output = Command::new(&wasm_opt)
            .args(WASM_FEATURES)
            .args(passes)
            .arg(built)
            .arg("-o")
            .arg(out)
            .output()
            .with_context(|| format!("cannot run {}: {WASM_OPT_TOOL}", wasm_opt.display()))?;
        if !output.status.success() {
            bail!(
                "wasm-opt {} {} failed:\n{}",
                passes.join(" "),
                built.display(),
                String::from_utf8_lossy(&output.stderr).trim_end()
            );
        }
        Ok(())
    }
}

/// A hash of every input of a guest build: the guest sources, the workspace manifest and lock
/// file, and the compiler version.
fn fingerprint_sources(root: &Path) -> Result<String> {
    fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
        for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
            let path = entry.with_context(|| format!("cannot read {}", dir.display()))?.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "target") {
                    walk(&path, files)?;
                }
            } else {
                files.push(path);
            }
        }
        Ok(())
    }
    let mut files = vec![root.join("Cargo.toml"), root.join("Cargo.lock")];
    walk(&root.join("guests"), &mut files)?;
    files.sort();
    let mut hash = Sha256::new();
    for file in &files {
        hash.update(file.strip_prefix(root).unwrap_or(file).to_string_lossy().as_bytes());
        hash.update(std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?);
    }
    hash.update(crate::meta::RUSTC_VERSION);
    Ok(format!("{:x}", hash.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profile_has_a_cargo_profile_in_the_workspace_manifest() {
        let manifest = include_str!("../../Cargo.toml");
        for profile in Profile::all() {
            let name = cargo_profile(*profile);
            assert!(manifest.contains(&format!("[profile.{name}]")), "{profile}: no [profile.{name}] in Cargo.toml");
        }
        assert_eq!(wasm_opt_passes(Profile::WasmOpt), ["-O3"]);
        assert_eq!(cargo_profile(Profile::WasmOpt), cargo_profile(Profile::Release), "wasm-opt starts from release");
    }

    #[test]
    fn a_missing_wasm_opt_says_how_to_install_it() {
        let root = tempfile::tempdir().unwrap();
        let builder = Builder { root: root.path().to_owned(), sources: String::new() };
        let built = root.path().join("in.wasm");
        std::fs::write(&built, b"\0asm\x01\0\0\0").unwrap();
        let err = format!("{:#}", builder.wasm_opt(&["-O3"], &built, &root.path().join("out.wasm")).unwrap_err());
        assert!(err.contains("wasm-opt is missing") && err.contains("binaryen@132.0.0"), "{err}");
        assert!(err.contains("runner/wasmatrix.sh setup"), "{err}");
    }
}
