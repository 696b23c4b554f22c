"""Tariffs: set by the utility, versioned, effective from a UTC day, never overwritten."""

from __future__ import annotations

from collections.abc import Sequence

from gridledger_domain import format_utc
from gridledger_domain.records import Tariff
from gridledger_domain.refusals import InvalidRequest, NotFound
from gridledger_domain.timeutil import day_of


def check_new_version(existing: Sequence[Tariff], new: Tariff) -> None:
    """A new version numbers one more than the latest and takes effect strictly after it."""
    if not existing:
        if new.version != 1:
            raise InvalidRequest("the first tariff version must be 1")
        return
    latest = max(existing, key=lambda tariff: tariff.version)
    if new.version != latest.version + 1:
        raise InvalidRequest(
            f"tariff version must be {latest.version + 1} (versions are never overwritten)"
        )
    if new.effective_from <= latest.effective_from:
        raise InvalidRequest(
            f"tariff version {new.version} must take effect after "
            f"{format_utc(latest.effective_from)} (the latest version's date)"
        )


def tariff_on(versions: Sequence[Tariff], instant: int) -> Tariff:
    """The version in force on the UTC day of ``instant``: latest effective_from <= that day."""
    day = day_of(instant)
    candidates = [tariff for tariff in versions if tariff.effective_from <= day]
    if not candidates:
        raise NotFound(f"no tariff in force on {format_utc(day)}")
    return max(candidates, key=lambda tariff: (tariff.effective_from, tariff.version))
