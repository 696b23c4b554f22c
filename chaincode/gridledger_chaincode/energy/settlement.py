"""Settlement: one participant, one billing period -> a bill (a pure, deterministic function).

The rules are written down in docs/settlement.md; this module follows them section by section.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from gridledger_domain import INTERVAL_SECONDS, MeterReading, interval_energy
from gridledger_domain.records import (
    Bill,
    CertificateClaim,
    LineItem,
    MatchedEnergy,
    Meter,
    MissingReading,
    Tariff,
    Trade,
    bill_id_for,
)
from gridledger_domain.refusals import InvalidRequest
from gridledger_domain.timeutil import INTERVALS_PER_DAY, hour_of
from gridledger_domain.vocabulary import LineKind

from gridledger_chaincode.energy.allocation import allocate_pro_rata
from gridledger_chaincode.energy.estimation import estimated_readings
from gridledger_chaincode.energy.money import apply_rate, energy_value, round_half_even
from gridledger_chaincode.energy.settlement_inputs import SettlementInputs
from gridledger_chaincode.energy.tariffs import tariff_on

WH = "Wh"
DAY = "day"
MINOR = "minor"


class LineKey(NamedTuple):
    """What makes an energy line: lines with equal keys add up."""

    kind: LineKind
    version: int
    counterparty: str
    band: str
    price: int
    estimated: bool


@dataclass
class Accumulator:
    """Exact quantities per line key, rounded once when the lines are made."""

    wh: dict[LineKey, int] = field(default_factory=lambda: defaultdict(int))
    covered: dict[LineKey, int] = field(default_factory=lambda: defaultdict(int))

    def add(
        self,
        kind: LineKind,
        version: int,
        quantity: int,
        price: int,
        counterparty: str = "",
        band: str = "",
        covered: int = 0,
        estimated: bool = False,
    ) -> None:
        if quantity == 0:
            return
        key = LineKey(kind, version, counterparty, band, price, estimated)
        self.wh[key] += quantity
        self.covered[key] += covered

    def add_line(self, line: LineItem) -> None:
        """Add a line of another statement (its exact quantities; amounts are recomputed)."""
        key = LineKey(
            line.kind,
            line.tariff_version,
            line.counterparty,
            line.band,
            line.unit_price,
            line.estimated,
        )
        self.wh[key] += line.quantity
        self.covered[key] += line.covered_wh


_CREDITS = {LineKind.TRADE_SALE, LineKind.IMBALANCE_CREDIT, LineKind.EXPORT_CREDIT}


def _interval_readings(
    inputs: SettlementInputs,
) -> tuple[dict[str, dict[int, MeterReading]], set[tuple[str, int]]]:
    """Each meter's readings by instant, the estimated ones included, and which are estimated."""
    by_meter: dict[str, dict[int, MeterReading]] = {m.meter_id: {} for m in inputs.meters}
    for signed in inputs.readings:
        by_meter[signed.reading.meter_id][signed.reading.interval_start] = signed.reading
    if not inputs.estimates:
        return by_meter, set()
    known: dict[str, dict[int, MeterReading]] = {m: dict(r) for m, r in by_meter.items()}
    for signed in inputs.anchors:
        known[signed.reading.meter_id][signed.reading.interval_start] = signed.reading
    estimated: set[tuple[str, int]] = set()
    for estimate in inputs.estimates:
        for at, reading in estimated_readings(estimate, known[estimate.meter_id]).items():
            if at in by_meter[estimate.meter_id]:
                raise InvalidRequest(f"estimate of {estimate.meter_id} covers a known reading")
            by_meter[estimate.meter_id][at] = reading
            estimated.add((estimate.meter_id, at))
    return by_meter, estimated


def settlement_interval(meters: Iterable[Meter]) -> int:
    """The length (seconds) a participant's energy and trades are compared over: its longest
    meter interval (15 minutes without meters). 15, 30 and 60 minutes divide each other, so
    every meter has readings at each such interval's start and end, and a reading is never
    split; the interval's trades are those of the 15-minute market intervals it covers."""
    return max((meter.interval_seconds for meter in meters), default=INTERVAL_SECONDS)


def settle(inputs: SettlementInputs) -> Bill:
    """Settle ``inputs`` (see :func:`select_inputs`). Missing readings make the bill incomplete:
    the intervals they touch are listed and not billed at all (never billed as zero)."""
    participant = inputs.participant
    period = inputs.period
    tariffs = inputs.tariffs
    currencies = {tariff.currency for tariff in tariffs}
    if len(currencies) != 1:
        raise InvalidRequest(f"tariffs in force use several currencies: {sorted(currencies)}")
    by_meter, estimated_at = _interval_readings(inputs)

    steps = {meter.meter_id: meter.interval_seconds for meter in inputs.meters}
    missing: set[tuple[str, int]] = set()
    for meter_id, readings in by_meter.items():
        for instant in range(period.start, period.end + steps[meter_id], steps[meter_id]):
            if instant not in readings:
                missing.add((meter_id, instant))
    block = settlement_interval(inputs.meters)
    flagged = {
        (signed.reading.meter_id, signed.reading.interval_start)
        for signed in inputs.readings
        if signed.reading.estimated
    }

    buys: dict[int, list[Trade]] = defaultdict(list)
    sells: dict[int, list[Trade]] = defaultdict(list)
    for trade in inputs.trades:
        (buys if trade.buyer == participant else sells)[trade.interval_start].append(trade)
    certified: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for certificate in inputs.certificates:
        certified[certificate.trade_id].append((certificate.certificate_id, certificate.wh))

    acc = Accumulator()
    unsettled: list[int] = []
    matched_intervals: list[MatchedEnergy] = []
    claims: dict[str, int] = {}
    for instant in range(period.start, period.end, block):
        closing = instant + block
        quarters = range(instant, closing, INTERVAL_SECONDS)
        if missing and any(
            (m, at) in missing for m in by_meter for at in range(instant, closing + 1, steps[m])
        ):
            unsettled.extend(quarters)
            continue
        estimated = bool(estimated_at) and any(
            (m, at) in estimated_at for m in by_meter for at in (instant, closing)
        )
        if flagged and not estimated:
            # a reading flagged estimated (by the data custodian or head-end) qualifies the
            # energy of the meter interval ending at it
            estimated = any(
                (m, at) in flagged
                for m in by_meter
                for at in range(instant + steps[m], closing + 1, steps[m])
            )
        consumed = exported = 0
        for readings in by_meter.values():
            imported_wh, exported_wh = interval_energy(readings[instant], readings[closing])
            consumed += imported_wh
            exported += exported_wh
        tariff = tariff_on(tariffs, instant)
        version = tariff.version
        band = tariff.band_at(instant)

        bought_trades = sorted(
            (t for at in quarters for t in buys.get(at, [])), key=lambda t: t.trade_id
        )
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
            LineKind.UTILITY_ENERGY,
            version,
            max(consumed - bought, 0),
            band.price,
            band=band.name,
            estimated=estimated,
        )
        acc.add(
            LineKind.IMBALANCE_CREDIT,
            version,
            max(bought - consumed, 0),
            tariff.feed_in_price,
            estimated=estimated,
        )

        sold_trades = [t for at in quarters for t in sells.get(at, [])]
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
            LineKind.UNDER_DELIVERY,
            version,
            max(sold - exported, 0),
            band.price,
            band=band.name,
            estimated=estimated,
        )
        acc.add(
            LineKind.EXPORT_CREDIT,
            version,
            max(exported - sold, 0),
            tariff.feed_in_price,
            estimated=estimated,
        )
        acc.add(
            LineKind.GRID_FEE, version, consumed + exported, tariff.grid_fee, estimated=estimated
        )

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

    lines, subtotal, tax = with_tax(
        [*energy_lines(acc), *_fixed_fee_lines(inputs)],
        {t.version: t.tax_rate_bp for t in tariffs},
    )

    return Bill(
        bill_id=bill_id_for(participant, period.start, period.end),
        participant=participant,
        period_start=period.start,
        period_end=period.end,
        currency=currencies.pop(),
        complete=not missing,
        intervals_total=period.days * INTERVALS_PER_DAY,  # 15-minute market intervals
        intervals_settled=period.days * INTERVALS_PER_DAY - len(unsettled),
        missing_readings=tuple(MissingReading(*item) for item in sorted(missing)),
        unsettled_intervals=tuple(unsettled),
        lines=lines,
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
        estimates=inputs.estimates,
    )


def line_amount(kind: LineKind, quantity: int, price: int) -> int:
    """The amount of ``quantity`` Wh at ``price``: rounded once, negative for credits."""
    value = energy_value(quantity, price)
    return round_half_even(-value if kind in _CREDITS else value)


def energy_lines(acc: Accumulator) -> list[LineItem]:
    return [
        LineItem(
            kind=key.kind,
            tariff_version=key.version,
            quantity=quantity,
            unit=WH,
            unit_price=key.price,
            amount=line_amount(key.kind, quantity, key.price),
            counterparty=key.counterparty,
            band=key.band,
            covered_wh=acc.covered[key],
            estimated=key.estimated,
        )
        for key, quantity in acc.wh.items()
    ]


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


def with_tax(
    lines: list[LineItem], rates: Mapping[int, int]
) -> tuple[tuple[LineItem, ...], int, int]:
    """``lines`` with their tax lines, in bill order, and the subtotal and tax they make."""
    taxed = sorted([*lines, *tax_lines(lines, rates)], key=LineItem.sort_key)
    subtotal = sum(line.amount for line in taxed if line.kind is not LineKind.TAX)
    tax = sum(line.amount for line in taxed if line.kind is LineKind.TAX)
    return tuple(taxed), subtotal, tax


def tax_lines(lines: list[LineItem], rates: Mapping[int, int]) -> list[LineItem]:
    """One tax line per tariff version, on the sum of that version's lines."""
    base: dict[int, int] = defaultdict(int)
    for line in lines:
        base[line.tariff_version] += line.amount
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
