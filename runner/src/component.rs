//! The guests as components (the `component` and `composed` transports): a guest's core module
//! (built with its `component` feature) becomes a component of its world in guests/wit
//! ([`encode`]), and the producer and consumer components (and a chain's relays between them) are
//! plugged together ahead of time into one component that imports nothing ([`compose`],
//! [`compose_chain`]).
//!
//! The world is always embedded afresh from the WIT files: the `component-type` section that
//! wit-bindgen writes into the module (which the guests' `strip = true` profiles happen to keep)
//! is removed first, so the component's type is the WIT package's whatever the build left.

use anyhow::{bail, Context, Result};
use std::path::Path;
use wac_graph::types::Package;
use wac_graph::{CompositionGraph, EncodeOptions};
use wit_component::{ComponentEncoder, StringEncoding};
use wit_parser::Resolve;

/// The WIT package (guests/wit).
pub const PACKAGE: &str = "wasmatrix:pair@0.1.0";
/// The producer's world.
pub const PRODUCER_WORLD: &str = "producer";
/// The consumer's world.
pub const CONSUMER_WORLD: &str = "consumer";
/// A relay's world (a chain of components): it imports and exports [`DELIVER`].
pub const RELAY_WORLD: &str = "relay";
/// The composed pair's world: what [`compose`]'s result exports.
pub const PAIR_WORLD: &str = "pair";
/// How a request reaches the consumer: the consumer's export, the producer's import.
pub const DELIVER: &str = "wasmatrix:pair/deliver@0.1.0";
/// What the host calls in the producer.
pub const PRODUCER_API: &str = "wasmatrix:pair/producer-api@0.1.0";
/// What the host measures in the consumer besides the round trip.
pub const CONSUMER_BENCH: &str = "wasmatrix:pair/consumer-bench@0.1.0";
/// What the host reads of a relay besides the messages it forwards.
pub const RELAY_BENCH: &str = "wasmatrix:pair/relay-bench@0.1.0";
/// The record and reply types.
pub const TYPES: &str = "wasmatrix:pair/types@0.1.0";

/// The guests' WIT package in the checkout at `root`.
pub fn wit_dir(root: &Path) -> std::path::PathBuf {
    root.join("guests").join("wit")
}

/// The component of `world` (of the WIT package at `wit_dir`) around the core module `core`.
pub fn encode(core: &[u8], wit_dir: &Path, world: &str) -> Result<Vec<u8>> {
    let mut resolve = Resolve::default();
    let (package, _) =
        resolve.push_dir(wit_dir).with_context(|| format!("cannot read the WIT package at {}", wit_dir.display()))?;
    let world_id = resolve
        .select_world(&[package], Some(world))
        .with_context(|| format!("no world `{world}` in the WIT package at {}", wit_dir.display()))?;
    let mut module = without_component_type(core)
        .with_context(|| format!("the core module for world `{world}` is not a valid wasm module"))?;
    wit_component::embed_component_metadata(&mut module, &resolve, world_id, StringEncoding::UTF8)
        .with_context(|| format!("cannot embed world `{world}` of {}", wit_dir.display()))?;
    ComponentEncoder::default().validate(true).module(&module).and_then(|mut encoder| encoder.encode()).with_context(
        || {
            format!(
                "the core module does not fit world `{world}` of {} (was it built with the guest's \
                 `component` feature for this world?)",
                wit_dir.display()
            )
        },
    )
}

/// `core` without its `component-type*` custom sections (what wit-bindgen embeds), so that the
/// world [`encode`] embeds is the only one.
fn without_component_type(core: &[u8]) -> Result<Vec<u8>> {
    if !wasmparser::Parser::is_core_wasm(core) {
        bail!("not a core wasm module (bad header)");
    }
    let mut module = wasm_encoder::Module::new();
    for payload in wasmparser::Parser::new(0).parse_all(core) {
        let payload = payload?;
        if let wasmparser::Payload::CustomSection(ref section) = payload {
            if section.name().starts_with("component-type") {
                continue;
            }
        }
        if let Some((id, range)) = payload.as_section() {
            module.section(&wasm_encoder::RawSection { id, data: &core[range] });
        }
    }
    Ok(module.finish())
}

/// The WIT package, for the component that provides [`TYPES`] inside the composed pair.
const WIT: &str = include_str!("../../guests/wit/wasmatrix.wit");

/// A component that only exports the instance [`TYPES`] (the record's and reply's types, no
/// functions; its core module is empty). Both guests import [`TYPES`], as every component of a
/// world whose interfaces `use` it does; inside the composed pair this component provides it, so
/// that the pair imports nothing, and the pair exports it to name the types its exports use.
pub fn types_provider() -> Result<Vec<u8>> {
    let mut resolve = Resolve::default();
    resolve.push_str("wasmatrix.wit", WIT).context("cannot parse guests/wit/wasmatrix.wit")?;
    let package = resolve
        .push_str("provider.wit", &format!("package wasmatrix:types-provider;\nworld provider {{ export {TYPES}; }}\n"))
        .context("cannot parse the types provider's world")?;
    let world = resolve.select_world(&[package], Some("provider"))?;
    // the world has no functions, so its core module needs nothing: the empty module
    let mut module = b"\0asm\x01\0\0\0".to_vec();
    wit_component::embed_component_metadata(&mut module, &resolve, world, StringEncoding::UTF8)?;
    ComponentEncoder::default().validate(true).module(&module)?.encode().context("cannot encode the types provider")
}

/// The name under which a composed chain exports relay `j`'s (from 1) [`RELAY_BENCH`]: a plain
/// name, one per relay, as every relay's export of the interface has the same interface name.
pub fn relay_bench_export(j: usize) -> String {
    format!("relay-{j}")
}

/// The producer and consumer components plugged together: the producer's [`DELIVER`] import is
/// the consumer's export of it, both guests' [`TYPES`] import is a [`types_provider`]'s export;
/// the result exports the producer's [`PRODUCER_API`] and the consumer's [`CONSUMER_BENCH`] (the
/// world [`PAIR_WORLD`]) and [`TYPES`], and imports nothing.
pub fn compose(producer: &[u8], consumer: &[u8]) -> Result<Vec<u8>> {
    compose_with(producer, None, consumer)
}

/// A chain of components plugged together: producer ← relay 1 ← … ← relay `relays` ← consumer,
/// each relay an instance of the one `relay` component (world [`RELAY_WORLD`]) whose [`DELIVER`]
/// import is the next one's export (the last relay's the consumer's), the producer's import relay
/// 1's. Exports what [`compose`]'s pair does, and each relay's [`RELAY_BENCH`] as
/// [`relay_bench_export`]; imports nothing. `relays` is at least 1.
pub fn compose_chain(producer: &[u8], relay: &[u8], relays: usize, consumer: &[u8]) -> Result<Vec<u8>> {
    if relays == 0 {
        bail!("a chain of components has at least one relay (two components are a pair: compose)");
    }
    compose_with(producer, Some((relay, relays)), consumer)
}

fn compose_with(producer: &[u8], relay: Option<(&[u8], usize)>, consumer: &[u8]) -> Result<Vec<u8>> {
    let what = if relay.is_some() { "chain" } else { "pair" };
    let mut graph = CompositionGraph::new();
    let package = |graph: &mut CompositionGraph, name: &str, bytes: &[u8]| -> Result<_> {
        let package = Package::from_bytes(name, None, bytes, graph.types_mut())
            .with_context(|| format!("the {name} is not a component wac can read"))?;
        Ok(graph.register_package(package)?)
    };
    let consumer_pkg = package(&mut graph, "wasmatrix:consumer", consumer)?;
    let producer_pkg = package(&mut graph, "wasmatrix:producer", producer)?;
    let relay_pkg = match relay {
        Some((bytes, count)) => Some((package(&mut graph, "wasmatrix:relay", bytes)?, count)),
        None => None,
    };
    let types_pkg = package(&mut graph, "wasmatrix:types-provider", &types_provider()?)?;

    let provider = graph.instantiate(types_pkg);
    let types = graph.alias_instance_export(provider, TYPES)?;
    graph.export(types, TYPES)?;
    let typed = |graph: &mut CompositionGraph, guest: &str, instance| -> Result<()> {
        graph
            .set_instantiation_argument(instance, TYPES, types)
            .with_context(|| format!("the {guest}'s import of {TYPES} does not fit the WIT package's"))?;
        Ok(())
    };
    let consumer = graph.instantiate(consumer_pkg);
    let mut next = graph
        .alias_instance_export(consumer, DELIVER)
        .with_context(|| format!("the consumer component does not export {DELIVER}"))?;
    typed(&mut graph, "consumer", consumer)?;
    let mut receiver = "consumer".to_owned();
    if let Some((relay_pkg, count)) = relay_pkg {
        // From the consumer's end: each relay's import is the export of the one after it.
        for j in (1..=count).rev() {
            let instance = graph.instantiate(relay_pkg);
            let name = format!("relay {j}");
            typed(&mut graph, &name, instance)?;
            graph
                .set_instantiation_argument(instance, DELIVER, next)
                .with_context(|| format!("the {receiver}'s {DELIVER} does not satisfy {name}'s import of it"))?;
            let bench = graph
                .alias_instance_export(instance, RELAY_BENCH)
                .with_context(|| format!("the relay component does not export {RELAY_BENCH}"))?;
            graph.export(bench, relay_bench_export(j))?;
            next = graph
                .alias_instance_export(instance, DELIVER)
                .with_context(|| format!("the relay component does not export {DELIVER}"))?;
            receiver = name;
        }
    }
    let producer = graph.instantiate(producer_pkg);
    typed(&mut graph, "producer", producer)?;
    graph
        .set_instantiation_argument(producer, DELIVER, next)
        .with_context(|| format!("the {receiver}'s {DELIVER} does not satisfy the producer's import of it"))?;
    let api = graph
        .alias_instance_export(producer, PRODUCER_API)
        .with_context(|| format!("the producer component does not export {PRODUCER_API}"))?;
    graph.export(api, PRODUCER_API)?;
    let bench = graph
        .alias_instance_export(consumer, CONSUMER_BENCH)
        .with_context(|| format!("the consumer component does not export {CONSUMER_BENCH}"))?;
    graph.export(bench, CONSUMER_BENCH)?;

    let bytes = graph.encode(EncodeOptions::default()).with_context(|| format!("cannot encode the composed {what}"))?;
    let imports = component_imports(&bytes).with_context(|| format!("the composed {what} is not a valid component"))?;
    if !imports.is_empty() {
        bail!("the composed {what} still imports {} (it must import nothing)", imports.join(", "));
    }
    Ok(bytes)
}

/// Validates the component `bytes` and returns the names it imports at its top level.
pub fn component_imports(bytes: &[u8]) -> Result<Vec<String>> {
    let features = wasmparser::WasmFeatures::default() | wasmparser::WasmFeatures::COMPONENT_MODEL;
    wasmparser::Validator::new_with_features(features).validate_all(bytes)?;
    let mut imports = Vec::new();
    let mut depth = 0usize;
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        match payload? {
            wasmparser::Payload::ModuleSection { .. } | wasmparser::Payload::ComponentSection { .. } => depth += 1,
            wasmparser::Payload::End(_) => depth = depth.saturating_sub(1),
            wasmparser::Payload::ComponentImportSection(section) if depth == 0 => {
                for import in section {
                    imports.push(import?.name.name.to_owned());
                }
            }
            _ => {}
        }
    }
    Ok(imports)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wit() -> std::path::PathBuf {
        wit_dir(&crate::workspace_root())
    }

    #[test]
    fn encode_refuses_a_module_without_the_worlds_exports() {
        let module = wat::parse_str(r#"(module (memory (export "memory") 1) (func (export "other")))"#).unwrap();
        let err = format!("{:#}", encode(&module, &wit(), PRODUCER_WORLD).unwrap_err());
        assert!(err.contains("does not fit world `producer`"), "{err}");
        assert!(err.contains("producer-api"), "names the missing export: {err}");
    }

    #[test]
    fn encode_refuses_an_unknown_world_and_garbage() {
        let module = wat::parse_str("(module)").unwrap();
        let err = format!("{:#}", encode(&module, &wit(), "nope").unwrap_err());
        assert!(err.contains("no world `nope`"), "{err}");
        let err = format!("{:#}", encode(b"not wasm", &wit(), CONSUMER_WORLD).unwrap_err());
        assert!(err.contains("not a valid wasm module"), "{err}");
        let err = format!("{:#}", encode(&module, Path::new("/nonexistent/wit"), CONSUMER_WORLD).unwrap_err());
        assert!(err.contains("/nonexistent/wit"), "{err}");
    }

    #[test]
    fn compose_refuses_garbage() {
        let err = format!("{:#}", compose(b"garbage", b"\0asm").unwrap_err());
        assert!(err.contains("consumer"), "{err}");
        // a core module is no component either
        let module = wat::parse_str("(module)").unwrap();
        let err = format!("{:#}", compose(&module, &module).unwrap_err());
        assert!(err.contains("not a binary-encoded WebAssembly component"), "{err}");
    }

    #[test]
    fn compose_refuses_components_that_do_not_fit() {
        // an empty component exports no `deliver`
        let empty = wat::parse_str("(component)").unwrap();
        let err = format!("{:#}", compose(&empty, &empty).unwrap_err());
        assert!(err.contains(DELIVER), "{err}");
    }

    #[test]
    fn compose_chain_refuses_no_relays_and_a_relay_that_does_not_fit() {
        let empty = wat::parse_str("(component)").unwrap();
        let err = format!("{:#}", compose_chain(&empty, &empty, 0, &empty).unwrap_err());
        assert!(err.contains("at least one relay"), "{err}");
        let err = format!("{:#}", compose_chain(b"garbage", &empty, 2, &empty).unwrap_err());
        assert!(err.contains("producer"), "{err}");
        let err = format!("{:#}", compose_chain(&empty, b"garbage", 2, &empty).unwrap_err());
        assert!(err.contains("wasmatrix:relay"), "names the relay: {err}");
        assert_eq!(relay_bench_export(3), "relay-3");
    }

    #[test]
    fn without_component_type_keeps_everything_else() {
        let module =
            wat::parse_str(r#"(module (func (export "f")) (@custom "keep" "x") (@custom "component-type:x" "y"))"#)
                .unwrap();
        let stripped = without_component_type(&module).unwrap();
        wasmparser::Validator::new().validate_all(&stripped).unwrap();
        let names: Vec<String> = wasmparser::Parser::new(0)
            .parse_all(&stripped)
            .filter_map(|p| match p.unwrap() {
                wasmparser::Payload::CustomSection(c) => Some(c.name().to_owned()),
                _ => None,
            })
            .collect();
        assert_eq!(names, ["keep"]);
    }
}
