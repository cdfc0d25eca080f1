#!/usr/bin/env python3
"""What the guests carry: each guest's code bytes by origin, for a build profile and allocator.

    python3 runner/anatomy.py [--profile release] [--allocator default] [--codec raw]

Builds both guests for `bare` (wasm32-unknown-unknown, own memory) as the runner does, but with
their symbols kept (the cargo profile's `strip` off, which changes no code), into
target/wasmatrix/anatomy; asks binaryen's `wasm-opt --func-metrics` (the one the set-up installs)
for every function's size in the code section; and sums the sizes by where the function comes from,
read from its mangled name. Prints one table per guest and the largest functions.
"""

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WASM_OPT = ROOT / "target/wasmatrix/node/node_modules/binaryen/bin/wasm-opt"
TARGET_DIR = ROOT / "target/wasmatrix/anatomy"

# The cargo profile and cargo feature of each axis value (runner/src/guest_build/mod.rs decides them; kept
# in step by hand, checked at the end of this file's build by cargo itself).
PROFILES = {"release": "guest-release", "size": "guest-size", "s": "guest-s", "nolto": "guest-nolto",
            "unwind": "guest-unwind"}
ALLOCATORS = {"default": None, "wee_alloc": "wasmatrix-proto/wee_alloc", "talc": "wasmatrix-proto/talc"}

# Where a function comes from, by a piece of its mangled name; the first match wins.
ORIGINS = [
    ("allocator", re.compile(r"dlmalloc|wee_alloc|talc|__rust_(alloc|dealloc|realloc)|__rdl_|raw_vec|RawVec")),
    ("formatting and panics", re.compile(r"core3fmt|core\.\.fmt|4core3fmt|panick|panic_|begin_panic|slice_error_fail|"
                                         r"str_index_overflow|index_out_of_bounds|len_mismatch|unwrap_failed|"
                                         r"expect_failed|Display|Debug|5alloc3fmt|fmt6format")),
    ("the guests and their codec", re.compile(r"wasmatrix|^produce$|^consume$|^check_reply$|^checksum$|^ping$|"
                                              r"^bench_|_buffer$|^error_message$|flatbuffers|capnp|rkyv|bincode|"
                                              r"postcard|serde")),
    ("std runtime", re.compile(r"3std|std\.\.|thread_local|LazyStorage")),
    ("core and compiler builtins", re.compile(r"4core|core\.\.|compiler_builtins|memcpy|memset|memmove|memcmp")),
]


def build(role: str, profile: str, allocator: str, codec: str) -> Path:
    cargo_profile = PROFILES[profile]
    env = dict(os.environ, WASMATRIX_CODEC=codec)
    env[f"CARGO_PROFILE_{cargo_profile.upper().replace('-', '_')}_STRIP"] = "none"
    cmd = ["cargo", "rustc", "--quiet", "--locked", "-p", f"wasmatrix-{role}", "--crate-type", "cdylib",
           "--target", "wasm32-unknown-unknown", "--profile", cargo_profile, "--target-dir", str(TARGET_DIR)]
    if ALLOCATORS[allocator]:
        cmd += ["--features", ALLOCATORS[allocator]]
    subprocess.run(cmd, cwd=ROOT, env=env, check=True)
    return TARGET_DIR / "wasm32-unknown-unknown" / cargo_profile / f"wasmatrix_{role}.wasm"


def functions(wasm: Path) -> tuple[list[tuple[int, str]], int]:
    """(code bytes, name) of every function, from binaryen's metrics; and how many exception
    instructions (try, catch, throw, rethrow: unwinding) the module holds."""
    out = subprocess.run([str(WASM_OPT), "--all-features", str(wasm), "--func-metrics", "-o", "/dev/null"],
                         check=True, capture_output=True, text=True).stdout
    funcs = [(int(size), name) for name, size in re.findall(r"func: (\S+)\n \[binary-bytes\] : (\d+)", out)]
    head = out.split("func:", 1)[0]
    exceptions = sum(int(n) for n in re.findall(r"^ (?:Try|TryTable|Throw|ThrowRef|Rethrow)\s+: (\d+)", head, re.M))
    return funcs, exceptions


def origin(name: str) -> str:
    return next((label for label, pattern in ORIGINS if pattern.search(name)), "other")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="release", choices=sorted(PROFILES))
    parser.add_argument("--allocator", default="default", choices=sorted(ALLOCATORS))
    parser.add_argument("--codec", default="raw")
    parser.add_argument("--top", type=int, default=8, help="how many of the largest functions to list")
    args = parser.parse_args()
    if not WASM_OPT.exists():
        sys.exit(f"{WASM_OPT} is missing: runner/wasmatrix.sh setup installs binaryen (npm package binaryen@132.0.0)")
    print(f"profile {args.profile}, allocator {args.allocator}, codec {args.codec}, bare: code bytes by origin")
    for role in ("producer", "consumer"):
        funcs, exceptions = functions(build(role, args.profile, args.allocator, args.codec))
        total = sum(size for size, _ in funcs)
        by_origin: dict[str, int] = {}
        for size, name in funcs:
            by_origin[origin(name)] = by_origin.get(origin(name), 0) + size
        print(f"\n{role}: {total} bytes of code in {len(funcs)} functions, {exceptions} exception instructions")
        for label, size in sorted(by_origin.items(), key=lambda kv: -kv[1]):
            print(f"  {label:<28} {size:>7}  {100 * size / total:5.1f}%")
        print("  largest:")
        for size, name in sorted(funcs, reverse=True)[: args.top]:
            print(f"    {size:>6}  {origin(name):<28} {name[:90]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
