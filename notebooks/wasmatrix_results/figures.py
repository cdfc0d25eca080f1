"""Every figure the notebook saves, by name, drawn at once, and where and how they are saved."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pandas as pd
from matplotlib import rc_context
from matplotlib.figure import Figure

from .distributions import plot_call_floor, plot_round_trip
from .environments import plot_environments
from .interference import plot_interference
from .native import plot_native_ratio
from .schema import REPO
from .sizes import plot_builds, plot_code_size
from .startup import plot_startup

FIGURES = ("startup", "round_trip", "call_floor", "code_size", "native_ratio", "environments",
           "builds", "interference")
"""The figure names the notebook saves (``save(fig, name, ...)``), in the notebook's order."""

PLOTS = {
    "startup": plot_startup,
    "round_trip": plot_round_trip,
    "call_floor": plot_call_floor,
    "code_size": plot_code_size,
    "native_ratio": plot_native_ratio,
    "environments": plot_environments,
    "builds": plot_builds,
    "interference": plot_interference,
}
"""Each figure of FIGURES and the function that draws it from (rows, samples)."""


def plot_all(rows: pd.DataFrame, samples: pd.DataFrame) -> dict[str, Figure]:
    """Every figure of FIGURES, by name."""
    return {name: PLOTS[name](rows, samples) for name in FIGURES}


def figures_dir(results_csv: Path | str) -> Path:
    """Where figures go: ``$WASMATRIX_FIGURES``, else ``<repo>/notebooks/figures/<stem>/``."""
    chosen = os.environ.get("WASMATRIX_FIGURES")
    if chosen:
        return Path(chosen).expanduser()
    return REPO / "notebooks" / "figures" / Path(results_csv).stem


def save(fig: Figure, name: str, outdir: Path | str) -> tuple[Path, Path]:
    """Writes ``outdir/name.png`` (120 dpi) and ``outdir/name.svg``; returns both paths.

    The SVG keeps its text as text (smaller, searchable) and carries no date, so saving the
    same figure twice gives the same files.
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    png = outdir / f"{name}.png"
    fig.savefig(png, dpi=120, metadata={"Software": None})
    return png, save_svg(fig, outdir / f"{name}.svg")


def save_svg(fig: Figure, path: Path | str) -> Path:
    """Writes ``fig`` as SVG to ``path`` (making its directory): text kept as text (no embedded fonts), no date, ids from a
    fixed salt, so the same figure always gives the same bytes. Each clip path's id is renumbered in order of appearance:
    matplotlib hashes the clip rectangle's coordinates at full precision into it, so a last-bit difference in the layout
    (numpy's kernels differ between CPUs and releases) changed the id where no drawn coordinate changed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "wasmatrix"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    path.write_text(_renumber_clip_ids(buffer.getvalue()), encoding="utf-8")
    return path


_CLIP_ID = re.compile(r'<clipPath id="(p[0-9a-f]{10})">')


def _renumber_clip_ids(svg: str) -> str:
    """``svg`` with its clip paths' hashed ids (``p`` and 10 hex digits) replaced by ``clip1``, ``clip2``, ... in the
    order the clip paths are defined, and every reference to them with them."""
    ids = {old: f"clip{n}" for n, old in enumerate(dict.fromkeys(_CLIP_ID.findall(svg)), start=1)}
    if not ids:
        return svg
    return re.sub(r"\b(p[0-9a-f]{10})\b", lambda m: ids.get(m.group(1), m.group(1)), svg)
