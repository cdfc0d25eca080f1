"""The interference figure: why a process was slow, its round trip against what the OS said about it."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .drawing import _message_figure, _spans_decades, _title
from .schema import KEY

INTERFERENCE = (("steal_pct", "hypervisor steal over the process (%)"),
                ("involuntary_switches", "involuntary context switches"),
                ("cpu_migrations", "CPU migrations of the measuring thread"),
                ("ref_ns", "in-process reference, ns per op (process median)"))
"""The per-process context a schema 8 sidecar carries, and the axis label of each."""


def plot_interference(rows: pd.DataFrame, samples: pd.DataFrame) -> Figure:
    """Why a process was slow: each process's round trip (its p2, nearest rank, the per-process
    step of the headline, runner/src/stats.rs `Headline::WITHIN`; as a share above its cell's fastest process) against what the OS said about it (INTERFERENCE), one panel each.

    A process that sits high with much steal, many involuntary switches or a slow reference ran
    on a busy machine; one high without any of them points at the process itself (its layout).
    """
    title = "Why a process was slow: its round trip against what the OS says about interference"
    rt = samples[samples["metric"] == "rt_ns"]
    present = [(m, label) for m, label in INTERFERENCE if (samples["metric"] == m).any()]
    if rt.empty or not present:
        return _message_figure(title, "This run's samples carry no interference metrics (they came "
                                      "before schema 8) or no timed round trips.")
    key = KEY + ["process"]
    per = rt.groupby(key)["value"].quantile(0.02, interpolation="lower").rename("rt").reset_index()
    per["above"] = 100 * (per["rt"] / per.groupby(KEY)["rt"].transform("min") - 1)
    fig = Figure(figsize=(4.2 * len(present), 4), layout="constrained")
    axs = np.atleast_1d(fig.subplots(1, len(present), sharey=True))
    for ax, (metric, label) in zip(axs, present):
        context = samples[samples["metric"] == metric].groupby(key)["value"].median().rename("x")
        joined = per.merge(context.reset_index(), on=key)
        ax.scatter(joined["x"], joined["above"], s=6, alpha=0.4, color="#4c72b0")
        ax.set_xlabel(label, fontsize=8)
        if _spans_decades(joined["x"]):
            ax.set_xscale("log")
    axs[0].set_ylabel("round trip above the cell's fastest process (%)")
    _title(fig, title, f"{len(per)} processes of {per['cell'].nunique()} cells; each dot one process")
    return fig
