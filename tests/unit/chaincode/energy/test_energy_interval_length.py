"""Meters of 15, 30 and 60 minutes on the in-memory ledger: registration, the reading grid, day
closing and estimation in the meter's own length, certificates per meter interval, and the bill
of an hourly consumer buying from a 30-minute producer (docs/settlement.md, "Interval lengths")."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from gridledger_chaincode.testing import make_identity
from gridledger_domain import MeterReading, sign, simulated_meter_key
from gridledger_domain.records import Meter
from gridledger_domain.refusals import InvalidRequest
from gridledger_domain.vocabulary import EnergySource, MeterKind
from test_energy_contract import DAY, DAY0, NEXT_DAY, World, pid, world

__all__ = ["world"]  # the fixture, used by name

CAROL = make_identity("ProsumerMSP", "carol")
SUNNY = make_identity("ProsumerMSP", "sunny")
AFTER = datetime(2025, 6, 10, tzinfo=UTC)
HOUR = 3600
HALF = 1800
KEYS = {m: simulated_meter_key(m) for m in ("H-CAROL", "S-SUNNY")}


def register(w: World, meter_id: str, owner: str, kind: str, source: str, *extra: str) -> Any:
    return w.call(
        w.utility,
        "RegisterMeter",
        meter_id,
        owner,
        kind,
        source,
        "north",
        KEYS[meter_id].public_key_pem(),
        *extra,
    )


def with_lengths(w: World) -> World:
    """Carol (consumer) with an hourly meter, Sunny (producer) with a 30-minute solar meter."""
    for who, role in ((CAROL, "consumer"), (SUNNY, "producer")):
        w.ok(w.utility, "RegisterParticipant", who.msp_id, who.subject, role, "north", who.subject)
    assert register(w, "H-CAROL", pid(CAROL), "consumption", "grid", "60").ok
    assert register(w, "S-SUNNY", pid(SUNNY), "production", "solar", "30").ok
    return w


def cumulative(meter_id: str, step: int, energies: list[tuple[int, int]]) -> list[Any]:
    """Signed readings at the meter's grid from DAY0, one more than ``energies``."""
    out = []
    imported = exported = 0
    for index in range(len(energies) + 1):
        if index:
            imported += energies[index - 1][0]
            exported += energies[index - 1][1]
        reading = MeterReading(meter_id, DAY0 + index * step, imported, exported)
        out.append(sign(reading, KEYS[meter_id]).to_json_dict())
    return out


def close(w: World, participant: str, estimate: bool = False) -> dict[str, Any]:
    result = w.ledger.invoke(
        w.chaincode,
        "energy:CloseDays",
        DAY,
        json.dumps([participant]),
        "true" if estimate else "false",
        identity=w.utility,
        timestamp=AFTER,
    )
    assert result.ok, result.message
    answer: dict[str, Any] = result.json()["results"][0]
    return answer


def quantity(bill: dict[str, Any], kind: str) -> int:
    return sum(line["quantity"] for line in bill["lines"] if line["kind"] == kind)


def test_the_meter_record_keeps_old_bytes_and_refuses_other_lengths() -> None:
    key = KEYS["H-CAROL"].public_key_pem()
    old = Meter("M", "p", MeterKind.CONSUMPTION, EnergySource.GRID, "north", key)
    assert "interval_minutes" not in old.to_json_dict()
    assert Meter.from_json_dict(old.to_json_dict()).interval_minutes == 15
    hourly = Meter.from_json_dict({**old.to_json_dict(), "interval_minutes": 60})
    assert hourly.to_json_dict()["interval_minutes"] == 60 and hourly.interval_seconds == HOUR
    with pytest.raises(InvalidRequest, match="daily or monthly data is not accepted"):
        Meter.from_json_dict({**old.to_json_dict(), "interval_minutes": 1440})
    with pytest.raises(InvalidRequest, match="must be 15, 30 or 60 minutes, got 20"):
        Meter.from_json_dict({**old.to_json_dict(), "interval_minutes": 20})


def test_registration_and_the_reading_grid(world: World) -> None:
    w = with_lengths(world)
    assert w.ok(w.utility, "GetMeter", "H-CAROL")["interval_minutes"] == 60
    assert "interval_minutes" not in w.ok(w.utility, "GetMeter", "M-ALICE")
    KEYS["D-CAROL"] = simulated_meter_key("D-CAROL")
    daily = register(w, "D-CAROL", pid(CAROL), "consumption", "grid", "1440")
    assert not daily.ok and "daily or monthly data is not accepted" in daily.message
    off_grid = [sign(MeterReading("H-CAROL", DAY0 + 900, 10, 0), KEYS["H-CAROL"]).to_json_dict()]
    refused = w.call(w.utility, "SubmitReadings", off_grid)
    assert not refused.ok
    assert "H-CAROL at 2025-06-01T00:15:00Z is not on the meter's 60-minute interval grid" in (
        refused.message
    )
    half = [sign(MeterReading("S-SUNNY", DAY0 + 2700, 0, 0), KEYS["S-SUNNY"]).to_json_dict()]
    assert "30-minute interval grid" in w.call(w.utility, "SubmitReadings", half).message


def test_an_hourly_consumer_buys_from_a_thirty_minute_producer(world: World) -> None:
    w = with_lengths(world)
    # the producer's readings first: its 30-minute certificates wait in the supply index
    sun = [(0, 2000) if 20 <= i < 24 else (5, 0) for i in range(48)]  # 10:00-12:00
    summary = w.ok(w.utility, "SubmitReadings", cumulative("S-SUNNY", HALF, sun))
    assert (summary["stored"], summary["certificates_issued"]) == (49, 4)
    offer = w.ok(SUNNY, "PostOffer", "S-SUNNY", "2025-06-01T10:00:00Z", "8", "2000", "120000")
    trades = w.ok(CAROL, "Buy", offer["offer_id"], "1500")
    assert len(trades) == 8
    # each 30-minute certificate (2000 Wh) backs the trades of its two quarter-hours
    held = w.items(CAROL, "ListCertificates", pid(CAROL))
    assert sorted(c["wh"] for c in held) == [500] * 4 + [1500] * 4
    assert all(c["interval_minutes"] == 30 for c in held)
    use = [(1600, 0)] * 24
    assert w.ok(w.utility, "SubmitReadings", cumulative("H-CAROL", HOUR, use))["stored"] == 25

    assert close(w, pid(CAROL))["status"] == "closed"
    bill = w.settle(pid(CAROL), DAY, NEXT_DAY)
    assert bill["status"] == "complete"
    purchase = [line for line in bill["lines"] if line["kind"] == "trade_purchase"]
    # each hour: 1600 Wh against the 4 x 1500 Wh of its quarter-hours' trades
    assert sum(p["quantity"] for p in purchase) == 12_000
    assert sum(p["covered_wh"] for p in purchase) == 2 * 1600
    assert quantity(bill, "imbalance_credit") == 12_000 - 2 * 1600
    assert quantity(bill, "utility_energy") == 22 * 1600  # one line per time-of-use band
    matching = bill["certificate_matching"]
    assert (matching["total"]["consumed_wh"], matching["total"]["matched_wh"]) == (
        24 * 1600,
        2 * 1600,
    )
    assert len(matching["hours"]) == 24
    assert w.ok(CAROL, "VerifyBill", pid(CAROL), DAY, NEXT_DAY)["matches"] is True

    sunny_bill = w.settle(pid(SUNNY), DAY, NEXT_DAY)
    assert quantity(sunny_bill, "trade_sale") == 12_000
    # per hour 4000 Wh exported against 6000 Wh sold: under-delivery, no export credit
    assert quantity(sunny_bill, "under_delivery") == 2 * 2000
    assert quantity(sunny_bill, "export_credit") == 0
    assert w.ok(SUNNY, "VerifyBill", pid(SUNNY), DAY, NEXT_DAY)["matches"] is True


def test_an_hourly_day_closes_on_25_readings_and_estimates_in_hours(world: World) -> None:
    w = with_lengths(world)
    readings = cumulative("H-CAROL", HOUR, [(1000, 0)] * 24)
    sent = [r for index, r in enumerate(readings) if index not in (10, 11)]
    w.ok(w.utility, "SubmitReadings", sent)
    waiting = close(w, pid(CAROL))
    assert (waiting["status"], waiting["missing"]) == ("waiting", 2)
    closed = close(w, pid(CAROL), estimate=True)
    assert (closed["status"], closed["estimated"]) == ("closed", 2)
    statement = w.ok(CAROL, "GetDayStatement", pid(CAROL), DAY)
    (estimate,) = statement["estimates"]
    assert (estimate["method"], estimate["first"], estimate["last"]) == (
        "linear",
        "2025-06-01T10:00:00Z",
        "2025-06-01T11:00:00Z",
    )
    assert estimate["interval_minutes"] == 60
    # linear between 09:00 and 12:00: the energy is kept whole
    assert quantity(statement, "utility_energy") == 24 * 1000
    assert w.ok(CAROL, "VerifyDayStatement", pid(CAROL), DAY)["matches"] is True
    # the actual readings arrive: the day is revised from them
    w.ok(w.utility, "SubmitReadings", [readings[10], readings[11]])
    assert w.ok(w.utility, "ReviseDay", pid(CAROL), DAY)["status"] == "revised"
