"""Simulated energy profiles for one UTC day: Wh per 15-minute interval (96 values).

Deterministic (a seeded random generator per meter) so every demo run gives the same bills.
Shapes, not physics: solar is a bell between sunrise and sunset, wind a smooth random walk,
households peak in the morning and evening, a bakery before dawn, a workshop in office hours.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

INTERVALS = 96


def _hour(index: int) -> float:
    return index / 4 + 0.125  # middle of the interval


def solar(peak_wh: int, seed: str, sunrise: float = 5.0, sunset: float = 21.0) -> list[int]:
    rng = random.Random(seed)
    values = []
    for i in range(INTERVALS):
        h = _hour(i)
        if not sunrise < h < sunset:
            values.append(0)
            continue
        bell = math.sin(math.pi * (h - sunrise) / (sunset - sunrise)) ** 2
        clouds = 1.0 - 0.35 * rng.random() if 11 <= h <= 15 else 1.0 - 0.1 * rng.random()
        values.append(round(peak_wh * bell * clouds))
    return values


def wind(mean_wh: int, seed: str) -> list[int]:
    rng = random.Random(seed)
    level = 1.0
    values = []
    for i in range(INTERVALS):
        level = min(1.8, max(0.1, level + rng.uniform(-0.12, 0.12)))
        evening = 1.0 + 0.3 * math.sin(math.pi * (_hour(i) - 12) / 12)
        values.append(round(mean_wh * level * evening))
    return values


def household(daily_wh: int, seed: str) -> list[int]:
    def level(h: float) -> float:
        return (
            0.5
            + 1.6 * math.exp(-(((h - 7.5) / 1.2) ** 2))
            + 2.2 * math.exp(-(((h - 19.5) / 2.0) ** 2))
        )

    return _jittered(daily_wh, seed, level, low=0.85, spread=0.3)


def bakery(daily_wh: int, seed: str) -> list[int]:
    def oven(h: float) -> float:
        return 3.0 if 3 <= h < 10 else (1.0 if 10 <= h < 18 else 0.25)

    return _jittered(daily_wh, seed, oven, low=0.9, spread=0.2)


def workshop(daily_wh: int, seed: str) -> list[int]:
    def busy(h: float) -> float:
        return 2.5 if 8 <= h < 17 else 0.3

    return _jittered(daily_wh, seed, busy, low=0.8, spread=0.4)


def _jittered(
    daily_wh: int, seed: str, level: Callable[[float], float], *, low: float, spread: float
) -> list[int]:
    """``level`` at each interval's hour times a random factor in [low, low + spread), scaled
    so that the day adds up to ``daily_wh``."""
    rng = random.Random(seed)
    shape = [level(_hour(i)) * (low + spread * rng.random()) for i in range(INTERVALS)]
    return _scaled(shape, daily_wh)


def _scaled(shape: list[float], daily_wh: int) -> list[int]:
    total = sum(shape)
    return [round(daily_wh * value / total) for value in shape]


@dataclass(frozen=True, slots=True)
class MeterDay:
    """A meter's energy per interval: imported from and exported to the grid (Wh)."""

    imported: tuple[int, ...]
    exported: tuple[int, ...]

    @classmethod
    def net_of(cls, consumption: list[int], production: list[int]) -> MeterDay:
        """Behind one bidirectional meter: own production used first, the rest flows."""
        imported = tuple(max(c - p, 0) for c, p in zip(consumption, production, strict=True))
        exported = tuple(max(p - c, 0) for c, p in zip(consumption, production, strict=True))
        return cls(imported, exported)

    def registers(self, start_import: int = 0, start_export: int = 0) -> Iterator[tuple[int, int]]:
        """The cumulative registers at the 97 instants of the day (00:00 .. next 00:00)."""
        imported, exported = start_import, start_export
        yield imported, exported
        for step_import, step_export in zip(self.imported, self.exported, strict=True):
            imported += step_import
            exported += step_export
            yield imported, exported
