"""Day statements, revisions, true-ups and bills: private in the participant's collection,
committed publicly.

The statement (bill) itself, canonical JSON, is the participant's private value ``statement``
(``bill``) in its organisation's collection (``ledger.meter_data``); the public state holds its
commitment under ``energy.day_statement`` (``energy.bill``): the id, the participant, the day
(period) and the SHA-256 of the canonical bytes, so anyone holding a statement or bill can check
it is the one issued, and every peer knows which days are closed and which periods billed.
A revision of a closed day (the revised statement) and its true-up lines are the private values
``revision`` and ``true_up`` at ``<day>/<revision, 3 digits>``, committed under
``energy.day_revision`` and ``energy.true_up`` (``{participant, day, revision, sha256}``).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from gridledger_domain import format_utc
from gridledger_domain.canonical import canonical_json
from gridledger_domain.meter_data import BILL_KIND, REVISION, STATEMENT, TRUE_UP_KIND
from gridledger_domain.records import Bill
from gridledger_domain.refusals import Conflict, NotFound

from gridledger_chaincode.energy.ledger.meter_data import ReadingStore
from gridledger_chaincode.energy.ledger.state import (
    BILL,
    DAY_REVISION,
    DAY_STATEMENT,
    TRUE_UP,
    State,
)

_REVISION_TYPES = {REVISION: DAY_REVISION, TRUE_UP_KIND: TRUE_UP}


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _period(start: int, end: int) -> str:
    return f"{format_utc(start)}/{format_utc(end)}"


def _checked(text: bytes, commitment: dict[str, Any], what: str) -> bytes:
    if not text:
        raise NotFound(f"{what} is not held by this peer (a member of its collection holds it)")
    if sha256_hex(text) != commitment["sha256"]:
        raise Conflict(f"{what} does not match its public commitment")
    return text


def store_statement(state: State, statement: Bill, day: int) -> dict[str, Any]:
    """Keep ``statement`` privately and commit to it publicly; the commitment."""
    text = statement.to_json()
    participant = statement.participant
    ReadingStore(state).put_private(participant, STATEMENT, format_utc(day), text)
    commitment = {
        "statement_id": statement.bill_id,
        "participant": participant,
        "day": format_utc(day),
        "sha256": sha256_hex(text),
    }
    state.put_raw(DAY_STATEMENT, [participant, format_utc(day)], canonical_json(commitment))
    return commitment


def statement_text(
    state: State, participant: str, day: int, commitment: dict[str, Any] | None = None
) -> bytes:
    """The stored statement's bytes (b"" while the day is open), checked against its
    commitment."""
    if commitment is None:
        commitment = state.get_json(DAY_STATEMENT, participant, format_utc(day))
    if commitment is None:
        return b""
    text = ReadingStore(state).get_private(participant, STATEMENT, format_utc(day))
    return _checked(text, commitment, f"the statement of {participant} for {format_utc(day)}")


def load_statement(state: State, participant: str, day: int) -> Bill | None:
    """The statement of the participant's closed ``day`` (None while the day is open)."""
    text = statement_text(state, participant, day)
    return Bill.from_json_dict(json.loads(text)) if text else None


def store_bill(state: State, bill: Bill, start: int, end: int) -> dict[str, Any]:
    text = bill.to_json()
    participant = bill.participant
    ReadingStore(state).put_private(participant, BILL_KIND, _period(start, end), text)
    commitment = {
        "bill_id": bill.bill_id,
        "participant": participant,
        "period_start": format_utc(start),
        "period_end": format_utc(end),
        "sha256": sha256_hex(text),
    }
    state.put_raw(
        BILL, [participant, format_utc(start), format_utc(end)], canonical_json(commitment)
    )
    return commitment


def bill_commitment(state: State, participant: str, start: int, end: int) -> dict[str, Any] | None:
    return state.get_json(BILL, participant, format_utc(start), format_utc(end))


def bill_text(state: State, commitment: dict[str, Any]) -> bytes:
    """The bill a commitment stands for, checked against it."""
    participant = str(commitment["participant"])
    period = f"{commitment['period_start']}/{commitment['period_end']}"
    text = ReadingStore(state).get_private(participant, BILL_KIND, period)
    return _checked(text, commitment, f"the bill of {participant} for {period}")


def revision_at(day: int, revision: int) -> str:
    """Where a revision and its true-up are kept: ``<day>/<revision, 3 digits>``."""
    return f"{format_utc(day)}/{revision:03d}"


def store_revision(
    state: State, participant: str, day: int, revision: int, revised: bytes, true_up: bytes
) -> dict[str, str]:
    """Keep a revised statement and its true-up privately and commit to both publicly; their
    SHA-256 by kind."""
    store = ReadingStore(state)
    at = revision_at(day, revision)
    hashes = {}
    for kind, text in ((REVISION, revised), (TRUE_UP_KIND, true_up)):
        store.put_private(participant, kind, at, text)
        hashes[kind] = sha256_hex(text)
        commitment: dict[str, Any] = {
            "participant": participant,
            "day": format_utc(day),
            "revision": revision,
            "sha256": hashes[kind],
        }
        key = [participant, format_utc(day), f"{revision:03d}"]
        state.put_raw(_REVISION_TYPES[kind], key, canonical_json(commitment))
    return hashes


def revision_text(
    state: State,
    kind: str,
    participant: str,
    day: int,
    revision: int,
    commitment: dict[str, Any] | None = None,
) -> bytes:
    """The stored revision (``REVISION``) or true-up (``TRUE_UP_KIND``) of the participant's
    day (b"" if there is none), checked against its commitment."""
    if commitment is None:
        commitment = state.get_json(
            _REVISION_TYPES[kind], participant, format_utc(day), f"{revision:03d}"
        )
    if commitment is None:
        return b""
    at = revision_at(day, revision)
    text = ReadingStore(state).get_private(participant, kind, at)
    return _checked(text, commitment, f"the {kind.replace('_', '-')} of {participant} for {at}")
