"""Closing days on the in-memory ledger: order, waiting, estimation, late actuals, revision and
the true-up on the next bill; what a closed day refuses."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from gridledger_domain import MeterReading, format_utc, sign
from test_energy_contract import (
    DAY,
    DAY0,
    NEXT_DAY,
    TARIFF,
    Q,
    World,
    market_day,
    pid,
    world,
)

DAY2 = "2025-06-03T00:00:00Z"
AFTER = datetime(2025, 6, 10, tzinfo=UTC)

__all__ = ["world"]  # the fixture, used by name


def close(w: World, day: str, who: list[str], estimate: bool = False) -> list[dict[str, Any]]:
    result = w.ledger.invoke(
        w.chaincode,
        "energy:CloseDays",
        day,
        json.dumps(who),
        "true" if estimate else "false",
        identity=w.utility,
        timestamp=AFTER,
    )
    assert result.ok, result.message
    results: list[dict[str, Any]] = result.json()["results"]
    return results


def alice_readings(
    w: World, steps: range, per_interval: int = 400, evening: int = 0
) -> list[dict[str, Any]]:
    """Alice's readings: ``per_interval`` Wh each interval, plus ``evening`` Wh in each one
    from 18:00 (the evening band) of her first day."""
    out = []
    for step in steps:
        extra = evening * max(0, min(step, 96) - 72)
        reading = MeterReading("M-ALICE", DAY0 + step * Q, per_interval * step + extra, 0)
        out.append(sign(reading, w.keys["M-ALICE"]).to_json_dict())
    return out


def test_days_close_once_in_any_order_and_only_for_billed_participants(world: World) -> None:
    world.ok(world.utility, "SubmitReadings", alice_readings(world, range(0, 2 * 96 + 1)))
    alice = pid(world.alice)
    (first,) = close(world, NEXT_DAY, [alice])
    assert first["status"] == "closed" and first["statement_id"].startswith(alice)
    progress = world.ok(world.utility, "ClosingProgress", [alice, pid(world.bob)], DAY, DAY2)
    assert progress["participants"] == [
        {
            "participant": alice,
            "first_open": DAY2,
            "first_closed": NEXT_DAY,
            "last_closed": NEXT_DAY,
            "closed": 1,
        },
        {
            "participant": pid(world.bob),
            "first_open": DAY,
            "first_closed": "",
            "last_closed": "",
            "closed": 0,
        },
    ]
    (earlier,) = close(world, DAY, [alice])
    assert earlier["status"] == "closed"
    (alice_now,) = world.ok(world.utility, "ClosingProgress", [alice], DAY, DAY2)["participants"]
    assert (alice_now["first_open"], alice_now["closed"]) == (DAY2, 2)
    (again,) = close(world, NEXT_DAY, [alice])
    assert again == {**first, "status": "already_closed"}
    (auditor,) = close(world, DAY2, [pid(world.auditor)])
    assert auditor["status"] == "not_billed"
    assert not world.call(world.alice, "CloseDays", DAY2, [alice], False).ok
    refused = world.call(world.utility, "CloseDays", DAY2, [alice], True)
    assert "before the day has ended" in refused.message
    assert "twice" in world.call(world.utility, "CloseDays", DAY2, [alice, alice], False).message


def test_a_closed_day_refuses_new_trades_and_tariff_changes(world: World) -> None:
    market_day(world)
    solarco, alice = pid(world.solarco), pid(world.alice)
    offer = world.ok(world.solarco, "PostOffer", "M-SOLAR", "2025-06-01T20:00:00Z", "1", "10", "1")
    assert [r["status"] for r in close(world, DAY, [alice, solarco])] == ["closed", "closed"]
    assert world.call(world.alice, "Buy", offer["offer_id"], "10").message.startswith("conflict:")
    retro = dict(TARIFF, version=2, effective_from=DAY)
    assert "after" in world.call(world.utility, "SetTariff", retro).message


def test_estimated_day_true_up_on_the_next_bill(world: World) -> None:
    alice = pid(world.alice)
    everything = alice_readings(world, range(0, 2 * 96 + 1), evening=600)
    hole = set(range(66, 76))  # 16:30-18:45: a linear estimate spreads the evening's energy
    sent = [r for step, r in enumerate(everything) if step not in hole]
    world.ok(world.utility, "SubmitReadings", sent)

    (waiting,) = close(world, DAY, [alice])
    assert (waiting["status"], waiting["missing"]) == ("waiting", 10)
    (closed,) = close(world, DAY, [alice], estimate=True)
    assert (closed["status"], closed["estimated"]) == ("closed", 10)
    statement = world.ok(world.alice, "GetDayStatement", alice, DAY)
    assert [(e["method"], e["first"], e["last"]) for e in statement["estimates"]] == [
        ("linear", "2025-06-01T16:30:00Z", "2025-06-01T18:45:00Z")
    ]
    assert any(line.get("estimated") for line in statement["lines"])
    first_bill = world.settle(alice, DAY, NEXT_DAY)
    assert first_bill["estimates"] == statement["estimates"]

    # a reading the statement did not estimate is refused; the estimated ones are accepted
    forged = alice_readings(world, range(50, 51), per_interval=401, evening=600)
    assert world.call(world.utility, "SubmitReadings", forged).message.startswith("conflict:")
    world.ok(world.utility, "SubmitReadings", [everything[step] for step in sorted(hole)])
    due = world.items(world.utility, "ListDaysToRevise")
    assert due == [{"participant": alice, "day": DAY}]
    revised = world.ok(world.utility, "ReviseDay", alice, DAY)
    assert revised["status"] == "revised" and revised["revision"] == 1
    assert world.items(world.utility, "ListDaysToRevise") == []
    again = world.ok(world.utility, "ReviseDay", alice, DAY)
    assert again["status"] == "nothing_to_revise"
    # the revision and its true-up are private; the public state holds their commitments
    public = {
        key: json.loads(value)
        for key, value in world.ledger.state.items()
        if "energy.day_revision" in key or "energy.true_up\x00" in key
    }
    assert len(public) == 2
    for commitment in public.values():
        assert set(commitment) == {"participant", "day", "revision", "sha256"}
    private = [v for space in world.ledger.private.values() for v in space.values()]
    assert {hashlib.sha256(v).hexdigest() for v in private} >= {
        c["sha256"] for c in public.values()
    }

    second_bill = world.settle(alice, NEXT_DAY, DAY2)
    true_ups = [line for line in second_bill["lines"] if line.get("corrects")]
    assert true_ups and {line["corrects"] for line in true_ups} == {DAY}
    assert sum(line["amount"] for line in true_ups) == revised["true_up_total"]
    assert second_bill["revisions"] == [{"day": DAY, "revision": 1}]
    # linear estimates keep the energy between their ends: the true-up moves it from the day
    # band into the evening band, and the corrected energy sums to zero
    moved = {
        line["band"]: line["quantity"] for line in true_ups if line["kind"] == "utility_energy"
    }
    assert moved["evening"] > 0 and sum(moved.values()) == 0
    assert revised["true_up_total"] > 0  # evening energy costs more
    for start, end in ((DAY, NEXT_DAY), (NEXT_DAY, DAY2)):
        assert world.ok(world.auditor, "VerifyBill", alice, start, end)["matches"]
    assert world.ok(world.auditor, "VerifyDayStatement", alice, DAY)["matches"]
    # a third bill carries no true-up twice
    world.ok(
        world.utility,
        "SubmitReadings",
        alice_readings(world, range(2 * 96, 3 * 96 + 1), evening=600),
    )
    third = world.settle(alice, DAY2, format_utc(DAY0 + 3 * 86400))
    assert not [line for line in third["lines"] if line.get("corrects")]


def test_closing_reads_the_private_day_records_by_key(world: World) -> None:
    """Closing reads the owner's day records by key (a private range query would refuse the
    writing transaction), and the statement verifies from the same records."""
    market_day(world)
    alice = pid(world.alice)
    (closed,) = close(world, DAY, [alice])
    assert closed["status"] == "closed"
    statement = world.ok(world.auditor, "GetDayStatement", alice, DAY)
    assert statement["participant"] == alice
    assert world.ok(world.auditor, "VerifyDayStatement", alice, DAY)["matches"]
