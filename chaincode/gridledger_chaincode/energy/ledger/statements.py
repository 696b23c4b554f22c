"""Day statements on the ledger: close a UTC day for participants (once, in order), revise a
day whose estimated readings have since arrived, read and verify a statement."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gridledger_domain import format_utc, parse_utc
from gridledger_domain.canonical import canonical_json
from gridledger_domain.meter_data import REVISION, TRUE_UP_KIND
from gridledger_domain.records import Bill, Participant, Tariff
from gridledger_domain.refusals import InvalidRequest, NotFound
from gridledger_domain.timeutil import DAY_SECONDS
from gridledger_domain.vocabulary import BILLED_ROLES

from gridledger_chaincode.energy.assembly import TrueUp, true_up_lines
from gridledger_chaincode.energy.certificates import retire
from gridledger_chaincode.energy.ledger.access import Caller
from gridledger_chaincode.energy.ledger.certificates import CertificateDesk
from gridledger_chaincode.energy.ledger.closing import (
    billed_through,
    closed_days_between,
    mark_closed,
)
from gridledger_chaincode.energy.ledger.commitments import (
    load_statement,
    revision_text,
    sha256_hex,
    statement_text,
    store_revision,
    store_statement,
)
from gridledger_chaincode.energy.ledger.day_inputs import day_inputs
from gridledger_chaincode.energy.ledger.paging import PageRequest, page_answer
from gridledger_chaincode.energy.ledger.state import (
    BILLED_THROUGH,
    DAY_REVISION,
    DAY_STATEMENT,
    PARTICIPANT,
    REVISION_DUE,
    TRUE_UP_UNBILLED,
    State,
)
from gridledger_chaincode.energy.ledger.tariffs import all_tariffs
from gridledger_chaincode.energy.settlement import settle

MAX_CLOSE_BATCH = 100
"""Most participants one CloseDays transaction closes."""


def parse_day(text: str, what: str = "day") -> int:
    try:
        day = parse_utc(text)
    except ValueError as exc:
        raise InvalidRequest(f"{what}: {exc}") from exc
    if day % DAY_SECONDS:
        raise InvalidRequest(f"{what} must be a UTC midnight: {text}")
    return day


def _result(participant: str, status: str, **fields: Any) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "participant": participant,
        "status": status,
        "statement_id": "",
        "missing": 0,
        "estimated": 0,
        "sha256": "",
        "detail": "",
    }
    answer.update(fields)
    return answer


def _closed(statement: Bill, status: str) -> dict[str, Any]:
    return _result(
        statement.participant,
        status,
        statement_id=statement.bill_id,
        estimated=sum(e.count for e in statement.estimates),
        sha256=sha256_hex(statement.to_json()),
    )


@dataclass(frozen=True)
class _Known:
    """What closing a day reads of each participant first, read for all in one call."""

    record: Participant | None
    statement: Bill | None
    billed_through: int


def _known(state: State, participants: Sequence[str], day: int) -> list[_Known]:
    keys = []
    for participant in participants:
        keys += [
            state.key(PARTICIPANT, participant),
            state.key(DAY_STATEMENT, participant, format_utc(day)),
            state.key(BILLED_THROUGH, participant),
        ]
    raws = state.stub.get_multiple_states(keys)
    known = []
    for participant, record, committed, through in zip(
        participants, raws[::3], raws[1::3], raws[2::3], strict=True
    ):
        text = statement_text(state, participant, day, json.loads(committed)) if committed else b""
        known.append(
            _Known(
                Participant.from_json_dict(json.loads(record)) if record else None,
                Bill.from_json_dict(json.loads(text)) if text else None,
                parse_utc(through.decode()) if through else 0,
            )
        )
    return known


def _close_one(
    state: State,
    participant: str,
    known: _Known,
    day: int,
    estimate: bool,
    tariffs: Sequence[Tariff],
) -> dict[str, Any]:
    record = known.record
    if record is None:
        raise NotFound(f"participant {participant} is not registered")
    if record.role not in BILLED_ROLES:
        return _result(participant, "not_billed", detail=f"a {record.role.value} is not billed")
    if known.statement is not None:
        return _closed(known.statement, "already_closed")
    through = known.billed_through
    if day < through:
        detail = f"{participant} was billed up to {format_utc(through)} before day statements"
        return _result(participant, "already_billed", detail=detail)
    gathered = day_inputs(state, participant, day, estimate=estimate, tariffs=tariffs)
    if gathered.missing and not estimate:
        first = gathered.missing[0]
        # the answer goes into the block: no meter id (issue 20), the instant only
        detail = f"{len(gathered.missing)} readings missing, first at {format_utc(first.at)}"
        return _result(participant, "waiting", missing=len(gathered.missing), detail=detail)
    statement = settle(gathered.inputs)
    store_statement(state, statement, day)
    mark_closed(state, participant, day)
    desk = CertificateDesk(state)
    for certificate_id, claimed in statement.certificates_claimed:
        certificate = desk.load(certificate_id)
        if certificate is None:
            raise NotFound(f"certificate {certificate_id} vanished")
        desk.save(retire(certificate, statement.bill_id, claimed))
    return _closed(statement, "closed")


def close_days(
    state: State, caller: Caller, day_text: str, participants: Sequence[Any], estimate: bool
) -> dict[str, Any]:
    """Close ``day`` for each participant (utility only); see docs/settlement.md."""
    caller.require_utility("close days")
    day = parse_day(day_text)
    _check_participants(participants)
    if estimate and state.tx_instant() < day + DAY_SECONDS:
        raise InvalidRequest(
            f"cannot estimate readings of {format_utc(day)} before the day has ended"
        )
    tariffs = all_tariffs(state)
    results = [
        _close_one(state, participant, known, day, estimate, tariffs)
        for participant, known in zip(participants, _known(state, participants, day), strict=True)
    ]
    counts: dict[str, int] = {}
    for result in results:
        counts[result["status"]] = counts.get(result["status"], 0) + 1
    event = {"day": format_utc(day), **counts}
    state.stub.set_event("DaysClosed", json.dumps(event, sort_keys=True).encode())
    return {"day": format_utc(day), "results": results}


MAX_WINDOW_DAYS = 366


def closing_progress(
    state: State, caller: Caller, participants: Sequence[Any], first_text: str, last_text: str
) -> dict[str, Any]:
    """Per participant (1 to 100), which days from ``first`` to ``last`` (at most 366) are
    closed: the first open one (from the first closed one on, if any), the first and last
    closed ones, and how many are closed."""
    caller.require_utility("follow the closing of days")
    first, last = parse_day(first_text, "first day"), parse_day(last_text, "last day")
    if not 0 <= (last - first) // DAY_SECONDS < MAX_WINDOW_DAYS:
        raise InvalidRequest(f"the window must hold 1 to {MAX_WINDOW_DAYS} days")
    _check_participants(participants)
    answers = []
    for participant in participants:
        closed = closed_days_between(state, participant, first, last)
        billed = billed_through(state, participant)
        done = set(closed) | set(range(first, min(billed, last + DAY_SECONDS), DAY_SECONDS))
        since = min(done) if done else first
        open_days = (day for day in range(since, last + 1, DAY_SECONDS) if day not in done)
        first_open = next(open_days, None)
        answers.append(
            {
                "participant": participant,
                "first_open": "" if first_open is None else format_utc(first_open),
                "first_closed": format_utc(min(done)) if done else "",
                "last_closed": format_utc(max(done)) if done else "",
                "closed": len(done),
            }
        )
    return {"first": format_utc(first), "last": format_utc(last), "participants": answers}


def _check_participants(participants: Sequence[Any]) -> None:
    if not isinstance(participants, list) or not all(isinstance(p, str) for p in participants):
        raise InvalidRequest("participants must be a JSON array of participant ids")
    if not 1 <= len(participants) <= MAX_CLOSE_BATCH:
        raise InvalidRequest(f"1 to {MAX_CLOSE_BATCH} participants at a time")
    if len(set(participants)) != len(participants):
        raise InvalidRequest("a participant is listed twice")


def _latest(state: State, participant: str, day: int) -> tuple[int, Bill]:
    """The latest revision of a closed day (0: the statement itself); the public commitments
    are scanned, the revision itself read by key and checked."""
    statement = require_statement(state, participant, day)
    rows = state.scan(DAY_REVISION, participant, format_utc(day))
    if not rows:
        return 0, statement
    parts, raw = rows[-1]
    number = int(parts[2])
    text = revision_text(state, REVISION, participant, day, number, json.loads(raw))
    return number, Bill.from_json_dict(json.loads(text))


def require_statement(state: State, participant: str, day: int) -> Bill:
    statement = load_statement(state, participant, day)
    if statement is None:
        raise NotFound(f"{participant} has no statement for {format_utc(day)} (day not closed)")
    return statement


def revise_day(state: State, caller: Caller, participant: str, day_text: str) -> dict[str, Any]:
    """Recompute a closed day whose estimated readings have (partly) arrived; store the revision
    and its true-up lines for the next bill. The statement itself is never rewritten."""
    caller.require_utility("revise days")
    day = parse_day(day_text)
    number, latest = _latest(state, participant, day)
    answer = {"participant": participant, "day": format_utc(day)}
    if not state.get_raw(REVISION_DUE, participant, format_utc(day)):
        return {**answer, "status": "nothing_to_revise", "revision": number, "true_up_total": 0}
    revised = settle(day_inputs(state, participant, day, estimate=True).inputs)
    number += 1
    true_up = TrueUp(day, number, revised.inputs_hash, true_up_lines(latest, revised, day))
    key = [participant, format_utc(day), f"{number:03d}"]
    store_revision(
        state,
        participant,
        day,
        number,
        revised.to_json(),
        canonical_json(true_up.to_json_dict()),
    )
    if true_up.lines:
        state.put_raw(TRUE_UP_UNBILLED, key, b"1")
    state.delete(REVISION_DUE, participant, format_utc(day))
    total = sum(line.amount for line in true_up.lines)
    return {**answer, "status": "revised", "revision": number, "true_up_total": total}


def days_to_revise(state: State, caller: Caller, request: PageRequest) -> dict[str, Any]:
    caller.require_utility("list days to revise")
    rows, bookmark = state.scan_page(REVISION_DUE, [], request.size, request.bookmark)
    return page_answer([{"participant": p[0], "day": p[1]} for p, _ in rows], bookmark)


def get_statement(state: State, caller: Caller, participant: str, day_text: str) -> str:
    caller.require_reader_of(participant, f"the statements of {participant}")
    day = parse_day(day_text)
    text = statement_text(state, participant, day)
    if not text:
        raise NotFound(f"{participant} has no statement for {format_utc(day)} (day not closed)")
    return text.decode()


def verify_statement(
    state: State, caller: Caller, participant: str, day_text: str
) -> dict[str, Any]:
    """Recompute a stored statement from the ledger (its estimates applied to the readings
    they read) and compare the bytes."""
    caller.require_reader_of(participant, f"the statements of {participant}")
    day = parse_day(day_text)
    stored = require_statement(state, participant, day)
    recomputed = settle(day_inputs(state, participant, day, replay=stored.estimates).inputs)
    return {"statement_id": stored.bill_id, **comparison(stored.to_json(), stored, recomputed)}


def comparison(stored_bytes: bytes, stored: Bill, recomputed: Bill) -> dict[str, Any]:
    """What a verification answers: whether the recomputed bytes match, hashes and totals."""
    return {
        "matches": recomputed.to_json() == stored_bytes,
        "stored_inputs_hash": stored.inputs_hash,
        "recomputed_inputs_hash": recomputed.inputs_hash,
        "stored_total": stored.total,
        "recomputed_total": recomputed.total,
    }


def unbilled_true_ups(state: State, participant: str, limit: int) -> list[TrueUp]:
    """The oldest true-ups of the participant no bill has carried yet (at most ``limit``)."""
    found = []
    for parts, _ in state.scan_first(TRUE_UP_UNBILLED, [participant], limit):
        text = revision_text(state, TRUE_UP_KIND, participant, parse_utc(parts[1]), int(parts[2]))
        if text:
            found.append(TrueUp.from_json_dict(json.loads(text)))
    return found


def load_true_up(state: State, participant: str, day: int, revision: int) -> TrueUp:
    """A true-up, read by key from the participant's collection and checked against its
    public commitment."""
    text = revision_text(state, TRUE_UP_KIND, participant, day, revision)
    if not text:
        raise NotFound(f"no revision {revision} of {participant}'s {format_utc(day)}")
    return TrueUp.from_json_dict(json.loads(text))


def mark_billed(state: State, participant: str, true_up: TrueUp) -> None:
    state.delete(TRUE_UP_UNBILLED, participant, format_utc(true_up.day), f"{true_up.revision:03d}")
