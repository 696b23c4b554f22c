"""The billing runner's arithmetic: UTC days, billing periods on a tariff's cycle, the grace
period before estimating, and batches of participants per ``CloseDays``.

Every instant is Unix seconds (UTC); a day is its midnight; a period is ``[start, end)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

from gridledger.errors import GridLedgerError
from gridledger_domain.timeutil import DAY_SECONDS, day_of
from gridledger_domain.vocabulary import BillingCycle

MAX_BATCH = 100
"""Participants per ``CloseDays`` transaction (the contract takes 1 to 100)."""

DEFAULT_GRACE = 48 * 3600
"""How long after a day's end the runner waits for its readings before estimating them."""


class BillingError(GridLedgerError):
    """The billing runner cannot go on (a bad option, an unusable ledger answer)."""


def last_ended_day(now: int) -> int:
    """The latest UTC day that has ended at ``now`` (yesterday's midnight)."""
    return day_of(now) - DAY_SECONDS


def may_estimate(day: int, now: int, grace: int) -> bool:
    """Whether ``day``'s missing readings may be estimated: its grace period has passed."""
    return now >= day + DAY_SECONDS + grace


def period_end(start: int, cycle: BillingCycle) -> int:
    """The end of the billing period that starts at ``start`` (a UTC midnight): the next day,
    or the first day of the next calendar month."""
    if cycle is BillingCycle.DAILY:
        return start + DAY_SECONDS
    moment = datetime.fromtimestamp(start, UTC)
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    return int(datetime(year, month, 1, tzinfo=UTC).timestamp())


def due_periods(
    billed_until: int, closed_until: int, cycle_at: Callable[[int], BillingCycle]
) -> list[tuple[int, int]]:
    """The periods to bill, in order: from ``billed_until`` (the end of the last bill, or the
    first closed day), each on the cycle in force at its start, while every day of it is
    closed (it ends at or before ``closed_until``, the participant's next day to close)."""
    periods: list[tuple[int, int]] = []
    start = billed_until
    while True:
        end = period_end(start, cycle_at(start))
        if end > closed_until:
            return periods
        periods.append((start, end))
        start = end


def batches(participants: Sequence[str], size: int = MAX_BATCH) -> list[list[str]]:
    """``participants`` in order, ``size`` at a time."""
    if size < 1:
        raise ValueError("a batch holds at least one participant")
    return [list(participants[i : i + size]) for i in range(0, len(participants), size)]


def organisation_batches(participants: Sequence[str], size: int = MAX_BATCH) -> list[list[str]]:
    """``participants`` grouped by organisation (the MSP id their id starts with), then
    ``size`` at a time: ``CloseDays`` reads its participants' private meter data, and only
    the members of a household's collection can endorse that (docs/private-data.md)."""
    groups: dict[str, list[str]] = {}
    for participant in participants:
        msp_id, separator, _ = participant.partition("::")
        groups.setdefault(msp_id if separator else "", []).append(participant)
    return [batch for group in groups.values() for batch in batches(group, size)]


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> int:
    """Seconds from ``48h``, ``90m``, ``2d``, ``30s`` or plain seconds."""
    found = _DURATION.match(text.lower())
    if found is None:
        raise BillingError(f"duration {text!r}: expected a number with s, m, h or d (e.g. 48h)")
    return int(float(found.group(1)) * _UNIT[found.group(2)])


def parse_day(text: str) -> int:
    """A ``YYYY-MM-DD`` day's UTC midnight."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BillingError(f"day {text!r}: expected YYYY-MM-DD") from None
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def day_text(day: int) -> str:
    return datetime.fromtimestamp(day, UTC).strftime("%Y-%m-%d")
