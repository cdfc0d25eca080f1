"""Draws the question figures of runs: ``python -m wasmatrix_results.questions --help``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..schema import REPO, RESULTS_DIR
from . import write_questions

PAGES = REPO / "docs" / "results"
"""Where a run's figures go by default: ``docs/results/<run>/``, beside its page ``<run>.md``."""


def studies() -> list[Path]:
    """The committed study runs: every results CSV with a results page (``docs/results/<run>.md``)."""
    return sorted(RESULTS_DIR / (page.stem + ".csv") for page in PAGES.glob("*.md")
                  if not page.name.endswith(".reading.md"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wasmatrix_results.questions",
                                     description="Draw a run's question figures as <question>.svg.")
    parser.add_argument("results", nargs="?", type=Path, help="a results CSV (its sidecar beside it)")
    parser.add_argument("outdir", nargs="?", type=Path,
                        help=f"where the figures go (default: {PAGES.relative_to(REPO)}/<run>/)")
    parser.add_argument("--studies", action="store_true",
                        help="every study run (results/<run>.csv with a page docs/results/<run>.md) into docs/results/<run>/")
    args = parser.parse_args(argv)
    if args.studies == (args.results is not None):
        parser.error("give a results CSV or --studies (one of them)")
    runs = studies() if args.studies else [args.results]
    for csv in runs:
        outdir = args.outdir or PAGES / csv.stem
        for name, done in write_questions(csv, outdir).items():
            print(f"{csv.stem}: {name}: " + (str(done) if isinstance(done, Path) else f"skipped: {done}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
