"""Closing days: what ``CloseDays`` answers for each participant, and the client's error when a
period cannot be settled because one of its days is still waiting for readings.

Days close in any order; a closed day holds its **day statement**, the one-day bill that
period bills assemble. ``ClosingProgress`` tells which days of a window a participant has closed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from gridledger.energy.flat_answers import read_flat
from gridledger_domain import format_utc, refusals
from gridledger_domain.records.fields import JsonObject, instant, integer, objects, text


class DayStatus(enum.StrEnum):
    """One participant's outcome of ``CloseDays`` for one day."""

    CLOSED = "closed"  # its statement stored now
    ALREADY_CLOSED = "already_closed"  # closed before (an idempotent re-run)
    WAITING = "waiting"  # readings missing and no estimates asked for
    ALREADY_BILLED = "already_billed"  # in a period billed before day statements
    NOT_BILLED = "not_billed"  # a role with nothing to close

    @property
    def done(self) -> bool:
        """The day is closed (now or before)."""
        return self in (DayStatus.CLOSED, DayStatus.ALREADY_CLOSED, DayStatus.ALREADY_BILLED)


@dataclass(frozen=True, slots=True)
class DayResult:
    """``CloseDays``' answer for one participant: ``missing`` readings (``waiting``; ``detail``
    names the first), readings ``estimated`` in its statement, the SHA-256 of the statement
    (its public commitment; the statement itself is private: ``EnergyClient.day_statement``)."""

    participant: str
    status: DayStatus
    statement_id: str
    missing: int
    estimated: int
    sha256: str
    detail: str

    @classmethod
    def from_json_dict(cls, data: JsonObject) -> DayResult:
        return read_flat(cls, data)


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


def _optional_day(data: JsonObject, name: str) -> int | None:
    return instant(data, name) if data.get(name) else None


@dataclass(frozen=True, slots=True)
class ClosingProgress:
    """Which days of a window a participant has closed (``ClosingProgress``): the first still
    open (None: all closed), the first and last closed (None: none), how many are closed."""

    participant: str
    first_open: int | None
    first_closed: int | None
    last_closed: int | None
    closed: int

    @classmethod
    def from_json_dict(cls, data: JsonObject) -> ClosingProgress:
        return cls(
            participant=text(data, "participant"),
            first_open=_optional_day(data, "first_open"),
            first_closed=_optional_day(data, "first_closed"),
            last_closed=_optional_day(data, "last_closed"),
            closed=integer(data, "closed"),
        )


def read_progress(data: JsonObject) -> tuple[ClosingProgress, ...]:
    return tuple(ClosingProgress.from_json_dict(item) for item in objects(data, "participants"))


class DayNotClosed(refusals.IncompleteData):
    """A day of the period could not be closed (readings missing), so the period cannot be
    settled; nothing was settled. It is of
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
