"""Signed readings on the devnet: forged signatures, idempotent resubmission, refusals, and bulk
submission with batches running side by side."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from gridledger.energy import (
    Conflict,
    InvalidRequest,
    MeterReading,
    MeterSigner,
    NotFound,
    ReadingSubmissionError,
    SignedReading,
)

from .conftest import Market, register_meter

pytestmark = pytest.mark.integration

DAY = datetime(2025, 10, 1, tzinfo=UTC)
Q = timedelta(minutes=15)


def _meter(market: Market, owner: str = "carol") -> MeterSigner:
    return register_meter(market, owner, f"RD-{uuid.uuid4().hex[:8]}", "consumption")


def _series(signer: MeterSigner, count: int, step: int = 50) -> list[SignedReading]:
    return list(signer.sign_series(DAY, ((i * step, 0) for i in range(count))))


def _stored(market: Market, meter_id: str) -> list[SignedReading]:
    return market.utility.readings(meter_id, DAY, DAY + timedelta(days=1)).all()


def test_a_forged_meter_signature_is_refused(market: Market) -> None:
    meter = _meter(market)
    forger = MeterSigner.simulated(meter.meter_id, seed="not the meter's key")
    forged = forger.sign(DAY, 100, 0)
    with pytest.raises(ReadingSubmissionError) as raised:
        market.utility.submit_readings([forged])
    refusal = raised.value.summary.failures[0].error
    assert isinstance(refusal, InvalidRequest)
    assert "signature" in refusal.reason
    assert _stored(market, meter.meter_id) == []


def test_registers_altered_after_signing_are_refused(market: Market) -> None:
    meter = _meter(market)
    genuine = meter.sign(DAY, 100, 0)
    tampered = SignedReading(
        MeterReading(meter.meter_id, genuine.reading.interval_start, 1, 0), genuine.signature
    )
    summary = market.utility.submit_readings([tampered], raise_on_failure=False)
    assert not summary.ok and isinstance(summary.failures[0].error, InvalidRequest)
    assert _stored(market, meter.meter_id) == []


def test_an_identical_resubmission_is_a_no_op(market: Market) -> None:
    meter = _meter(market)
    readings = _series(meter, 20)
    first = market.utility.submit_readings(readings)
    assert (first.stored, first.duplicates) == (20, 0)
    again = market.utility.submit_readings(readings)
    assert (again.stored, again.duplicates) == (0, 20)
    assert _stored(market, meter.meter_id) == readings


def test_the_owner_may_submit_its_own_meter_readings(market: Market) -> None:
    meter = _meter(market, owner="carol")
    summary = market["carol"].submit_readings(_series(meter, 3))
    assert summary.stored == 3


def test_a_conflicting_duplicate_is_refused(market: Market) -> None:
    meter = _meter(market)
    market.utility.submit_readings([meter.sign(DAY, 100, 0)])
    with pytest.raises(ReadingSubmissionError) as raised:
        market.utility.submit_readings([meter.sign(DAY, 101, 0)])
    assert isinstance(raised.value.summary.failures[0].error, Conflict)


def test_registers_going_backwards_are_refused(market: Market) -> None:
    meter = _meter(market)
    market.utility.submit_readings([meter.sign(DAY, 500, 0)])
    summary = market.utility.submit_readings([meter.sign(DAY + Q, 400, 0)], raise_on_failure=False)
    error = summary.failures[0].error
    assert isinstance(error, Conflict) and "backwards" in error.reason


def test_unknown_and_inactive_meters_are_refused(market: Market) -> None:
    stray = MeterSigner.simulated(f"RD-unknown-{uuid.uuid4().hex[:6]}")
    summary = market.utility.submit_readings([stray.sign(DAY, 1, 0)], raise_on_failure=False)
    assert isinstance(summary.failures[0].error, NotFound)
    meter = _meter(market)
    market.utility.deactivate_meter(meter.meter_id)
    summary = market.utility.submit_readings([meter.sign(DAY, 1, 0)], raise_on_failure=False)
    assert isinstance(summary.failures[0].error, InvalidRequest)


def test_one_bad_reading_holds_back_its_batch_only(market: Market) -> None:
    good, bad = _meter(market), _meter(market)
    forged = MeterSigner.simulated(bad.meter_id, seed="forger").sign(DAY, 1, 0)
    readings = [*_series(good, 10), *_series(bad, 5)[1:], forged]
    summary = market.utility.submit_readings(readings, batch_size=10, raise_on_failure=False)
    assert summary.stored == 10
    assert [f.readings for f in summary.failures] == [5]
    assert _stored(market, good.meter_id) and _stored(market, bad.meter_id) == []


def test_many_meters_in_concurrent_batches_all_commit(market: Market) -> None:
    meters = [_meter(market, owner) for owner in ("bob", "carol", "dave") for _ in range(4)]
    readings = [signed for meter in meters for signed in _series(meter, 30, step=7)]
    # 25 per batch splits every meter in two dependent batches; 4 in flight at once
    summary = market.utility.submit_readings(readings, batch_size=25, max_in_flight=4)
    assert summary.ok and summary.stored == 12 * 30
    assert len(summary.batches) == len({b.transaction_id for b in summary.batches})
    for meter in meters:
        assert len(_stored(market, meter.meter_id)) == 30
