"""The notebooks read the schema the runner writes, and the axes it publishes."""

from __future__ import annotations

import json
import re

import pandas as pd

import wasmatrix_results as wr

ROW_RS = wr.REPO / "runner" / "src" / "results" / "row.rs"
"""Where the runner defines the schema version it writes (``pub const SCHEMA_VERSION``)."""


def test_schema_version_is_the_runners():
    found = re.search(r"pub const SCHEMA_VERSION: u32 = (\d+);", ROW_RS.read_text(encoding="utf-8"))
    assert found, f"no `pub const SCHEMA_VERSION: u32 = N;` in {ROW_RS}"
    assert wr.SCHEMA_VERSION == int(found.group(1)), \
        f"the notebooks read schema {wr.SCHEMA_VERSION}, the runner writes {found.group(1)} ({ROW_RS}): " \
        "teach wasmatrix_results/schema.py (and loading.py) the new columns, then bump SCHEMA_VERSION"


def test_axes_published():
    """The axes and their values' order are the runner's (axes.json, ``runner axes --json``), every
    axis the module names is one of them, and a value it does not list sorts alphabetically after
    those it does."""
    published = json.loads(wr.AXES_FILE.read_text(encoding="utf-8"))["axes"]
    assert wr.AXES == tuple(a["name"] for a in published), wr.AXES
    assert wr.VALUE_ORDER == {a["name"]: tuple(a["values"]) for a in published}, wr.VALUE_ORDER
    assert wr.VALUE_ORDER["runtime"][:2] == ("wasmer", "wasmtime"), wr.VALUE_ORDER
    for named in (*wr.FACET_AXES, *wr.WASM_ONLY_AXES):
        assert named in wr.AXES, f"{named} is not an axis of {wr.AXES_FILE}"
    assert all(a["default"] in a["values"] for a in published), published
    rows = pd.DataFrame({"codec": ["zeta", "json", "alpha", "raw"]})
    assert wr.sort_rows(rows, ["codec"])["codec"].tolist() == ["raw", "json", "alpha", "zeta"]
