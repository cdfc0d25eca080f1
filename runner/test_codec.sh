#!/usr/bin/env bash
# The codec seam, end to end: CONTRIBUTING.md says a codec is its file in guests/proto/src/codec/
# and its line in the `codecs!` list, and that the runner, the V8 worker and the notebooks take it
# from there. The test-only codec `probe` (guests/proto/src/codec/probe.rs, the feature `test-codec`
# of wasmatrix-proto) is added exactly so, and nothing else knows it: a runner built with the
# feature runs its cells beside raw's under wasmi, V8 (runner/v8, unedited) and natively, every cell
# ok with one checksum, and the notebooks' package (unedited: probe is not in notebooks/axes.json)
# loads the run and draws every figure, probe in them.
#   runner/test_codec.sh      (runner/wasmatrix.sh test runs it, after the set-up it needs: the venv's
#                             flatc and Python packages, Node.js 20 in target/wasmatrix/node)
# The runner with the feature is `runner-test-codec` (runner/Cargo.toml), built in target/ beside the
# plain runner, whose dependencies it shares: only the crates above wasmatrix-proto build again, and
# target/release/runner stays the plain one. It keeps the guests and native workers it builds in
# target/wasmatrix/test-codec/ and shares target/wasmatrix/cargo with the plain runner
# (runner/src/guest_build/mod.rs, CODEC_FEATURES).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=target/wasmatrix/venv
export FLATC="${FLATC:-$PWD/$VENV/bin/flatc}"

say() { printf 'test-codec: %s\n' "$*" >&2; }
die() { say "FAIL: $*"; exit 1; }

# The codec's own checks: wasmatrix-proto's tests of every codec (round trips, malformed bytes,
# alignment), probe among them, and probe's.
say "wasmatrix-proto's tests with its test-only codec probe"
cargo test --release --locked -p wasmatrix-proto --features test-codec
say "building runner-test-codec: the runner with wasmatrix-proto's test-only codec probe"
cargo build --release --locked -p wasmatrix-runner --features test-codec --bin runner-test-codec
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# Without the feature nothing knows probe: the plain runner refuses the matrix before any cell. The
# test command gives the one its `cargo test` built (WASMATRIX_PLAIN_RUNNER): building it again here
# with `-p` would resolve its dependencies' features apart from the workspace's and compile it anew.
plain=${WASMATRIX_PLAIN_RUNNER:-}
if [ -z "$plain" ]; then
  cargo build --release --locked -p wasmatrix-runner
  plain=target/release/runner
fi
if "$plain" list runner/test_codec.toml >/dev/null 2>"$dir/plain.txt"; then
  die "the plain runner accepted codec probe"
fi
grep -q 'unknown codec `probe`' "$dir/plain.txt" || die "the plain runner said: $(cat "$dir/plain.txt")"
# Exit 0: every cell ran and was ok.
target/release/runner-test-codec run runner/test_codec.toml --out "$dir/probe.csv"

"$VENV/bin/python" - "$dir/probe.csv" "$dir/figures" <<'EOF'
import sys
from pathlib import Path

from matplotlib.text import Text

sys.path.insert(0, "notebooks")
import wasmatrix_results as wr  # noqa: E402

csv, figures = Path(sys.argv[1]), Path(sys.argv[2])
rows, samples = wr.load(csv)
cells = rows[["runtime", "codec"]].astype(str).apply(tuple, axis=1)
want = {(runtime, codec) for runtime in ("wasmi", "v8", "native") for codec in ("raw", "probe")}
assert sorted(cells) == sorted(want), sorted(cells)
assert rows["status"].eq("ok").all(), rows[["cell", "status", "error"]]
assert rows["checksum"].nunique() == 1, rows[["cell", "checksum"]]
# The notebooks have never heard of probe: it sorts after the values they know.
assert "probe" not in wr.VALUE_ORDER["codec"]
assert wr.sort_rows(rows, ["codec"])["codec"].astype(str).iloc[-1] == "probe"
assert "codec" in wr.varying_axes(rows) and "runtime" in wr.varying_axes(rows), wr.varying_axes(rows)
drawn = wr.plot_all(rows, samples)
for name, fig in drawn.items():
    for path in wr.save(fig, name, figures):
        assert path.stat().st_size > 0, path
for name in ("round_trip", "call_floor", "code_size", "native_ratio"):
    texts = [t.get_text() for t in drawn[name].findobj(Text)]
    assert any("probe" in t for t in texts), f"probe is not in the {name} figure: {texts}"
print(f"test-codec: {len(rows)} cells ok, one checksum; {len(drawn)} figures drawn, probe in them")
EOF
