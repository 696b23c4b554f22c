"""Closing days: what ``CloseDays`` answers for each participant, and the client's error when a
period cannot be settled because one of its days is still waiting for readings.

A participant's days close in order (the first closed day may be any day); a closed day holds
its **day statement**, the one-day bill that period bills assemble.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from gridledger.energy.flat_answers import read_flat
from gridledger_domain import format_utc, parse_utc, refusals
from gridledger_domain.records.fields import JsonObject, instant, objects


class DayStatus(enum.StrEnum):
    """One participant's outcome of ``CloseDays`` for one day."""

    CLOSED = "closed"  # its statement stored now
    ALREADY_CLOSED = "already_closed"  # closed before (an idempotent re-run)
    WAITING = "waiting"  # readings missing and no estimates asked for
    OUT_OF_ORDER = "out_of_order"  # an earlier day is not closed yet
    NOT_BILLED = "not_billed"  # a role with nothing to close

    @property
    def done(self) -> bool:
        """The day is closed (now or before)."""
        return self in (DayStatus.CLOSED, DayStatus.ALREADY_CLOSED)


_DAY_IN_TEXT = re.compile(r"(\d{4}-\d{2}-\d{2})(T00:00:00Z)?")


def day_named_in(detail: str) -> int | None:
    """The last UTC day written in ``detail`` (``YYYY-MM-DD`` or its midnight instant): the
    contract's ``out_of_order`` detail ends with "the next day to close is <day>"."""
    found = _DAY_IN_TEXT.findall(detail)
    return None if not found else parse_utc(f"{found[-1][0]}T00:00:00Z")


@dataclass(frozen=True, slots=True)
class DayResult:
    """``CloseDays``' answer for one participant: ``missing`` readings (``waiting``; ``detail``
    names the first), readings ``estimated`` in its statement, the statement's ``total``."""

    participant: str
    status: DayStatus
    statement_id: str
    missing: int
    estimated: int
    total: int
    detail: str

    @classmethod
    def from_json_dict(cls, data: JsonObject) -> DayResult:
        return read_flat(cls, data)

    @property
    def next_day(self) -> int | None:
        """For ``out_of_order``: the participant's next day to close, as the detail names it."""
        return day_named_in(self.detail) if self.status is DayStatus.OUT_OF_ORDER else None


@dataclass(frozen=True, slots=True)
class DayClosing:
    """``CloseDays``' answer: one ``DayResult`` per participant asked for, in that order."""

    day: int
    results: tuple[DayResult, ...]

    @classmethod
    def from_json_dict(cls, data: JsonObject) -> DayClosing:
        return cls(
            day=instant(data, "day"),
            results=tuple(DayResult.from_json_dict(item) for item in objects(data, "results")),
        )

    def with_status(self, *statuses: DayStatus) -> list[DayResult]:
        return [result for result in self.results if result.status in statuses]

    def count(self, *statuses: DayStatus) -> int:
        return len(self.with_status(*statuses))


class DayNotClosed(refusals.IncompleteData):
    """A day of the period could not be closed (readings missing, or an earlier day of the
    participant is still open), so the period cannot be settled; nothing was settled. It is of
    the contract's ``incomplete`` kind (``except gridledger_domain.refusals.IncompleteData``
    catches it); ``result`` is the contract's answer for that day."""

    def __init__(self, participant: str, day: int, result: DayResult) -> None:
        self.participant = participant
        self.day = day
        self.result = result
        when = format_utc(day)[:10]
        why = result.detail
        if result.status is not DayStatus.WAITING:
            why = f"{result.status.value}: {why}"
        super().__init__(f"cannot settle {participant}: day {when} not closed: {why}")
        self.detail = why
