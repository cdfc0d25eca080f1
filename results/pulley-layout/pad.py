#!/usr/bin/env python3
"""Adds layout padding to the Wasmtime worker: pad.py CHECKOUT N.

Puts a never-run function of N black_box'd statements into runner/wasmtime/src/main.rs (and a
call to it that only runs under WASMATRIX_LAYOUT_PAD_RUN, so the linker keeps it). It changes
nothing the worker does; it only moves the code placed after the worker crate's own (the
wasmtime and pulley crates) by the function's size. `git diff > results/pulley-layout/padN.patch` keeps it.
"""
import sys

root, n = sys.argv[1], int(sys.argv[2])
path = f"{root}/runner/wasmtime/src/main.rs"
src = open(path).read()
body = "\n".join(f"    acc = std::hint::black_box(acc ^ {0x9E3779B97F4A7C15 * (i + 1) % (1 << 64):#x});" for i in range(n))
pad = f'''
/// Layout padding (pulley-layout experiment): never run; only shifts the code after it.
#[inline(never)]
pub fn wasmatrix_layout_pad(mut acc: u64) -> u64 {{
{body}
    acc
}}
'''
call = '''fn main() -> ExitCode {
    if std::env::var_os("WASMATRIX_LAYOUT_PAD_RUN").is_some() {
        std::hint::black_box(wasmatrix_layout_pad(std::hint::black_box(1)));
    }
'''
assert src.count("fn main() -> ExitCode {\n") == 1
src = src.replace("fn main() -> ExitCode {\n", call)
src = src.replace("\nfn main() -> ExitCode {", pad + "\nfn main() -> ExitCode {", 1)
open(path, "w").write(src)
