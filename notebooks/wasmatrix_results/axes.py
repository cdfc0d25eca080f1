"""The axes of a run: the runner's published axes and value order (notebooks/axes.json), which
columns of a run are axes and which vary, and naming, ordering and faceting rows by them."""

from __future__ import annotations

import json

import pandas as pd

from .schema import REPO

AXES_FILE = REPO / "notebooks" / "axes.json"
"""Every axis, its values in order and its default, as the runner publishes them (``runner axes
--json``, from runner/core/src/axes.rs; a Rust test keeps this file what the command prints)."""

_PUBLISHED = json.loads(AXES_FILE.read_text(encoding="utf-8"))
PUBLISHED_AXES = _PUBLISHED["axes"]

COMPONENT_MODEL_TRANSPORTS = tuple(_PUBLISHED["component_model_transports"])
"""The transports under which the guests are components (AXES_FILE): the Component Model's."""

AXES = tuple(axis["name"] for axis in PUBLISHED_AXES)
"""Every axis column the runner knows (AXES_FILE), in the order of the parts of ``cell``. An axis
column not listed here is still found if its value is one of those parts in every row."""

VALUE_ORDER = {axis["name"]: tuple(axis["values"]) for axis in PUBLISHED_AXES}
"""Display order of known axis values (AXES_FILE); other values follow alphabetically."""

DEFAULTS = {axis["name"]: axis["default"] for axis in PUBLISHED_AXES}
"""Each axis's baseline value (AXES_FILE): what a figure holds an axis at when it is not asked about."""

WASM_ONLY_AXES = ("compiler", "engine", "runtime")
"""Axes a native twin does not share: the twin of a wasm cell matches it on every other axis."""

NATIVE_ENGINE = "native"
"""The ``engine`` value of the native twins (compiler ``rustc``)."""

FACET_AXES = ("transport", "environment", "profile", "runtime", "allocator")
"""Axes that get a panel each (the first of them that varies) in the per-cell plots."""


def axis_columns(rows: pd.DataFrame) -> list[str]:
    """Every axis column of the run, in the order of the parts of ``cell``.

    The columns named in AXES that exist, plus any other text column whose value is the same
    ``/``-separated part of ``cell`` in every row (an axis added after this was written).
    """
    parts = rows["cell"].astype(str).str.split("/", expand=True)
    position = {}
    for column in rows.columns:
        if column in ("cell", "run_id") or rows[column].dtype.kind in "biuf":
            continue
        values = rows[column].astype(str)
        first = values.iloc[0] if len(rows) else None
        for k in parts.columns:
            if len(rows) and parts.iat[0, k] == first and values.eq(parts[k]).all():
                position[column] = k
                break
    known = [a for a in AXES if a in rows.columns]
    found = set(known) | set(position)
    rank = {a: i for i, a in enumerate(AXES)}
    return sorted(found, key=lambda a: (position.get(a, len(parts.columns)), rank.get(a, 0), a))


def varying_axes(rows: pd.DataFrame) -> list[str]:
    """The axis columns (see axis_columns) that take more than one value in ``rows``."""
    return [a for a in axis_columns(rows) if rows[a].astype(str).nunique() > 1]


def axis_values(rows: pd.DataFrame) -> dict[str, list]:
    """Each varying axis and its values, in display order (VALUE_ORDER)."""
    return {axis: _ordered_values(rows, axis) for axis in varying_axes(rows)}


def _label_axes(rows: pd.DataFrame, exclude=()) -> list[str]:
    """Axes that tell the rows apart (plus ``run_id`` if the file holds several runs)."""
    axes = [a for a in varying_axes(rows) if a not in exclude]
    if rows["run_id"].nunique() > 1:
        axes.append("run_id")
    return axes


def labels(rows: pd.DataFrame, axes) -> pd.Series:
    """Short names for rows: the values of ``axes`` joined by ``/`` ("all" if no axis)."""
    if not axes:
        return pd.Series("all", index=rows.index)
    return rows[list(axes)].astype(str).agg("/".join, axis=1)


def _rank(axis: str, values: pd.Series) -> pd.Series:
    """Sort key of an axis's values: VALUE_ORDER first, the rest alphabetically after."""
    order = VALUE_ORDER.get(axis, ())
    known = {v: i for i, v in enumerate(order)}
    text = values.astype(str)
    return text.map(lambda v: f"{known[v]:03d}" if v in known else f"999{v}")


def sort_rows(rows: pd.DataFrame, axes) -> pd.DataFrame:
    """``rows`` ordered by ``axes`` (VALUE_ORDER within each axis)."""
    axes = [a for a in axes if a in rows.columns]
    if not axes or rows.empty:
        return rows
    keys = pd.DataFrame({a: _rank(a, rows[a]) for a in axes}, index=rows.index)
    return rows.loc[keys.sort_values(list(axes)).index]


def _ordered_values(rows: pd.DataFrame, axis: str | None) -> list:
    """The distinct values of an axis in display order ([None] when there is no axis)."""
    if axis is None:
        return [None]
    return list(dict.fromkeys(sort_rows(rows, [axis])[axis].astype(str)))


def _facet_axis(rows: pd.DataFrame, exclude=()) -> str | None:
    """The first of FACET_AXES that varies (and is not excluded), else None."""
    varying = varying_axes(rows)
    return next((a for a in FACET_AXES if a in varying and a not in exclude), None)


def _facet_rows(rows: pd.DataFrame, facet: str | None, value) -> pd.DataFrame:
    """The rows of one facet (all rows when there is no facet axis)."""
    return rows if facet is None else rows[rows[facet].astype(str) == value]


def _facet_title(facet: str | None, value) -> str:
    return "" if facet is None else f"{facet} = {value}"
