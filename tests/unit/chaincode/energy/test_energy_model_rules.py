"""Tariffs, market, certificates, money, periods, participants and meters."""

from __future__ import annotations

from fractions import Fraction

import pytest
from energy_builders import ALICE, BOB, DAY0, KEY_PEM, SOLARCO, Q, meter, tariff, trade
from gridledger_chaincode.energy.allocation import allocate_pro_rata
from gridledger_chaincode.energy.certificates import issue_certificate, retire, transfer_to_trades
from gridledger_chaincode.energy.market import buy, list_offers, withdraw
from gridledger_chaincode.energy.money import apply_rate, energy_value, round_half_even
from gridledger_chaincode.energy.periods import Period
from gridledger_chaincode.energy.tariffs import check_new_version, tariff_on
from gridledger_domain import MeterReading
from gridledger_domain.canonical import canonical_json
from gridledger_domain.identifiers import participant_id
from gridledger_domain.records import Certificate, Meter, Offer, Participant, Tariff, TouBand
from gridledger_domain.refusals import AccessDenied, Conflict, InvalidRequest, NotFound
from gridledger_domain.timeutil import DAY_SECONDS
from gridledger_domain.vocabulary import (
    CertificateStatus,
    EnergySource,
    MeterKind,
    OfferStatus,
    Role,
)

# money -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (Fraction(1, 2), 0),
        (Fraction(3, 2), 2),
        (Fraction(5, 2), 2),
        (Fraction(-5, 2), -2),
        (Fraction(7, 3), 2),
        (Fraction(-7, 3), -2),
        (Fraction(8, 3), 3),
    ],
)
def test_round_half_even(value: Fraction, rounded: int) -> None:
    assert round_half_even(value) == rounded


def test_energy_value_and_tax_rate() -> None:
    assert energy_value(1000, 253_400) == Fraction(2534, 100)  # 1 kWh at 25.34 ct
    assert apply_rate(1050, 1900) == 200  # 199.5 -> 200
    assert apply_rate(1150, 1900) == 218  # 218.5 -> 218


def test_pro_rata_sums_to_total_and_breaks_ties_by_key() -> None:
    assert allocate_pro_rata(10, [("b", 1), ("a", 1), ("c", 1)]) == {"a": 4, "b": 3, "c": 3}
    assert allocate_pro_rata(7, [("x", 3), ("y", 1)]) == {"x": 5, "y": 2}
    assert allocate_pro_rata(0, [("x", 3)]) == {"x": 0}


def test_canonical_json_refuses_floats() -> None:
    assert canonical_json({"b": 1, "a": [2, "é"]}) == b'{"a":[2,"\\u00e9"],"b":1}'
    with pytest.raises(TypeError, match="float"):
        canonical_json({"a": 0.1})


# periods, participants, meters -----------------------------------------------------------------


def test_period_is_whole_utc_days() -> None:
    assert Period(DAY0, DAY0 + 2 * DAY_SECONDS).days == 2
    for start, end in [
        (DAY0 + Q, DAY0 + DAY_SECONDS),
        (DAY0, DAY0),
        (DAY0, DAY0 + 367 * DAY_SECONDS),
    ]:
        with pytest.raises(InvalidRequest):
            Period(start, end)


def test_participant_id_and_validation() -> None:
    assert participant_id("ProsumerMSP", "CN=alice,OU=client") == "ProsumerMSP::CN=alice,OU=client"
    with pytest.raises(InvalidRequest):
        participant_id("bad msp!", "CN=x")
    with pytest.raises(InvalidRequest):
        participant_id("ProsumerMSP", "CN=a\nb")
    p = Participant("ProsumerMSP", "CN=alice", Role.CONSUMER, "north", "Alice")
    assert Participant.from_json_dict(p.to_json_dict()) == p
    with pytest.raises(InvalidRequest):
        Participant("ProsumerMSP", "CN=alice", Role.CONSUMER, "no spaces", "Alice")


def test_meter_rules() -> None:
    solar = meter("M-S", ALICE, MeterKind.PRODUCTION, EnergySource.SOLAR)
    assert solar.renewable and not meter("M-C", ALICE).renewable
    assert Meter.from_json_dict(solar.deactivated().to_json_dict()) == solar.deactivated()
    with pytest.raises(InvalidRequest, match="source must be 'grid'"):
        Meter("M-X", ALICE, MeterKind.CONSUMPTION, EnergySource.SOLAR, "north", KEY_PEM)
    with pytest.raises(InvalidRequest, match="PEM"):
        Meter("M-X", ALICE, MeterKind.CONSUMPTION, EnergySource.GRID, "north", "nope")


# tariffs ----------------------------------------------------------------------------------------


def test_tou_bands_and_versions() -> None:
    t = tariff()
    assert t.band_at(DAY0).name == "night"
    assert t.band_at(DAY0 + 7 * 3600 - Q).name == "night"
    assert t.band_at(DAY0 + 7 * 3600).name == "day"
    assert t.band_at(DAY0 + 23 * 3600).name == "evening"
    assert Tariff.from_json_dict(t.to_json_dict()) == t
    v2 = tariff(2, DAY0 + 10 * DAY_SECONDS)
    assert tariff_on([t, v2], DAY0 + 10 * DAY_SECONDS - 1).version == 1
    assert tariff_on([t, v2], DAY0 + 10 * DAY_SECONDS).version == 2
    with pytest.raises(NotFound):
        tariff_on([v2], DAY0)


def test_tariff_validation() -> None:
    with pytest.raises(InvalidRequest, match="minute 0"):
        tariff(bands=(TouBand("day", 60, 1),))
    with pytest.raises(InvalidRequest, match="increasing"):
        tariff(bands=(TouBand("a", 0, 1), TouBand("b", 60, 1), TouBand("c", 60, 1)))
    with pytest.raises(InvalidRequest, match="15-minute"):
        TouBand("x", 7, 1)
    with pytest.raises(InvalidRequest, match="tax_rate_bp"):
        tariff(tax_rate_bp=10_001)
    with pytest.raises(InvalidRequest, match="midnight"):
        tariff(effective_from=DAY0 + Q)
    with pytest.raises(InvalidRequest, match="integer"):
        tariff(grid_fee=1.5)  # type: ignore[arg-type]


def test_tariff_versions_are_never_overwritten() -> None:
    v1 = tariff()
    check_new_version([], v1)
    with pytest.raises(InvalidRequest, match="first tariff version"):
        check_new_version([], tariff(2))
    with pytest.raises(InvalidRequest, match="must be 2"):
        check_new_version([v1], tariff(1, DAY0 + DAY_SECONDS))
    with pytest.raises(InvalidRequest, match="take effect after"):
        check_new_version([v1], tariff(2, DAY0))
    check_new_version([v1], tariff(2, DAY0 + DAY_SECONDS))


# market -----------------------------------------------------------------------------------------


def offer(offer_id: str = "o1", price: int = 100_000, zone: str = "north", count: int = 4) -> Offer:
    return Offer(
        offer_id, SOLARCO, "M-FARM", EnergySource.SOLAR, zone, DAY0, count, 1000, price, 1000
    )


def test_buy_creates_one_trade_per_interval_and_reduces_remaining() -> None:
    updated, trades = buy(offer(), ALICE, 300, "tx1")
    assert updated.remaining_wh == 700
    assert [(t.trade_id, t.interval_start, t.quantity_wh) for t in trades] == [
        ("tx1.0", DAY0, 300),
        ("tx1.1", DAY0 + Q, 300),
        ("tx1.2", DAY0 + 2 * Q, 300),
        ("tx1.3", DAY0 + 3 * Q, 300),
    ]
    assert all(t.seller == SOLARCO and t.buyer == ALICE and t.price == 100_000 for t in trades)
    with pytest.raises(Conflict, match="700 Wh left"):
        buy(updated, BOB, 701, "tx2")


def test_buy_refusals() -> None:
    with pytest.raises(InvalidRequest, match="own offer"):
        buy(offer(), SOLARCO, 1, "tx")
    with pytest.raises(Conflict, match="withdrawn"):
        buy(withdraw(offer(), SOLARCO), ALICE, 1, "tx")
    with pytest.raises(InvalidRequest):
        buy(offer(), ALICE, 0, "tx")


def test_withdraw_only_by_seller_once() -> None:
    with pytest.raises(AccessDenied, match="only the seller"):
        withdraw(offer(), ALICE)
    withdrawn = withdraw(offer(), SOLARCO)
    assert withdrawn.status is OfferStatus.WITHDRAWN
    with pytest.raises(Conflict):
        withdraw(withdrawn, SOLARCO)


def test_listing_sorted_by_price_with_filters() -> None:
    offers = [
        offer("o-exp", 300_000),
        offer("o-cheap", 100_000),
        offer("o-south", 50_000, zone="south"),
        offer("o-tie", 100_000),
        withdraw(offer("o-gone", 1), SOLARCO),
        offer("o-short", 1, count=1),
    ]
    listed = list_offers(offers, DAY0 + Q)
    assert [o.offer_id for o in listed] == ["o-south", "o-cheap", "o-tie", "o-exp"]
    north = list_offers(offers, DAY0 + Q, zone="north")
    assert [o.offer_id for o in north] == ["o-cheap", "o-tie", "o-exp"]
    assert list_offers(offers, DAY0 + Q, source=EnergySource.WIND) == []
    assert Offer.from_json_dict(offers[0].to_json_dict()) == offers[0]


# certificates -----------------------------------------------------------------------------------


def test_certificates_are_issued_for_renewable_exports_only() -> None:
    farm = meter("M-FARM", SOLARCO, MeterKind.PRODUCTION, EnergySource.SOLAR)
    opening, closing = (
        MeterReading("M-FARM", DAY0, 5, 100),
        MeterReading("M-FARM", DAY0 + Q, 6, 350),
    )
    cert = issue_certificate(farm, opening, closing)
    assert cert is not None and (cert.wh, cert.owner, cert.interval_start) == (250, SOLARCO, DAY0)
    assert issue_certificate(meter("M-C", SOLARCO), opening, closing) is None
    assert issue_certificate(farm, opening, MeterReading("M-FARM", DAY0 + Q, 6, 100)) is None
    assert Certificate.from_json_dict(cert.to_json_dict()) == cert


def test_certificates_transfer_with_trades_in_trade_id_order() -> None:
    cert = Certificate("M-FARM:0", "M-FARM", DAY0, EnergySource.SOLAR, 1000, SOLARCO)
    trades = [
        trade("t2", BOB, SOLARCO, DAY0, 600, 1),
        trade("t1", ALICE, SOLARCO, DAY0, 600, 1),
        trade("t3", BOB, SOLARCO, DAY0 + Q, 600, 1),
    ]
    updated, children = transfer_to_trades(cert, trades, {})
    assert [(c.owner, c.trade_id, c.wh) for c in children] == [(ALICE, "t1", 600), (BOB, "t2", 400)]
    assert updated.status is CertificateStatus.TRANSFERRED and updated.available_wh == 0
    partial, children = transfer_to_trades(cert, trades[:1], {"t2": 500})
    assert [(c.trade_id, c.wh) for c in children] == [("t2", 100)]
    assert partial.status is CertificateStatus.ACTIVE and partial.available_wh == 900


def test_retired_certificates_cannot_be_retired_again() -> None:
    cert = Certificate("c", "M-FARM", DAY0, EnergySource.SOLAR, 10, ALICE, trade_id="t1")
    retired = retire(cert, "bill-1", 7)
    assert (retired.status, retired.bill_id, retired.claimed_wh) == (
        CertificateStatus.RETIRED,
        "bill-1",
        7,
    )
    with pytest.raises(Conflict):
        retire(retired, "bill-2", 1)
