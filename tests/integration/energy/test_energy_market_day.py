"""A full market day across both organisations, through ``gridledger.energy`` on the devnet.

Producers and consumers of GridOperatorMSP and ProsumerMSP post offers and buy, the utility
submits every meter's signed readings in bulk and settles everyone; then bills are read,
verified, settled again, and cross-checked between buyers and sellers.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from gridledger.energy import (
    Bill,
    CertificateStatus,
    Conflict,
    DayNotClosed,
    LineKind,
    Progress,
    SignedReading,
    SubmissionSummary,
    price_from_minor_per_kwh,
)
from gridledger_domain import from_datetime, refusals

from .conftest import Market, register_meter

pytestmark = pytest.mark.integration

DAY = datetime(2025, 3, 10, tzinfo=UTC)
NEXT = DAY + timedelta(days=1)
Q = timedelta(minutes=15)
BILLED = ("solar-farm", "wind-farm", "city-solar", "alice", "bob", "carol", "dave")


def _solar(i: int, peak: int) -> int:
    hour = i / 4
    return round(peak * math.sin(math.pi * (hour - 6) / 12) ** 2) if 6 < hour < 18 else 0


def _usage(i: int, base: int) -> int:
    return base + (base // 2 if 28 <= i < 40 or 72 <= i < 88 else 0) + (i * 7) % 23


# meter owner -> (kind, source, (import Wh, export Wh) per interval)
PROFILES = {
    "solar-farm": ("production", "solar", lambda i: (0, _solar(i, 3000))),
    "wind-farm": ("production", "wind", lambda i: (0, 800 + (i * 37) % 400)),
    "city-solar": (
        "production",
        "solar",
        lambda i: (5 if _solar(i, 700) == 0 else 0, _solar(i, 700)),
    ),
    "alice": (
        "bidirectional",
        "solar",
        lambda i: (
            max(_usage(i, 120) - _solar(i, 400), 0),
            max(_solar(i, 400) - _usage(i, 120), 0),
        ),
    ),
    "bob": ("consumption", "grid", lambda i: (_usage(i, 150), 0)),
    "carol": ("consumption", "grid", lambda i: (_usage(i, 900), 0)),
    "dave": ("consumption", "grid", lambda i: (_usage(i, 500), 0)),
}


@dataclass
class MarketDay:
    meters: dict[str, str]
    readings: SubmissionSummary
    progress: list[Progress]
    bills: dict[str, Bill]
    trades: int


def _readings(market: Market, meters: dict[str, str]) -> list[SignedReading]:
    readings = []
    for owner, (kind, source, flows) in PROFILES.items():
        signer = register_meter(market, owner, meters[owner], kind, source)
        registers = [(10_000, 20_000)]
        for i in range(96):
            imported, exported = flows(i)
            registers.append((registers[-1][0] + imported, registers[-1][1] + exported))
        readings.extend(signer.sign_series(DAY, registers))
    return readings


@pytest.fixture(scope="module")
def day(market: Market) -> MarketDay:
    tag = uuid.uuid4().hex[:6]
    meters = {owner: f"MD-{owner}-{tag}" for owner in PROFILES}
    readings = _readings(market, meters)
    ct = price_from_minor_per_kwh
    solar = market["solar-farm"].post_offer(meters["solar-farm"], DAY + 40 * Q, 8, 2000, ct("9.5"))
    wind = market["wind-farm"].post_offer(meters["wind-farm"], DAY, 8, 700, ct("7"))
    city = market["city-solar"].post_offer(meters["city-solar"], DAY + 44 * Q, 4, 500, ct("10"))
    trades = 0
    trades += len(market["bob"].buy(wind.offer_id, 300))
    trades += len(market["alice"].buy(wind.offer_id, 100))
    trades += len(market["carol"].buy(solar.offer_id, 1500))
    trades += len(market["dave"].buy(city.offer_id, 400))
    trades += len(market["dave"].buy(solar.offer_id, 200))

    progress: list[Progress] = []
    summary = market.utility.submit_readings(
        readings, batch_size=100, max_in_flight=3, on_progress=progress.append
    )
    bills = {user: market.utility.settle(market.ids[user], DAY, NEXT) for user in BILLED}
    return MarketDay(meters, summary, progress, bills, trades)


def test_bulk_submission_stores_every_reading_and_reports_progress(day: MarketDay) -> None:
    assert day.readings.ok
    assert day.readings.readings == 7 * 97
    assert day.readings.stored == 7 * 97 and day.readings.duplicates == 0
    assert len(day.readings.batches) == 7  # one meter (97 readings) per batch of at most 100
    assert [p.batches_done for p in day.progress] == list(range(1, 8))
    assert day.progress[-1].readings_done == day.progress[-1].readings_total == 7 * 97
    # 3 renewable meters, one certificate per interval with exports
    assert day.readings.certificates_issued > 0


def test_every_bill_is_complete_and_its_owner_verifies_it(market: Market, day: MarketDay) -> None:
    for user in BILLED:
        bill = market[user].bill(None, DAY, NEXT)
        assert bill.complete and bill.intervals_settled == 96
        assert bill.to_json() == day.bills[user].to_json()
        assert bill.total == bill.subtotal + bill.tax
        assert bill.subtotal == sum(x.amount for x in bill.lines if x.kind is not LineKind.TAX)
        verification = market[user].verify_bill(None, DAY, NEXT)
        assert verification.matches, user
        assert verification.recomputed_inputs_hash == bill.inputs_hash


def test_settling_again_returns_the_same_bill(market: Market, day: MarketDay) -> None:
    for user in ("bob", "dave", "solar-farm"):
        again = market.utility.settle(market.ids[user], DAY, NEXT)
        assert again.to_json() == day.bills[user].to_json()


def test_auditor_reads_and_verifies_every_bill(market: Market, day: MarketDay) -> None:
    auditor = market["auditor"]
    for user in BILLED:
        assert auditor.bill(market.ids[user], DAY, NEXT).to_json() == day.bills[user].to_json()
        assert auditor.verify_bill(market.ids[user], DAY, NEXT).matches


def test_what_buyers_pay_sellers_is_what_sellers_are_credited(
    market: Market, day: MarketDay
) -> None:
    paid: dict[tuple[str, str], tuple[int, int]] = defaultdict(lambda: (0, 0))
    credited: dict[tuple[str, str], tuple[int, int]] = defaultdict(lambda: (0, 0))
    for bill in day.bills.values():
        for line in bill.lines:
            if line.kind is LineKind.TRADE_PURCHASE:
                key = (line.counterparty, bill.participant)
                paid[key] = (paid[key][0] + line.quantity, paid[key][1] + line.amount)
            if line.kind is LineKind.TRADE_SALE:
                key = (bill.participant, line.counterparty)
                credited[key] = (credited[key][0] + line.quantity, credited[key][1] - line.amount)
    assert paid == credited
    # across organisations: Dave (GridOperatorMSP) bought from the solar farm (ProsumerMSP)
    assert (market.ids["solar-farm"], market.ids["dave"]) in paid
    assert sum(q for q, _ in paid.values()) == 8 * (300 + 100) + 8 * 1500 + 4 * 400 + 8 * 200


def test_trade_history_matches_the_purchases(market: Market, day: MarketDay) -> None:
    dave = [
        t
        for t in market["dave"].trades()
        if from_datetime(DAY) <= t.interval_start < from_datetime(NEXT)
    ]
    assert len(dave) == 4 + 8
    assert {t.seller for t in dave} == {market.ids["city-solar"], market.ids["solar-farm"]}
    seller_view = market["solar-farm"].trades()
    assert {t.trade_id for t in dave if t.seller == market.ids["solar-farm"]} <= {
        t.trade_id for t in seller_view
    }


def test_renewable_certificates_follow_the_trades_and_are_retired(
    market: Market, day: MarketDay
) -> None:
    bill = day.bills["carol"]
    total = bill.matched_total
    assert 0 < total.matched_wh <= total.consumed_wh
    assert total.share_bp == round(total.matched_wh * 10_000 / total.consumed_wh)
    assert sum(h.matched_wh for h in bill.matched_hours) == total.matched_wh
    claimed = dict(bill.certificates_claimed)
    assert sum(claimed.values()) == total.matched_wh
    held = {c.certificate_id: c for c in market["carol"].certificates()}
    for certificate_id, wh in claimed.items():
        certificate = held[certificate_id]
        assert certificate.status is CertificateStatus.RETIRED
        assert certificate.bill_id == bill.bill_id and certificate.claimed_wh == wh
        assert certificate.meter_id == day.meters["solar-farm"]
    # the producer's own certificates were handed on to the trades they back
    produced = [
        c for c in market["solar-farm"].certificates() if c.meter_id == day.meters["solar-farm"]
    ]
    assert produced and any(c.transferred_wh > 0 for c in produced)


def test_a_day_without_readings_is_refused_not_billed_as_zero(
    market: Market, day: MarketDay
) -> None:
    later, after = NEXT, NEXT + timedelta(days=1)
    preview = market["bob"].preview_bill(None, later, after)
    assert not preview.complete
    assert preview.intervals_settled == 0 and len(preview.unsettled_intervals) == 96
    assert {m.meter_id for m in preview.missing_readings} == {day.meters["bob"]}
    with pytest.raises(DayNotClosed) as refused:  # the contract's "incomplete" kind
        market.utility.settle(market.ids["bob"], later, after)
    assert isinstance(refused.value, refusals.IncompleteData)
    assert "96 readings missing, first at " in refused.value.reason
    assert refused.value.result.missing == 96


def test_a_settled_day_takes_no_new_readings(market: Market, day: MarketDay) -> None:
    late = register_meter(market, "dave", f"MD-late-{uuid.uuid4().hex[:6]}", "consumption")
    summary = market.utility.submit_readings(
        late.sign_series(DAY, ((i, 0) for i in range(97))), raise_on_failure=False
    )
    error = summary.failures[0].error
    assert isinstance(error, Conflict) and "already closed" in error.reason
    assert market["dave"].verify_bill(None, DAY, NEXT).matches
