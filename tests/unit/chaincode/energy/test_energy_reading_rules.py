"""Reading rules: unknown/inactive meter, signature, alignment, going backwards, duplicates."""

from __future__ import annotations

import pytest
from energy_builders import ALICE, DAY0, Q
from gridledger_chaincode.energy.readings import MAX_BATCH, plan_readings
from gridledger_domain import (
    InvalidReading,
    MeterReading,
    SignedReading,
    sign,
    simulated_meter_key,
)
from gridledger_domain.records import Meter
from gridledger_domain.refusals import Conflict, InvalidRequest, NotFound
from gridledger_domain.vocabulary import EnergySource, MeterKind

KEY = simulated_meter_key("reading rules meter")
OTHER_KEY = simulated_meter_key("someone else")
METER = Meter("M-1", ALICE, MeterKind.CONSUMPTION, EnergySource.GRID, "north", KEY.public_key_pem())
METERS = {"M-1": METER}


def reading(instant: int, imported: int, exported: int = 0, key=KEY) -> SignedReading:  # type: ignore[no-untyped-def]
    return sign(MeterReading("M-1", instant, imported, exported), key)


def test_new_readings_are_stored_sorted() -> None:
    batch = [reading(DAY0 + Q, 20), reading(DAY0, 10)]
    plan = plan_readings(batch, METERS, {})
    assert [s.reading.interval_start for s in plan.store] == [DAY0, DAY0 + Q]
    assert plan.duplicates == ()


def test_unknown_and_inactive_meters_are_refused() -> None:
    with pytest.raises(NotFound, match="unknown meter M-1"):
        plan_readings([reading(DAY0, 1)], {}, {})
    with pytest.raises(InvalidRequest, match="inactive"):
        plan_readings([reading(DAY0, 1)], {"M-1": METER.deactivated()}, {})


def test_forged_signature_refuses_the_whole_batch() -> None:
    with pytest.raises(InvalidRequest, match=r"reading 1 .* does not verify"):
        plan_readings([reading(DAY0, 1), reading(DAY0 + Q, 2, key=OTHER_KEY)], METERS, {})
    tampered = SignedReading(MeterReading("M-1", DAY0, 999, 0), reading(DAY0, 1).signature)
    with pytest.raises(InvalidRequest, match="does not verify"):
        plan_readings([tampered], METERS, {})


def test_unaligned_interval_cannot_even_be_built() -> None:
    with pytest.raises(InvalidReading, match="aligned"):
        MeterReading("M-1", DAY0 + 60, 1, 0)


def test_identical_resubmission_is_a_no_op_and_conflicting_duplicate_refused() -> None:
    stored = {"M-1": {DAY0: reading(DAY0, 10)}}
    plan = plan_readings([reading(DAY0, 10)], METERS, stored)
    assert plan.store == () and len(plan.duplicates) == 1
    with pytest.raises(Conflict, match="conflicting duplicate") as on_ledger:
        plan_readings([reading(DAY0, 11)], METERS, stored)
    assert str(on_ledger.value) == (
        "conflict: conflicting duplicate reading for M-1 at 2025-06-01T00:00:00Z: the ledger holds "
        "import=10 Wh export=0 Wh for that meter and interval, the batch submits "
        "import=11 Wh export=0 Wh (a stored reading is never replaced, except an estimated "
        "one by an actual one, once)"
    )
    with pytest.raises(Conflict, match="conflicting duplicate") as in_batch:
        plan_readings([reading(DAY0, 11), reading(DAY0, 12)], METERS, {})
    assert str(in_batch.value).endswith(
        "in the batch: import=11 Wh export=0 Wh and import=12 Wh export=0 Wh "
        "(neither is on the ledger)"
    )
    with pytest.raises(Conflict, match="the ledger holds import=10 Wh"):
        plan_readings([reading(DAY0, 10), reading(DAY0, 12)], METERS, stored)
    plan = plan_readings([reading(DAY0, 11), reading(DAY0, 11)], METERS, {})
    assert len(plan.store) == 1 and len(plan.duplicates) == 1


@pytest.mark.parametrize(
    ("stored_at", "stored_values", "new_at", "new_values"),
    [
        (DAY0, (100, 5), DAY0 + Q, (99, 5)),  # import going backwards after an earlier reading
        (DAY0, (100, 5), DAY0 + Q, (100, 4)),  # export going backwards
        (DAY0 + 2 * Q, (100, 5), DAY0, (101, 0)),  # a late reading above a later one
    ],
)
def test_registers_going_backwards_are_refused(
    stored_at: int, stored_values: tuple[int, int], new_at: int, new_values: tuple[int, int]
) -> None:
    stored = {"M-1": {stored_at: reading(stored_at, *stored_values)}}
    with pytest.raises(Conflict, match="going backwards"):
        plan_readings([reading(new_at, *new_values)], METERS, stored)


def test_going_backwards_inside_one_batch_is_refused() -> None:
    with pytest.raises(Conflict, match="going backwards"):
        plan_readings([reading(DAY0, 50), reading(DAY0 + Q, 40)], METERS, {})


def test_a_late_reading_filling_a_gap_is_accepted() -> None:
    stored = {"M-1": {DAY0: reading(DAY0, 10), DAY0 + 2 * Q: reading(DAY0 + 2 * Q, 30)}}
    plan = plan_readings([reading(DAY0 + Q, 20)], METERS, stored)
    assert len(plan.store) == 1


def test_batch_size_limits() -> None:
    with pytest.raises(InvalidRequest, match="no readings"):
        plan_readings([], METERS, {})
    too_many = [reading(DAY0, 1)] * (MAX_BATCH + 1)
    with pytest.raises(InvalidRequest, match="at most"):
        plan_readings(too_many, METERS, {})
