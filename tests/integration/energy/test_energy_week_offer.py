"""Buying a whole 7-day offer (672 intervals) on the devnet, through ``gridledger.energy``:
every interval becomes a trade and picks up the seller's certificate of that interval, also
when the seller holds certificates of other meters and of the week before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from gridledger.energy import AccessDenied, CertificateStatus, price_from_minor_per_kwh
from gridledger_domain import from_datetime

from .conftest import Market, register_meter

pytestmark = pytest.mark.integration

WEEK = datetime(2025, 5, 5, tzinfo=UTC)
N = 7 * 96


def _export_weeks(market: Market, meter_id: str, wh: int) -> None:
    """Readings of a renewable meter exporting ``wh`` in every interval of two weeks: the one
    before ``WEEK`` and ``WEEK`` itself."""
    signer = register_meter(market, "wind-farm", meter_id, "production", "wind")
    registers = [(0, 0)]
    for _ in range(2 * N):
        registers.append((0, registers[-1][1] + wh))
    readings = signer.sign_series(WEEK - timedelta(days=7), registers)
    summary = market.utility.submit_readings(readings, batch_size=400, timeout=120)
    assert summary.ok and summary.certificates_issued == 2 * N


def test_a_whole_week_is_bought_in_one_call_with_its_certificates(
    market: Market, suffix: str
) -> None:
    offered, other = f"WK-{suffix}-a", f"WK-{suffix}-b"
    _export_weeks(market, offered, 500)
    _export_weeks(market, other, 300)
    seller = market["wind-farm"]
    offer = seller.post_offer(offered, WEEK, N, 1000, price_from_minor_per_kwh("7"))

    trades = market["carol"].buy(offer.offer_id, 700, timeout=60)

    start = from_datetime(WEEK)
    assert len(trades) == N
    assert [t.interval_start for t in trades] == [start + 900 * i for i in range(N)]
    assert {(t.buyer, t.seller, t.quantity_wh) for t in trades} == {
        (market.ids["carol"], market.ids["wind-farm"], 700)
    }
    # each trade: all 500 Wh of the offered meter's certificate, 200 of the other's
    held = [c for c in market["carol"].certificates() if c.trade_id in {t.trade_id for t in trades}]
    by_meter = {offered: 0, other: 0}
    for certificate in held:
        by_meter[certificate.meter_id] += certificate.wh
    assert by_meter == {offered: 500 * N, other: 200 * N}

    # the rest of the other meter's certificates back the next buyer's trades
    more = market["bob"].buy(offer.offer_id, 300, timeout=60)
    assert len(more) == N
    bob = [c for c in market["bob"].certificates() if c.trade_id in {t.trade_id for t in more}]
    assert len(bob) == N and {(c.meter_id, c.wh) for c in bob} == {(other, 100)}
    week = [
        c
        for c in seller.certificates()
        if start <= c.interval_start < start + 900 * N and c.meter_id in (offered, other)
    ]
    assert len(week) == 2 * N
    assert {c.status for c in week} == {CertificateStatus.TRANSFERRED}
    before = [c for c in seller.certificates() if c.interval_start < start and c.meter_id == other]
    assert len(before) == N and {c.status for c in before} == {CertificateStatus.ACTIVE}


def test_migrating_the_supply_index_moves_nothing_on_a_new_ledger_and_is_the_utilitys(
    market: Market,
) -> None:
    producer = market.ids["wind-farm"]
    assert market.utility.migrate_certificate_supply(producer, timeout=30) == 0
    with pytest.raises(AccessDenied, match="migrate the certificate supply index"):
        market["carol"].migrate_certificate_supply(producer, timeout=30)
