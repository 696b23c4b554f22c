"""Day statements, pure: a period bill assembled from its days equals settling the period at
once; estimates keep registers in order; a true-up brings an estimated day to its actuals."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from itertools import pairwise

from energy_builders import ALICE, DAY0, Q, profile
from gridledger_chaincode.energy.assembly import assemble, true_up_lines
from gridledger_chaincode.energy.estimation import (
    PROFILE_LAG_SECONDS,
    estimated_readings,
    plan_estimates,
)
from gridledger_chaincode.energy.periods import Period
from gridledger_chaincode.energy.settlement import settle
from gridledger_chaincode.energy.settlement_inputs import select_inputs
from gridledger_domain import MeterReading
from gridledger_domain.records import Bill, LineItem
from gridledger_domain.timeutil import DAY_SECONDS
from gridledger_domain.vocabulary import EstimationMethod, LineKind
from hypothesis import given
from hypothesis import strategies as st
from test_energy_settlement_properties import PROPERTY_SETTINGS, MarketDay, build, market_days

ENERGY_KINDS = {kind for kind in LineKind if kind not in (LineKind.FIXED_FEE, LineKind.TAX)}


def day_statements(day: MarketDay) -> tuple[Bill, list[Bill], dict[int, int]]:
    inputs, _ = build(day)
    whole = settle(inputs)
    statements = []
    for start in inputs.period.day_starts():
        one = Period(start, start + DAY_SECONDS)
        statements.append(
            settle(
                select_inputs(
                    ALICE,
                    one,
                    inputs.meters,
                    inputs.readings,
                    inputs.trades,
                    inputs.tariffs,
                    inputs.certificates,
                )
            )
        )
    rates = {t.version: t.tax_rate_bp for t in inputs.tariffs}
    return whole, statements, rates


@PROPERTY_SETTINGS
@given(market_days())
def test_a_bill_assembled_from_day_statements_equals_settling_the_period_at_once(
    day: MarketDay,
) -> None:
    day.dropped = set()
    whole, statements, rates = day_statements(day)
    period = Period(whole.period_start, whole.period_end)
    assembled = assemble(ALICE, period, statements, [], rates)
    assert replace(assembled, inputs_hash="") == replace(whole, inputs_hash="")
    assert assembled.to_json() == assemble(ALICE, period, statements, [], rates).to_json()


def _register_runs() -> st.SearchStrategy[tuple[list[int], set[int]]]:
    energies = st.lists(st.integers(0, 3000), min_size=96 * 9, max_size=96 * 9)
    dropped = st.sets(st.integers(7 * 96, 8 * 96), min_size=1, max_size=60)
    return st.tuples(energies, dropped)


@PROPERTY_SETTINGS
@given(_register_runs(), st.booleans(), st.booleans())
def test_estimates_keep_registers_in_order_and_between_their_known_ends(
    data: tuple[list[int], set[int]], keep_after: bool, keep_week_before: bool
) -> None:
    energies, dropped = data
    start = DAY0 - 7 * DAY_SECONDS
    readings = {s.reading.interval_start: s.reading for s in profile("M-1", start, energies)}
    day = DAY0
    known = {
        at: r
        for at, r in readings.items()
        if (at - start) // Q not in dropped
        and (keep_after or at <= day + DAY_SECONDS)
        and (keep_week_before or at >= day - PROFILE_LAG_SECONDS + DAY_SECONDS + Q)
    }
    instants = list(range(day, day + DAY_SECONDS + 1, Q))
    estimates = plan_estimates("M-1", instants, known)
    assert {at for e in estimates for at in range(e.first, e.last + 1, Q)} == {
        at for at in instants if at not in known
    }
    merged = dict(known)
    for estimate in estimates:
        merged.update(estimated_readings(estimate, known))
        if estimate.method is EstimationMethod.LINEAR:
            assert estimate.opening < estimate.first and estimate.closing > estimate.last
    ordered = [merged[at] for at in sorted(merged)]
    for earlier, later in pairwise(ordered):
        assert later.import_wh >= earlier.import_wh and later.export_wh >= earlier.export_wh


def _quantities(lines: list[LineItem]) -> dict[tuple[object, ...], int]:
    """Energy per line key, estimated or not."""
    sums: dict[tuple[object, ...], int] = defaultdict(int)
    for line in lines:
        if line.kind in ENERGY_KINDS:
            key = (line.kind, line.tariff_version, line.counterparty, line.band, line.unit_price)
            sums[key] += line.quantity
    return {key: value for key, value in sums.items() if value}


@PROPERTY_SETTINGS
@given(market_days(), st.sets(st.integers(1, 95), min_size=1, max_size=40))
def test_an_estimated_day_plus_its_true_up_equals_the_day_settled_on_actuals(
    day: MarketDay, holes: set[int]
) -> None:
    day.days, day.dropped = 1, set()
    inputs, _ = build(day)
    period = Period(DAY0, DAY0 + DAY_SECONDS)
    meter_id = inputs.meters[0].meter_id
    kept = [
        s
        for s in inputs.readings
        if not (s.reading.meter_id == meter_id and (s.reading.interval_start - DAY0) // Q in holes)
    ]
    known = {s.reading.interval_start: s.reading for s in kept if s.reading.meter_id == meter_id}
    estimates = plan_estimates(meter_id, list(range(DAY0, DAY0 + DAY_SECONDS + 1, Q)), known)
    common = (inputs.meters, inputs.trades, inputs.tariffs, inputs.certificates)
    estimated = settle(
        select_inputs(ALICE, period, common[0], kept, *common[1:], estimates=estimates)
    )
    actual = settle(select_inputs(ALICE, period, common[0], inputs.readings, *common[1:]))
    assert estimated.complete and estimated.estimates == tuple(estimates)
    true_up = true_up_lines(estimated, actual, DAY0)
    combined = _quantities([*estimated.lines, *true_up])
    assert combined == _quantities(list(actual.lines))
    assert all(line.corrects == DAY0 for line in true_up)


def test_estimation_rules_by_example() -> None:
    readings = {
        at: MeterReading("M-1", at, 100 * k, 0)
        for k, at in enumerate(range(DAY0, DAY0 + DAY_SECONDS + 1, Q))
    }
    instants = list(readings)
    # a short gap (4 readings): linear between its ends
    short = {at: r for at, r in readings.items() if not DAY0 + 10 * Q <= at <= DAY0 + 13 * Q}
    (linear,) = plan_estimates("M-1", instants, short)
    assert linear.method is EstimationMethod.LINEAR
    assert (linear.opening, linear.closing) == (DAY0 + 9 * Q, DAY0 + 14 * Q)
    assert estimated_readings(linear, short)[DAY0 + 12 * Q].import_wh == 1200
    # a silent meter with no week-earlier data: flat (zero energy) from its last reading
    silent = {at: r for at, r in readings.items() if at < DAY0 + 50 * Q}
    (flat,) = plan_estimates("M-1", instants, silent)
    assert flat.method is EstimationMethod.FLAT and flat.closing == flat.last
    assert {r.import_wh for r in estimated_readings(flat, silent).values()} == {4900}
    # the same silent meter with last week's readings: last week's energy, counted up
    week = {
        at - PROFILE_LAG_SECONDS: MeterReading("M-1", at - PROFILE_LAG_SECONDS, 30 * k, 0)
        for k, at in enumerate(instants)
    }
    with_week = {**silent, **week}
    (from_profile,) = plan_estimates("M-1", instants, with_week)
    assert from_profile.method is EstimationMethod.PROFILE
    assert estimated_readings(from_profile, with_week)[DAY0 + 52 * Q].import_wh == 4900 + 90
