"""P4scale's arithmetic, kept apart from the network so it can be unit-tested: how the
certificate holder's readings are laid out, how they are cut into submissions, what a rate
implies at a target size, and whether a figure meets its target.

A renewable meter earns one certificate per interval it exports in, and an interval needs the
readings at its start and end, so ``n`` readings of a meter earn ``n - 1`` certificates.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

CERTIFICATES_PER_METER_MIN = 1_000  # 100,000 certificates or more -> 100 meters
MAX_HOLDER_METERS = 100
MIN_READINGS_PER_METER = 7 * 96 + 1  # a whole week of one meter can be offered
CHUNK_READINGS_PER_METER = 500  # one submission: this many readings of every meter


@dataclass(frozen=True, slots=True)
class HolderLayout:
    """The holder's meters and how many readings each gets for ``certificates`` certificates."""

    certificates: int
    meters: int
    readings_per_meter: int

    @property
    def readings(self) -> int:
        return self.meters * self.readings_per_meter

    @property
    def certificates_earned(self) -> int:
        return self.meters * (self.readings_per_meter - 1)


def holder_layout(certificates: int) -> HolderLayout:
    """Up to 100 meters of at least 1,000 certificates each (a submission holds 500 readings of
    every meter: more meters, more batches in flight); every meter holds at least a week, and at
    least ``certificates`` are earned in all."""
    if certificates < 1:
        raise ValueError(f"certificates must be at least 1, got {certificates}")
    meters = max(1, min(MAX_HOLDER_METERS, certificates // CERTIFICATES_PER_METER_MIN))
    per_meter = max(MIN_READINGS_PER_METER, math.ceil(certificates / meters) + 1)
    return HolderLayout(certificates, meters, per_meter)


def chunks(readings_per_meter: int, per_chunk: int = CHUNK_READINGS_PER_METER) -> Iterator[range]:
    """The reading indexes of each submission, the same for every meter: consecutive runs of
    ``per_chunk``; a submission holds one run of every meter, so its batches share no meter."""
    if per_chunk < 1:
        raise ValueError("per_chunk must be at least 1")
    for first in range(0, readings_per_meter, per_chunk):
        yield range(first, min(first + per_chunk, readings_per_meter))


def groups(items: Sequence[str], size: int) -> list[list[str]]:
    """``items`` cut into lists of at most ``size`` (the last may be shorter)."""
    if size < 1:
        raise ValueError("size must be at least 1")
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def implied_seconds(count: int, per_second: float) -> float:
    """How long ``count`` items take at ``per_second``."""
    return count / per_second if per_second > 0 else math.inf


def best_under(
    points: Sequence[Mapping[str, Any]], p99_ms_limit: float
) -> Mapping[str, Any] | None:
    """The P3 point with the most readings/s whose p99 stays within ``p99_ms_limit`` and that
    had no failures (None when there is none)."""
    fitting = [p for p in points if p["p99_ms"] <= p99_ms_limit and not p["failed"]]
    return max(fitting, key=lambda p: float(p["readings_per_second"]), default=None)
