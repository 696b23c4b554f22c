"""Random market days: the settlement against the plain reference computation of the docs."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Any

from energy_builders import ALICE, BOB, DAY0, SOLARCO, WINDCO, Q, meter, signed, trade
from gridledger_chaincode.energy.periods import Period
from gridledger_chaincode.energy.settlement import settle
from gridledger_chaincode.energy.settlement_inputs import SettlementInputs, select_inputs
from gridledger_domain.records import Bill, Certificate, Tariff, TouBand
from gridledger_domain.timeutil import DAY_SECONDS
from gridledger_domain.vocabulary import EnergySource, MeterKind
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from settlement_reference import reference_settle

COUNTERPARTIES = [BOB, SOLARCO, WINDCO]
METER_IDS = ["M-A1", "M-A2"]


@dataclass
class MarketDay:
    days: int
    meters: int
    imports: list[list[int]]
    exports: list[list[int]]
    dropped: set[tuple[int, int]]
    trades: list[tuple[int, bool, int, int, int]]
    tariffs: list[dict[str, Any]]
    certified: list[tuple[int, int]]
    lengths: tuple[int, ...] = (15, 15)
    """Each meter's interval length in minutes."""


def bands_strategy() -> st.SearchStrategy[list[tuple[int, str, int]]]:
    starts = st.sets(st.integers(1, 95).map(lambda k: k * 15), max_size=3)
    return starts.flatmap(
        lambda extra: st.lists(
            st.integers(0, 600_000), min_size=len(extra) + 1, max_size=len(extra) + 1
        ).map(
            lambda prices: [
                (start, f"b{start}", price)
                for start, price in zip([0, *sorted(extra)], prices, strict=True)
            ]
        )
    )


def tariff_strategy(version: int) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "version": st.just(version),
            "effective_from": st.just(DAY0 + (version - 1) * DAY_SECONDS),
            "bands": bands_strategy(),
            "feed_in": st.integers(0, 200_000),
            "grid_fee": st.integers(0, 100_000),
            "fixed_fee": st.integers(0, 500),
            "tax_bp": st.integers(0, 2500),
        }
    )


@st.composite
def market_days(draw: st.DrawFn, lengths: tuple[int, ...] = (15,)) -> MarketDay:
    """Random days; each meter's interval length drawn from ``lengths`` (minutes)."""
    days = draw(st.integers(1, 2))
    n = 96 * days
    meters = draw(st.integers(1, 2))
    energy = st.one_of(st.just(0), st.integers(0, 4000))
    imports = [draw(st.lists(energy, min_size=n, max_size=n)) for _ in range(meters)]
    exports = [
        draw(st.lists(st.one_of(st.just(0), st.just(0), energy), min_size=n, max_size=n))
        for _ in range(meters)
    ]
    dropped = draw(
        st.one_of(
            st.just(set()),
            st.sets(st.tuples(st.integers(0, meters - 1), st.integers(0, n)), max_size=3),
        )
    )
    trades = draw(
        st.lists(
            st.tuples(
                st.integers(0, n - 1),
                st.booleans(),
                st.integers(0, 2),
                st.integers(1, 4000),
                st.integers(0, 500_000),
            ),
            max_size=14,
        )
    )
    tariffs = [draw(tariff_strategy(1))]
    if days == 2 and draw(st.booleans()):
        tariffs.append(draw(tariff_strategy(2)))
    certified = draw(
        st.lists(
            st.tuples(st.integers(0, 13), st.integers(1, 4000)),
            max_size=6,
            unique_by=lambda x: x[0],
        )
    )
    chosen = tuple(draw(st.sampled_from(lengths)) for _ in range(meters))
    return MarketDay(days, meters, imports, exports, dropped, trades, tariffs, certified, chosen)


def build(day: MarketDay) -> tuple[SettlementInputs, dict[str, Any]]:
    """The same market day as domain inputs and as the reference's plain data."""
    period = Period(DAY0, DAY0 + day.days * DAY_SECONDS)
    meters = [
        replace(
            meter(METER_IDS[0], ALICE, MeterKind.BIDIRECTIONAL, EnergySource.SOLAR),
            interval_minutes=day.lengths[0],
        ),
        replace(meter(METER_IDS[1], ALICE), interval_minutes=day.lengths[-1]),
    ][: day.meters]
    readings = []
    plain_readings: dict[tuple[str, int], tuple[int, int]] = {}
    for index in range(day.meters):
        imported = exported = 0
        for step in range(96 * day.days + 1):
            if step:
                imported += day.imports[index][step - 1]
                exported += day.exports[index][step - 1]
            if (index, step) in day.dropped or step % (day.lengths[index] // 15):
                continue  # a meter reads on its own grid only
            instant = DAY0 + step * Q
            readings.append(signed(METER_IDS[index], instant, imported, exported))
            plain_readings[(METER_IDS[index], instant)] = (imported, exported)
    trades = []
    plain_trades = []
    for number, (step, buying, party, quantity, price) in enumerate(day.trades):
        other = COUNTERPARTIES[party]
        buyer, seller = (ALICE, other) if buying else (other, ALICE)
        trade_id = f"t{number:02d}"
        trades.append(trade(trade_id, buyer, seller, DAY0 + step * Q, quantity, price))
        plain_trades.append(
            {
                "id": trade_id,
                "buyer": buyer,
                "seller": seller,
                "t": DAY0 + step * Q,
                "q": quantity,
                "p": price,
            }
        )
    certificates = []
    plain_certificates = []
    for number, wh in day.certified:
        if number < len(trades) and trades[number].buyer == ALICE:
            wh = min(wh, trades[number].quantity_wh)
            cid = f"C:{trades[number].trade_id}"
            certificates.append(
                Certificate(
                    cid,
                    "M-FARM",
                    trades[number].interval_start,
                    EnergySource.SOLAR,
                    wh,
                    ALICE,
                    trade_id=trades[number].trade_id,
                )
            )
            plain_certificates.append({"id": cid, "trade": trades[number].trade_id, "wh": wh})
    tariffs = [
        Tariff(
            t["version"],
            t["effective_from"],
            tuple(TouBand(name, start, price) for start, name, price in t["bands"]),
            t["feed_in"],
            t["grid_fee"],
            t["fixed_fee"],
            t["tax_bp"],
        )
        for t in day.tariffs
    ]
    inputs = select_inputs(ALICE, period, meters, readings, trades, tariffs, certificates)
    plain = {
        "participant": ALICE,
        "start": period.start,
        "end": period.end,
        "meters": METER_IDS[: day.meters],
        "readings": plain_readings,
        "trades": plain_trades,
        "tariffs": day.tariffs,
        "certificates": plain_certificates,
        "lengths": dict(zip(METER_IDS, day.lengths, strict=False)),
    }
    return inputs, plain


def comparable(bill: Bill) -> dict[str, Any]:
    return {
        "lines": sorted(
            (
                line.kind.value,
                line.tariff_version,
                line.counterparty,
                line.band,
                line.unit_price,
                line.quantity,
                line.amount,
                line.covered_wh,
            )
            for line in bill.lines
        ),
        "subtotal": bill.subtotal,
        "tax": bill.tax,
        "total": bill.total,
        "missing": list(bill.missing_readings),
        "unsettled": list(bill.unsettled_intervals),
        "complete": bill.complete,
        "matched_intervals": [
            (m.start, m.consumed_wh, m.matched_wh) for m in bill.matched_intervals
        ],
        "matched_hours": [(m.start, m.consumed_wh, m.matched_wh) for m in bill.matched_hours],
        "claims": list(bill.certificates_claimed),
    }


PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def assert_matches_the_reference(day: MarketDay) -> None:
    inputs, plain = build(day)
    expected = reference_settle(**plain)
    got = comparable(settle(inputs))
    expected["lines"] = sorted(expected["lines"])
    assert got == expected


@PROPERTY_SETTINGS
@given(market_days())
def test_settlement_matches_the_reference_computation(day: MarketDay) -> None:
    assert_matches_the_reference(day)


@PROPERTY_SETTINGS
@given(market_days(lengths=(60,)))
def test_an_hourly_meters_bill_is_the_documented_rule(day: MarketDay) -> None:
    """Each hour's energy against the sum of the trades of its four quarter-hours."""
    assert_matches_the_reference(day)


@PROPERTY_SETTINGS
@given(market_days(lengths=(15, 30, 60)))
def test_mixed_interval_lengths_settle_as_the_reference(day: MarketDay) -> None:
    assert_matches_the_reference(day)


@PROPERTY_SETTINGS
@given(market_days(), st.randoms(use_true_random=False))
def test_resettling_is_byte_identical_whatever_the_input_order(
    day: MarketDay, rng: random.Random
) -> None:
    inputs, _ = build(day)
    first = settle(inputs).to_json()
    assert settle(inputs).to_json() == first
    shuffled = [
        list(inputs.readings),
        list(inputs.trades),
        list(inputs.certificates),
        list(inputs.meters),
    ]
    for items in shuffled:
        rng.shuffle(items)
    again = select_inputs(
        ALICE,
        inputs.period,
        shuffled[3],
        shuffled[0],
        shuffled[1],
        list(inputs.tariffs),
        shuffled[2],
    )
    assert settle(again).to_json() == first


@PROPERTY_SETTINGS
@given(market_days(), st.data())
def test_changing_any_reading_or_trade_changes_the_inputs_hash(
    day: MarketDay, data: st.DataObject
) -> None:
    inputs, _ = build(day)
    original = settle(inputs).inputs_hash
    choices = len(inputs.readings) + len(inputs.trades)
    pick = data.draw(st.integers(0, choices - 1))
    if pick < len(inputs.readings):
        readings = list(inputs.readings)
        old = readings[pick]
        field = data.draw(st.sampled_from(["import_wh", "export_wh"]))
        changed = replace(old.reading, **{field: getattr(old.reading, field) + 1})
        readings[pick] = replace(old, reading=changed)
        changed_inputs = replace(inputs, readings=tuple(readings))
    else:
        trades = list(inputs.trades)
        index = pick - len(inputs.readings)
        field = data.draw(st.sampled_from(["quantity_wh", "price", "interval_start"]))
        delta = Q if field == "interval_start" else 1
        trades[index] = replace(trades[index], **{field: getattr(trades[index], field) + delta})
        changed_inputs = replace(inputs, trades=tuple(trades))
    assert settle(changed_inputs).inputs_hash != original
