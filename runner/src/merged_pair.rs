//! The merged module of transport `merged` (see wasmatrix-core's `merged`): the adapter
//! (guests/merged/adapter.wat, filled in for a chain's relays) assembled ([`adapter`]), which the
//! guest build merges with the guests by binaryen's `wasm-merge`, and the merged module read back
//! to check that each guest kept a memory of its own and that no guest's code reaches another's
//! ([`check`]).

use anyhow::{bail, ensure, Context, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use wasmatrix_core::merged::{relay_prefix, ADAPTER, CONSUMER_MEMORY};
use wasmparser::{ElementItems, ElementKind, ExternalKind, Operator, Parser, Payload, TypeRef};

/// The adapter's source in the checkout at `root`.
pub fn adapter_source(root: &Path) -> PathBuf {
    root.join("guests/merged/adapter.wat")
}

/// The adapter of the checkout at `root` for a chain of `relays` relays (0: the pair), assembled:
/// what the guest build merges with the guests (with binaryen's `wasm-merge`, named `env`), before
/// it [`check`]s the result.
pub fn adapter(root: &Path, relays: usize) -> Result<Vec<u8>> {
    let source = adapter_source(root);
    let text = std::fs::read_to_string(&source).with_context(|| format!("cannot read {}", source.display()))?;
    wat::parse_str(fill(&text, relays))
        .with_context(|| format!("cannot assemble {} for {relays} relays", source.display()))
}

/// The adapter's text for `relays` relays, as guests/merged/adapter.wat says: each block of
/// consecutive `;;@relay ` lines once for every relay `j` (`$J` its number, `$SENDER` the memory it
/// receives from), each `;;@chain ` line once (`$LAST` the last relay's number), the lines ending
/// `;;@pair` left out; for the pair (no relays) the text as it is.
pub fn fill(text: &str, relays: usize) -> String {
    if relays == 0 {
        return text.to_owned();
    }
    let mut filled = String::with_capacity(text.len() * 2);
    let mut block: Vec<&str> = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(line) = line.strip_prefix(";;@relay ") {
            block.push(line);
            if lines.peek().is_some_and(|next| next.starts_with(";;@relay ")) {
                continue;
            }
            for j in 1..=relays {
                let sender = if j == 1 { "$producer".to_owned() } else { format!("$relay{}", j - 1) };
                for line in block.iter() {
                    filled.push_str(&line.replace("$SENDER", &sender).replace("$J", &j.to_string()));
                    filled.push('\n');
                }
            }
            block.clear();
        } else if let Some(line) = line.strip_prefix(";;@chain ") {
            filled.push_str(&line.replace("$LAST", &relays.to_string()));
            filled.push('\n');
        } else if !line.trim_end().ends_with(";;@pair") {
            filled.push_str(line);
            filled.push('\n');
        }
    }
    filled
}

/// What [`check`] found in a merged module.
#[derive(Debug, PartialEq, Eq)]
pub struct Isolation {
    /// Memories the module defines (and imports: none): one a guest.
    pub memories: u32,
    /// Active data segments per memory.
    pub data_segments: BTreeMap<u32, usize>,
    /// The functions reachable from each guest's exports (not through the adapter), and the
    /// adapter's own.
    pub producer_functions: usize,
    pub consumer_functions: usize,
    pub adapter_functions: usize,
    /// A chain's: the functions reachable from each relay's exports, in order (empty for a pair).
    pub relay_functions: Vec<usize>,
}

/// The producer's exports the harness calls (its `error_message` and `memory` keep their names).
const PRODUCER_EXPORTS: [&str; 7] =
    ["produce", "check_reply", "checksum", "bench_encode", "reply_buffer", "round_trip", "error_message"];
/// The consumer's, as the adapter exports them again.
const CONSUMER_EXPORTS: [&str; 4] =
    ["consumer.consume", "consumer.ping", "consumer.bench_decode", "consumer.error_message"];
/// A relay's, as the adapter exports them again after the relay's [`relay_prefix`].
const RELAY_EXPORTS: [&str; 4] = ["relay", "relay_digest", "request_buffer", "error_message"];

/// Checks that `module` is a merged pair, or a merged chain, that keeps the guests apart: it
/// validates (multi-memory on), defines a memory for every guest and imports none (the producer's
/// memory 0, exported as `memory`; relay `j`'s memory `j`, exported after its [`relay_prefix`];
/// the consumer's the last, exported as [`CONSUMER_MEMORY`]), each memory gets data segments of
/// its own guest, and every function reachable from a guest's exports without passing through the
/// adapter touches that guest's memory only and is reachable from no other guest's; only the
/// adapter's functions touch more than one memory. The relays are those whose memory the module
/// exports (`relay1.memory`, ...).
pub fn check(module: &[u8]) -> Result<Isolation> {
    wasmparser::Validator::new().validate_all(module).context("the merged module does not validate")?;
    let parsed = Parsed::of(module)?;
    let export = |name: &str, kind: ExternalKind| {
        parsed
            .exports
            .get(&(name.to_owned(), kind as u8))
            .copied()
            .with_context(|| format!("no {kind:?} export `{name}`"))
    };
    let has_memory = |name: &str| parsed.exports.contains_key(&(name.to_owned(), ExternalKind::Memory as u8));
    let relays = (1..).take_while(|j| has_memory(&format!("{}memory", relay_prefix(*j)))).count() as u32;
    let guests = relays + 2;
    ensure!(parsed.imported_memories == 0, "the merged module imports {} memories", parsed.imported_memories);
    ensure!(
        parsed.memories == guests,
        "the merged module defines {} memories, not {} (one for each of its {guests} guests)",
        parsed.memories,
        if guests == 2 { "two".to_owned() } else { guests.to_string() }
    );
    // Each guest: its name, the memory it must have, and its exports the check starts from.
    let mut each: Vec<(String, u32, Vec<String>)> =
        vec![("the producer".into(), 0, PRODUCER_EXPORTS.iter().map(|e| e.to_string()).collect())];
    ensure!(export("memory", ExternalKind::Memory)? == 0, "the producer's memory is not memory 0");
    for j in 1..=relays {
        let prefix = relay_prefix(j as usize);
        let memory = export(&format!("{prefix}memory"), ExternalKind::Memory)?;
        ensure!(memory == j, "relay {j}'s memory is memory {memory}, not {j}");
        each.push((format!("relay {j}"), j, RELAY_EXPORTS.iter().map(|e| format!("{prefix}{e}")).collect()));
    }
    let last = guests - 1;
    let consumer_memory = export(CONSUMER_MEMORY, ExternalKind::Memory)?;
    ensure!(consumer_memory == last, "the consumer's memory is memory {consumer_memory}, not {last}");
    each.push(("the consumer".into(), last, CONSUMER_EXPORTS.iter().map(|e| e.to_string()).collect()));
    for memory in 0..guests {
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
    // The carries, the counts and `deliver`; a chain's `refused_by` too.
    let adapter_exports = 6 + usize::from(relays > 0);
    ensure!(adapter.len() == adapter_exports, "the adapter's functions are not all exported: {adapter:?}");
    let mut reached: Vec<BTreeSet<u32>> = Vec::new();
    for (who, own, exports) in &each {
        // Only the call-import producer exports `round_trip`.
        let present = exports.iter().filter(|name| {
            *name != "round_trip" || parsed.exports.contains_key(&(name.to_string(), ExternalKind::Func as u8))
        });
        let roots = present.map(|name| export(name, ExternalKind::Func)).collect::<Result<Vec<_>>>()?;
        let functions = parsed.reachable(roots, &adapter);
        for f in &functions {
            let other: Vec<_> = parsed.memories_of(*f).iter().filter(|m| *m != own).copied().collect();
            ensure!(other.is_empty(), "{who}'s function {f} uses memory {other:?}, not only its own ({own})");
        }
        for ((earlier, _, _), functions_before) in each.iter().zip(&reached) {
            let shared: Vec<_> = functions.intersection(functions_before).collect();
            ensure!(shared.is_empty(), "functions {shared:?} are reachable from {earlier}'s and {who}'s exports");
        }
        reached.push(functions);
    }
    let several: Vec<_> = (0..parsed.imported_functions + parsed.bodies.len() as u32)
        .filter(|f| parsed.memories_of(*f).len() > 1 && !adapter.contains(f))
        .collect();
    ensure!(several.is_empty(), "functions {several:?} outside the adapter use more than one memory");
    Ok(Isolation {
        memories: parsed.memories,
        data_segments: parsed.data.clone(),
        producer_functions: reached[0].len(),
        consumer_functions: reached[reached.len() - 1].len(),
        adapter_functions: adapter.len(),
        relay_functions: reached[1..reached.len() - 1].iter().map(BTreeSet::len).collect(),
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
