"""Which days are closed: a participant's UTC day is closed once its day statement is stored
(or, on a ledger whose bills predate day statements, when a settled period covers it).

Nothing dated in a closed day may change: readings (except actual readings for estimated ones),
offers, trades and certificate transfers are refused there, and tariffs may not change it.
Days close in any order, so the days of a period close in parallel transactions.
"""

from __future__ import annotations

from collections.abc import Iterable

from gridledger_domain import format_utc, parse_utc
from gridledger_domain.timeutil import DAY_SECONDS, day_of

from gridledger_chaincode.energy.ledger.state import BILLED_THROUGH, REVISION_DUE, State

CLOSED_DAY = "energy.closed_day/"
"""Simple keys ``energy.closed_day/<day number, 7 digits>``: days closed for anyone."""
PARTICIPANT_DAY = "energy.participant_day/"
"""Simple keys ``energy.participant_day/<len(id)>:<participant id>/<day number>``: the days
closed for each participant, for range queries over any window of days."""


def _day_number(day: int) -> str:
    return f"{day // DAY_SECONDS:07d}"


def _participant_prefix(participant: str) -> str:
    return f"{PARTICIPANT_DAY}{len(participant)}:{participant}/"


def _participant_day_key(participant: str, day: int) -> str:
    """Written with the day's statement, in the same transaction: whether the day is closed,
    read without fetching the statement."""
    return f"{_participant_prefix(participant)}{_day_number(day)}"


def billed_through(state: State, participant: str) -> int:
    """End of the participant's last settled period (0 if none)."""
    raw = state.get_raw(BILLED_THROUGH, participant)
    return parse_utc(raw.decode()) if raw else 0


class ClosedDays:
    """Answers "is this participant's day closed?" with one read per participant and day in a
    transaction (plus one per participant for bills that predate day statements)."""

    def __init__(self, state: State) -> None:
        self.state = state
        self._billed: dict[str, int] = {}
        self._days: dict[tuple[str, int], bool] = {}

    def prefetch(self, pairs: Iterable[tuple[str, int]]) -> None:
        """Learn, in one call, whether the day of each (participant, instant) is closed."""
        days = sorted({(p, day_of(at)) for p, at in pairs} - set(self._days))
        participants = sorted({p for p, _ in days} - set(self._billed))
        keys = [self.state.key(BILLED_THROUGH, p) for p in participants]
        keys += [_participant_day_key(p, day) for p, day in days]
        raws = self.state.stub.get_multiple_states(keys)
        for participant, raw in zip(participants, raws, strict=False):
            self._billed[participant] = parse_utc(raw.decode()) if raw else 0
        for (participant, day), raw in zip(days, raws[len(participants) :], strict=True):
            self._days[(participant, day)] = day < self._billed[participant] or bool(raw)

    def closed(self, participant: str, instant: int) -> bool:
        """Whether the UTC day holding ``instant`` is closed for ``participant``."""
        day = day_of(instant)
        known = self._days.get((participant, day))
        if known is None:
            if participant not in self._billed:
                self._billed[participant] = billed_through(self.state, participant)
            known = day < self._billed[participant] or bool(
                self.state.stub.get_state(_participant_day_key(participant, day))
            )
            self._days[(participant, day)] = known
        return known

    def any_closed(self, participants: tuple[str, ...], first: int, last: int) -> str | None:
        """The first of ``participants`` with a closed day from ``first`` to ``last``."""
        for participant in participants:
            for day in range(day_of(first), last + 1, DAY_SECONDS):
                if self.closed(participant, day):
                    return participant
        return None


def mark_closed(state: State, participant: str, day: int) -> None:
    """Index ``day`` as closed, for the participant and for anyone (blind writes: concurrent
    closings never conflict)."""
    state.stub.put_state(f"{CLOSED_DAY}{_day_number(day)}", b"1")
    state.stub.put_state(_participant_day_key(participant, day), b"1")


def closed_days_between(state: State, participant: str, first: int, last: int) -> list[int]:
    """The participant's closed days from ``first`` to ``last`` (one range query)."""
    prefix = _participant_prefix(participant)
    iterator = state.stub.get_state_by_range(
        f"{prefix}{_day_number(first)}", f"{prefix}{_day_number(last + DAY_SECONDS)}"
    )
    try:
        return [int(kv.key.rsplit("/", 1)[1]) * DAY_SECONDS for kv in iterator]
    finally:
        iterator.close()


def closed_on_or_after(state: State, day: int) -> int | None:
    """The first day on or after ``day`` closed for anyone (one range query, first row)."""
    iterator = state.stub.get_state_by_range(f"{CLOSED_DAY}{_day_number(day)}", f"{CLOSED_DAY}~")
    try:
        for kv in iterator:
            return int(kv.key.rsplit("/", 1)[1]) * DAY_SECONDS
        return None
    finally:
        iterator.close()


def mark_revision_due(state: State, participant: str, day: int) -> None:
    """Actual readings arrived for estimates of a closed day: ReviseDay has work there."""
    state.put_raw(REVISION_DUE, [participant, format_utc(day)], b"1")
