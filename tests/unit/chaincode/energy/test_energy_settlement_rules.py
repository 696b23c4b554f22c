"""Settlement rules of docs/settlement.md, each on a small worked example."""

from __future__ import annotations

import json

import pytest
from energy_builders import ALICE, BOB, DAY0, SOLARCO, WINDCO, Q, meter, profile, tariff, trade
from gridledger.energy.answers import ResponseFormatError, read_bill
from gridledger_chaincode.energy.periods import Period
from gridledger_chaincode.energy.settlement import settle
from gridledger_chaincode.energy.settlement_inputs import select_inputs
from gridledger_domain.records import Bill, Certificate, Tariff, TouBand
from gridledger_domain.refusals import InvalidRequest, NotFound
from gridledger_domain.timeutil import DAY_SECONDS
from gridledger_domain.vocabulary import EnergySource, LineKind, MeterKind

PERIOD = Period(DAY0, DAY0 + DAY_SECONDS)
FLAT = (TouBand("flat", 0, 300_000),)


def day_of_imports(per_interval: dict[int, int]) -> list[int]:
    return [per_interval.get(index, 0) for index in range(96)]


def settle_alice(
    readings: list,  # type: ignore[type-arg]
    trades: list,  # type: ignore[type-arg]
    tariffs: list[Tariff] | None = None,
    certificates: list[Certificate] | None = None,
    period: Period = PERIOD,
    meters: list | None = None,  # type: ignore[type-arg]
) -> Bill:
    inputs = select_inputs(
        ALICE,
        period,
        meters if meters is not None else [meter("M-ALICE", ALICE)],
        readings,
        trades,
        tariffs or [tariff(bands=FLAT, fixed_fee_per_day=0, tax_rate_bp=0, grid_fee=0)],
        certificates or [],
    )
    return settle(inputs)


def lines(bill: Bill, kind: LineKind) -> list:  # type: ignore[type-arg]
    return [line for line in bill.lines if line.kind is kind]


def test_residual_consumption_is_bought_from_the_utility_at_tou_price() -> None:
    readings = profile("M-ALICE", DAY0, day_of_imports({0: 1000, 40: 2000}))
    bill = settle_alice(readings, [], [tariff(fixed_fee_per_day=0, tax_rate_bp=0, grid_fee=0)])
    utility = lines(bill, LineKind.UTILITY_ENERGY)
    # interval 0 is 00:00 (night band 20 ct), interval 40 is 10:00 (day band 30 ct)
    assert [(x.band, x.quantity, x.amount) for x in utility] == [
        ("day", 2000, 60),
        ("night", 1000, 20),
    ]
    assert bill.complete and bill.total == 80


def test_trades_are_firm_and_cover_consumption_shortfall_at_tou() -> None:
    readings = profile("M-ALICE", DAY0, day_of_imports({0: 1500}))
    trades = [trade("t1", ALICE, SOLARCO, DAY0, 1000, 100_000)]
    bill = settle_alice(readings, trades)
    purchase = lines(bill, LineKind.TRADE_PURCHASE)
    assert [(x.counterparty, x.quantity, x.covered_wh, x.amount) for x in purchase] == [
        (SOLARCO, 1000, 1000, 10)
    ]
    assert [(x.quantity, x.amount) for x in lines(bill, LineKind.UTILITY_ENERGY)] == [(500, 15)]
    assert not lines(bill, LineKind.IMBALANCE_CREDIT)


def test_unconsumed_traded_energy_is_credited_at_feed_in() -> None:
    readings = profile("M-ALICE", DAY0, day_of_imports({0: 400}))
    trades = [trade("t1", ALICE, SOLARCO, DAY0, 1000, 100_000)]
    bill = settle_alice(readings, trades)
    assert [(x.quantity, x.covered_wh, x.amount) for x in lines(bill, LineKind.TRADE_PURCHASE)] == [
        (1000, 400, 10)
    ]
    imbalance = lines(bill, LineKind.IMBALANCE_CREDIT)
    assert [(x.quantity, x.unit_price, x.amount) for x in imbalance] == [(600, 80_000, -5)]
    assert not lines(bill, LineKind.UTILITY_ENERGY)


def test_covered_energy_is_allocated_pro_rata_with_largest_remainder() -> None:
    readings = profile("M-ALICE", DAY0, day_of_imports({0: 100}))
    trades = [
        trade("t-a", ALICE, SOLARCO, DAY0, 100, 100_000),
        trade("t-b", ALICE, WINDCO, DAY0, 100, 100_000),
        trade("t-c", ALICE, BOB, DAY0, 100, 100_000),
    ]
    bill = settle_alice(readings, trades)
    covered = {x.counterparty: x.covered_wh for x in lines(bill, LineKind.TRADE_PURCHASE)}
    # 100 Wh over three equal trades: 33 each, the one Wh left goes to the lowest trade id
    assert covered == {SOLARCO: 34, WINDCO: 33, BOB: 33}


def test_exports_are_credited_at_feed_in_and_grid_fee_counts_every_metered_kwh() -> None:
    readings = profile("M-ALICE", DAY0, day_of_imports({0: 1000}), day_of_imports({50: 3000}))
    alice = meter("M-ALICE", ALICE, MeterKind.BIDIRECTIONAL, EnergySource.SOLAR)
    bill = settle_alice(
        readings,
        [],
        [tariff(bands=FLAT, fixed_fee_per_day=0, tax_rate_bp=0, grid_fee=10_000)],
        meters=[alice],
    )
    assert [(x.quantity, x.amount) for x in lines(bill, LineKind.EXPORT_CREDIT)] == [(3000, -24)]
    assert [(x.quantity, x.amount) for x in lines(bill, LineKind.GRID_FEE)] == [(4000, 4)]


def test_producer_under_delivery_is_charged_at_tou_and_sales_credited_in_full() -> None:
    farm = meter("M-FARM", ALICE, MeterKind.PRODUCTION, EnergySource.SOLAR)
    readings = profile("M-FARM", DAY0, [0] * 96, day_of_imports({0: 700, 1: 1200}))
    trades = [
        trade("s1", BOB, ALICE, DAY0, 1000, 120_000),
        trade("s2", BOB, ALICE, DAY0 + Q, 1000, 120_000),
    ]
    bill = settle_alice(readings, trades, meters=[farm])
    assert [(x.counterparty, x.quantity, x.amount) for x in lines(bill, LineKind.TRADE_SALE)] == [
        (BOB, 2000, -24)
    ]
    assert [(x.quantity, x.amount) for x in lines(bill, LineKind.UNDER_DELIVERY)] == [(300, 9)]
    assert [(x.quantity, x.amount) for x in lines(bill, LineKind.EXPORT_CREDIT)] == [(200, -2)]


def test_each_line_is_rounded_once_half_to_even() -> None:
    # 50 Wh at 10 ct/kWh = 0.5 cent per interval; 3 intervals = 1.5 -> 2 (not 3 x round(0.5) = 0)
    readings = profile("M-ALICE", DAY0, day_of_imports({0: 50, 1: 50, 2: 50}))
    bill = settle_alice(
        readings,
        [],
        [
            tariff(
                bands=(TouBand("flat", 0, 100_000),), fixed_fee_per_day=0, tax_rate_bp=0, grid_fee=0
            )
        ],
    )
    assert [(x.quantity, x.amount) for x in lines(bill, LineKind.UTILITY_ENERGY)] == [(150, 2)]
    # 250 Wh -> 2.5 cents -> 2 (half to even)
    readings = profile("M-ALICE", DAY0, day_of_imports({0: 250}))
    bill = settle_alice(
        readings,
        [],
        [
            tariff(
                bands=(TouBand("flat", 0, 100_000),), fixed_fee_per_day=0, tax_rate_bp=0, grid_fee=0
            )
        ],
    )
    assert [x.amount for x in lines(bill, LineKind.UTILITY_ENERGY)] == [2]


def test_fixed_fee_per_day_and_tax_on_the_subtotal() -> None:
    period = Period(DAY0, DAY0 + 2 * DAY_SECONDS)
    readings = profile("M-ALICE", DAY0, [0] * 40 + [10_000] + [0] * 151)
    bill = settle_alice(
        readings,
        [],
        [tariff(bands=FLAT, fixed_fee_per_day=25, tax_rate_bp=1900, grid_fee=0)],
        period=period,
    )
    fixed = lines(bill, LineKind.FIXED_FEE)
    assert [(x.quantity, x.unit_price, x.amount) for x in fixed] == [(2, 25, 50)]
    assert bill.subtotal == 300 + 50
    assert [(x.quantity, x.unit_price, x.amount) for x in lines(bill, LineKind.TAX)] == [
        (350, 1900, 66)  # 66.5 -> 66 (half to even)
    ]
    assert bill.total == 416


def test_tariff_versions_split_lines_per_day() -> None:
    period = Period(DAY0, DAY0 + 2 * DAY_SECONDS)
    readings = profile("M-ALICE", DAY0, [1000] + [0] * 95 + [1000] + [0] * 95)
    v1 = tariff(1, DAY0, FLAT, fixed_fee_per_day=10, tax_rate_bp=1000, grid_fee=0)
    v2 = tariff(
        2,
        DAY0 + DAY_SECONDS,
        (TouBand("flat", 0, 500_000),),
        fixed_fee_per_day=20,
        tax_rate_bp=0,
        grid_fee=0,
    )
    bill = settle_alice(readings, [], [v1, v2], period=period)
    summary = [(x.kind.value, x.tariff_version, x.amount) for x in bill.lines]
    assert summary == [
        ("utility_energy", 1, 30),
        ("utility_energy", 2, 50),
        ("grid_fee", 1, 0),  # a zero price still shows the metered quantity
        ("grid_fee", 2, 0),
        ("fixed_fee", 1, 10),
        ("fixed_fee", 2, 20),
        ("tax", 1, 4),
        ("tax", 2, 0),
    ]
    assert bill.tariff_versions == (1, 2)


def test_missing_readings_are_reported_and_their_intervals_not_billed() -> None:
    readings = profile("M-ALICE", DAY0, [100] * 96)
    del readings[10]  # the reading at 02:30 opens interval 10 and closes interval 9
    trades = [trade("t9", ALICE, SOLARCO, DAY0 + 9 * Q, 100, 100_000)]
    bill = settle_alice(readings, trades)
    assert not bill.complete
    assert bill.missing_readings == (("M-ALICE", DAY0 + 10 * Q),)
    assert bill.unsettled_intervals == (DAY0 + 9 * Q, DAY0 + 10 * Q)
    assert bill.intervals_settled == 94
    assert not lines(bill, LineKind.TRADE_PURCHASE)
    assert [x.quantity for x in lines(bill, LineKind.UTILITY_ENERGY)] == [9400]
    assert json.loads(bill.to_json())["status"] == "incomplete"


def test_a_meter_without_readings_makes_every_interval_unsettled() -> None:
    readings = profile("M-ALICE", DAY0, [100] * 96)
    other = meter("M-ALICE-2", ALICE)
    bill = settle_alice(readings, [], meters=[meter("M-ALICE", ALICE), other])
    assert bill.intervals_settled == 0
    assert len(bill.missing_readings) == 97
    assert not [line for line in bill.lines if line.unit == "Wh"]


def test_a_day_without_tariff_cannot_be_settled() -> None:
    readings = profile("M-ALICE", DAY0, [0] * 96)
    with pytest.raises(NotFound, match="no tariff"):
        settle_alice(readings, [], [tariff(effective_from=DAY0 + DAY_SECONDS)])


def test_certificates_match_covered_consumption_per_interval_and_hour() -> None:
    readings = profile("M-ALICE", DAY0, day_of_imports({0: 1000, 1: 1000, 4: 500}))
    trades = [
        trade("t0", ALICE, SOLARCO, DAY0, 600, 100_000),
        trade("t1", ALICE, SOLARCO, DAY0 + Q, 1500, 100_000),
    ]
    certificates = [
        Certificate("M-FARM:0/t0", "M-FARM", DAY0, EnergySource.SOLAR, 600, ALICE, trade_id="t0"),
        Certificate(
            "M-FARM:1/t1", "M-FARM", DAY0 + Q, EnergySource.SOLAR, 1500, ALICE, trade_id="t1"
        ),
    ]
    bill = settle_alice(readings, trades, certificates=certificates)
    intervals = [(m.start, m.consumed_wh, m.matched_wh, m.share_bp) for m in bill.matched_intervals]
    assert intervals == [
        (DAY0, 1000, 600, 6000),
        (DAY0 + Q, 1000, 1000, 10_000),
        (DAY0 + 4 * Q, 500, 0, 0),
    ]
    hours = [(m.start, m.consumed_wh, m.matched_wh) for m in bill.matched_hours]
    assert hours == [(DAY0, 2000, 1600), (DAY0 + 3600, 500, 0)]
    assert bill.matched_total.share_bp == 6400
    assert bill.certificates_claimed == (("M-FARM:0/t0", 600), ("M-FARM:1/t1", 1000))


def test_other_participants_data_is_ignored() -> None:
    readings = profile("M-ALICE", DAY0, [10] * 96) + profile("M-BOB", DAY0, [99] * 96)
    meters = [meter("M-ALICE", ALICE), meter("M-BOB", BOB)]
    trades = [trade("x", BOB, SOLARCO, DAY0, 100, 1)]
    bill = settle_alice(readings, trades, meters=meters)
    alone = settle_alice(profile("M-ALICE", DAY0, [10] * 96), [])
    assert bill.to_json() == alone.to_json()


def test_conflicting_readings_in_the_inputs_are_refused() -> None:
    readings = profile("M-ALICE", DAY0, [10] * 96)
    readings.append(profile("M-ALICE", DAY0, [11] * 96)[5])
    with pytest.raises(InvalidRequest, match="two different readings"):
        settle_alice(readings, [])


def test_bill_json_is_canonical_and_has_no_floats() -> None:
    readings = profile("M-ALICE", DAY0, [123] * 96)
    bill = settle_alice(readings, [trade("t1", ALICE, SOLARCO, DAY0, 50, 123_456)])
    text = bill.to_json()
    decoded = json.loads(text)
    assert json.dumps(decoded, sort_keys=True, separators=(",", ":")).encode() == text
    assert "." not in text.decode().replace("gridledger.bill", "")
    assert decoded["total"] == bill.total
    assert len(decoded["inputs_hash"]) == 64


def test_a_bill_reads_back_from_its_json_as_the_same_bill_and_bytes() -> None:
    readings = profile("M-ALICE", DAY0, day_of_imports({0: 1000, 1: 1000, 4: 500}))
    del readings[50]  # incomplete: missing readings and unsettled intervals are kept too
    trades = [trade("t0", ALICE, SOLARCO, DAY0, 600, 100_000)]
    certificates = [
        Certificate("M-FARM:0/t0", "M-FARM", DAY0, EnergySource.SOLAR, 600, ALICE, trade_id="t0")
    ]
    bill = settle_alice(readings, trades, certificates=certificates)
    assert bill.missing_readings and bill.certificates_claimed
    again = Bill.from_json_dict(json.loads(bill.to_json()))
    assert again == bill and again.to_json() == bill.to_json()
    assert again.missing_readings[0].meter_id == "M-ALICE"
    assert again.certificates_claimed[0].claimed_wh == 600


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("total", "12", "field 'total': expected an integer"),
        ("period_start", "2025-06-01", "period_start"),
        ("status", "paid", "unknown bill status 'paid'"),
        ("format", "gridledger.bill/0", "not a gridledger.bill/1 bill"),
    ],
)
def test_a_malformed_bill_is_refused_naming_the_field(field: str, value: str, message: str) -> None:
    bill = settle_alice(profile("M-ALICE", DAY0, [10] * 96), [])
    data = json.loads(bill.to_json())
    data[field] = value
    with pytest.raises(InvalidRequest, match=message):
        Bill.from_json_dict(data)


def test_the_client_refuses_a_bill_that_is_not_in_canonical_form() -> None:
    bill = settle_alice(profile("M-ALICE", DAY0, [10] * 96), [])
    assert read_bill(bill.to_json()) == bill
    spaced = json.dumps(json.loads(bill.to_json())).encode()
    with pytest.raises(ResponseFormatError, match="not in canonical form"):
        read_bill(spaced)
    with pytest.raises(ResponseFormatError, match="did not answer JSON"):
        read_bill(b"<html>")
