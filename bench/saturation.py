"""The in-flight ladder: 32 (the latency point), then doubling until tx/s stops growing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bench.runner import PointResult

LATENCY_POINT = 32
GROWTH_THRESHOLD = 1.05  # a step must add 5% tx/s to count as growth


@dataclass(frozen=True, slots=True)
class Ladder:
    latency: PointResult
    saturation: PointResult
    steps: list[PointResult]


def climb(
    measure: Callable[[int], PointResult],
    *,
    max_inflight: int,
    climb: bool,
    start: int = LATENCY_POINT,
) -> Ladder:
    """Measure at ``start`` (32) in flight, then doubling while tx/s grows by 5% or more."""
    first = measure(start)
    steps = [first]
    best = first
    inflight = start * 2
    while climb and inflight <= max_inflight:
        point = measure(inflight)
        steps.append(point)
        if point.tx_per_second < best.tx_per_second * GROWTH_THRESHOLD:
            if point.tx_per_second > best.tx_per_second:
                best = point
            break
        best = point
        inflight *= 2
    return Ladder(first, best, steps)
