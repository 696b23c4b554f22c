"""Small builders for energy unit tests (domain objects with readable defaults)."""

from __future__ import annotations

from gridledger_domain import MeterReading, SignedReading, parse_utc, simulated_meter_key
from gridledger_domain.records import Meter, Tariff, TouBand, Trade
from gridledger_domain.vocabulary import EnergySource, MeterKind

DAY0 = parse_utc("2025-06-01T00:00:00Z")
Q = 900
ALICE = "ProsumerMSP::CN=alice"
BOB = "ProsumerMSP::CN=bob"
SOLARCO = "ProsumerMSP::CN=solarco"
WINDCO = "ProsumerMSP::CN=windco"
DUMMY_SIGNATURE = b"\x30\x06\x02\x01\x01\x02\x01\x01"
KEY_PEM = simulated_meter_key("energy unit tests").public_key_pem()


def meter(
    meter_id: str,
    owner: str,
    kind: MeterKind = MeterKind.CONSUMPTION,
    source: EnergySource = EnergySource.GRID,
    zone: str = "north",
) -> Meter:
    return Meter(meter_id, owner, kind, source, zone, KEY_PEM)


def tariff(
    version: int = 1,
    effective_from: int = DAY0,
    bands: tuple[TouBand, ...] = (
        TouBand("night", 0, 200_000),
        TouBand("day", 7 * 60, 300_000),
        TouBand("evening", 18 * 60, 400_000),
    ),
    feed_in_price: int = 80_000,
    grid_fee: int = 50_000,
    fixed_fee_per_day: int = 25,
    tax_rate_bp: int = 1900,
) -> Tariff:
    return Tariff(
        version, effective_from, bands, feed_in_price, grid_fee, fixed_fee_per_day, tax_rate_bp
    )


def signed(meter_id: str, instant: int, imported: int, exported: int = 0) -> SignedReading:
    """A reading with a placeholder signature (settlement never verifies signatures)."""
    return SignedReading(MeterReading(meter_id, instant, imported, exported), DUMMY_SIGNATURE)


def profile(
    meter_id: str, start: int, imports: list[int], exports: list[int] | None = None
) -> list[SignedReading]:
    """Cumulative readings from interval energies: len(imports) intervals, one more reading."""
    exports = exports or [0] * len(imports)
    result = [signed(meter_id, start, 0, 0)]
    imported = exported = 0
    for index, (i, e) in enumerate(zip(imports, exports, strict=True)):
        imported += i
        exported += e
        result.append(signed(meter_id, start + (index + 1) * Q, imported, exported))
    return result


def trade(
    trade_id: str,
    buyer: str,
    seller: str,
    instant: int,
    quantity_wh: int,
    price: int,
    source: EnergySource = EnergySource.SOLAR,
) -> Trade:
    return Trade(trade_id, f"offer-{trade_id}", buyer, seller, instant, quantity_wh, price, source)
