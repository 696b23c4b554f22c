"""Bar charts drawn on the server as SVG (the templates' ``_chart.html`` renders them): no
script, no style attribute (the Content-Security-Policy allows neither inline), the colours
come from the stylesheet by class."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

WIDTH = 960
HEIGHT = 220
TOP = 10
AXIS = 20  # room under the plot for the x labels
LEFT = 56  # room left of the plot for the y labels


Bar = tuple[float, float, float, float, str]
"""x, y, width, height and the series (the bar's class)."""
Tick = tuple[float, str]
"""Where along its axis, and the label."""


@dataclass(frozen=True)
class Chart:
    width: ClassVar[int] = WIDTH
    height: ClassVar[int] = HEIGHT
    left: ClassVar[int] = LEFT
    bars: tuple[Bar, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
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
            size = (round(bar_width, 2), round(height, 2))
            bars.append((round(x, 2), round(baseline - height, 2), *size, name))
    x_ticks = tuple((round(LEFT + (slot + 0.5) * slot_width, 2), text) for slot, text in x_labels)
    y_ticks = ((baseline, "0"), (float(TOP + 10), value_text.format(top)))
    return Chart(tuple(bars), x_ticks, y_ticks, baseline)
