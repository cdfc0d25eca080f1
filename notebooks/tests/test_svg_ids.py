"""Saved SVGs name their clip paths by order, not by matplotlib's hash of the clip rectangle."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from wasmatrix_results.figures import _renumber_clip_ids, save_svg  # noqa: E402


def test_clip_ids_are_numbered_in_order_and_every_reference_follows():
    svg = ('<g clip-path="url(#p0123456789)"/><g clip-path="url(#pabcdefabcd)"/>'
           '<clipPath id="pabcdefabcd"></clipPath><clipPath id="p0123456789"></clipPath><text>p0000000000</text>')
    assert _renumber_clip_ids(svg) == ('<g clip-path="url(#clip2)"/><g clip-path="url(#clip1)"/>'
                                       '<clipPath id="clip1"></clipPath><clipPath id="clip2"></clipPath>'
                                       '<text>p0000000000</text>')


def test_a_figure_saved_twice_with_its_axes_moved_by_a_hair_gives_the_same_bytes(tmp_path):
    def draw(nudge):
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.plot([0, 1], [0, 1])
        ax.set_position([0.125 + nudge, 0.11, 0.775, 0.77])
        path = save_svg(fig, tmp_path / f"{nudge}.svg")
        plt.close(fig)
        return path.read_text()

    a, b = draw(0.0), draw(1e-12)
    assert 'clip-path="url(#clip1)"' in a
    assert a == b
