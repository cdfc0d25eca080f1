"""Load a wasmatrix run and plot it: the analysis end of the benchmark, used by wasmatrix.ipynb.

A run is a results CSV (one row per cell, schema version 2 to 12, every column documented in
results/README.md and docs/instantiate.md) and its raw-samples sidecar ``<stem>.samples.csv.gz``.
Typical use::

    import wasmatrix_results as wr
    path = wr.results_path()            # $WASMATRIX_RESULTS, or the newest run in results/
    rows, samples = wr.load(path)
    wr.varying_axes(rows)               # e.g. ['compiler', 'engine', 'transport', 'codec']
    fig = wr.plot_round_trip(rows, samples)
    wr.save(fig, "round_trip", wr.figures_dir(path))
    wr.winners(rows), wr.failures(rows)

Every plot facets, groups or colours over the axes that vary in the run (``varying_axes``), so a
new axis column shows up in the figures without editing them; labels leave out the axis values
that are the same in every cell. Under ``--measure instructions`` (``measure`` ==
``instructions``) the ``_ns`` figures are empty and the plots use the ``_instructions`` columns
instead, and say so in their titles. The functions return ``matplotlib.figure.Figure`` objects
made without pyplot, so nothing here depends on a GUI backend or keeps global state; a notebook
displays them as the value of a cell.

The package, one module per job: ``schema`` (where runs live, the schema and columns read),
``axes`` (notebooks/axes.json, axis columns, labels and order), ``loading`` (finding and reading a
run), ``metrics`` (measure, ok rows, process medians, native ratios), ``tables`` (describe,
failures, winners, setup_strategies), ``drawing`` (what the figures share), one module per figure
family (``startup``, ``distributions``, ``sizes``, ``environments``, ``native``, ``interference``),
``figures`` (every figure by name, and saving) and the subpackage ``questions`` (the figures that
each answer one question, for a run's page: ``python -m wasmatrix_results.questions``), and
``history`` (the runs ``runner history`` keeps, read from its Parquet store, and the trend figure
night after night). The names
below are its public face.
"""

from .schema import (HEADLINES, KEY, MIN_SCHEMA_VERSION, REPO, REQUIRED_COLUMNS, RESULTS_DIR, SAMPLE,
                     SAMPLE_COLUMNS, SCHEMA_3_COLUMNS, SCHEMA_VERSION)
from .axes import (AXES, AXES_FILE, FACET_AXES, NATIVE_ENGINE, PUBLISHED_AXES, VALUE_ORDER, WASM_ONLY_AXES,
                   axis_columns, axis_values, labels, sort_rows, varying_axes)
from .loading import check_columns, load, read_samples, results_path, sidecar_path
from .metrics import (TWIN_CODEC_BEFORE_SCHEMA_11, TWIN_TRANSPORT_BEFORE_SCHEMA_11, measure_of, native_ratios,
                      ok_rows, process_medians)
from .tables import STRATEGY_AXES, STRATEGY_COLUMNS, describe, failures, setup_strategies, winners
from .startup import PHASES, PHASE_COLOURS, plot_startup
from .distributions import NOISY_HATCH, plot_call_floor, plot_round_trip
from .sizes import plot_builds, plot_code_size, size_columns
from .environments import plot_environments
from .native import plot_native_ratio
from .interference import INTERFERENCE, plot_interference
from .figures import FIGURES, PLOTS, figures_dir, plot_all, save, save_svg
from .questions import QUESTIONS, Unanswered, draw_questions, write_questions
from . import history
