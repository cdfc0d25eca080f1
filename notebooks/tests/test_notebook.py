"""The notebook runs headless (nbclient, a ``python3`` kernel of this interpreter) on the committed
sample and saves every figure; the committed notebooks hold no outputs.

On a run of your own, keeping its figures::

    WASMATRIX_RESULTS=results/<run>.csv WASMATRIX_FIGURES=/tmp/figures \
        target/wasmatrix/venv/bin/python -m pytest -q notebooks/tests/test_notebook.py
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import importlib
import os
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import wasmatrix_results as wr

HERE = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(HERE.glob("*.ipynb"))
KERNEL = "python3"
CELL_TIMEOUT_S = 300
PROBE = "import sys; print(sys.prefix)"


RESULTS = Path(os.environ.get("WASMATRIX_RESULTS") or wr.SAMPLE)
"""The run the notebooks are executed on: ``$WASMATRIX_RESULTS``, else the committed sample."""


def execute(notebook: Path, figures: Path):
    """Executes ``notebook`` on RESULTS with its figures in ``figures``, a first cell printing the
    kernel's sys.prefix; returns the executed notebook."""
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(PROBE))
    env = dict(os.environ, WASMATRIX_RESULTS=str(RESULTS.resolve()), WASMATRIX_FIGURES=str(figures.resolve()))
    # The kernel's warning that it talks over (loopback, signed) TCP is only noise here.
    client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name=KERNEL,
                            extra_arguments=["--IPKernelApp.log_level=ERROR"],
                            resources={"metadata": {"path": str(notebook.parent)}})
    asyncio.run(client.async_execute(env=env))  # an event loop of this thread's own, closed after
    return nb


@functools.cache
def started() -> dict:
    """Every notebook's execution, started in the background (its kernel is a process of its own,
    so the other tests run meanwhile; conftest.py starts them once the tests are collected)."""
    # Imported whole before the thread can import it: matplotlib looks IPython up in sys.modules
    # when a figure is made, and would find it half-imported.
    importlib.import_module("IPython")
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="notebooks")
    runs = {}
    for notebook in NOTEBOOKS:
        figures = os.environ.get("WASMATRIX_FIGURES")
        if not figures:
            figures = tempfile.mkdtemp(prefix="wasmatrix-figures-")
            atexit.register(shutil.rmtree, figures, True)
        figures = Path(figures)
        runs[notebook] = (pool.submit(execute, notebook, figures), figures)
    pool.shutdown(wait=False)
    return runs


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.name)
def executed(request):
    """A notebook executed on RESULTS (waiting for its background run), and its figures."""
    future, figures = started()[request.param]
    return request.param, future.result(), figures


def test_kernel_is_this_interpreter(executed):
    _, nb, _ = executed
    prefix = "".join(o.get("text", "") for o in nb.cells[0].outputs).strip()
    assert Path(prefix).resolve() == Path(sys.prefix).resolve(), \
        f"kernel {KERNEL} ran in {prefix}, not in this interpreter's {sys.prefix}"


def test_every_figure_displayed(executed):
    notebook, nb, _ = executed
    images = sum("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))
    expected = len(wr.FIGURES) if notebook.name == "wasmatrix.ipynb" else 0
    assert images >= expected, f"{notebook.name} displayed {images} figures, expected {expected}"


def test_every_figure_saved(executed):
    """Every figure of wr.FIGURES exists as a non-empty PNG and SVG, and so does every question
    figure the sample answers."""
    notebook, _, figures = executed
    if notebook.name != "wasmatrix.ipynb":
        pytest.skip("only wasmatrix.ipynb saves the figures")
    answered = [name for name, drawn in wr.draw_questions(wr.load(RESULTS)[0], RESULTS.stem).items()
                if not isinstance(drawn, str)]
    wanted = [f"{name}.{ext}" for name in wr.FIGURES for ext in ("png", "svg")]
    wanted += [f"{name}.svg" for name in answered]
    missing = [name for name in wanted if not (figures / name).is_file() or (figures / name).stat().st_size == 0]
    assert not missing, f"missing or empty in {figures}: {', '.join(missing)}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_is_clean(notebook):
    """The committed notebooks carry no outputs or execution counts (clear them before commit)."""
    nb = nbformat.read(notebook, as_version=4)
    nbformat.validate(nb)
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count is not None)]
    assert not dirty, f"{notebook.name}: cells {dirty} have outputs; clear them"
