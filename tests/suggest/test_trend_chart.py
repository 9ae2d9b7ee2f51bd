"""Pure tests of the weekly acceptance small multiples' geometry."""

import pytest

from interviews.suggest import trend_chart as tc

LABELS = ["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"]


def test_bars_share_the_scale_and_the_line_breaks_where_nothing_was_decided():
    chart = tc.rate_chart(LABELS, [(3, 1), (0, 0), (1, 1), (2, 0)], max_decided=8)
    plot_h = tc.HEIGHT - tc.TOP - tc.BOTTOM
    bottom = tc.TOP + plot_h
    assert [b["h"] for b in chart["bars"]] == [
        round(plot_h * 4 / 8, 1),
        round(plot_h * 2 / 8, 1),
        round(plot_h * 2 / 8, 1),
    ]
    # Rates 75%, (none), 50%, 100%: three dots, one line of two points.
    assert [d["y"] for d in chart["dots"]] == [
        round(bottom - plot_h * 0.75, 1),
        round(bottom - plot_h * 0.5, 1),
        round(bottom - plot_h * 1.0, 1),
    ]
    assert len(chart["lines"]) == 1
    assert chart["lines"][0] == " ".join(
        f"{d['x']},{d['y']}" for d in chart["dots"][1:]
    )
    xs = [d["x"] for d in chart["dots"]]
    assert xs == sorted(xs) and tc.LEFT < xs[0] and xs[-1] < tc.WIDTH - tc.RIGHT
    assert chart["bars"][0]["title"] == (
        "Week of 2026-11-02: 3 accepted, 1 rejected (75% accepted)"
    )
    assert [g["label"] for g in chart["grid"]] == ["0%", "50%", "100%"]


@pytest.mark.parametrize(
    ("counts", "text"),
    [
        ([(0, 0)] * 4, "No decisions in the 4 weeks shown."),
        (
            [(0, 0), (1, 3), (0, 0), (0, 0)],
            "1 accepted and 3 rejected in 1 week of the 4 shown; weekly acceptance"
            " 25%, 25% in the week of 2026-11-09.",
        ),
        (
            [(2, 0), (1, 1), (0, 0), (0, 3)],
            "3 accepted and 4 rejected in 3 weeks of the 4 shown; weekly acceptance"
            " from 0% to 100%, 0% in the week of 2026-11-23.",
        ),
    ],
)
def test_the_summary_reads_the_panel(counts, text):
    assert tc.summary(LABELS, counts) == text
    assert tc.rate_chart(LABELS, counts, max_decided=4)["summary"] == text


def test_a_single_decided_week_is_a_dot_without_a_line():
    chart = tc.rate_chart(LABELS, [(0, 0), (0, 0), (1, 0), (0, 0)], max_decided=1)
    assert len(chart["dots"]) == 1 and chart["lines"] == []


@pytest.mark.parametrize("labels", [[], LABELS[:2]])
def test_mismatched_input_is_refused(labels):
    with pytest.raises(ValueError):
        tc.rate_chart(labels, [(1, 0)] * 3, max_decided=1)
