"""Billing periods: whole UTC days; 15-minute intervals; UTC days and hours of an instant."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from gridledger_domain import INTERVAL_SECONDS, format_utc
from gridledger_domain.refusals import InvalidRequest

DAY_SECONDS = 86_400
HOUR_SECONDS = 3_600
INTERVALS_PER_DAY = DAY_SECONDS // INTERVAL_SECONDS
MAX_PERIOD_DAYS = 366


def day_of(instant: int) -> int:
    """The UTC midnight (Unix seconds) of the day containing ``instant``."""
    return instant - instant % DAY_SECONDS


def hour_of(instant: int) -> int:
    """The start (Unix seconds) of the UTC hour containing ``instant``."""
    return instant - instant % HOUR_SECONDS


def minute_of_day(instant: int) -> int:
    return (instant % DAY_SECONDS) // 60


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
