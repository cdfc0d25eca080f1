"""Question figures: each answers one question about a run on the cells that answer it, the other
axes held at their baseline, README-wide, captioned with the run and the CPU.

    figures = draw_questions(rows, "repeat-quick-quiet-A")    # {name: Figure or reason skipped}
    write_questions("results/repeat-quick-quiet-A.csv", "docs/results/repeat-quick-quiet-A")

From the command line (from notebooks/, or with notebooks/ on PYTHONPATH), one run or every study
run (a results CSV with a page ``docs/results/<run>.md``) into ``docs/results/<run>/``::

    python -m wasmatrix_results.questions results/<run>.csv [OUTDIR]
    python -m wasmatrix_results.questions --studies
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from ..figures import save_svg
from ..loading import load
from .answers import backend, codec, component, isolation, setup, transport
from .chain import chain
from .payload import payload
from .slicing import Unanswered

__all__ = ["QUESTIONS", "Unanswered", "draw_questions", "write_questions"]

QUESTIONS = {
    "1-backend": backend,
    "2-transport": transport,
    "3-codec": codec,
    "4-setup": setup,
    "5-component": component,
    "6-isolation": isolation,
    "7-payload": payload,
    "8-chain": chain,
}
"""Each question figure by file name (``<name>.svg``; sorted by name, the reading order)."""


def draw_questions(rows: pd.DataFrame, run: str) -> dict[str, Figure | str]:
    """Every question figure of a run by name, or the reason the run cannot answer it."""
    drawn = {}
    for name, question in QUESTIONS.items():
        try:
            drawn[name] = question(rows, run)
        except Unanswered as reason:
            drawn[name] = str(reason)
    return drawn


def write_questions(results_csv: Path | str, outdir: Path | str) -> dict[str, Path | str]:
    """Draws a run's question figures into ``outdir/<name>.svg``; a question the run cannot answer
    has no file (an older one is removed) and its reason instead of a path."""
    results_csv, outdir = Path(results_csv), Path(outdir)
    rows, _ = load(results_csv)
    written = {}
    for name, drawn in draw_questions(rows, results_csv.stem).items():
        path = outdir / f"{name}.svg"
        if isinstance(drawn, str):
            path.unlink(missing_ok=True)
            written[name] = drawn
        else:
            written[name] = save_svg(drawn, path)
    return written
