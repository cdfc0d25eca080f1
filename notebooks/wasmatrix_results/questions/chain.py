"""The chain figure: the round trip against the modules a request passes through (the ``modules``
axis: the producer, n − 2 relays, the consumer), one panel per runtime, one line per transport and
call pattern; the slope is the cost of each extra module."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from ..axes import VALUE_ORDER
from ..drawing import _colours, _si_time
from ..metrics import ok_rows
from .bars import WIDTH_IN, finish
from .slicing import Unanswered, caption, column, hold

STYLES = ("-", "--", ":", "-.")
"""Line style per call pattern, in the axis's order."""


def chain(rows: pd.DataFrame, run: str) -> Figure:
    """Round trip against the chain's length, per runtime (compiler), transport and call."""
    value = column(rows, "rt")
    free = ["runtime", "compiler", "engine", "transport", "call", "modules"]
    answer = hold(ok_rows(rows, value), free, ok_rows(rows))
    frame = answer.rows.assign(n=pd.to_numeric(answer.rows["modules"]))
    keys = ["runtime", "compiler", "transport", "call"]
    frame = frame[frame.groupby(keys)["n"].transform("nunique") > 1]
    if frame.empty:
        raise Unanswered("the run has no cell measured at two chain lengths (modules) or more")
    transports = [t for t in VALUE_ORDER["transport"] if t in set(frame["transport"])]
    calls = [c for c in VALUE_ORDER["call"] if c in set(frame["call"])]
    runtimes = list(dict.fromkeys(frame.sort_values(value)["runtime"]))
    colours = _colours(transports)
    fig = Figure(figsize=(WIDTH_IN, 3.2 + 0.55), layout="constrained")
    main, _ = fig.subfigures(2, 1, height_ratios=[3.2, 0.55])
    # A scale per panel: an interpreter's round trip is ten times a compiler's, and each panel's
    # slope (the cost of each extra module) is what it shows.
    axs = main.subplots(1, len(runtimes), squeeze=False)[0]
    lengths = sorted(set(frame["n"]))
    for ax, runtime in zip(axs, runtimes):
        mine = frame[frame["runtime"] == runtime]
        for (_, transport, call), line in mine.groupby(["compiler", "transport", "call"]):
            line = line.sort_values("n")
            ax.plot(line["n"], line[value], marker="o", ms=3, lw=1.2, color=colours[transport],
                    ls=STYLES[calls.index(call) % len(STYLES)])
        ax.set_xticks(lengths)
        ax.set_title(f"{runtime} ({', '.join(sorted(set(mine['compiler'])))})", fontsize=9)
        ax.set_xlabel("modules in the chain", fontsize=8.5)
        ax.yaxis.set_major_formatter(FuncFormatter(_si_time))
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    axs[0].set_ylabel(f"round trip ({value})", fontsize=8.5)
    handles = [Line2D([], [], color=colours[t], lw=2, label=t) for t in transports]
    handles += [Line2D([], [], color="black", ls=STYLES[i % len(STYLES)], label=f"call {c}")
                for i, c in enumerate(calls)]
    main.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 6), fontsize=7.5, frameon=False)
    return finish(fig, "What each extra module costs: round trip against the chain's length", answer.held_text(),
                  caption(rows, run, f"2 modules: the pair; each more a relay that reads every record; {value}"))
