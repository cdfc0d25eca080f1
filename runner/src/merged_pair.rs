//! The merged pair of transport `merged` (see wasmatrix-core's `merged`): the adapter
//! (guests/merged/adapter.wat) assembled ([`adapter`]), which the guest build merges with both
//! guests by binaryen's `wasm-merge`, and the merged module read back to check that each guest
//! kept a memory of its own and that no guest's code reaches the other's ([`check`]).

use anyhow::{bail, ensure, Context, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use wasmatrix_core::merged::{ADAPTER, CONSUMER_MEMORY};
use wasmparser::{ElementItems, ElementKind, ExternalKind, Operator, Parser, Payload, TypeRef};

/// The adapter's source in the checkout at `root`.
pub fn adapter_source(root: &Path) -> PathBuf {
    root.join("guests/merged/adapter.wat")
}

/// The adapter of the checkout at `root`, assembled: what the guest build merges with both guests
/// (with binaryen's `wasm-merge`, named `env`), before it [`check`]s the result.
pub fn adapter(root: &Path) -> Result<Vec<u8>> {
    let source = adapter_source(root);
    wat::parse_file(&source).with_context(|| format!("cannot assemble {}", source.display()))
}

/// What [`check`] found in a merged module.
#[derive(Debug, PartialEq, Eq)]
pub struct Isolation {
    /// Memories the module defines (and imports: none).
    pub memories: u32,
    /// Active data segments per memory.
    pub data_segments: BTreeMap<u32, usize>,
    /// The functions reachable from each guest's exports (not through the adapter), and the
    /// adapter's own.
    pub producer_functions: usize,
    pub consumer_functions: usize,
    pub adapter_functions: usize,
}

/// The producer's exports the harness calls (its `error_message` and `memory` keep their names).
const PRODUCER_EXPORTS: [&str; 7] =
    ["produce", "check_reply", "checksum", "bench_encode", "reply_buffer", "round_trip", "error_message"];
/// The consumer's, as the adapter exports them again.
const CONSUMER_EXPORTS: [&str; 4] =
    ["consumer.consume", "consumer.ping", "consumer.bench_decode", "consumer.error_message"];

/// Checks that `module` is a merged pair that keeps the guests apart: it validates (multi-memory
/// on), defines exactly two memories and imports none (the producer's exported as `memory`, the
/// consumer's as [`CONSUMER_MEMORY`]), each memory gets data segments of its own guest, and every
/// function reachable from the producer's exports without passing through the adapter touches
/// memory 0 only, every one reachable from the consumer's memory 1 only; only the adapter's
/// functions touch both.
pub fn check(module: &[u8]) -> Result<Isolation> {
    wasmparser::Validator::new().validate_all(module).context("the merged module does not validate")?;
    let parsed = Parsed::of(module)?;
    ensure!(parsed.imported_memories == 0, "the merged module imports {} memories", parsed.imported_memories);
    ensure!(parsed.memories == 2, "the merged module defines {} memories, not two", parsed.memories);
    let export = |name: &str, kind: ExternalKind| {
        parsed
            .exports
            .get(&(name.to_owned(), kind as u8))
            .copied()
            .with_context(|| format!("no {kind:?} export `{name}`"))
    };
    ensure!(export("memory", ExternalKind::Memory)? == 0, "the producer's memory is not memory 0");
    ensure!(export(CONSUMER_MEMORY, ExternalKind::Memory)? == 1, "the consumer's memory is not memory 1");
    for memory in [0, 1] {
        ensure!(parsed.data.get(&memory).is_some_and(|n| *n > 0), "memory {memory} has no data segment");
    }
    let adapter: BTreeSet<u32> = parsed
        .exports
        .iter()
        .filter(|((name, kind), _)| {
            *kind == ExternalKind::Func as u8 && (name.starts_with(ADAPTER) || name == "deliver")
        })
        .map(|(_, f)| *f)
        .collect();
    ensure!(adapter.len() == 6, "the adapter's functions are not all exported: {adapter:?}");
    let reach = |exports: &[&str]| -> Result<BTreeSet<u32>> {
        // Only the call-import producer exports `round_trip`.
        let present = exports.iter().filter(|name| {
            **name != "round_trip" || parsed.exports.contains_key(&(name.to_string(), ExternalKind::Func as u8))
        });
        let roots = present.map(|name| export(name, ExternalKind::Func)).collect::<Result<Vec<_>>>()?;
        Ok(parsed.reachable(roots, &adapter))
    };
    let producer = reach(&PRODUCER_EXPORTS)?;
    let consumer = reach(&CONSUMER_EXPORTS)?;
    for (who, functions, own) in [("producer", &producer, 0), ("consumer", &consumer, 1)] {
        for f in functions {
            let other: Vec<_> = parsed.memories_of(*f).iter().filter(|m| **m != own).copied().collect();
            ensure!(other.is_empty(), "the {who}'s function {f} uses memory {other:?}, not only its own ({own})");
        }
    }
    let shared: Vec<_> = producer.intersection(&consumer).collect();
    ensure!(shared.is_empty(), "functions {shared:?} are reachable from both guests' exports");
    let both: Vec<_> = (0..parsed.imported_functions + parsed.bodies.len() as u32)
        .filter(|f| parsed.memories_of(*f).len() > 1 && !adapter.contains(f))
        .collect();
    ensure!(both.is_empty(), "functions {both:?} outside the adapter use both memories");
    Ok(Isolation {
        memories: parsed.memories,
        data_segments: parsed.data.clone(),
        producer_functions: producer.len(),
        consumer_functions: consumer.len(),
        adapter_functions: adapter.len(),
    })
}

/// What [`check`] reads of a module: its memories, exports, data segments, the functions each
/// function calls and the memories each uses.
#[derive(Default)]
struct Parsed {
    imported_memories: u32,
    imported_functions: u32,
    memories: u32,
    exports: BTreeMap<(String, u8), u32>,
    data: BTreeMap<u32, usize>,
    /// Functions placed in each table by element segments (what `call_indirect` of it may call).
    tables: BTreeMap<u32, BTreeSet<u32>>,
    /// Per defined function: (functions it calls, tables it calls through, memories it uses).
    bodies: Vec<(BTreeSet<u32>, BTreeSet<u32>, BTreeSet<u32>)>,
}

impl Parsed {
    fn of(module: &[u8]) -> Result<Parsed> {
        let mut parsed = Parsed::default();
        for payload in Parser::new(0).parse_all(module) {
            match payload? {
                Payload::ImportSection(imports) => {
                    for import in imports.into_imports() {
                        match import?.ty {
                            TypeRef::Memory(_) => parsed.imported_memories += 1,
                            TypeRef::Func(_) => parsed.imported_functions += 1,
                            _ => {}
                        }
                    }
                }
                Payload::MemorySection(memories) => parsed.memories += memories.count(),
                Payload::ExportSection(exports) => {
                    for export in exports {
                        let export = export?;
                        parsed.exports.insert((export.name.to_owned(), export.kind as u8), export.index);
                    }
                }
                Payload::DataSection(data) => {
                    for segment in data {
                        if let wasmparser::DataKind::Active { memory_index, .. } = segment?.kind {
                            *parsed.data.entry(memory_index).or_default() += 1;
                        }
                    }
                }
                Payload::ElementSection(elements) => {
                    for element in elements {
                        let element = element?;
                        let table = match element.kind {
                            ElementKind::Active { table_index, .. } => table_index.unwrap_or(0),
                            _ => continue,
                        };
                        if let ElementItems::Functions(functions) = element.items {
                            for f in functions {
                                parsed.tables.entry(table).or_default().insert(f?);
                            }
                        }
                    }
                }
                Payload::CodeSectionEntry(body) => parsed.bodies.push(uses(&body)?),
                _ => {}
            }
        }
        if parsed.bodies.is_empty() {
            bail!("the merged module has no code");
        }
        Ok(parsed)
    }

    /// The memories function `f` uses itself (none for an import).
    fn memories_of(&self, f: u32) -> BTreeSet<u32> {
        f.checked_sub(self.imported_functions)
            .and_then(|i| self.bodies.get(i as usize))
            .map(|(_, _, memories)| memories.clone())
            .unwrap_or_default()
    }

    /// The functions reachable from `roots` by calls (direct, or through a table), not entering
    /// the functions in `stop`.
    fn reachable(&self, roots: Vec<u32>, stop: &BTreeSet<u32>) -> BTreeSet<u32> {
        let mut seen = BTreeSet::new();
        let mut todo = roots;
        while let Some(f) = todo.pop() {
            if stop.contains(&f) || !seen.insert(f) {
                continue;
            }
            let Some((calls, tables, _)) =
                f.checked_sub(self.imported_functions).and_then(|i| self.bodies.get(i as usize))
            else {
                continue;
            };
            todo.extend(calls);
            for table in tables {
                todo.extend(self.tables.get(table).into_iter().flatten());
            }
        }
        seen
    }
}

/// The functions a body calls, the tables it calls through and the memories it uses.
fn uses(body: &wasmparser::FunctionBody) -> Result<(BTreeSet<u32>, BTreeSet<u32>, BTreeSet<u32>)> {
    let (mut calls, mut tables, mut memories) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for op in body.get_operators_reader()? {
        match op? {
            Operator::Call { function_index } | Operator::ReturnCall { function_index } => {
                calls.insert(function_index);
            }
            Operator::CallIndirect { table_index, .. } | Operator::ReturnCallIndirect { table_index, .. } => {
                tables.insert(table_index);
            }
            Operator::MemorySize { mem } | Operator::MemoryGrow { mem } | Operator::MemoryFill { mem } => {
                memories.insert(mem);
            }
            Operator::MemoryInit { mem, .. } => {
                memories.insert(mem);
            }
            Operator::MemoryCopy { dst_mem, src_mem } => memories.extend([dst_mem, src_mem]),
            Operator::RefFunc { function_index } => {
                calls.insert(function_index);
            }
            // Every load and store names its memory in its `memarg`, in each of wasmparser's
            // many variants: read from the operator's description rather than listed one by one.
            other => {
                let described = format!("{other:?}");
                if let Some(at) = described.find("memarg: MemArg {") {
                    let rest = &described[at..];
                    let memory = rest
                        .split("memory: ")
                        .nth(1)
                        .and_then(|s| s.split(|c: char| !c.is_ascii_digit()).next())
                        .and_then(|n| n.parse().ok())
                        .with_context(|| format!("cannot read the memory of {described}"))?;
                    memories.insert(memory);
                }
            }
        }
    }
    Ok((calls, tables, memories))
}
