"""Submitting signed readings in batches, and reading them back."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from gridledger_domain import (
    INTERVAL_SECONDS,
    MeterDataError,
    MeterReading,
    SignedReading,
    format_utc,
    parse_utc,
)
from gridledger_domain.records import Meter
from gridledger_domain.refusals import AccessDenied, Conflict, InvalidRequest
from gridledger_domain.timeutil import DAY_SECONDS, day_of

from gridledger_chaincode.energy.ledger.access import Caller
from gridledger_chaincode.energy.ledger.certificates import CertificateDesk, billed_through
from gridledger_chaincode.energy.ledger.meters import load_meter
from gridledger_chaincode.energy.ledger.state import METER, METER_SPAN, READING, State, day_text
from gridledger_chaincode.energy.readings import MAX_BATCH, plan_readings

MAX_READ_DAYS = 31


def parse_batch(items: Sequence[Any]) -> list[SignedReading]:
    if not isinstance(items, list):
        raise InvalidRequest("readings must be a JSON array of signed readings")
    if len(items) > MAX_BATCH:
        raise InvalidRequest(f"at most {MAX_BATCH} readings per transaction, got {len(items)}")
    batch = []
    for index, item in enumerate(items):
        try:
            batch.append(SignedReading.from_json_dict(item))
        except MeterDataError as exc:
            raise InvalidRequest(f"reading {index}: {exc}") from exc
    return batch


def _reading_key(reading: MeterReading) -> list[str]:
    return [reading.meter_id, day_text(reading.interval_start), format_utc(reading.interval_start)]


def _load_signed(raw: bytes) -> SignedReading:
    return SignedReading.from_json_dict(json.loads(raw))


def stored_readings(state: State, meter_id: str, days: Sequence[int]) -> dict[int, SignedReading]:
    found: dict[int, SignedReading] = {}
    for _, raw in state.scan_days(READING, [meter_id], days):
        signed = _load_signed(raw)
        found[signed.reading.interval_start] = signed
    return found


def meter_span(state: State, meter_id: str) -> tuple[int, int] | None:
    """(first, last) reading instants of a meter, or None if it has none."""
    record = state.get_json(METER_SPAN, meter_id)
    if record is None:
        return None
    return parse_utc(record["first"]), parse_utc(record["last"])


def _neighbourhood(
    state: State, meter_id: str, instants: Sequence[int]
) -> dict[int, SignedReading]:
    """Stored readings within a day of the submitted ones, plus the meter's first and last."""
    first_day, last_day = day_of(min(instants)), day_of(max(instants))
    days = range(first_day - DAY_SECONDS, last_day + 2 * DAY_SECONDS, DAY_SECONDS)
    found = stored_readings(state, meter_id, list(days))
    span = meter_span(state, meter_id)
    if span is not None:
        for instant in span:
            if instant not in found:
                raw = state.get_raw(
                    READING, meter_id, format_utc(day_of(instant)), format_utc(instant)
                )
                if raw:
                    found[instant] = _load_signed(raw)
    return found


def submit_readings(state: State, caller: Caller, items: Sequence[Any]) -> dict[str, Any]:
    """Validate and store a batch (all or nothing); issue certificates for closed intervals."""
    if not caller.is_utility and caller.participant is None:
        raise AccessDenied(f"caller {caller.participant_id} is not registered")
    batch = parse_batch(items)
    by_meter: dict[str, list[int]] = defaultdict(list)
    for signed in batch:
        by_meter[signed.reading.meter_id].append(signed.reading.interval_start)
    meters: dict[str, Meter] = {}
    for meter_id in by_meter:
        if state.get_raw(METER, meter_id):
            meter = load_meter(state, meter_id)
            if not caller.is_utility and meter.owner != caller.participant_id:
                raise AccessDenied(
                    f"only the utility or the meter's owner may submit readings of {meter_id}"
                )
            meters[meter_id] = meter
    stored = {
        meter_id: _neighbourhood(state, meter_id, instants)
        for meter_id, instants in by_meter.items()
        if meter_id in meters
    }
    plan = plan_readings(batch, meters, stored)
    _refuse_settled(state, meters, plan.store)

    desk = CertificateDesk(state)
    new_by_meter: dict[str, dict[int, MeterReading]] = defaultdict(dict)
    for signed in plan.store:
        reading = signed.reading
        state.put_json(READING, _reading_key(reading), signed.to_json_dict())
        new_by_meter[reading.meter_id][reading.interval_start] = reading
    for meter_id, new in new_by_meter.items():
        _update_span(state, meter_id, new)
        known: dict[int, MeterReading] = {t: s.reading for t, s in stored[meter_id].items()}
        known.update(new)
        _issue_certificates(desk, meters[meter_id], known, new)
    summary = {
        "submitted": len(batch),
        "stored": len(plan.store),
        "duplicates": len(plan.duplicates),
        "certificates_issued": desk.issued,
    }
    state.stub.set_event("ReadingsSubmitted", json.dumps(summary, sort_keys=True).encode())
    return summary


def _refuse_settled(
    state: State, meters: Mapping[str, Meter], new: Sequence[SignedReading]
) -> None:
    """A new reading may not fall inside a period already settled for the meter's owner: it
    would change a stored bill (its recomputation, VerifyBill, would no longer match). The
    reading at the end of the settled period opens the next one and is accepted."""
    through: dict[str, int] = {}
    for signed in new:
        owner = meters[signed.reading.meter_id].owner
        if owner not in through:
            through[owner] = billed_through(state, owner)
        if signed.reading.interval_start < through[owner]:
            raise Conflict(
                f"reading {signed.reading.meter_id} at {format_utc(signed.reading.interval_start)} "
                f"falls in a period already settled for {owner} "
                f"(billed up to {format_utc(through[owner])})"
            )


def _update_span(state: State, meter_id: str, new: Mapping[int, MeterReading]) -> None:
    span = meter_span(state, meter_id)
    first, last = min(new), max(new)
    if span is not None:
        first, last = min(first, span[0]), max(last, span[1])
    state.put_json(METER_SPAN, [meter_id], {"first": format_utc(first), "last": format_utc(last)})


def _issue_certificates(
    desk: CertificateDesk,
    meter: Meter,
    known: Mapping[int, MeterReading],
    new: Mapping[int, MeterReading],
) -> None:
    if not meter.renewable:
        return
    openings = set()
    for instant in new:
        openings.add(instant - INTERVAL_SECONDS)
        openings.add(instant)
    for opening in sorted(openings):
        closing = opening + INTERVAL_SECONDS
        if opening in known and closing in known:
            desk.issue(meter, known[opening], known[closing])


def get_readings(
    state: State, caller: Caller, meter_id: str, start_text: str, end_text: str
) -> list[dict[str, Any]]:
    """A meter's readings at instants ``start..end`` inclusive (at most 31 days)."""
    meter = load_meter(state, meter_id)
    caller.require_reader_of(meter.owner, f"the readings of meter {meter_id}")
    try:
        start, end = parse_utc(start_text), parse_utc(end_text)
    except ValueError as exc:
        raise InvalidRequest(str(exc)) from exc
    if end < start or end - start > MAX_READ_DAYS * DAY_SECONDS:
        raise InvalidRequest(f"reading range must be 0 to {MAX_READ_DAYS} days")
    days = range(day_of(start), day_of(end) + DAY_SECONDS, DAY_SECONDS)
    found = stored_readings(state, meter_id, list(days))
    return [found[t].to_json_dict() for t in sorted(found) if start <= t <= end]
