"""Readings flagged estimated (a data custodian's or head-end's estimate) on the in-memory
ledger: stored with the flag, their intervals' lines marked estimated on the day statement and
the bill, replaced once by an actual reading while the day is open, never once it is closed."""

from __future__ import annotations

from typing import Any

import pytest
from energy_builders import ALICE, DAY0, Q, meter, tariff
from gridledger_chaincode.energy.periods import Period
from gridledger_chaincode.energy.readings import plan_readings
from gridledger_chaincode.energy.settlement import settle
from gridledger_chaincode.energy.settlement_inputs import select_inputs
from gridledger_domain import MeterReading, SignedReading, sign, simulated_meter_key
from gridledger_domain.records import Meter, TouBand
from gridledger_domain.refusals import Conflict
from gridledger_domain.timeutil import DAY_SECONDS
from gridledger_domain.vocabulary import EnergySource, LineKind, MeterKind
from test_energy_contract import DAY, NEXT_DAY, World, pid, world
from test_energy_day_closing import close

__all__ = ["world"]  # the fixture, used by name

KEY = simulated_meter_key("estimated readings meter")
METER = Meter("M-1", ALICE, MeterKind.CONSUMPTION, EnergySource.GRID, "north", KEY.public_key_pem())
METERS = {"M-1": METER}


def reading(at: int, imported: int, estimated: bool = False) -> SignedReading:
    return sign(MeterReading("M-1", at, imported, 0, estimated), KEY)


def test_an_actual_reading_replaces_an_estimated_one_once() -> None:
    stored = {"M-1": {DAY0: reading(DAY0, 10, estimated=True)}}
    plan = plan_readings([reading(DAY0, 12)], METERS, stored)
    assert [s.reading for s in plan.store] == [MeterReading("M-1", DAY0, 12, 0)]
    assert plan.replaced == plan.store and plan.duplicates == ()
    # the same registers, now actual: also a replacement (the flag is what changes)
    assert plan_readings([reading(DAY0, 10)], METERS, stored).replaced
    # an estimate never replaces an estimate, nor an actual reading
    with pytest.raises(Conflict, match="except an estimated one by an actual one, once"):
        plan_readings([reading(DAY0, 11, estimated=True)], METERS, stored)
    actual = {"M-1": {DAY0: reading(DAY0, 12)}}
    with pytest.raises(Conflict, match="conflicting duplicate"):
        plan_readings([reading(DAY0, 13, estimated=True)], METERS, actual)
    assert plan_readings([reading(DAY0, 12, estimated=True)], METERS, actual).store == ()
    # the replacement is checked against its neighbours like any new reading
    around = {"M-1": {**stored["M-1"], DAY0 + Q: reading(DAY0 + Q, 11)}}
    with pytest.raises(Conflict, match="going backwards"):
        plan_readings([reading(DAY0, 12)], METERS, around)


def _settle(readings: list[SignedReading]) -> Any:
    inputs = select_inputs(
        ALICE,
        Period(DAY0, DAY0 + DAY_SECONDS),
        [meter("M-1", ALICE)],
        readings,
        [],
        [tariff(bands=(TouBand("flat", 0, 300_000),), fixed_fee_per_day=0, tax_rate_bp=0)],
        [],
    )
    return settle(inputs)


def test_lines_of_intervals_closed_by_a_flagged_reading_are_marked_estimated() -> None:
    flagged = {5, 6}  # the readings closing intervals 4 and 5
    readings = [
        SignedReading(MeterReading("M-1", DAY0 + i * Q, 100 * i, 0, i in flagged), b"\x30")
        for i in range(97)
    ]
    bill = _settle(readings)
    energy = [line for line in bill.lines if line.kind is LineKind.UTILITY_ENERGY]
    assert sorted((line.estimated, line.quantity) for line in energy) == [
        (False, 100 * 94),
        (True, 100 * 2),
    ]
    fees = [line for line in bill.lines if line.kind is LineKind.GRID_FEE]
    assert sorted((line.estimated, line.quantity) for line in fees) == [
        (False, 100 * 94),
        (True, 100 * 2),
    ]
    # without flags the bill is what it always was (no estimated line, same bytes)
    plain = [
        SignedReading(MeterReading("M-1", DAY0 + i * Q, 100 * i, 0), b"\x30") for i in range(97)
    ]
    assert not any(line.estimated for line in _settle(plain).lines)


def day_readings(w: World, flagged: set[int], first: int = 0, last: int = 96) -> list[Any]:
    return [
        sign(
            MeterReading("M-ALICE", DAY0 + step * Q, 400 * step, 0, step in flagged),
            w.keys["M-ALICE"],
        ).to_json_dict()
        for step in range(first, last + 1)
    ]


def test_flagged_readings_are_stored_marked_on_the_statement_and_bill(world: World) -> None:
    alice = pid(world.alice)
    world.ok(world.utility, "SubmitReadings", day_readings(world, {10, 11}))
    stored = world.items(world.alice, "GetReadings", "M-ALICE", DAY, NEXT_DAY)
    assert [r["interval_start"] for r in stored if r.get("estimated")] == [
        "2025-06-01T02:30:00Z",
        "2025-06-01T02:45:00Z",
    ]
    # an actual reading replaces an estimate while the day is open (once)
    world.ok(world.utility, "SubmitReadings", day_readings(world, set(), 11, 11))
    again = world.call(world.utility, "SubmitReadings", day_readings(world, {11}, 11, 11))
    assert again.ok and again.json()["duplicates"] == 1
    stored = world.items(world.alice, "GetReadings", "M-ALICE", DAY, NEXT_DAY)
    assert [r["interval_start"] for r in stored if r.get("estimated")] == ["2025-06-01T02:30:00Z"]

    (closed,) = close(world, DAY, [alice])
    assert closed["status"] == "closed"
    statement = world.ok(world.alice, "GetDayStatement", alice, DAY)
    marked = [line for line in statement["lines"] if line.get("estimated")]
    assert {line["kind"] for line in marked} >= {"utility_energy", "grid_fee"}
    assert sum(line["quantity"] for line in marked if line["kind"] == "utility_energy") == 400
    assert "estimates" not in statement  # no estimate of ours: the custodian's flag only
    bill = world.settle(alice, DAY, NEXT_DAY)
    assert [line for line in bill["lines"] if line.get("estimated")] == marked
    assert world.ok(world.auditor, "VerifyBill", alice, DAY, NEXT_DAY)["matches"]
    assert world.ok(world.auditor, "VerifyDayStatement", alice, DAY)["matches"]

    # on a closed day the estimate stays: a settled day is never rewritten
    refused = world.call(world.utility, "SubmitReadings", day_readings(world, set(), 10, 10))
    assert refused.message.startswith("conflict:") and "never rewritten" in refused.message
    stored = world.items(world.alice, "GetReadings", "M-ALICE", DAY, NEXT_DAY)
    assert [r["interval_start"] for r in stored if r.get("estimated")] == ["2025-06-01T02:30:00Z"]
