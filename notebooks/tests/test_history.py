"""The history store as pandas reads it: the committed store (results/history/, written by
`runner history add`) gives its nights in order with their machine, typed rows, and a trend figure
with a panel per machine; a directory without a store is named."""

from __future__ import annotations

import pandas as pd
import pytest

import wasmatrix_results as wr


def test_the_committed_store_reads_as_nights_in_order():
    nights = wr.history.runs()
    assert len(nights) >= 3, nights
    assert list(nights["started"]) == sorted(nights["started"])
    for _, mine in nights.groupby("machine"):
        assert list(mine["night"]) == list(range(1, len(mine) + 1))
    assert (nights["ok"] > 0).all()
    assert nights["releases"].str.contains("wasmer ").all()


def test_rows_are_typed_and_know_their_night():
    rows = wr.history.rows()
    assert pd.api.types.is_float_dtype(rows["rt_headline_ns"])
    assert pd.api.types.is_integer_dtype(rows["schema_version"])
    ok = rows[rows["status"] == "ok"]
    assert ok["rt_headline_ns"].gt(0).all()
    assert set(rows["night_run"]) == set(wr.history.runs()["run"])
    # One checksum per stored run's ok cells.
    assert (ok.groupby("night_run")["checksum"].nunique() == 1).all()


def test_trend_draws_a_panel_per_machine():
    nights = wr.history.runs()
    fig = wr.history.trend(limit=3)
    assert len(fig.axes) == nights["machine"].nunique()
    lines = fig.axes[0].get_legend_handles_labels()[1]
    assert 1 <= len(lines) <= 3


def test_a_directory_without_a_store_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        wr.history.runs(tmp_path)
