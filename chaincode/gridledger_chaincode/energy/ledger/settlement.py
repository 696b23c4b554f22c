"""Settling on the ledger: gather a participant's inputs, store the final bill once, retire the
certificates it claims; read, preview and verify bills."""

from __future__ import annotations

import json
from typing import Any

from gridledger_domain import SignedReading, format_utc, parse_utc
from gridledger_domain.records import Bill, Meter
from gridledger_domain.refusals import Conflict, IncompleteData, InvalidRequest, NotFound
from gridledger_domain.vocabulary import BILLED_ROLES

from gridledger_chaincode.energy.certificates import retire
from gridledger_chaincode.energy.ledger.access import Caller
from gridledger_chaincode.energy.ledger.certificates import (
    CertificateDesk,
    billed_through,
    certificates_of,
)
from gridledger_chaincode.energy.ledger.market import trades_in_days
from gridledger_chaincode.energy.ledger.meters import meters_of
from gridledger_chaincode.energy.ledger.participants import load_participant
from gridledger_chaincode.energy.ledger.readings import meter_span, stored_readings
from gridledger_chaincode.energy.ledger.state import BILL, BILLED_THROUGH, SETTLED_THROUGH, State
from gridledger_chaincode.energy.ledger.tariffs import all_tariffs, settled_through
from gridledger_chaincode.energy.periods import Period
from gridledger_chaincode.energy.settlement import settle
from gridledger_chaincode.energy.settlement_inputs import SettlementInputs, select_inputs

MAX_MISSING_LISTED = 20


def parse_period(start_text: str, end_text: str) -> Period:
    try:
        return Period(parse_utc(start_text), parse_utc(end_text))
    except ValueError as exc:
        if isinstance(exc, InvalidRequest):
            raise
        raise InvalidRequest(str(exc)) from exc


def settled_meters(state: State, participant: str, period: Period) -> list[Meter]:
    """The participant's meters a bill covers: those with a reading before the period's end
    that are still active or have a reading on or after its start. (A meter whose first
    reading is the period's end has no interval in it: it starts in the next period.)"""
    chosen = []
    for meter in meters_of(state, participant):
        span = meter_span(state, meter.meter_id)
        if span is None or span[0] >= period.end:
            continue
        if meter.active or span[1] >= period.start:
            chosen.append(meter)
    return chosen


def gather_inputs(state: State, participant: str, period: Period) -> SettlementInputs:
    days = list(period.day_starts())
    meters = settled_meters(state, participant, period)
    readings: list[SignedReading] = []
    for meter in meters:
        readings.extend(stored_readings(state, meter.meter_id, [*days, period.end]).values())
    return select_inputs(
        participant,
        period,
        meters,
        readings,
        trades_in_days(state, participant, days),
        all_tariffs(state),
        certificates_of(state, participant, days),
    )


def _compute(state: State, participant: str, period: Period) -> Bill:
    return settle(gather_inputs(state, participant, period))


def _stored(state: State, participant: str, period: Period) -> bytes:
    return state.get_raw(BILL, participant, format_utc(period.start), format_utc(period.end))


def settle_period(
    state: State, caller: Caller, participant: str, start_text: str, end_text: str
) -> str:
    """Settle and store (utility only). Settling a stored period returns the stored bill."""
    caller.require_utility("run settlement")
    period = parse_period(start_text, end_text)
    record = load_participant(state, participant)
    if record.role not in BILLED_ROLES:
        raise InvalidRequest(f"a {record.role.value} is not billed")
    existing = _stored(state, participant, period)
    if existing:
        return existing.decode()
    through = billed_through(state, participant)
    if period.start < through:
        raise Conflict(
            f"{participant} is already billed up to {format_utc(through)}; "
            "periods are settled in order without overlap"
        )
    bill = _compute(state, participant, period)
    if not bill.complete:
        listed = ", ".join(
            f"{meter_id}@{format_utc(at)}"
            for meter_id, at in bill.missing_readings[:MAX_MISSING_LISTED]
        )
        more = len(bill.missing_readings) - MAX_MISSING_LISTED
        suffix = f" and {more} more" if more > 0 else ""
        raise IncompleteData(
            f"cannot settle {participant} for {period.label()}: "
            f"{len(bill.missing_readings)} readings missing: {listed}{suffix}"
        )
    text = bill.to_json()
    state.put_raw(BILL, [participant, format_utc(period.start), format_utc(period.end)], text)
    state.put_raw(BILLED_THROUGH, [participant], format_utc(period.end).encode())
    if period.end > settled_through(state):
        state.put_raw(SETTLED_THROUGH, ["all"], format_utc(period.end).encode())
    desk = CertificateDesk(state)
    for certificate_id, claimed in bill.certificates_claimed:
        certificate = desk.load(certificate_id)
        if certificate is None:
            raise NotFound(f"certificate {certificate_id} vanished")
        desk.save(retire(certificate, bill.bill_id, claimed))
    event = {"bill_id": bill.bill_id, "total": bill.total, "inputs_hash": bill.inputs_hash}
    state.stub.set_event("BillSettled", json.dumps(event, sort_keys=True).encode())
    return text.decode()


def get_bill(state: State, caller: Caller, participant: str, start_text: str, end_text: str) -> str:
    caller.require_reader_of(participant, f"the bills of {participant}")
    period = parse_period(start_text, end_text)
    stored = _stored(state, participant, period)
    if not stored:
        raise NotFound(f"no bill for {participant} for {period.label()}")
    return stored.decode()


def preview_bill(
    state: State, caller: Caller, participant: str, start_text: str, end_text: str
) -> str:
    """The bill settlement would produce now (may be incomplete); nothing is stored."""
    caller.require_reader_of(participant, f"the bills of {participant}")
    period = parse_period(start_text, end_text)
    load_participant(state, participant)
    return _compute(state, participant, period).to_json().decode()


def verify_bill(
    state: State, caller: Caller, participant: str, start_text: str, end_text: str
) -> dict[str, Any]:
    """Recompute the stored bill from the ledger and compare the bytes."""
    stored_text = get_bill(state, caller, participant, start_text, end_text)
    period = parse_period(start_text, end_text)
    recomputed = _compute(state, participant, period)
    stored = json.loads(stored_text)
    return {
        "bill_id": stored["bill_id"],
        "matches": recomputed.to_json() == stored_text.encode(),
        "stored_inputs_hash": stored["inputs_hash"],
        "recomputed_inputs_hash": recomputed.inputs_hash,
        "stored_total": stored["total"],
        "recomputed_total": recomputed.total,
    }
