"""Period bills on the ledger: assemble the closed days' statements into a bill and store it
once; read, preview and verify bills."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from gridledger_domain import SignedReading, format_utc, parse_utc
from gridledger_domain.records import Bill, Tariff
from gridledger_domain.refusals import Conflict, IncompleteData, InvalidRequest, NotFound
from gridledger_domain.vocabulary import BILLED_ROLES

from gridledger_chaincode.energy.assembly import TrueUp, assemble
from gridledger_chaincode.energy.ledger.access import Caller
from gridledger_chaincode.energy.ledger.certificates import certificates_of
from gridledger_chaincode.energy.ledger.closing import billed_through
from gridledger_chaincode.energy.ledger.commitments import (
    bill_commitment,
    bill_text,
    load_statement,
    sha256_hex,
    store_bill,
)
from gridledger_chaincode.energy.ledger.day_inputs import day_inputs, settled_meters
from gridledger_chaincode.energy.ledger.market import trades_in_days
from gridledger_chaincode.energy.ledger.meter_data import ReadingStore
from gridledger_chaincode.energy.ledger.participants import load_participant
from gridledger_chaincode.energy.ledger.readings import stored_readings
from gridledger_chaincode.energy.ledger.state import BILLED_THROUGH, TARIFF, State
from gridledger_chaincode.energy.ledger.statements import (
    comparison,
    load_true_up,
    mark_billed,
    unbilled_true_ups,
)
from gridledger_chaincode.energy.ledger.tariffs import all_tariffs
from gridledger_chaincode.energy.periods import Period
from gridledger_chaincode.energy.settlement import settle
from gridledger_chaincode.energy.settlement_inputs import select_inputs

MAX_TRUE_UPS_PER_BILL = 31
"""Most revised days one bill carries; the rest go on the next bill."""
MAX_PREVIEW_OPEN_DAYS = 31
"""Most days not closed yet that a preview settles on the fly."""


def parse_period(start_text: str, end_text: str) -> Period:
    try:
        return Period(parse_utc(start_text), parse_utc(end_text))
    except ValueError as exc:
        if isinstance(exc, InvalidRequest):
            raise
        raise InvalidRequest(str(exc)) from exc


def _statements(state: State, participant: str, period: Period) -> list[Bill | None]:
    return [load_statement(state, participant, day) for day in period.day_starts()]


def _tax_rates(
    state: State, statements: Sequence[Bill], true_ups: Sequence[TrueUp]
) -> dict[int, int]:
    versions = {v for statement in statements for v in statement.tariff_versions}
    versions |= {line.tariff_version for true_up in true_ups for line in true_up.lines}
    rates = {}
    for version in sorted(versions):
        record = state.get_json(TARIFF, f"{version:06d}")
        if record is None:
            raise NotFound(f"tariff version {version} vanished")
        rates[version] = Tariff.from_json_dict(record).tax_rate_bp
    return rates


def _stored(state: State, participant: str, period: Period) -> bytes:
    """The stored bill of the period (b"" if none), checked against its commitment."""
    commitment = bill_commitment(state, participant, period.start, period.end)
    return b"" if commitment is None else bill_text(state, commitment)


def settle_period(
    state: State, caller: Caller, participant: str, start_text: str, end_text: str
) -> str:
    """Assemble and store the period's bill (utility only) from the statements of its days,
    all closed, with the true-ups of revised earlier days, privately, with its public
    commitment; the answer (in the block) is the commitment. Settling a stored period returns
    the stored bill's commitment."""
    caller.require_utility("run settlement")
    period = parse_period(start_text, end_text)
    record = load_participant(state, participant)
    if record.role not in BILLED_ROLES:
        raise InvalidRequest(f"a {record.role.value} is not billed")
    existing = bill_commitment(state, participant, period.start, period.end)
    if existing is not None:
        return json.dumps(existing, sort_keys=True)
    through = billed_through(state, participant)
    if period.start < through:
        raise Conflict(
            f"{participant} is already billed up to {format_utc(through)}; "
            "periods are settled in order without overlap"
        )
    found = _statements(state, participant, period)
    open_days = [day for day, s in zip(period.day_starts(), found, strict=True) if s is None]
    if open_days:
        raise IncompleteData(
            f"cannot settle {participant} for {period.label()}: {len(open_days)} days not "
            f"closed (first: {format_utc(open_days[0])}); close them with CloseDays"
        )
    statements = [s for s in found if s is not None]
    true_ups = unbilled_true_ups(state, participant, MAX_TRUE_UPS_PER_BILL)
    bill = assemble(
        participant, period, statements, true_ups, _tax_rates(state, statements, true_ups)
    )
    commitment = store_bill(state, bill, period.start, period.end)
    state.put_raw(BILLED_THROUGH, [participant], format_utc(period.end).encode())
    for true_up in true_ups:
        mark_billed(state, participant, true_up)
    event = {"bill_id": bill.bill_id, "sha256": commitment["sha256"]}
    state.stub.set_event("BillSettled", json.dumps(event, sort_keys=True).encode())
    return json.dumps(commitment, sort_keys=True)


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
    """The bill settling the period would give now (closed days as stated, the others as their
    readings stand, possibly incomplete, at most 31 of them); nothing is stored."""
    caller.require_reader_of(participant, f"the bills of {participant}")
    period = parse_period(start_text, end_text)
    load_participant(state, participant)
    found = _statements(state, participant, period)
    if sum(s is None for s in found) > MAX_PREVIEW_OPEN_DAYS:
        raise InvalidRequest(
            f"a preview settles at most {MAX_PREVIEW_OPEN_DAYS} days not closed yet"
        )
    statements = [
        s if s is not None else settle(day_inputs(state, participant, day).inputs)
        for day, s in zip(period.day_starts(), found, strict=True)
    ]
    true_ups = unbilled_true_ups(state, participant, MAX_TRUE_UPS_PER_BILL)
    rates = _tax_rates(state, statements, true_ups)
    return assemble(participant, period, statements, true_ups, rates).to_json().decode()


def _legacy_recompute(state: State, participant: str, period: Period) -> Bill:
    """A bill issued before day statements, recomputed as it was made: the whole period."""
    days = list(period.day_starts())
    store = ReadingStore(state)
    meters = settled_meters(state, participant, period, store)
    readings: list[SignedReading] = []
    for meter in meters:
        readings.extend(stored_readings(store, meter.meter_id, [*days, period.end]).values())
    return settle(
        select_inputs(
            participant,
            period,
            meters,
            readings,
            trades_in_days(state, participant, days),
            all_tariffs(state),
            certificates_of(state, participant, days),
        )
    )


def verify_bill(
    state: State, caller: Caller, participant: str, start_text: str, end_text: str
) -> dict[str, Any]:
    """Re-assemble the stored bill from the stored day statements and the true-ups it carries,
    and compare the bytes (each statement is verified on its own by VerifyDayStatement).
    A bill issued before day statements is recomputed from the ledger as it was made."""
    stored_text = get_bill(state, caller, participant, start_text, end_text)
    period = parse_period(start_text, end_text)
    stored = Bill.from_json_dict(json.loads(stored_text))
    found = _statements(state, participant, period)
    if all(s is None for s in found):
        recomputed = _legacy_recompute(state, participant, period)
    else:
        statements = [s for s in found if s is not None]
        true_ups = [load_true_up(state, participant, r.day, r.revision) for r in stored.revisions]
        rates = _tax_rates(state, statements, true_ups)
        recomputed = assemble(participant, period, statements, true_ups, rates)
    return {
        "bill_id": stored.bill_id,
        "sha256": sha256_hex(stored_text.encode()),
        **comparison(stored_text.encode(), stored, recomputed),
    }
