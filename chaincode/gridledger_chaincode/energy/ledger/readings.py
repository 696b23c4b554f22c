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
from gridledger_domain.records import Bill, Meter
from gridledger_domain.refusals import AccessDenied, Conflict, InvalidRequest
from gridledger_domain.timeutil import DAY_SECONDS, day_of

from gridledger_chaincode.energy.ledger.access import Caller
from gridledger_chaincode.energy.ledger.certificates import CertificateDesk
from gridledger_chaincode.energy.ledger.closing import (
    ClosedDays,
    load_statement,
    mark_revision_due,
)
from gridledger_chaincode.energy.ledger.custodians import custodians_by_id
from gridledger_chaincode.energy.ledger.day_readings import load_signed, record_day_readings
from gridledger_chaincode.energy.ledger.meters import load_meter
from gridledger_chaincode.energy.ledger.paging import PageRequest, page_answer
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


def stored_readings(state: State, meter_id: str, days: Iterable[int]) -> dict[int, SignedReading]:
    found: dict[int, SignedReading] = {}
    for _, raw in state.scan_days(READING, [meter_id], days):
        signed = load_signed(raw)
        found[signed.reading.interval_start] = signed
    return found


def readings_at(state: State, meter_id: str, instants: Sequence[int]) -> dict[int, SignedReading]:
    """The stored readings of ``meter_id`` at ``instants`` (point reads, in one call)."""
    return readings_of(state, [meter_id], instants).get(meter_id, {})


def readings_of(
    state: State, meter_ids: Sequence[str], instants: Sequence[int]
) -> dict[str, dict[int, SignedReading]]:
    """The stored readings of each meter at each of ``instants``, by meter and instant: point
    reads sent together (Fabric's GET_STATE_MULTIPLE), far fewer round trips than a range
    query per meter."""
    return readings_at_each(state, [(meter_id, at) for meter_id in meter_ids for at in instants])


def readings_at_each(
    state: State, wanted: Sequence[tuple[str, int]]
) -> dict[str, dict[int, SignedReading]]:
    """The stored readings at each (meter, instant) of ``wanted``, by meter and instant (point
    reads, in one call)."""
    keys = [state.key(READING, meter_id, day_text(at), format_utc(at)) for meter_id, at in wanted]
    found: dict[str, dict[int, SignedReading]] = {}
    for (meter_id, at), raw in zip(wanted, state.stub.get_multiple_states(keys), strict=True):
        if raw:
            found.setdefault(meter_id, {})[at] = load_signed(raw)
    return found


def nearest_reading(
    state: State, meter_id: str, instant: int, *, after: bool
) -> SignedReading | None:
    """The stored reading nearest to ``instant``, strictly after or strictly before it (the
    day index finds its day; that day is read)."""
    step = DAY_SECONDS if after else -DAY_SECONDS
    day = day_of(instant)
    for _ in range(2):
        if day >= 0:
            near = {
                at: signed
                for at, signed in stored_readings(state, meter_id, [day]).items()
                if (at > instant if after else at < instant)
            }
            if near:
                return near[min(near) if after else max(near)]
        found = _nearest_day(state, meter_id, DAYS_UP if after else DAYS_DOWN, day + step)
        if found is None:
            return None
        day = found
    return None


def meter_span(state: State, meter_id: str) -> tuple[int, int] | None:
    """(first, last) reading instants of a meter, or None if it has none."""
    return meter_spans(state, [meter_id])[0]


def meter_spans(state: State, meter_ids: Sequence[str]) -> list[tuple[int, int] | None]:
    """The spans of ``meter_ids`` (see :func:`meter_span`), read in one call."""
    raws = state.stub.get_multiple_states([state.key(METER_SPAN, m) for m in meter_ids])
    spans: list[tuple[int, int] | None] = []
    for raw in raws:
        record = json.loads(raw) if raw else None
        spans.append(
            None if record is None else (parse_utc(record["first"]), parse_utc(record["last"]))
        )
    return spans


# Which days hold readings of a meter, as two indexes of simple keys (range queries can start
# anywhere in them, unlike partial composite keys): ``<prefix><meter id>/<day number>``, the day
# number counted up in one and down in the other, so that a forward range query read to its
# first row finds the nearest day with readings after, or before, any day. Written once per
# meter and new day (not per reading); "/" and "~" cannot occur in a meter id.
DAYS_UP = "energy.reading_days_up/"
DAYS_DOWN = "energy.reading_days_down/"
_LAST_DAY_NUMBER = 9_999_999  # seven digits hold every day up to 9999-12-31


def _counted(prefix: str, number: int) -> int:
    """A day number as the index ``prefix`` writes it, and back (counting down is symmetric)."""
    return number if prefix == DAYS_UP else _LAST_DAY_NUMBER - number


def _day_key(prefix: str, meter_id: str, day: int) -> str:
    return f"{prefix}{meter_id}/{_counted(prefix, day // DAY_SECONDS):07d}"


def _nearest_day(state: State, meter_id: str, prefix: str, day: int) -> int | None:
    """The nearest day with readings at or after ``day`` (DAYS_UP) or at or before it
    (DAYS_DOWN): one range query, of which only the first row is read."""
    iterator = state.stub.get_state_by_range(
        _day_key(prefix, meter_id, day), f"{prefix}{meter_id}/~"
    )
    try:
        for kv in iterator:
            return _counted(prefix, int(kv.key.rsplit("/", 1)[1])) * DAY_SECONDS
        return None
    finally:
        iterator.close()


def _index_days(state: State, meter_id: str, days: Iterable[int]) -> None:
    for day in days:
        for prefix in (DAYS_UP, DAYS_DOWN):
            state.stub.put_state(_day_key(prefix, meter_id, day), b"1")


def _neighbourhood(
    state: State, meter_id: str, instants: Sequence[int], span: tuple[int, int] | None
) -> dict[int, SignedReading]:
    """The stored readings the registers of ``instants`` are checked against: every reading
    from the day before the first submitted one to the day after the last, plus the nearest
    stored reading before and after those days, however far (one index query and one day
    scan per side, only when a side holds readings beyond those days)."""
    earliest, latest = min(instants), max(instants)
    low, high = day_of(earliest) - DAY_SECONDS, day_of(latest) + 2 * DAY_SECONDS
    found = stored_readings(state, meter_id, range(low, high, DAY_SECONDS))
    if span is None:
        return found
    first, last = span
    # (a ledger written before the day index has no entries for its older days: then the
    # meter's first or last reading is the nearest one known)
    if first < low and not any(instant < earliest for instant in found):
        day = day_of(last) if last < low else _nearest_day(state, meter_id, DAYS_DOWN, low)
        found.update(stored_readings(state, meter_id, [day_of(first) if day is None else day]))
    if last >= high and not any(instant > latest for instant in found):
        day = day_of(first) if first >= high else _nearest_day(state, meter_id, DAYS_UP, high)
        found.update(stored_readings(state, meter_id, [day_of(last) if day is None else day]))
    return found


def _stored_around(
    state: State,
    by_meter: Mapping[str, Sequence[int]],
    spans: Mapping[str, tuple[int, int] | None],
) -> dict[str, dict[int, SignedReading]]:
    """Per meter, the stored readings its new ``instants`` are checked against. Meters
    reporting onwards (every new instant after the meter's last stored reading, the usual
    case) or backfilling before their first have one stored neighbour, that reading: read for
    all such meters in one call. The others read their neighbourhood."""
    ends: dict[str, int] = {}
    stored: dict[str, dict[int, SignedReading]] = {}
    for meter_id, instants in by_meter.items():
        span = spans[meter_id]
        if span is not None and min(instants) > span[1]:
            ends[meter_id] = span[1]
        elif span is not None and max(instants) < span[0]:
            ends[meter_id] = span[0]
        else:
            stored[meter_id] = _neighbourhood(state, meter_id, instants, span)
    found = readings_at_each(state, list(ends.items()))
    for meter_id in ends:
        end = found.get(meter_id)
        if end is None:  # (a span without its reading: never written so; read around)
            stored[meter_id] = _neighbourhood(state, meter_id, by_meter[meter_id], None)
        else:
            stored[meter_id] = end
    return stored


def submit_readings(state: State, caller: Caller, items: Sequence[Any]) -> dict[str, Any]:
    """Validate and store a batch (all or nothing); issue certificates for closed intervals."""
    if not caller.is_utility and caller.participant is None:
        raise AccessDenied(f"caller {caller.participant_id} is not registered")
    batch = parse_batch(items)
    by_meter: dict[str, list[int]] = defaultdict(list)
    for signed in batch:
        by_meter[signed.reading.meter_id].append(signed.reading.interval_start)
    meters: dict[str, Meter] = {}
    records = state.stub.get_multiple_states([state.key(METER, m) for m in by_meter])
    for meter_id, raw in zip(by_meter, records, strict=True):
        if raw:
            meter = Meter.from_json_dict(json.loads(raw))
            if not caller.is_utility and meter.owner != caller.participant_id:
                raise AccessDenied(
                    f"only the utility or the meter's owner may submit readings of {meter_id}"
                )
            meters[meter_id] = meter
    spans = dict(zip(meters, meter_spans(state, list(meters)), strict=True))
    stored = _stored_around(state, {m: by_meter[m] for m in meters}, spans)
    signers = custodians_by_id(state, {s.signer for s in batch if s.signer})
    plan = plan_readings(batch, meters, stored, signers)
    _refuse_closed(state, meters, plan.store, {_at(s) for s in plan.replaced})

    desk = CertificateDesk(state)
    new_by_meter: dict[str, dict[int, MeterReading]] = defaultdict(dict)
    for signed in plan.store:
        reading = signed.reading
        state.put_json(READING, _reading_key(reading), signed.to_json_dict())
        new_by_meter[reading.meter_id][reading.interval_start] = reading
    record_day_readings(state, {m: meter.owner for m, meter in meters.items()}, plan.store)
    for meter_id, new in new_by_meter.items():
        _update_span(state, meter_id, spans[meter_id], new)
        held = {day_of(instant) for instant in stored[meter_id]}
        _index_days(state, meter_id, sorted({day_of(instant) for instant in new} - held))
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
    state: State, meter_id: str, span: tuple[int, int] | None, new: Mapping[int, MeterReading]
) -> None:
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


def _reading_bookmark(text: str, first_day: int, last_day: int) -> tuple[int, str]:
    """``<day number>:<Fabric bookmark within that day>`` (empty: from ``first_day``)."""
    if not text:
        return first_day, ""
    day_number, _, inner = text.partition(":")
    try:
        day = int(day_number) * DAY_SECONDS
    except ValueError:
        raise InvalidRequest(f"not a bookmark of this listing: {text!r}") from None
    if not first_day <= day <= last_day:
        raise InvalidRequest(f"not a bookmark of this listing: {text!r}")
    return day, inner


def get_readings(
    state: State,
    caller: Caller,
    meter_id: str,
    start_text: str,
    end_text: str,
    request: PageRequest,
) -> dict[str, Any]:
    """One page of a meter's readings at instants ``start..end`` inclusive (at most 31 days),
    in time order. The bookmark names the UTC day to go on with and Fabric's bookmark in it."""
    meter = load_meter(state, meter_id)
    caller.require_reader_of(meter.owner, f"the readings of meter {meter_id}")
    try:
        start, end = parse_utc(start_text), parse_utc(end_text)
    except ValueError as exc:
        raise InvalidRequest(str(exc)) from exc
    if end < start or end - start > MAX_READ_DAYS * DAY_SECONDS:
        raise InvalidRequest(f"reading range must be 0 to {MAX_READ_DAYS} days")
    last_day = day_of(end)
    day, inner = _reading_bookmark(request.bookmark, day_of(start), last_day)
    items: list[dict[str, Any]] = []
    while day <= last_day:
        left = request.size - len(items)
        rows, inner = state.scan_page(READING, [meter_id, format_utc(day)], left, inner)
        for _, raw in rows:
            signed = load_signed(raw)
            if start <= signed.reading.interval_start <= end:
                items.append(signed.to_json_dict())
        if not inner:
            day += DAY_SECONDS
        if len(items) == request.size:
            break
    more = day <= last_day
    return page_answer(items, f"{day // DAY_SECONDS}:{inner}" if more else "")
