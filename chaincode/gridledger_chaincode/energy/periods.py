"""Billing periods: whole UTC days; 15-minute intervals; UTC days and hours of an instant."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from gridledger_domain.refusals import InvalidRequest
from gridledger_domain.timeutil import DAY_SECONDS, INTERVAL_SECONDS, format_utc

MAX_PERIOD_DAYS = 366


@dataclass(frozen=True, slots=True)
class Period:
    """The half-open billing period ``[start, end)``; both UTC midnights, 1 to 366 days."""

    start: int
    end: int

    def __post_init__(self) -> None:
        for name, value in (("start", self.start), ("end", self.end)):
            if type(value) is not int or value < 0 or value % DAY_SECONDS:
                raise InvalidRequest(f"billing period {name} must be a UTC midnight: {value!r}")
        days = (self.end - self.start) // DAY_SECONDS
        if not 1 <= days <= MAX_PERIOD_DAYS:
            raise InvalidRequest(
                f"billing period must span 1 to {MAX_PERIOD_DAYS} whole UTC days, got {days}"
            )

    @property
    def days(self) -> int:
        return (self.end - self.start) // DAY_SECONDS

    def intervals(self) -> Iterator[int]:
        """Start instants of every 15-minute interval of the period."""
        return iter(range(self.start, self.end, INTERVAL_SECONDS))

    def day_starts(self) -> Iterator[int]:
        return iter(range(self.start, self.end, DAY_SECONDS))

    def contains(self, instant: int) -> bool:
        return self.start <= instant < self.end

    def label(self) -> str:
        return f"{format_utc(self.start)}/{format_utc(self.end)}"
