"""The payload figure: the round trip against the bytes a message carries (the ``records`` axis),
log-log, one line per runtime, transport and codec measured at two sizes or more."""

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
"""Line style per transport, in the axis's order."""


def payload(rows: pd.DataFrame, run: str) -> Figure:
    """Round trip per message against its bytes, per runtime (compiler), transport and codec."""
    value = column(rows, "rt")
    free = ["runtime", "compiler", "engine", "transport", "codec", "records"]
    answer = hold(ok_rows(rows, value), free, ok_rows(rows))
    frame = answer.rows[answer.rows["request_bytes_mean"].notna()]
    keys = ["runtime", "compiler", "transport", "codec"]
    sizes = frame.groupby(keys)["records"].transform("nunique")
    frame = frame[sizes > 1]
    if frame.empty:
        raise Unanswered("the run has no cell measured at two payload sizes (records) or more")
    codecs = [c for c in VALUE_ORDER["codec"] if c in set(frame["codec"])]
    transports = [t for t in VALUE_ORDER["transport"] if t in set(frame["transport"])]
    runtimes = list(dict.fromkeys(frame.sort_values(value)["runtime"]))
    colours = _colours(codecs)
    fig = Figure(figsize=(WIDTH_IN, 2.6 + 2.4 * len(runtimes) / 2 + 0.55), layout="constrained")
    main, _ = fig.subfigures(2, 1, height_ratios=[2.6 + 2.4 * len(runtimes) / 2, 0.55])
    axs = main.subplots(1, len(runtimes), sharey=True, squeeze=False)[0]
    for ax, runtime in zip(axs, runtimes):
        mine = frame[frame["runtime"] == runtime]
        for (compiler, transport, codec), line in mine.groupby(["compiler", "transport", "codec"]):
            line = line.sort_values("request_bytes_mean")
            ax.plot(line["request_bytes_mean"], line[value], marker="o", ms=3, lw=1.2, color=colours[codec],
                    ls=STYLES[transports.index(transport) % len(STYLES)])
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(f"{runtime} ({', '.join(sorted(set(mine['compiler'])))})", fontsize=9)
        ax.set_xlabel("bytes per message (log)", fontsize=8.5)
        ax.yaxis.set_major_formatter(FuncFormatter(_si_time))
        ax.grid(alpha=0.3, which="both")
    axs[0].set_ylabel(f"round trip ({value}), log", fontsize=8.5)
    handles = [Line2D([], [], color=colours[c], lw=2, label=c) for c in codecs]
    handles += [Line2D([], [], color="black", ls=STYLES[i % len(STYLES)], label=t) for i, t in enumerate(transports)]
    main.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 6), fontsize=7.5, frameon=False)
    return finish(fig, "Does zero copy pay? Round trip against the bytes a message carries", answer.held_text(),
                  caption(rows, run, f"each point a cell of its own records per message; {value}"))
