"""How far each participant's days are closed, and which days were closed for anyone.

A participant's days close in order; ``closed_through`` is the end of the last closed day (or,
for a ledger whose bills predate day statements, of the last settled period). Nothing dated
before it may change: readings (except actual readings for estimated ones), offers, trades and
certificate transfers are refused there, and tariffs may not change a closed day.
"""

from __future__ import annotations

import json

from gridledger_domain import format_utc, parse_utc
from gridledger_domain.records import Bill
from gridledger_domain.timeutil import DAY_SECONDS

from gridledger_chaincode.energy.ledger.state import (
    BILLED_THROUGH,
    CLOSED_THROUGH,
    DAY_STATEMENT,
    REVISION_DUE,
    State,
)

CLOSED_DAY = "energy.closed_day/"
"""Simple keys ``energy.closed_day/<day number, 7 digits>`` for range queries from any day."""


def billed_through(state: State, participant: str) -> int:
    """End of the participant's last settled period (0 if none)."""
    raw = state.get_raw(BILLED_THROUGH, participant)
    return parse_utc(raw.decode()) if raw else 0


def closed_through(state: State, participant: str) -> int:
    """End of the participant's last closed day or settled period (0 if none)."""
    raw = state.get_raw(CLOSED_THROUGH, participant) or state.get_raw(BILLED_THROUGH, participant)
    return parse_utc(raw.decode()) if raw else 0


def mark_closed(state: State, participant: str, day: int) -> None:
    state.put_raw(CLOSED_THROUGH, [participant], format_utc(day + DAY_SECONDS).encode())
    state.stub.put_state(f"{CLOSED_DAY}{day // DAY_SECONDS:07d}", b"1")


def closed_on_or_after(state: State, day: int) -> int | None:
    """The first day on or after ``day`` closed for anyone (one range query, first row)."""
    iterator = state.stub.get_state_by_range(
        f"{CLOSED_DAY}{day // DAY_SECONDS:07d}", f"{CLOSED_DAY}~"
    )
    try:
        for kv in iterator:
            return int(kv.key.rsplit("/", 1)[1]) * DAY_SECONDS
        return None
    finally:
        iterator.close()


def load_statement(state: State, participant: str, day: int) -> Bill | None:
    """The statement of the participant's closed ``day`` (None while the day is open)."""
    raw = state.get_raw(DAY_STATEMENT, participant, format_utc(day))
    return Bill.from_json_dict(json.loads(raw)) if raw else None


def mark_revision_due(state: State, participant: str, day: int) -> None:
    """Actual readings arrived for estimates of a closed day: ReviseDay has work there."""
    state.put_raw(REVISION_DUE, [participant, format_utc(day)], b"1")
