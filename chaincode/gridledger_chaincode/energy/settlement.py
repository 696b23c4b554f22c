"""Settlement: one participant, one billing period -> a bill (a pure, deterministic function).

The rules are written down in docs/settlement.md; this module follows them section by section.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from gridledger_domain import INTERVAL_SECONDS, MeterReading
from gridledger_domain.records import (
    Bill,
    CertificateClaim,
    LineItem,
    MatchedEnergy,
    MissingReading,
    Tariff,
    Trade,
    bill_id_for,
)
from gridledger_domain.refusals import InvalidRequest
from gridledger_domain.timeutil import INTERVALS_PER_DAY, hour_of
from gridledger_domain.vocabulary import LineKind

from gridledger_chaincode.energy.allocation import allocate_pro_rata
from gridledger_chaincode.energy.money import apply_rate, energy_value, round_half_even
from gridledger_chaincode.energy.readings import interval_energy
from gridledger_chaincode.energy.settlement_inputs import SettlementInputs
from gridledger_chaincode.energy.tariffs import tariff_on

WH = "Wh"
DAY = "day"
MINOR = "minor"


@dataclass
class _Accumulator:
    """Exact quantities per line key, rounded once when the lines are made."""

    wh: dict[tuple[LineKind, int, str, str, int], int] = field(
        default_factory=lambda: defaultdict(int)
    )
    covered: dict[tuple[LineKind, int, str, str, int], int] = field(
        default_factory=lambda: defaultdict(int)
    )

    def add(
        self,
        kind: LineKind,
        version: int,
        quantity: int,
        price: int,
        counterparty: str = "",
        band: str = "",
        covered: int = 0,
    ) -> None:
        if quantity == 0:
            return
        key = (kind, version, counterparty, band, price)
        self.wh[key] += quantity
        self.covered[key] += covered


_CREDITS = {LineKind.TRADE_SALE, LineKind.IMBALANCE_CREDIT, LineKind.EXPORT_CREDIT}


def _interval_readings(
    inputs: SettlementInputs,
) -> dict[str, dict[int, MeterReading]]:
    by_meter: dict[str, dict[int, MeterReading]] = {m.meter_id: {} for m in inputs.meters}
    for signed in inputs.readings:
        by_meter[signed.reading.meter_id][signed.reading.interval_start] = signed.reading
    return by_meter


def settle(inputs: SettlementInputs) -> Bill:
    """Settle ``inputs`` (see :func:`select_inputs`). Missing readings make the bill incomplete:
    the intervals they touch are listed and not billed at all (never billed as zero)."""
    participant = inputs.participant
    period = inputs.period
    tariffs = inputs.tariffs
    currencies = {tariff.currency for tariff in tariffs}
    if len(currencies) != 1:
        raise InvalidRequest(f"tariffs in force use several currencies: {sorted(currencies)}")
    by_meter = _interval_readings(inputs)

    missing: set[tuple[str, int]] = set()
    for meter_id, readings in by_meter.items():
        for instant in range(period.start, period.end + INTERVAL_SECONDS, INTERVAL_SECONDS):
            if instant not in readings:
                missing.add((meter_id, instant))

    buys: dict[int, list[Trade]] = defaultdict(list)
    sells: dict[int, list[Trade]] = defaultdict(list)
    for trade in inputs.trades:
        (buys if trade.buyer == participant else sells)[trade.interval_start].append(trade)
    certified: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for certificate in inputs.certificates:
        certified[certificate.trade_id].append((certificate.certificate_id, certificate.wh))

    acc = _Accumulator()
    unsettled: list[int] = []
    matched_intervals: list[MatchedEnergy] = []
    claims: dict[str, int] = {}
    for instant in period.intervals():
        closing = instant + INTERVAL_SECONDS
        if any((m, instant) in missing or (m, closing) in missing for m in by_meter):
            unsettled.append(instant)
            continue
        consumed = exported = 0
        for readings in by_meter.values():
            imported_wh, exported_wh = interval_energy(readings[instant], readings[closing])
            consumed += imported_wh
            exported += exported_wh
        tariff = tariff_on(tariffs, instant)
        version = tariff.version
        band = tariff.band_at(instant)

        bought_trades = sorted(buys.get(instant, []), key=lambda t: t.trade_id)
        bought = sum(t.quantity_wh for t in bought_trades)
        covered = allocate_pro_rata(
            min(bought, consumed), [(t.trade_id, t.quantity_wh) for t in bought_trades]
        )
        for trade in bought_trades:
            acc.add(
                LineKind.TRADE_PURCHASE,
                version,
                trade.quantity_wh,
                trade.price,
                counterparty=trade.seller,
                covered=covered[trade.trade_id],
            )
        acc.add(
            LineKind.UTILITY_ENERGY, version, max(consumed - bought, 0), band.price, band=band.name
        )
        acc.add(LineKind.IMBALANCE_CREDIT, version, max(bought - consumed, 0), tariff.feed_in_price)

        sold_trades = sells.get(instant, [])
        sold = sum(t.quantity_wh for t in sold_trades)
        for trade in sold_trades:
            acc.add(
                LineKind.TRADE_SALE,
                version,
                trade.quantity_wh,
                trade.price,
                counterparty=trade.buyer,
            )
        acc.add(
            LineKind.UNDER_DELIVERY, version, max(sold - exported, 0), band.price, band=band.name
        )
        acc.add(LineKind.EXPORT_CREDIT, version, max(exported - sold, 0), tariff.feed_in_price)
        acc.add(LineKind.GRID_FEE, version, consumed + exported, tariff.grid_fee)

        matched = 0
        for trade in bought_trades:
            left = min(covered[trade.trade_id], sum(wh for _, wh in certified[trade.trade_id]))
            matched += left
            for certificate_id, wh in sorted(certified[trade.trade_id]):
                claim = min(wh, left)
                left -= claim
                if claim:
                    claims[certificate_id] = claim
        if consumed:
            matched_intervals.append(MatchedEnergy(instant, consumed, matched))

    lines = _energy_lines(acc)
    lines.extend(_fixed_fee_lines(inputs))
    lines.extend(_tax_lines(lines, tariffs))
    lines.sort(key=LineItem.sort_key)
    subtotal = sum(line.amount for line in lines if line.kind is not LineKind.TAX)
    tax = sum(line.amount for line in lines if line.kind is LineKind.TAX)

    return Bill(
        bill_id=bill_id_for(participant, period.start, period.end),
        participant=participant,
        period_start=period.start,
        period_end=period.end,
        currency=currencies.pop(),
        complete=not missing,
        intervals_total=period.days * INTERVALS_PER_DAY,
        intervals_settled=period.days * INTERVALS_PER_DAY - len(unsettled),
        missing_readings=tuple(MissingReading(*item) for item in sorted(missing)),
        unsettled_intervals=tuple(unsettled),
        lines=tuple(lines),
        subtotal=subtotal,
        tax=tax,
        total=subtotal + tax,
        tariff_versions=tuple(sorted(t.version for t in tariffs)),
        matched_total=MatchedEnergy(
            period.start,
            sum(item.consumed_wh for item in matched_intervals),
            sum(item.matched_wh for item in matched_intervals),
        ),
        matched_intervals=tuple(matched_intervals),
        matched_hours=_hours(matched_intervals),
        certificates_claimed=tuple(CertificateClaim(*item) for item in sorted(claims.items())),
        inputs_hash=inputs.inputs_hash(),
    )


def _energy_lines(acc: _Accumulator) -> list[LineItem]:
    lines = []
    for key, quantity in acc.wh.items():
        kind, version, counterparty, band, price = key
        value = energy_value(quantity, price)
        amount = round_half_even(-value if kind in _CREDITS else value)
        lines.append(
            LineItem(
                kind=kind,
                tariff_version=version,
                quantity=quantity,
                unit=WH,
                unit_price=price,
                amount=amount,
                counterparty=counterparty,
                band=band,
                covered_wh=acc.covered[key],
            )
        )
    return lines


def _fixed_fee_lines(inputs: SettlementInputs) -> list[LineItem]:
    days: dict[int, int] = defaultdict(int)
    by_version: dict[int, Tariff] = {}
    for day in inputs.period.day_starts():
        tariff = tariff_on(inputs.tariffs, day)
        days[tariff.version] += 1
        by_version[tariff.version] = tariff
    lines = []
    for version, count in days.items():
        fee = by_version[version].fixed_fee_per_day
        if fee:
            lines.append(LineItem(LineKind.FIXED_FEE, version, count, DAY, fee, count * fee))
    return lines


def _tax_lines(lines: list[LineItem], tariffs: tuple[Tariff, ...]) -> list[LineItem]:
    base: dict[int, int] = defaultdict(int)
    for line in lines:
        base[line.tariff_version] += line.amount
    rates = {tariff.version: tariff.tax_rate_bp for tariff in tariffs}
    return [
        LineItem(
            LineKind.TAX, version, amount, MINOR, rates[version], apply_rate(amount, rates[version])
        )
        for version, amount in base.items()
    ]


def _hours(intervals: list[MatchedEnergy]) -> tuple[MatchedEnergy, ...]:
    consumed: dict[int, int] = defaultdict(int)
    matched: dict[int, int] = defaultdict(int)
    for item in intervals:
        consumed[hour_of(item.start)] += item.consumed_wh
        matched[hour_of(item.start)] += item.matched_wh
    return tuple(MatchedEnergy(hour, consumed[hour], matched[hour]) for hour in sorted(consumed))
