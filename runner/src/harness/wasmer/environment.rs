//! What the guests may import, per value of the `environment` axis.

use crate::matrix::axes::Environment;
use wasmer::{imports, Imports, Memory};

/// The imports both guests are instantiated with. `memory` is the host-created memory of the
/// `shared` transport, imported as `env.memory`.
pub fn imports(environment: Environment, memory: Option<&Memory>) -> Imports {
    match environment {
        Environment::Bare => match memory {
            Some(memory) => imports! { "env" => { "memory" => memory.clone() } },
            None => imports! {},
        },
    }
}

/// The Rust target the guests are built for in this environment.
pub fn guest_target(environment: Environment) -> &'static str {
    match environment {
        Environment::Bare => "wasm32-unknown-unknown",
    }
}
