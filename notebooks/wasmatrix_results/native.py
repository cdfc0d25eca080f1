"""Figure e, ratio to native: each compiler's round trip over its native twin's, per codec."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from .axes import _facet_axis, _facet_rows, _facet_title, _label_axes, _ordered_values, labels, sort_rows
from .drawing import _message_figure, _title
from .metrics import _metric, measure_of, native_ratios


def plot_native_ratio(rows: pd.DataFrame, samples: pd.DataFrame | None = None) -> Figure:
    """Heatmaps of round trip over the native twin's: compiler (its best engine) x codec.

    One heatmap per value of the facet axis (transport), annotated with the ratio and the engine
    that achieved it; other varying axes join the compiler in the row labels. ``samples`` is
    unused.
    """
    measure = measure_of(rows)
    metric = _metric("rt", measure)
    what = "headline" if measure == "wall_clock" else "instructions"
    title = f"Round trip in wasm over its native twin ({metric['headline']} ratio, " \
            f"best engine per compiler; lower is better, 1 = native)"
    ratios = native_ratios(rows)
    if ratios.empty:
        return _message_figure(title, "No ok wasm cell has an ok native twin in this run.")
    facet = _facet_axis(ratios, exclude=("codec",))
    column_axis = "codec"
    row_axes = [a for a in _label_axes(ratios, exclude=(facet, column_axis, "engine"))]
    row_axes = row_axes or ["compiler"]
    ratios = ratios.assign(_row=labels(ratios, row_axes))
    best = ratios.loc[ratios.groupby(["_row", column_axis] + ([facet] if facet else []))
                      ["ratio"].idxmin()]
    facets = _ordered_values(best, facet)
    row_names = list(dict.fromkeys(labels(sort_rows(best, row_axes), row_axes)))
    col_names = _ordered_values(best, column_axis)
    vmin, vmax = min(1.0, best["ratio"].min()), best["ratio"].max()
    fig = Figure(figsize=(0.95 * len(col_names) * len(facets) + 3.2,
                          0.7 * len(row_names) + 2.3), layout="constrained")
    axs = fig.subplots(1, len(facets), squeeze=False, sharey=True)[0]
    image = None
    for ax, value in zip(axs, facets):
        part = _facet_rows(best, facet, value)
        grid = part.pivot(index="_row", columns=column_axis, values="ratio")
        grid = grid.reindex(index=row_names, columns=col_names)
        engine = part.pivot(index="_row", columns=column_axis, values="engine")
        engine = engine.reindex(index=row_names, columns=col_names)
        image = ax.imshow(grid.to_numpy(dtype=float), cmap="YlOrRd", vmin=vmin, vmax=vmax,
                          aspect="auto")
        _annotate_heatmap(ax, grid, engine, image)
        ax.set_xticks(range(len(col_names)), col_names, rotation=30, ha="right")
        ax.set_yticks(range(len(row_names)), row_names)
        ax.set_xlabel(column_axis)
        ax.set_title(_facet_title(facet, value), fontsize=10)
    axs[0].set_ylabel("/".join(row_axes) + " (best engine)")
    fig.colorbar(image, ax=list(axs), label=f"wasm / native ({what}, ×)", shrink=0.9)
    _title(fig, title, "each square: ratio and the engine that achieved it; blank: not in this run")
    return fig


def _annotate_heatmap(ax, grid: pd.DataFrame, engine: pd.DataFrame, image) -> None:
    """Writes each square's ratio and engine, in black or white to stand out from its colour."""
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            value = grid.iat[i, j]
            if pd.isna(value):
                continue
            red, green, blue, _ = image.cmap(image.norm(value))
            colour = "black" if 0.299 * red + 0.587 * green + 0.114 * blue > 0.5 else "white"
            ax.text(j, i, f"{value:.2f}×\n{engine.iat[i, j]}", ha="center", va="center",
                    fontsize=7.5, color=colour)
