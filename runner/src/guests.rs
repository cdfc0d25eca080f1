//! Building the guest `.wasm` files a matrix needs: one build per (profile, environment, logging,
//! memory layout, codec), each cached under `target/wasmatrix/guests/` with a fingerprint of everything
//! that went into it, so a run builds only what changed.

use crate::matrix::axes::{Axis, Codec, Engine, Environment, Logging, Profile, Transport};
use crate::matrix::Cell;
use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;
pub use wasmatrix_core::guests::{GuestFiles, Output};
use wasmatrix_proto::guest_build::CODEC_ENV;

/// Where the consumer's data and stack start in the shared memory. The producer keeps the
/// linker's default, stack first: stack in [0, 1 MiB), then its data; the consumer's data starts
/// here, followed by its stack. Both heaps grow the memory at its end.
pub const SHARED_CONSUMER_BASE: u32 = 2 << 20;

/// How a guest's linear memory is set up, which the transport dictates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layout {
    /// The guest defines and exports its own memory.
    Own,
    /// The guest imports `env.memory`, laid out to share it with the other guest.
    Shared,
}

impl Layout {
    pub fn of(transport: Transport) -> Layout {
        match transport {
            Transport::Copy => Layout::Own,
            Transport::Shared => Layout::Shared,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Layout::Own => "own-memory",
            Layout::Shared => "shared-memory",
        }
    }

    fn link_args(self, role: Role, environment: Environment) -> Vec<String> {
        let mut args: Vec<String> = match (self, role) {
            (Layout::Own, _) => vec![],
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
                // WASI finds a guest's memory among its exports, even an imported one.
                args.push("--export-memory".into());
            }
        }
        args.into_iter().flat_map(|a| ["-C".to_owned(), format!("link-arg={a}")]).collect()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Producer,
    Consumer,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Producer => "producer",
            Role::Consumer => "consumer",
        }
    }
}

/// Everything that makes one pair of guest binaries differ from another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GuestBuild {
    pub profile: Profile,
    pub environment: Environment,
    pub logging: Logging,
    pub layout: Layout,
    pub codec: Codec,
}

impl GuestBuild {
    /// The build a cell runs; `None` for the native engine, which runs no wasm.
    pub fn of(cell: &Cell) -> Option<GuestBuild> {
        (cell.engine != Engine::Native).then_some(GuestBuild {
            profile: cell.profile,
            environment: cell.environment,
            logging: cell.logging,
            layout: Layout::of(cell.transport),
            codec: cell.codec,
        })
    }

    /// `<profile>/<environment>/logging-<off|on>/<layout>/<codec>`: the build's folder under a
    /// guest directory.
    pub fn relative_dir(&self) -> PathBuf {
        let logging = format!("logging-{}", self.logging.name());
        [self.profile.name(), self.environment.name(), &logging, self.layout.name(), Axis::name(self.codec)]
            .iter()
            .collect()
    }

    /// The Rust target the guests are built for.
    pub fn target(&self) -> &'static str {
        guest_target(self.environment)
    }

    pub fn files_in(&self, guest_dir: &Path) -> GuestFiles {
        let dir = guest_dir.join(self.relative_dir());
        GuestFiles { producer: dir.join("producer.wasm"), consumer: dir.join("consumer.wasm") }
    }
}

/// Builds guests with cargo into `<root>/target/wasmatrix/guests`.
pub struct Builder {
    root: PathBuf,
    sources: String,
}

impl Builder {
    pub fn new(root: &Path) -> Result<Builder> {
        Ok(Builder { root: root.to_owned(), sources: fingerprint_sources(root)? })
    }

    pub fn guest_dir(&self) -> PathBuf {
        self.root.join("target/wasmatrix/guests")
    }

    fn target_dir(&self) -> PathBuf {
        self.root.join("target/wasmatrix/cargo")
    }

    /// Holds every other runner's guest builds off until dropped: builds of different variants
    /// share cargo's output paths between the build and the copy.
    fn lock(&self) -> Result<std::fs::File> {
        std::fs::create_dir_all(self.guest_dir())?;
        let path = self.guest_dir().join(".lock");
        let lock = std::fs::File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        lock.lock().with_context(|| format!("cannot lock {}", path.display()))?;
        Ok(lock)
    }

    fn cargo(&self) -> Command {
        let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cargo.current_dir(&self.root);
        cargo
    }

    /// The native twin's worker (runner/native), built with the same cargo profile as the wasm
    /// guests so that both get the same optimisation settings. Cargo decides what is stale.
    pub fn native_worker(&self, profile: Profile) -> Result<PathBuf> {
        let _lock = self.lock()?;
        let profile = format!("guest-{}", profile.name());
        // Symbols kept (stripping changes no code): callgrind finds the counted regions by name.
        let keep_symbols = format!("CARGO_PROFILE_{}_STRIP", profile.to_uppercase().replace('-', "_"));
        let output = self
            .cargo()
            .env(keep_symbols, "none")
            .args(["build", "--quiet", "--locked", "-p", "wasmatrix-native", "--profile", &profile])
            .arg("--target-dir")
            .arg(self.target_dir())
            .output()
            .context("cannot run cargo to build the native worker")?;
        if !output.status.success() {
            bail!(
                "building the native worker ({profile}) failed:\n{}",
                String::from_utf8_lossy(&output.stderr).trim_end()
            );
        }
        Ok(self.target_dir().join(profile).join("wasmatrix-native"))
    }

    /// The guests of `build`, built now unless an identical build is cached.
    pub fn ensure(&self, build: GuestBuild) -> Result<GuestFiles> {
        let files = build.files_in(&self.guest_dir());
        let dir = files.producer.parent().expect("guest files live in a folder").to_owned();
        let stamp = dir.join("fingerprint");
        let want = format!("{}\n{build:?}\n", self.sources);
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
        std::fs::write(&stamp, want)?;
        Ok(files)
    }

    fn cargo_build(&self, build: GuestBuild, role: Role, dest: &Path) -> Result<()> {
        let target = build.target();
        let profile = format!("guest-{}", build.profile.name());
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
        let output = cargo
            .args(["--target", target, "--profile", &profile])
            .arg("--target-dir")
            .arg(&target_dir)
            .arg("--")
            .args(build.layout.link_args(role, build.environment))
            .output()
            .context("cannot run cargo to build the guests")?;
        if !output.status.success() {
            bail!(
                "building the {} guest ({}) failed:\n{}",
                role.name(),
                build.relative_dir().display(),
                String::from_utf8_lossy(&output.stderr).trim_end()
            );
        }
        let built = target_dir.join(target).join(&profile).join(format!("wasmatrix_{}.wasm", role.name()));
        // Copy then rename, so that a concurrent run never reads half a file.
        let partial = dest.with_extension("wasm.partial");
        std::fs::copy(&built, &partial)
            .with_context(|| format!("cannot copy {} to {}", built.display(), partial.display()))?;
        std::fs::rename(&partial, dest)
            .with_context(|| format!("cannot move {} to {}", partial.display(), dest.display()))?;
        Ok(())
    }
}

/// The Rust target the guests are built for in an environment.
pub fn guest_target(environment: Environment) -> &'static str {
    match environment {
        Environment::Bare => "wasm32-unknown-unknown",
        Environment::Wasi => "wasm32-wasip1",
    }
}

/// A hash of every input of a guest build: the guest sources, the workspace manifest and lock
/// file, and the compiler version.
fn fingerprint_sources(root: &Path) -> Result<String> {
    fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
        for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
            let path = entry?.path();
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
