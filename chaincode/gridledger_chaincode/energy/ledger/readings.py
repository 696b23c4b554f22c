"""Submitting signed readings in batches, and reading them back."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from gridledger_domain import (
    MeterDataError,
    MeterReading,
    SignedReading,
    format_utc,
    parse_utc,
)
from gridledger_domain.meter_data import READINGS_FIELD
from gridledger_domain.records import Bill, Meter
from gridledger_domain.refusals import AccessDenied, Conflict, InvalidRequest
from gridledger_domain.timeutil import DAY_SECONDS, day_of

from gridledger_chaincode.energy.ledger.access import Caller
from gridledger_chaincode.energy.ledger.certificates import CertificateDesk
from gridledger_chaincode.energy.ledger.closing import ClosedDays, mark_revision_due
from gridledger_chaincode.energy.ledger.commitments import load_statement
from gridledger_chaincode.energy.ledger.custodians import custodians_by_id
from gridledger_chaincode.energy.ledger.meter_data import ReadingStore
from gridledger_chaincode.energy.ledger.meters import load_meter
from gridledger_chaincode.energy.ledger.paging import PageRequest, page_answer
from gridledger_chaincode.energy.ledger.state import METER, State
from gridledger_chaincode.energy.ledger.transient import transient_array
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


def stored_readings(
    store: ReadingStore, meter_id: str, days: Iterable[int]
) -> dict[int, SignedReading]:
    """The stored readings of ``meter_id`` in the UTC ``days`` (their day records)."""
    found: dict[int, SignedReading] = {}
    for readings in store.days((meter_id, day) for day in days).values():
        found.update(readings)
    return found


def _stored_around(
    store: ReadingStore,
    by_meter: Mapping[str, Sequence[int]],
    spans: Mapping[str, tuple[int, int] | None],
) -> dict[str, dict[int, SignedReading]]:
    """Per meter, the stored readings its new ``instants`` are checked against and merged
    with: the day records of the days they fall in; for a meter reporting onwards (or
    backfilling before its first reading) also the day of its last (first) reading; for
    the others the days around and the nearest stored reading beyond them, however far
    (the private day index). Every record is read by key, all in one call per collection."""
    wanted: list[tuple[str, int]] = []
    middle: list[str] = []
    for meter_id, instants in by_meter.items():
        span = spans[meter_id]
        wanted += [(meter_id, day) for day in {day_of(at) for at in instants}]
        if span is not None and min(instants) > span[1]:
            wanted.append((meter_id, day_of(span[1])))
        elif span is not None and max(instants) < span[0]:
            wanted.append((meter_id, day_of(span[0])))
        elif span is not None:
            low, high = day_of(min(instants)) - DAY_SECONDS, day_of(max(instants)) + DAY_SECONDS
            wanted += [(meter_id, day) for day in range(low, high + 1, DAY_SECONDS)]
            middle.append(meter_id)
    records = store.days(wanted)
    stored: dict[str, dict[int, SignedReading]] = defaultdict(dict)
    for (meter_id, _), readings in records.items():
        stored[meter_id].update(readings)
    for meter_id in middle:
        earliest, latest = min(by_meter[meter_id]), max(by_meter[meter_id])
        found = stored[meter_id]
        for instant, after in ((earliest, False), (latest, True)):
            if not any((at > instant) if after else (at < instant) for at in found):
                near = store.nearest(meter_id, instant, spans[meter_id], after=after)
                if near is not None:
                    found[near.reading.interval_start] = near
    return {meter_id: stored[meter_id] for meter_id in by_meter}


def parse_transient_batch(state: State, count_text: str, digest: str) -> list[SignedReading]:
    """The batch sent as transient data ``readings``, checked against the arguments (its
    count and SHA-256): the readings never appear in the transaction itself."""
    return parse_batch(transient_array(state, READINGS_FIELD, count_text, digest, "readings"))


def submit_readings(state: State, caller: Caller, count_text: str, digest: str) -> dict[str, Any]:
    """Validate and store a batch sent as transient data (all or nothing) in the collections
    of the meters' owners; issue certificates for closed intervals. The answer and the event
    carry counts and the batch's hash only."""
    if not caller.is_utility and caller.participant is None:
        raise AccessDenied(f"caller {caller.participant_id} is not registered")
    batch = parse_transient_batch(state, count_text, digest)
    by_meter: dict[str, list[int]] = defaultdict(list)
    for signed in batch:
        by_meter[signed.reading.meter_id].append(signed.reading.interval_start)
    meters: dict[str, Meter] = {}
    records = state.stub.get_multiple_states([state.key(METER, m) for m in by_meter])
    store = ReadingStore(state)
    for meter_id, raw in zip(by_meter, records, strict=True):
        if raw:
            meter = Meter.from_json_dict(json.loads(raw))
            if not caller.is_utility and meter.owner != caller.participant_id:
                raise AccessDenied(
                    f"only the utility or the meter's owner may submit readings of {meter_id}"
                )
            meters[meter_id] = meter
            store.know_owner(meter_id, meter.owner)
    spans = dict(zip(meters, store.spans(list(meters)), strict=True))
    stored = _stored_around(store, {m: by_meter[m] for m in meters}, spans)
    signers = custodians_by_id(state, {s.signer for s in batch if s.signer})
    plan = plan_readings(batch, meters, stored, signers)
    _refuse_closed(state, meters, plan.store, {_at(s) for s in plan.replaced})

    desk = CertificateDesk(state)
    new_by_meter: dict[str, dict[int, SignedReading]] = defaultdict(dict)
    for signed in plan.store:
        new_by_meter[signed.reading.meter_id][signed.reading.interval_start] = signed
    for meter_id, new in new_by_meter.items():
        by_day: dict[int, dict[int, SignedReading]] = defaultdict(dict)
        for at, signed in new.items():
            by_day[day_of(at)][at] = signed
        held = store.days((meter_id, day) for day in by_day)
        for day, added in by_day.items():
            store.put_day(meter_id, day, {**held[(meter_id, day)], **added})
        store.index_days(meter_id, [day for day in by_day if not held[(meter_id, day)]])
        _update_span(store, meter_id, spans[meter_id], new)
        known: dict[int, MeterReading] = {t: s.reading for t, s in stored[meter_id].items()}
        known.update({at: s.reading for at, s in new.items()})
        _issue_certificates(desk, meters[meter_id], known, {at: s.reading for at, s in new.items()})
    summary = {
        "submitted": len(batch),
        "stored": len(plan.store),
        "duplicates": len(plan.duplicates),
        "certificates_issued": desk.issued,
    }
    event = {**summary, "readings_sha256": digest}
    state.stub.set_event("ReadingsSubmitted", json.dumps(event, sort_keys=True).encode())
    return summary


def _at(signed: SignedReading) -> tuple[str, int]:
    return signed.reading.meter_id, signed.reading.interval_start


def _refuse_closed(
    state: State,
    meters: Mapping[str, Meter],
    new: Sequence[SignedReading],
    replacing: set[tuple[str, int]],
) -> None:
    """A new reading may not change a closed day of the meter's owner (its statement could no
    longer be recomputed), except an actual reading for one that day's statement estimated:
    that reading is stored and the day marked for revision (a true-up on the next bill). A
    reading at midnight also closes the day before: it is accepted there unless estimated
    (then that day is marked too), since the meter had no reading in that day otherwise.
    An actual reading replacing a stored estimated one (``replacing``) is refused when either
    day it bounds an interval of is closed: a settled day is never rewritten."""
    closed = ClosedDays(state)
    owned = [(meters[s.reading.meter_id].owner, s.reading.interval_start) for s in new]
    midnights = [(owner, at - DAY_SECONDS) for owner, at in owned if at == day_of(at)]
    closed.prefetch([*owned, *midnights])
    statements: dict[tuple[str, int], Bill | None] = {}
    for signed in new:
        meter_id, at = signed.reading.meter_id, signed.reading.interval_start
        owner = meters[meter_id].owner
        day = day_of(at)
        for affected in (day, day - DAY_SECONDS) if at == day else (day,):
            if not closed.closed(owner, affected):
                continue
            if (meter_id, at) in replacing:
                raise Conflict(
                    f"reading {meter_id} at {format_utc(at)} would replace an estimated reading "
                    f"of a day already closed for {owner} ({format_utc(affected)[:10]}): a "
                    "settled day is never rewritten (an estimate is replaced only before its "
                    "day is closed)"
                )
            if (owner, affected) not in statements:
                statements[(owner, affected)] = load_statement(state, owner, affected)
            statement = statements[(owner, affected)]
            if statement is not None and any(e.covers(meter_id, at) for e in statement.estimates):
                mark_revision_due(state, owner, affected)
            elif affected == day:
                raise Conflict(
                    f"reading {meter_id} at {format_utc(at)} falls in a day already closed "
                    f"for {owner}"
                )


def _update_span(
    store: ReadingStore,
    meter_id: str,
    span: tuple[int, int] | None,
    new: Mapping[int, SignedReading],
) -> None:
    first, last = min(new), max(new)
    if span is not None:
        first, last = min(first, span[0]), max(last, span[1])
    if span != (first, last):
        store.put_span(meter_id, first, last)


def _issue_certificates(
    desk: CertificateDesk,
    meter: Meter,
    known: Mapping[int, MeterReading],
    new: Mapping[int, MeterReading],
) -> None:
    if not meter.renewable:
        return
    step = meter.interval_seconds
    openings = set()
    for instant in new:
        openings.add(instant - step)
        openings.add(instant)
    for opening in sorted(openings):
        closing = opening + step
        if opening in known and closing in known:
            if known[opening].estimated or known[closing].estimated:
                continue  # certified when the actual readings replace the estimated ones
            desk.issue(meter, known[opening], known[closing])


def get_readings(
    state: State,
    caller: Caller,
    meter_id: str,
    start_text: str,
    end_text: str,
    request: PageRequest,
) -> dict[str, Any]:
    """One page of a meter's readings at instants ``start..end`` inclusive (at most 31 days),
    in time order, read from the meter's day records in its owner's collection (a read-only
    query on a member's peer). The bookmark is the position of the page's first reading."""
    meter = load_meter(state, meter_id)
    caller.require_reader_of(meter.owner, f"the readings of meter {meter_id}")
    try:
        start, end = parse_utc(start_text), parse_utc(end_text)
    except ValueError as exc:
        raise InvalidRequest(str(exc)) from exc
    if end < start or end - start > MAX_READ_DAYS * DAY_SECONDS:
        raise InvalidRequest(f"reading range must be 0 to {MAX_READ_DAYS} days")
    try:
        offset = int(request.bookmark) if request.bookmark else 0
    except ValueError:
        raise InvalidRequest(f"not a bookmark of this listing: {request.bookmark!r}") from None
    store = ReadingStore(state)
    store.know_owner(meter_id, meter.owner)
    found = stored_readings(store, meter_id, range(day_of(start), end + 1, DAY_SECONDS))
    instants = [at for at in sorted(found) if start <= at <= end]
    if not 0 <= offset <= len(instants):
        raise InvalidRequest(f"not a bookmark of this listing: {request.bookmark!r}")
    page = instants[offset : offset + request.size]
    more = offset + len(page) < len(instants)
    return page_answer(
        [found[at].to_json_dict() for at in page], str(offset + len(page)) if more else ""
    )
