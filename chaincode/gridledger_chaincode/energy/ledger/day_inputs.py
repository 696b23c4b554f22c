"""What settling one participant's UTC day reads from the ledger: bounded by its meters times 97
readings (a meter's day has ``24 * 3600 / L + 1`` instants for its interval length L: 97, 49 or
25) (plus, for meters with missing readings, the known readings an estimate starts from)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gridledger_domain import SignedReading
from gridledger_domain.records import Estimate, Meter, MissingReading, Tariff
from gridledger_domain.timeutil import DAY_SECONDS

from gridledger_chaincode.energy.estimation import PROFILE_LAG_SECONDS, plan_estimates
from gridledger_chaincode.energy.ledger.certificates import certificates_of
from gridledger_chaincode.energy.ledger.market import trades_in_days
from gridledger_chaincode.energy.ledger.meter_data import ReadingStore
from gridledger_chaincode.energy.ledger.meters import meters_of
from gridledger_chaincode.energy.ledger.readings import stored_readings
from gridledger_chaincode.energy.ledger.state import State
from gridledger_chaincode.energy.ledger.tariffs import all_tariffs
from gridledger_chaincode.energy.periods import Period
from gridledger_chaincode.energy.settlement_inputs import (
    SettlementInputs,
    anchor_instants,
    select_inputs,
)


def settled_meters(
    state: State, participant: str, period: Period, store: ReadingStore | None = None
) -> list[Meter]:
    """The participant's meters a bill covers: those with a reading before the period's end
    that are still active or have a reading on or after its start. (A meter whose first
    reading is the period's end has no interval in it: it starts in the next period.)"""
    chosen = []
    meters = meters_of(state, participant)
    store = store or ReadingStore(state)
    for meter in meters:
        store.know_owner(meter.meter_id, meter.owner)
    spans = store.spans([m.meter_id for m in meters])
    for meter, span in zip(meters, spans, strict=True):
        if span is None or span[0] >= period.end:
            continue
        if meter.active or span[1] >= period.start:
            chosen.append(meter)
    return chosen


@dataclass(frozen=True, slots=True)
class DayInputs:
    inputs: SettlementInputs
    missing: tuple[MissingReading, ...]
    """Readings the day needs that the ledger lacks (before any estimate)."""


def _instants(day: int, meter: Meter) -> list[int]:
    """The instants of ``meter``'s readings that settle ``day``: its grid, midnight to midnight."""
    return list(range(day, day + DAY_SECONDS + 1, meter.interval_seconds))


def _known_around(
    store: ReadingStore,
    meter_id: str,
    day: int,
    found: dict[int, SignedReading],
    span: tuple[int, int] | None,
) -> dict[int, SignedReading]:
    """``found`` plus what estimating the day's missing readings may read: the nearest known
    reading before and after the day and the meter's readings one week earlier."""
    known = dict(found)
    for instant, after in ((day, False), (day + DAY_SECONDS, True)):
        near = store.nearest(meter_id, instant, span, after=after)
        if near is not None:
            known[near.reading.interval_start] = near
    week_earlier = day - PROFILE_LAG_SECONDS
    known.update(stored_readings(store, meter_id, [week_earlier]))
    known.update(store.at(meter_id, [week_earlier + DAY_SECONDS]))
    return known


def _day_readings(
    store: ReadingStore, meters: Sequence[Meter], day: int
) -> dict[str, dict[int, SignedReading]]:
    """The stored readings of ``meters`` at the day's instants of each: the day's records, and
    the first reading of the next day's (its midnight, the one instant closing needs there:
    only that reading is rebuilt), read by key."""
    next_day = day + DAY_SECONDS
    records = store.days((m.meter_id, day) for m in meters)
    firsts = store.first_readings((m.meter_id, next_day) for m in meters)
    found: dict[str, dict[int, SignedReading]] = {}
    for meter in meters:
        instants = set(_instants(day, meter))
        mine = {at: s for at, s in records[(meter.meter_id, day)].items() if at in instants}
        first = firsts.get((meter.meter_id, next_day))
        if first is not None and first.reading.interval_start == next_day:
            mine[next_day] = first
        found[meter.meter_id] = mine
    return found


def day_inputs(
    state: State,
    participant: str,
    day: int,
    *,
    estimate: bool = False,
    replay: Sequence[Estimate] | None = None,
    tariffs: Sequence[Tariff] | None = None,
) -> DayInputs:
    """The inputs of the participant's ``day``. ``estimate``: estimate what is missing now.
    ``replay``: the estimates a stored statement made, applied again to the readings they read
    (readings that arrived since for estimated instants are left out), to recompute it; the
    readings are then read from their own keys, not from the day records, so a verification
    also shows that the records closing read were the readings. ``tariffs``: every tariff
    version, when the caller has read them already."""
    period = Period(day, day + DAY_SECONDS)
    store = ReadingStore(state)
    meters = settled_meters(state, participant, period, store)
    readings: list[SignedReading] = []
    missing: list[MissingReading] = []
    estimates: list[Estimate] = list(replay or ())
    by_meter = _day_readings(store, meters, day)
    for meter in meters:
        instants = _instants(day, meter)
        found = by_meter.get(meter.meter_id, {})
        if replay is not None:
            mine = [e for e in replay if e.meter_id == meter.meter_id]
            found = {
                at: s
                for at, s in found.items()
                if not any(e.covers(meter.meter_id, at) for e in mine)
            }
            wanted = sorted(at for m, at in anchor_instants(mine) if at not in found)
            found.update(store.at(meter.meter_id, wanted))
        absent = [at for at in instants if at not in found]
        missing.extend(MissingReading(meter.meter_id, at) for at in absent)
        if absent and estimate and replay is None:
            span = store.spans([meter.meter_id])[0]
            known = _known_around(store, meter.meter_id, day, found, span)
            plan = plan_estimates(
                meter.meter_id,
                instants,
                {at: s.reading for at, s in known.items()},
                meter.interval_seconds,
            )
            estimates.extend(plan)
            found = known
        readings.extend(found.values())
    inputs = select_inputs(
        participant,
        period,
        meters,
        readings,
        trades_in_days(state, participant, [day]),
        all_tariffs(state) if tariffs is None else tariffs,
        certificates_of(state, participant, [day]),
        estimates,
    )
    return DayInputs(inputs, tuple(missing))
