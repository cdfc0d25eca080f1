"""The store of runs that ``runner history`` keeps (``results/history/``: Parquet files, read here
with pandas through pyarrow) as frames, and the trend figure: per machine, each chosen cell's
headline round trip night after night with its 95% interval.

    nights = runs()                 # the manifest: one row per stored run, in the order they started
    frame = rows()                  # every stored run's results rows, with its night and machine
    fig = trend(cells=[...])        # the figure

Which steps are changes is ``runner history trend``'s answer (``compare``'s verdict between
neighbouring nights); the figure shows the values and intervals it reads."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from .drawing import _colours, _si_time
from .schema import RESULTS_DIR

STORE = RESULTS_DIR / "history"
"""The store ``runner history`` uses unless told another (``--store``)."""


def runs(store: Path | str = STORE) -> pd.DataFrame:
    """The manifest: run, run_ids, started, commit, machine, host, matrix, releases, checksum,
    source, digest, cells, ok; in the order the runs started, numbered per machine (``night``)."""
    path = Path(store) / "runs.parquet"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no history store here (`runner history add RUN.csv` makes one)")
    frame = pd.read_parquet(path).sort_values(["started", "run"]).reset_index(drop=True)
    return frame.assign(night=frame.groupby("machine").cumcount() + 1)


def rows(store: Path | str = STORE) -> pd.DataFrame:
    """Every stored run's results rows (this runner's columns, typed), each with its run's
    ``night``, ``machine``, ``started`` and ``commit`` (as ``night_*`` beside the row's own)."""
    manifest = runs(store)
    frames = []
    for night in manifest.itertuples():
        frame = pd.read_parquet(Path(store) / "runs" / f"{night.run}.rows.parquet")
        frames.append(frame.assign(night=night.night, night_run=night.run, night_machine=night.machine,
                                   night_started=night.started, night_commit=night.commit))
    return pd.concat(frames, ignore_index=True)


def trend(store: Path | str = STORE, cells: list[str] | None = None, machine: str | None = None,
          limit: int = 8) -> Figure:
    """The headline round trip of ``cells`` (default: the first ``limit`` cells ok in every night)
    night after night with its 95% interval, a panel per machine (or only ``machine``'s)."""
    frame = rows(store)
    frame = frame[frame["status"] == "ok"]
    if machine is not None:
        if machine not in set(frame["night_machine"]):
            raise ValueError(f"no stored run is of machine {machine!r}; the store's: {sorted(set(frame['night_machine']))}")
        frame = frame[frame["night_machine"] == machine]
    machines = list(dict.fromkeys(frame["night_machine"]))
    if cells is None:
        nights = frame.groupby("night_machine")["night"].transform("nunique")
        every = frame.groupby(["night_machine", "cell"])["night"].transform("nunique") == nights
        cells = list(dict.fromkeys(frame[every]["cell"]))[:limit]
    frame = frame[frame["cell"].isin(cells)]
    if frame.empty:
        raise ValueError(f"none of the cells {cells} is ok in a stored night")
    colours = _colours(cells)
    fig = Figure(figsize=(7.5, 0.6 + 2.8 * len(machines)), layout="constrained")
    axs = fig.subplots(len(machines), 1, squeeze=False)[:, 0]
    for ax, name in zip(axs, machines):
        mine = frame[frame["night_machine"] == name]
        for cell, line in mine.groupby("cell", sort=False):
            line = line.sort_values("night")
            y = line["rt_headline_ns"]
            err = [y - line["rt_headline_ci_low_ns"].fillna(y), line["rt_headline_ci_high_ns"].fillna(y) - y]
            ax.errorbar(line["night"], y, yerr=err, marker="o", ms=3, lw=1.1, capsize=2, color=colours[cell],
                        label=cell)
        labels = mine.drop_duplicates("night").sort_values("night")
        ax.set_xticks(labels["night"])
        ax.set_xticklabels([f"{n}\n{s[:10]}\n{c[:7]}" for n, s, c in
                            zip(labels["night"], labels["night_started"], labels["night_commit"])], fontsize=7)
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(_si_time))
        ax.set_ylabel("round trip (headline)", fontsize=8)
        ax.set_title(name, fontsize=9)
    axs[0].legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.suptitle("Round trip night after night, 95% intervals (flags: `runner history trend`)", fontsize=9.5)
    return fig
