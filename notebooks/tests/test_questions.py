"""The question figures: drawn on the sample, on real committed runs and on an instruction-count
run, each a well-formed SVG naming its run and CPU, README-wide, the same bytes every time; a
question a run cannot answer gives a reason and no file; the committed page figures are current."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import wasmatrix_results as wr
from wasmatrix_results.questions.__main__ import PAGES, main, studies
from helpers import read_raw, write_run
from test_figures import instructions_run

README_RUN = wr.RESULTS_DIR / "repeat-quick-quiet-A.csv"
"""The run the README shows (every runtime, the components): it answers every question but the
merged pair's, the payload's and the chain's (transport merged, the records and modules axes came
later)."""

SVG = "{http://www.w3.org/2000/svg}"


def check_svg(path: Path, rows) -> None:
    """``path`` is well-formed SVG at most README-wide whose text names the run and every CPU."""
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg", root.tag
    assert float(root.get("width").removesuffix("pt")) <= 72 * 8.5, root.get("width")
    text = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    assert f"run {path.parent.name}" in text, f"{path}: the run is not named in: {text}"
    for model, cpus in rows[["cpu_model", "cpus"]].drop_duplicates().itertuples(index=False):
        assert f"{model} × {cpus} CPUs" in text, f"{path}: the CPU is not named in: {text}"


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    """Draws the questions of a run once per module: ``drawn(csv)`` is its directory of figures."""
    done = {}

    def draw(csv: Path) -> tuple[Path, dict]:
        if csv not in done:
            outdir = tmp_path_factory.mktemp("drawn") / csv.stem
            done[csv] = outdir, wr.write_questions(csv, outdir)
        return done[csv]
    return draw


@pytest.mark.parametrize("csv, unanswered", [
    (wr.SAMPLE, {"5-component", "6-isolation", "7-payload", "8-chain"}),
    (README_RUN, {"6-isolation", "7-payload", "8-chain"}),
    (wr.RESULTS_DIR / "full-allocators.csv",
     {"2-transport", "3-codec", "5-component", "6-isolation", "7-payload", "8-chain"}),
    (wr.RESULTS_DIR / "quick-isolation-A.csv", {"3-codec", "5-component", "7-payload", "8-chain"}),
    (wr.RESULTS_DIR / "quick-payload-A.csv", {"1-backend", "5-component", "6-isolation", "8-chain"}),
    (wr.RESULTS_DIR / "quick-chains-A.csv", {"3-codec", "5-component", "6-isolation", "7-payload"}),
    (wr.RESULTS_DIR / "quick-chains-isolated-A.csv", {"3-codec", "6-isolation", "7-payload"}),
], ids=lambda v: v.stem if isinstance(v, Path) else None)
def test_questions_drawn(csv, unanswered, drawn):
    outdir, written = drawn(csv)
    assert list(written) == list(wr.QUESTIONS)
    skipped = {name for name, done in written.items() if isinstance(done, str)}
    assert skipped == unanswered, {name: written[name] for name in skipped}
    assert sorted(p.name for p in outdir.iterdir()) == [f"{n}.svg" for n in wr.QUESTIONS if n not in unanswered]
    rows, _ = wr.load(csv)
    for path in outdir.iterdir():
        check_svg(path, rows)
        assert path.stat().st_size < 150_000, f"{path}: {path.stat().st_size} bytes"


def test_deterministic(drawn, tmp_path):
    """Drawing a run's questions twice gives the same bytes."""
    _, first = drawn(README_RUN)
    second = wr.write_questions(README_RUN, tmp_path)
    for name, path in _figures(first).items():
        assert path.read_bytes() == second[name].read_bytes(), f"{name} differs between two drawings"


def _figures(written: dict) -> dict:
    """The figures ``write_questions`` wrote, without the questions it skipped (a reason each)."""
    return {name: path for name, path in written.items() if isinstance(path, Path)}


def test_skipped_question_leaves_no_file(tmp_path, capsys):
    """A question the run cannot answer removes an older figure of it and says why."""
    outdir = tmp_path / "quick-sample"
    outdir.mkdir()
    (outdir / "5-component.svg").write_text("stale")
    assert main([str(wr.SAMPLE), str(outdir)]) == 0
    assert not (outdir / "5-component.svg").exists()
    assert "5-component: skipped: the run has no Component Model cells" in capsys.readouterr().out


def test_instruction_counts(tmp_path):
    """An instruction-count run answers in instructions, and has no set-up to show."""
    rows, _ = instructions_run(tmp_path)
    drawn = wr.draw_questions(rows, "instructions")
    assert "instructions" in drawn["4-setup"], drawn["4-setup"]
    assert "round trip, instructions" in "\n".join(t.get_text() for t in drawn["1-backend"].findobj(
        lambda a: hasattr(a, "get_text")))


def test_a_run_without_a_second_value(tmp_path):
    """A run of one transport and one codec cannot say which is best: reasons, no figure."""
    rows, samples = read_raw()
    keep = (rows["transport"] == "copy") & (rows["codec"] == "raw")
    rows, _ = wr.load(write_run(tmp_path, "narrow", rows[keep], samples))
    drawn = wr.draw_questions(rows, "narrow")
    assert "fewer than two cells to compare by transport" in drawn["2-transport"]
    assert "fewer than two cells to compare by codec" in drawn["3-codec"]


def test_page_figures_current(drawn):
    """The committed figures of the README's run are what the code draws from its CSV (redraw:
    ``python -m wasmatrix_results.questions --studies``), and every study run has its directory."""
    committed = PAGES / README_RUN.stem
    _, written = drawn(README_RUN)
    fresh = _figures(written)
    assert sorted(p.name for p in committed.glob("*")) == sorted(p.name for p in fresh.values()), committed
    for path in fresh.values():
        assert (committed / path.name).read_bytes() == path.read_bytes(), \
            f"{committed / path.name} is stale: python -m wasmatrix_results.questions --studies"
    assert {p.stem for p in studies()} <= {p.name for p in PAGES.iterdir() if p.is_dir()}
