"""Geometry of the small multiples of weekly acceptance rates (one per code).

The suggestions page draws them as inline SVG from these numbers: bars for
the decisions of each week (on a scale shared by every code, so that panels
compare) and a line for the share of them that were accepted. A week
without decisions has no rate: the line breaks there instead of dropping
to 0.
"""

WIDTH, HEIGHT = 260, 96
LEFT, RIGHT, TOP, BOTTOM = 34, 6, 6, 18


def _percent(accepted: int, rejected: int) -> int | None:
    decided = accepted + rejected
    return round(100 * accepted / decided) if decided else None


def week_title(label: str, accepted: int, rejected: int) -> str:
    """Return the hover text of one week, e.g. "Week of 2026-11-16: ..."."""
    rate = _percent(accepted, rejected)
    if rate is None:
        return f"Week of {label}: nothing decided"
    return (
        f"Week of {label}: {accepted} accepted, {rejected} rejected ({rate}% accepted)"
    )


def summary(labels: list[str], counts: list[tuple[int, int]]) -> str:
    """Return one sentence describing the panel, for screen readers."""
    rates = [
        (label, _percent(a, r))
        for label, (a, r) in zip(labels, counts, strict=True)
        if a + r
    ]
    accepted = sum(a for a, _ in counts)
    rejected = sum(r for _, r in counts)
    if not rates:
        return f"No decisions in the {len(labels)} weeks shown."
    weeks = "week" if len(rates) == 1 else "weeks"
    low = min(rate for _, rate in rates)
    high = max(rate for _, rate in rates)
    spread = f"{low}%" if low == high else f"from {low}% to {high}%"
    return (
        f"{accepted} accepted and {rejected} rejected in {len(rates)} {weeks} "
        f"of the {len(labels)} shown; weekly acceptance {spread}, "
        f"{rates[-1][1]}% in the week of {rates[-1][0]}."
    )


def rate_chart(
    labels: list[str], counts: list[tuple[int, int]], *, max_decided: int
) -> dict:
    """Return the shapes of one panel.

    `labels` name the weeks (oldest first), `counts` are their (accepted,
    rejected); `max_decided` is the largest weekly total over all panels
    (the bars' shared scale). Coordinates are rounded to 0.1 pixel.
    """
    if len(labels) != len(counts) or not labels:
        raise ValueError("One (accepted, rejected) pair per week is needed.")
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    step = plot_w / len(labels)
    bottom = TOP + plot_h
    scale = max(max_decided, 1)
    bars, dots, lines, run = [], [], [], []
    for i, (label, (accepted, rejected)) in enumerate(zip(labels, counts, strict=True)):
        decided = accepted + rejected
        x = LEFT + i * step
        centre = round(x + step / 2, 1)
        title = week_title(label, accepted, rejected)
        if decided:
            h = plot_h * decided / scale
            bars.append(
                {
                    "x": round(x + step * 0.15, 1),
                    "y": round(bottom - h, 1),
                    "w": round(step * 0.7, 1),
                    "h": round(h, 1),
                    "title": title,
                }
            )
            y = round(bottom - plot_h * accepted / decided, 1)
            dots.append({"x": centre, "y": y, "title": title})
            run.append(f"{centre},{y}")
        else:
            if len(run) > 1:
                lines.append(" ".join(run))
            run = []
    if len(run) > 1:
        lines.append(" ".join(run))
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "grid": [
            {"y": round(bottom - plot_h * p / 100, 1), "label": f"{p}%"}
            for p in (0, 50, 100)
        ],
        "bars": bars,
        "dots": dots,
        "lines": lines,
        "first_label": labels[0],
        "last_label": labels[-1],
        "label_y": HEIGHT - 4,
        "summary": summary(labels, counts),
    }
