//! Building the guest `.wasm` files a matrix needs: one build per (profile, allocator, environment,
//! logging, memory layout, codec), each cached under `target/wasmatrix/guests/` with a fingerprint of everything
//! that went into it, so a run builds only what changed. layout.rs says what the guests are linked
//! with, tools.rs runs the tools beside cargo (wasm-opt, emcc).

use crate::matrix::axes::{Allocator, Axis, Call, Codec, Engine, Environment, Logging, Modules, Profile, Records};
use crate::matrix::Cell;
use anyhow::{bail, ensure, Context, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;
pub use wasmatrix_core::guests::{GuestFiles, Output};
use wasmatrix_proto::guest_build::{CODEC_ENV, RECORDS_ENV};

pub use wasmatrix_core::abi::{Role, SHARED_CONSUMER_BASE};

mod layout;
mod tools;

pub use layout::{guest_target, Layout};
pub use tools::{emcc_node_path, wasm_opt, EMSCRIPTEN_TOOLS};
use tools::{emscripten_sbrk, run_wasm_bindgen, run_wasm_merge, run_wasm_opt};

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
    /// The records a message carries (`WASMATRIX_RECORDS`).
    pub records: Records,
    /// The modules of the chain: more than two adds relays (guests/consumer, feature `relay`).
    pub modules: Modules,
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
            records: cell.records,
            modules: cell.modules,
        })
    }

    /// `<profile>/<allocator>/<environment>/logging-<off|on>/<layout>/<codec>`, then `records-<k>`
    /// for messages of more than one record, `modules-<n>` for a chain of more than two, then `call-import` for the `import` call pattern: the
    /// build's folder under a guest directory.
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
        if self.records != Records::One {
            dir.push(format!("records-{}", self.records.name()));
        }
        if self.modules != Modules::Two {
            dir.push(format!("modules-{}", self.modules.name()));
        }
        if self.call == Call::Import {
            dir.push("call-import");
        }
        dir
    }

    /// The Rust target the guests are built for.
    pub fn target(&self) -> &'static str {
        guest_target(self.environment)
    }

    /// Relay `j`'s module (from 1): under `shared` one per place in the memory, otherwise one for
    /// every relay.
    fn relay_file(&self, j: usize) -> String {
        match self.layout {
            Layout::Shared => format!("relay-{j}.wasm"),
            Layout::Own | Layout::Component | Layout::Bindgen | Layout::Merged => "relay.wasm".into(),
        }
    }

    pub fn files_in(&self, guest_dir: &Path) -> GuestFiles {
        let dir = guest_dir.join(self.relative_dir());
        GuestFiles {
            producer: dir.join("producer.wasm"),
            consumer: dir.join("consumer.wasm"),
            composed: (self.layout == Layout::Component).then(|| dir.join("composed.wasm")),
            merged: (self.layout == Layout::Merged).then(|| dir.join("merged.wasm")),
            relays: (1..=self.modules.relays()).map(|j| dir.join(self.relay_file(j))).collect(),
        }
    }
}

/// The features of wasmatrix-proto that add codecs this runner was built with: none, unless it was
/// built for the test of the codec seam (`runner-test-codec`, built with the feature `test-codec`,
/// which adds wasmatrix-proto's test-only codec `probe`: runner/test_codec.sh). This is the one
/// place where such a runner acts differently: every guest and worker it builds gets the same
/// features ([`Builder::cargo`]), as each must know the codecs the runner's axis lists (a guest is
/// built for its codec by name, a worker reads its cell's codec from its job); and it keeps the
/// guests and native workers it builds in a folder of their own, `target/wasmatrix/<features>/`
/// ([`Builder::new`]), never a plain runner's. Its cargo builds share `target/wasmatrix/cargo` and
/// its lock with a plain runner's: cargo keeps each feature set's artifacts apart, so only the
/// crates above wasmatrix-proto build again (but the Wasmer, Wasmtime and wasmi workers run from
/// where cargo leaves them: a runner with the features and one without must not run at once).
const CODEC_FEATURES: &[&str] = wasmatrix_proto::guest_build::CODEC_FEATURES;

/// The crate a cargo build reaches wasmatrix-proto through, to give it [`CODEC_FEATURES`]: the
/// guests depend on it directly, the workers through wasmatrix-core (which has the same features).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ProtoThrough {
    Proto,
    Core,
}

/// Builds guests with cargo into its guest folder (`<root>/target/wasmatrix/guests`, see
/// [`CODEC_FEATURES`]); the workers' cargo builds ([`crate::workers`]) share its target directory
/// and lock.
pub struct Builder {
    root: PathBuf,
    /// Where the guests and the native workers go: `<root>/target/wasmatrix`, or a folder in it
    /// named after [`CODEC_FEATURES`] when there are any.
    builds: PathBuf,
    sources: String,
}

impl Builder {
    pub fn new(root: &Path) -> Result<Builder> {
        let mut builds = root.join("target/wasmatrix");
        if !CODEC_FEATURES.is_empty() {
            builds.push(CODEC_FEATURES.join("+"));
        }
        Ok(Builder { root: root.to_owned(), builds, sources: fingerprint_sources(root)? })
    }

    /// A hash of every input of a guest build (see [`fingerprint_sources`]).
    pub fn sources(&self) -> &str {
        &self.sources
    }

    pub fn guest_dir(&self) -> PathBuf {
        self.builds.join("guests")
    }

    /// Where the native workers are kept, one folder per (profile, allocator).
    pub(crate) fn native_dir(&self) -> PathBuf {
        self.builds.join("native")
    }

    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    pub(crate) fn target_dir(&self) -> PathBuf {
        self.root.join("target/wasmatrix/cargo")
    }

    /// Holds every other runner's guest builds off until dropped: builds of different variants
    /// share cargo's output paths between the build and the copy. The one lock of the checkout's
    /// target directory, in a plain runner's guest folder whatever [`CODEC_FEATURES`] are.
    pub(crate) fn lock(&self) -> Result<std::fs::File> {
        let dir = self.root.join("target/wasmatrix/guests");
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let path = dir.join(".lock");
        let lock = std::fs::File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        lock.lock().with_context(|| format!("cannot lock {}", path.display()))?;
        Ok(lock)
    }

    /// `cargo <subcommand> --quiet --locked` in the checkout, with [`CODEC_FEATURES`] given to
    /// wasmatrix-proto `through` the crate the build depends on it by.
    pub(crate) fn cargo(&self, subcommand: &str, through: ProtoThrough) -> Command {
        let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cargo.current_dir(&self.root).args([subcommand, "--quiet", "--locked"]);
        let through = match through {
            ProtoThrough::Proto => "wasmatrix-proto",
            ProtoThrough::Core => "wasmatrix-core",
        };
        for feature in CODEC_FEATURES {
            cargo.arg("--features").arg(format!("{through}/{feature}"));
        }
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
        let glue_made = build.layout != Layout::Bindgen
            || [&files.producer, &files.consumer].iter().all(|f| f.with_extension("js").exists());
        let fresh = std::fs::read_to_string(&stamp).is_ok_and(|have| have == want)
            && files.producer.exists()
            && files.consumer.exists()
            && glue_made
            && files.composed.as_ref().is_none_or(|c| c.exists())
            && files.merged.as_ref().is_none_or(|m| m.exists())
            && files.relays.iter().all(|r| r.exists());
        if fresh {
            return Ok(files);
        }
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        for (role, dest) in [(Role::Producer, &files.producer), (Role::Consumer, &files.consumer)] {
            self.cargo_build(build, Built::Guest(role), dest)?;
        }
        let (relays, _) = files.relay_modules();
        for (j, dest) in relays.into_iter().enumerate() {
            self.cargo_build(build, Built::Relay(j + 1), dest)?;
        }
        if let Some(composed) = &files.composed {
            self.compose(&files, composed)?;
        }
        if let Some(merged) = &files.merged {
            self.merge(&files, merged)?;
        }
        std::fs::write(&stamp, want).with_context(|| format!("cannot write {}", stamp.display()))?;
        Ok(files)
    }

    fn cargo_build(&self, build: GuestBuild, built: Built, dest: &Path) -> Result<()> {
        let role = match built {
            Built::Guest(role) => role,
            Built::Relay(_) => Role::Consumer,
        };
        let target = build.target();
        let profile = cargo_profile(build.profile);
        let target_dir = self.target_dir();
        let package = format!("wasmatrix-{}", role.name());
        let mut cargo = self.cargo("rustc", ProtoThrough::Proto);
        cargo.env(CODEC_ENV, Axis::name(build.codec)).env(RECORDS_ENV, build.records.name());
        cargo.args(["-p", &package, "--crate-type", "cdylib"]);
        if role == Role::Consumer && build.logging == Logging::On {
            cargo.args(["--features", "logging"]);
        }
        match build.layout {
            Layout::Component => drop(cargo.args(["--features", "component"])),
            Layout::Bindgen => drop(cargo.args(["--features", "bindgen"])),
            Layout::Own | Layout::Shared | Layout::Merged => {}
        }
        let imports_deliver = role == Role::Producer && build.call == Call::Import;
        if imports_deliver {
            cargo.args(["--features", "call-import"]);
        }
        if let Some(feature) = allocator_feature(build.allocator) {
            cargo.args(["--features", feature]);
        }
        if let Built::Relay(_) = built {
            cargo.args(["--features", "relay"]);
        }
        cargo.args(["--target", target, "--profile", profile]).arg("--target-dir").arg(&target_dir).arg("--");
        cargo.args(match built {
            Built::Guest(role) => build.layout.link_args(role, build.environment),
            Built::Relay(j) => build.layout.relay_link_args(j),
        });
        let emscripten = build.environment == Environment::Emscripten;
        if emscripten {
            // Static code as on the other targets (this one defaults to PIC), and the heap's sbrk.
            cargo.args(["-C", "relocation-model=static", "-C"]);
            cargo.arg(format!("link-arg={}", emscripten_sbrk(&self.root)?.display()));
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
                built,
                build.relative_dir().display(),
                String::from_utf8_lossy(&output.stderr).trim_end()
            );
        }
        let mut cargo_out = target_dir.join(target).join(profile).join(format!("wasmatrix_{}.wasm", role.name()));
        // wasm-bindgen's glue, written before any wasm-opt pass as wasm-pack orders them: the
        // module it leaves takes the place of cargo's.
        if build.layout == Layout::Bindgen {
            // The folder keeps cargo's module too, which the glue was made from (what a check of
            // the glue against another --target reads: runner/tests/chromium.rs).
            let glue_dir = dest.with_extension("bindgen");
            std::fs::create_dir_all(&glue_dir).with_context(|| format!("cannot create {}", glue_dir.display()))?;
            let input = glue_dir.join("cargo.wasm");
            std::fs::copy(&cargo_out, &input).with_context(|| format!("cannot copy {}", cargo_out.display()))?;
            cargo_out = run_wasm_bindgen(&self.root, role.name(), &input, &glue_dir)?;
            write_whole(&dest.with_extension("js"), |partial| {
                let made = glue_dir.join(format!("{}.js", role.name()));
                std::fs::copy(&made, partial)
                    .with_context(|| format!("cannot copy {} to {}", made.display(), partial.display()))
                    .map(drop)
            })?;
        }
        let mut passes: Vec<&str> = wasm_opt_passes(build.profile).to_vec();
        if emscripten {
            passes.push("--strip-eh");
        }
        write_whole(dest, |partial| {
            if passes.is_empty() {
                std::fs::copy(&cargo_out, partial)
                    .with_context(|| format!("cannot copy {} to {}", cargo_out.display(), partial.display()))
                    .map(drop)
            } else {
                run_wasm_opt(&self.root, &passes, &cargo_out, partial)
            }?;
            if build.layout == Layout::Component {
                let world = match built {
                    Built::Guest(role) => role.name(),
                    Built::Relay(_) => crate::component::RELAY_WORLD,
                };
                self.encode_component(world, partial)?;
            }
            Ok(())
        })
    }

    /// Turns the core module at `path` into the component of the WIT world `world` (a guest's
    /// role, or a relay's world), in place.
    fn encode_component(&self, world: &str, path: &Path) -> Result<()> {
        let core = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let component = crate::component::encode(&core, &crate::component::wit_dir(&self.root), world)
            .with_context(|| format!("cannot make the {world} component from {}", path.display()))?;
        std::fs::write(path, component).with_context(|| format!("cannot write {}", path.display()))
    }

    /// Plugs the consumer component into the producer's `deliver` import, or a chain's relays
    /// between them (each relay an instance of the one relay component): `dest`.
    fn compose(&self, files: &GuestFiles, dest: &Path) -> Result<()> {
        let read = |path: &Path| std::fs::read(path).with_context(|| format!("cannot read {}", path.display()));
        let (producer, consumer) = (&files.producer, &files.consumer);
        let composed = match files.relay_modules().0.as_slice() {
            [] => crate::component::compose(&read(producer)?, &read(consumer)?),
            [relay] => {
                crate::component::compose_chain(&read(producer)?, &read(relay)?, files.relays.len(), &read(consumer)?)
            }
            more => bail!("a chain of components is composed from one relay component, not {}", more.len()),
        }
        .with_context(|| format!("cannot compose {} with {}", producer.display(), consumer.display()))?;
        write_whole(dest, |partial| {
            std::fs::write(partial, &composed).with_context(|| format!("cannot write {}", partial.display()))
        })
    }

    /// Merges the producer, a chain's relays (each its own instance of its module, named
    /// `relay<j>`) and the consumer, each with its own memory, and the adapter for that many relays
    /// into `dest` with binaryen's `wasm-merge`, and checks the result ([`crate::merged_pair`]): a
    /// memory for every module of the chain.
    fn merge(&self, files: &GuestFiles, dest: &Path) -> Result<()> {
        let adapter = dest.with_file_name("adapter.wasm");
        let relays = files.relays.len();
        let assembled = crate::merged_pair::adapter(&self.root, relays)?;
        std::fs::write(&adapter, assembled).with_context(|| format!("cannot write {}", adapter.display()))?;
        let names: Vec<String> = (1..=relays).map(|j| format!("relay{j}")).collect();
        let mut inputs = vec![(files.producer.as_path(), "producer")];
        inputs.extend(files.relays.iter().map(PathBuf::as_path).zip(names.iter().map(String::as_str)));
        inputs.extend([(files.consumer.as_path(), "consumer"), (adapter.as_path(), "env")]);
        write_whole(dest, |partial| {
            run_wasm_merge(&self.root, &inputs, partial)?;
            let merged = std::fs::read(partial).with_context(|| format!("cannot read {}", partial.display()))?;
            let isolation = crate::merged_pair::check(&merged)
                .with_context(|| format!("wasm-merge's output for {} is not a sound merged module", dest.display()))?;
            ensure!(
                isolation.relay_functions.len() == relays,
                "wasm-merge's output for {} holds {} relays, not {relays}",
                dest.display(),
                isolation.relay_functions.len()
            );
            Ok(())
        })
    }
}

/// What one cargo build of a guest makes: a guest of the pair, or relay `j` (from 1) of a chain,
/// the consumer's crate with the feature `relay`.
#[derive(Clone, Copy, Debug)]
enum Built {
    Guest(Role),
    Relay(usize),
}

impl std::fmt::Display for Built {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Built::Guest(role) => f.write_str(role.name()),
            Built::Relay(j) => write!(f, "relay {j}"),
        }
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
        let manifest = include_str!("../../../Cargo.toml");
        for profile in Profile::all() {
            let name = cargo_profile(*profile);
            assert!(manifest.contains(&format!("[profile.{name}]")), "{profile}: no [profile.{name}] in Cargo.toml");
        }
        assert_eq!(wasm_opt_passes(Profile::WasmOpt), ["-O3"]);
        assert_eq!(cargo_profile(Profile::WasmOpt), cargo_profile(Profile::Release), "wasm-opt starts from release");
    }

    /// A plain runner builds as it always did; one with codec features (runner-test-codec) gives
    /// them to every build and keeps its guests and native workers apart.
    #[test]
    fn codec_features_reach_every_build_and_keep_its_builds_apart() {
        let root = crate::workspace_root();
        let builder = Builder::new(&root).unwrap();
        let args = |through| -> Vec<String> {
            let cargo = builder.cargo("build", through);
            cargo.get_args().map(|a| a.to_string_lossy().into_owned()).collect()
        };
        let (guests, native) = (builder.guest_dir(), builder.native_dir());
        if CODEC_FEATURES.is_empty() {
            assert_eq!(args(ProtoThrough::Core), ["build", "--quiet", "--locked"]);
            assert_eq!(args(ProtoThrough::Proto), ["build", "--quiet", "--locked"]);
            assert_eq!((guests, native), (root.join("target/wasmatrix/guests"), root.join("target/wasmatrix/native")));
        } else {
            assert_eq!(args(ProtoThrough::Core)[3..], ["--features", "wasmatrix-core/test-codec"]);
            assert_eq!(args(ProtoThrough::Proto)[3..], ["--features", "wasmatrix-proto/test-codec"]);
            assert_eq!(guests, root.join("target/wasmatrix/test-codec/guests"));
            assert_eq!(native, root.join("target/wasmatrix/test-codec/native"));
        }
        assert_eq!(builder.target_dir(), root.join("target/wasmatrix/cargo"), "one cargo target directory");
    }
}
