"""UTC instants as integer Unix seconds, 15-minute settlement intervals, ISO-8601 text form."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache

INTERVAL_SECONDS = 900
"""Length of a settlement interval: 15 minutes."""

DAY_SECONDS = 86_400
HOUR_SECONDS = 3_600
INTERVALS_PER_DAY = DAY_SECONDS // INTERVAL_SECONDS

METER_INTERVAL_MINUTES = (15, 30, 60)
"""The interval lengths a meter may register: each a whole number of 15-minute settlement
intervals dividing the hour, so every meter interval covers whole quarter-hours of one hour."""
DEFAULT_METER_INTERVAL_MINUTES = 15


def meter_interval_problem(minutes: object) -> str | None:
    """Why ``minutes`` is not a meter interval length (None: it is one)."""
    if type(minutes) is int and minutes in METER_INTERVAL_MINUTES:
        return None
    if type(minutes) is int and minutes >= 24 * 60:
        return (
            f"interval length {minutes} minutes: daily or monthly data is not accepted; a meter "
            "reads every 15, 30 or 60 minutes"
        )
    return f"interval length must be 15, 30 or 60 minutes, got {minutes!r}"


MAX_SAFE_INTEGER = 2**53 - 1
"""Largest integer carried on the ledger (safe in JSON for every client language)."""

MAX_INSTANT = 253402300800 - INTERVAL_SECONDS
"""Last interval start representable as text: 9999-12-31T23:45:00Z."""

_ISO_UTC = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$")


def is_aligned(instant: int) -> bool:
    """True when ``instant`` (Unix seconds) starts a 15-minute interval."""
    return instant % INTERVAL_SECONDS == 0


def day_of(instant: int) -> int:
    """The UTC midnight (Unix seconds) of the day containing ``instant``."""
    return instant - instant % DAY_SECONDS


def hour_of(instant: int) -> int:
    """The start (Unix seconds) of the UTC hour containing ``instant``."""
    return instant - instant % HOUR_SECONDS


def minute_of_day(instant: int) -> int:
    """Minutes since the UTC midnight of ``instant``'s day."""
    return (instant % DAY_SECONDS) // 60


@lru_cache(maxsize=8192)
def format_utc(instant: int) -> str:
    """Unix seconds -> ``YYYY-MM-DDTHH:MM:SSZ`` (the only text form used on the ledger).
    (Cached, as is :func:`parse_utc`: settlement meets the same instants once per meter.)"""
    return datetime.fromtimestamp(instant, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=8192)
def parse_utc(text: str) -> int:
    """``YYYY-MM-DDTHH:MM:SSZ`` -> Unix seconds; any other spelling is refused."""
    match = _ISO_UTC.match(text)
    if match is None:
        raise ValueError(f"not a UTC instant of the form YYYY-MM-DDTHH:MM:SSZ: {text!r}")
    year, month, day, hour, minute, second = (int(part) for part in match.groups())
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError as exc:
        raise ValueError(f"not a valid UTC instant: {text!r}") from exc
    return int(moment.timestamp())


def from_datetime(moment: datetime) -> int:
    """A timezone-aware datetime with whole seconds -> Unix seconds."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")
    if moment.microsecond:
        raise ValueError("datetime must have whole seconds")
    return int(moment.timestamp())
