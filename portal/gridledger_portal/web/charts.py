"""Bar charts drawn on the server as SVG (the templates' ``_chart.html`` renders them): no
script, no style attribute (the Content-Security-Policy allows neither inline), the colours
come from the stylesheet by class."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 960
HEIGHT = 220
TOP = 10
AXIS = 20  # room under the plot for the x labels
LEFT = 56  # room left of the plot for the y labels


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    x_labels: tuple[Label, ...]
    y_labels: tuple[Label, ...]
    baseline: float


def bar_chart(
    series: Sequence[tuple[str, Sequence[int | None]]],
    x_labels: Sequence[tuple[int, str]],
    value_text: str = "{:,}",
) -> Chart:
    """Grouped bars: for each slot one bar per series (``None``: no bar), scaled to the
    largest value; ``x_labels`` are (slot, text) pairs; the y axis is labelled with 0 and the
    largest value (``value_text`` formats it)."""
    slots = max((len(values) for _, values in series), default=0)
    plot_width = WIDTH - LEFT
    plot_height = HEIGHT - TOP - AXIS
    baseline = float(TOP + plot_height)
    top = max((v for _, values in series for v in values if v is not None), default=0)
    scale = plot_height / top if top > 0 else 0.0
    slot_width = plot_width / slots if slots else 0.0
    bar_width = slot_width * 0.8 / max(len(series), 1)
    bars = []
    for index, (name, values) in enumerate(series):
        for slot, value in enumerate(values):
            if value is None or value <= 0:
                continue
            height = value * scale
            x = LEFT + slot * slot_width + slot_width * 0.1 + index * bar_width
            bars.append(Bar(round(x, 2), round(baseline - height, 2), round(bar_width, 2),
                            round(height, 2), name))  # fmt: skip
    labels = tuple(
        Label(round(LEFT + (slot + 0.5) * slot_width, 2), float(HEIGHT - 4), text)
        for slot, text in x_labels
    )
    y_labels = (Label(LEFT - 6, baseline, "0"), Label(LEFT - 6, TOP + 10, value_text.format(top)))
    return Chart(WIDTH, HEIGHT, tuple(bars), labels, y_labels, baseline)
