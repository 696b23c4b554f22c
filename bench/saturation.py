"""The in-flight ladder: 32 (the latency point), then doubling until tx/s stops growing.

Saturation is the best point of the ladder; the climb stops after two doublings in a row that
add less than 5% (a single step can be noise on a shared machine).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bench.runner import PointResult

LATENCY_POINT = 32
GROWTH_THRESHOLD = 1.05  # a step must add 5% tx/s to count as growth
PATIENCE = 2  # stop after this many steps in a row without growth (one can be noise)


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
    misses = 0
    inflight = start * 2
    while climb and inflight <= max_inflight:
        point = measure(inflight)
        steps.append(point)
        if point.tx_per_second >= best.tx_per_second * GROWTH_THRESHOLD:
            best, misses = point, 0
        else:
            if point.tx_per_second > best.tx_per_second:
                best = point
            misses += 1
            if misses == PATIENCE:
                break
        inflight *= 2
    return Ladder(first, best, steps)
