"""Which cells answer a question: the ok rows with the question's axes free and every other axis
held at one value, each row's native twin, and the columns and words a question figure reads."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..axes import COMPONENT_MODEL_TRANSPORTS, DEFAULTS, NATIVE_ENGINE, _rank, axis_columns, sort_rows, varying_axes
from ..metrics import TWIN_TRANSPORT_BEFORE_SCHEMA_11, _metric, measure_of, native_ratios, ok_rows


class Unanswered(Exception):
    """A run cannot answer a question (say, it has one transport); the message says why."""


@dataclass
class Slice:
    """The rows that answer a question and the value every other varying axis is held at."""
    rows: pd.DataFrame
    held: dict[str, str] = field(default_factory=dict)

    def held_text(self) -> str:
        """``held: engine jit, codec raw, ...`` (only the axes that vary in the run), or ``""``."""
        return "held: " + ", ".join(f"{a} {v}" for a, v in self.held.items()) if self.held else ""


def measured(rows: pd.DataFrame, what: str = "rt", wasm_only: bool = True) -> pd.DataFrame:
    """The ok rows with a ``what`` figure under the run's measure (without the native twins)."""
    used = ok_rows(rows, column(rows, what))
    return used[used["engine"] != NATIVE_ENGINE] if wasm_only else used


def column(rows: pd.DataFrame, what: str) -> str:
    """The headline column of ``rt``, ``encode``, ... under the run's measure."""
    return _metric(what, measure_of(rows))["headline"]


def hold(rows: pd.DataFrame, free, everything: pd.DataFrame) -> Slice:
    """``rows`` with every axis but ``free`` held at one value.

    Axis by axis (in the order of the parts of ``cell``), the value kept is the one that leaves
    the most combinations of the ``free`` axes; among equals, the axis's default (DEFAULTS), then
    the first in display order. ``held`` names the value of each axis that varies in
    ``everything`` (the run's ok rows), the question's own axes left out.
    """
    free = [a for a in free if a in rows.columns]
    for axis in axis_columns(rows):
        if axis in free or rows[axis].nunique() < 2:
            continue
        reach = rows[[axis, *free]].astype(str).drop_duplicates().groupby(axis).size()
        order = pd.DataFrame({"reach": -reach, "default": reach.index != DEFAULTS.get(axis),
                              "rank": _rank(axis, pd.Series(reach.index, index=reach.index))})
        chosen = order.sort_values(["reach", "default", "rank"]).index[0]
        rows = rows[rows[axis].astype(str) == chosen]
    held = {a: str(rows[a].iloc[0]) for a in varying_axes(everything)
            if a not in free and a in rows.columns and len(rows)}
    return Slice(rows, held)


def best_per(rows: pd.DataFrame, group: str, value: str) -> pd.DataFrame:
    """The row with the lowest ``value`` in each ``group``."""
    return rows.loc[rows.groupby(group)[value].idxmin()]


def with_twins(rows: pd.DataFrame, everything: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with ``native``: their native twin's round trip (NaN when the run has none)."""
    twins = native_ratios(everything)[["run_id", "cell", "native"]]
    return rows.merge(twins, on=["run_id", "cell"], how="left").set_axis(rows.index)


def interval(rows: pd.DataFrame) -> tuple[pd.Series, pd.Series] | None:
    """The 95% interval of the round trip's headline (low, high), or None (instruction counts)."""
    if measure_of(rows) == "instructions":
        return None
    return rows["rt_headline_ci_low_ns"], rows["rt_headline_ci_high_ns"]


def component_transports(rows: pd.DataFrame) -> list[str]:
    """The Component Model's transports the run has (as the runner publishes them), each read
    against another transport's native twin (from ``twin_cell``; before schema 11 as the runner read
    them then). wasm-bindgen's glue and the merged pair are read against copy's twin too, but are
    not components."""
    components = rows["transport"].isin(list(COMPONENT_MODEL_TRANSPORTS))
    if "twin_cell" in rows.columns:
        position = axis_columns(rows).index("transport")
        twin = rows["twin_cell"].astype(str).str.split("/").str[position]
        found = rows.loc[components & (rows["twin_cell"] != "") & (twin != rows["transport"]), "transport"]
    else:
        found = rows.loc[rows["transport"].isin(list(TWIN_TRANSPORT_BEFORE_SCHEMA_11)), "transport"]
    return list(dict.fromkeys(sort_rows(rows.loc[found.index], ["transport"])["transport"].astype(str)))


def caption(rows: pd.DataFrame, run: str, note: str = "") -> str:
    """The footer of a question figure: the run (its file's stem), the CPU, and a note."""
    cpus = rows[["cpu_model", "cpus"]].drop_duplicates().astype(str)
    machine = "; ".join(f"{model} × {n} CPUs" for model, n in cpus.itertuples(index=False))
    return " · ".join(p for p in (f"run {run}", machine, note) if p)
