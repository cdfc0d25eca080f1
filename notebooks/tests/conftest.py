"""The package under test is beside this directory (notebooks/wasmatrix_results)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def pytest_collection_modifyitems(session, config, items):
    """The notebooks' tests last: their notebooks run in the background meanwhile."""
    items.sort(key=lambda item: item.module.__name__ == "test_notebook")


def pytest_collection_finish(session):
    """Starts executing the notebooks (test_notebook.py) in the background if a test of it runs."""
    for module in {item.module for item in session.items if item.module.__name__ == "test_notebook"}:
        module.started()
