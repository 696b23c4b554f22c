"""Instants as the energy contract spells them (``YYYY-MM-DDTHH:MM:SSZ``, UTC) and as Python
gets them back (timezone-aware ``datetime``)."""

from __future__ import annotations

from datetime import UTC, datetime

from gridledger_domain import format_utc, from_datetime, parse_utc

Instant = datetime | str | int
"""An aware ``datetime``, the ledger's text form, or Unix seconds."""


def to_seconds(instant: Instant) -> int:
    if isinstance(instant, datetime):
        return from_datetime(instant)
    if isinstance(instant, str):
        return parse_utc(instant)
    if isinstance(instant, bool) or not isinstance(instant, int):
        raise TypeError(f"expected a datetime, a UTC text or Unix seconds, got {instant!r}")
    return instant


def to_text(instant: Instant) -> str:
    """The ledger's spelling of ``instant``."""
    return instant if isinstance(instant, str) else format_utc(to_seconds(instant))


def to_datetime(instant: Instant) -> datetime:
    return datetime.fromtimestamp(to_seconds(instant), UTC)
