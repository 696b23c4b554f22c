"""Bills: itemised lines, totals, certificate matching, the inputs hash; and their verification.

A :class:`Bill` keeps the canonical JSON text the ledger stored (``canonical``), so anyone can
hash or compare the exact bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gridledger.energy.json_fields import (
    as_list,
    as_object,
    as_objects,
    flag,
    instant,
    instant_value,
    integer,
    integer_value,
    parse_json,
    text,
)
from gridledger_domain.vocabulary import BillStatus, LineKind


@dataclass(frozen=True, slots=True)
class LineItem:
    """``quantity`` in ``unit`` (``Wh``, ``day``, or ``minor`` for tax) at ``unit_price``
    (scaled price per kWh, minor units per day, or basis points); ``amount`` in minor units,
    positive when the participant pays, negative for a credit."""

    kind: LineKind
    tariff_version: int
    quantity: int
    unit: str
    unit_price: int
    amount: int
    counterparty: str
    band: str
    covered_wh: int

    @classmethod
    def from_json(cls, value: Any) -> LineItem:
        data = as_object(value, "line")
        return cls(
            kind=LineKind(text(data, "kind")),
            tariff_version=integer(data, "tariff_version"),
            quantity=integer(data, "quantity"),
            unit=text(data, "unit"),
            unit_price=integer(data, "unit_price"),
            amount=integer(data, "amount"),
            counterparty=text(data, "counterparty"),
            band=text(data, "band"),
            covered_wh=integer(data, "covered_wh"),
        )


@dataclass(frozen=True, slots=True)
class MatchedEnergy:
    """Consumption from ``start`` (total, interval or hour) and the part of it matched with
    renewable certificates; ``share_bp`` in basis points."""

    start: datetime
    consumed_wh: int
    matched_wh: int
    share_bp: int

    @classmethod
    def from_json(cls, value: Any) -> MatchedEnergy:
        data = as_object(value, "matched energy")
        return cls(
            start=instant(data, "start"),
            consumed_wh=integer(data, "consumed_wh"),
            matched_wh=integer(data, "matched_wh"),
            share_bp=integer(data, "share_bp"),
        )


@dataclass(frozen=True, slots=True)
class CertificateMatching:
    total: MatchedEnergy
    intervals: tuple[MatchedEnergy, ...]
    hours: tuple[MatchedEnergy, ...]


@dataclass(frozen=True, slots=True)
class MissingReading:
    meter_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CertificateClaim:
    certificate_id: str
    claimed_wh: int


@dataclass(frozen=True, slots=True)
class Bill:
    bill_id: str
    participant: str
    period_start: datetime
    period_end: datetime
    currency: str
    status: BillStatus
    intervals_total: int
    intervals_settled: int
    missing_readings: tuple[MissingReading, ...]
    unsettled_intervals: tuple[datetime, ...]
    lines: tuple[LineItem, ...]
    subtotal: int
    tax: int
    total: int
    tariff_versions: tuple[int, ...]
    matching: CertificateMatching
    certificates_claimed: tuple[CertificateClaim, ...]
    inputs_hash: str
    canonical: str
    """The bill exactly as the contract returned it (canonical JSON)."""

    @property
    def complete(self) -> bool:
        return self.status is BillStatus.COMPLETE

    @classmethod
    def from_canonical(cls, raw: bytes | str) -> Bill:
        canonical = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        data = as_object(parse_json(canonical), "bill")
        matching = as_object(data.get("certificate_matching"), "certificate_matching")
        return cls(
            bill_id=text(data, "bill_id"),
            participant=text(data, "participant"),
            period_start=instant(data, "period_start"),
            period_end=instant(data, "period_end"),
            currency=text(data, "currency"),
            status=BillStatus(text(data, "status")),
            intervals_total=integer(data, "intervals_total"),
            intervals_settled=integer(data, "intervals_settled"),
            missing_readings=tuple(
                MissingReading(text(m, "meter_id"), instant(m, "at"))
                for m in as_objects(data.get("missing_readings"), "missing_readings")
            ),
            unsettled_intervals=tuple(
                instant_value(at, "unsettled_intervals")
                for at in as_list(data.get("unsettled_intervals"), "unsettled_intervals")
            ),
            lines=tuple(LineItem.from_json(line) for line in as_list(data.get("lines"), "lines")),
            subtotal=integer(data, "subtotal"),
            tax=integer(data, "tax"),
            total=integer(data, "total"),
            tariff_versions=tuple(
                integer_value(v, "tariff_versions")
                for v in as_list(data.get("tariff_versions"), "tariff_versions")
            ),
            matching=CertificateMatching(
                total=MatchedEnergy.from_json(matching.get("total")),
                intervals=tuple(
                    MatchedEnergy.from_json(m)
                    for m in as_list(matching.get("intervals"), "intervals")
                ),
                hours=tuple(
                    MatchedEnergy.from_json(m) for m in as_list(matching.get("hours"), "hours")
                ),
            ),
            certificates_claimed=tuple(
                CertificateClaim(text(c, "certificate_id"), integer(c, "claimed_wh"))
                for c in as_objects(data.get("certificates_claimed"), "certificates_claimed")
            ),
            inputs_hash=text(data, "inputs_hash"),
            canonical=canonical,
        )


@dataclass(frozen=True, slots=True)
class BillVerification:
    """``VerifyBill``: the stored bill against a fresh recomputation from the ledger."""

    bill_id: str
    matches: bool
    stored_inputs_hash: str
    recomputed_inputs_hash: str
    stored_total: int
    recomputed_total: int

    @classmethod
    def from_json(cls, value: Any) -> BillVerification:
        data = as_object(value, "verification")
        return cls(
            bill_id=text(data, "bill_id"),
            matches=flag(data, "matches"),
            stored_inputs_hash=text(data, "stored_inputs_hash"),
            recomputed_inputs_hash=text(data, "recomputed_inputs_hash"),
            stored_total=integer(data, "stored_total"),
            recomputed_total=integer(data, "recomputed_total"),
        )
