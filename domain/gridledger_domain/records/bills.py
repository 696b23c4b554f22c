"""The bill: line items, totals, certificate matching and the hash of every input used."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from gridledger_domain.canonical import canonical_json
from gridledger_domain.records.codec import QUIET, Instant, Record
from gridledger_domain.records.fields import (
    JsonObject,
    as_object,
    instant,
    instant_value,
    integer,
    items,
    objects,
    text,
    word,
)
from gridledger_domain.refusals import InvalidRequest
from gridledger_domain.timeutil import DEFAULT_METER_INTERVAL_MINUTES, format_utc
from gridledger_domain.units import BASIS_POINTS, divide_half_even
from gridledger_domain.vocabulary import BillStatus, EstimationMethod, LineKind

BILL_FORMAT = "gridledger.bill/1"


LINE_ORDER = {kind: index for index, kind in enumerate(LineKind)}


@dataclass(frozen=True, slots=True)
class LineItem(Record):
    """One line: ``quantity`` in ``unit`` (Wh, day, or minor units for tax) at ``unit_price``
    (scaled price per kWh, minor units per day, or basis points for tax), ``amount`` in minor
    units (positive: the participant pays; negative: a credit). ``estimated``: the energy of the
    line comes from estimated readings. ``corrects``: a true-up line, the difference for that
    earlier day (a UTC midnight) once its actual readings arrived, at that day's prices (its
    ``quantity`` may be negative)."""

    kind: LineKind
    tariff_version: int
    quantity: int
    unit: str
    unit_price: int
    amount: int
    counterparty: str = ""
    band: str = ""
    covered_wh: int = 0
    estimated: bool = field(default=False, metadata=QUIET)
    corrects: Instant = field(default=0, metadata=QUIET)

    def sort_key(self) -> tuple[int, int, int, str, str, int, bool]:
        return (
            self.corrects,
            LINE_ORDER[self.kind],
            self.tariff_version,
            self.counterparty,
            self.band,
            self.unit_price,
            self.estimated,
        )


@dataclass(frozen=True, slots=True)
class Estimate(Record):
    """Readings of ``meter_id`` at ``first..last`` (every ``interval_minutes``, the meter's
    interval length: 15 unless written) that were missing when the day was closed, estimated by
    ``method`` from the known readings at ``opening`` (before the run; equal to ``first`` when
    there was none) and ``closing`` (after it; equal to ``last`` when there was none)."""

    meter_id: str
    first: Instant
    last: Instant
    method: EstimationMethod
    opening: Instant
    closing: Instant
    interval_minutes: int = field(default=DEFAULT_METER_INTERVAL_MINUTES, metadata=QUIET)

    @property
    def step(self) -> int:
        """Seconds between two of its readings (the meter's interval length)."""
        return self.interval_minutes * 60

    @property
    def count(self) -> int:
        """How many readings it stands for."""
        return (self.last - self.first) // self.step + 1

    def covers(self, meter_id: str, at: int) -> bool:
        return meter_id == self.meter_id and self.first <= at <= self.last


@dataclass(frozen=True, slots=True)
class Revision(Record):
    """A revision of a closed day whose true-up lines a bill carries."""

    day: Instant
    revision: int


@dataclass(frozen=True, slots=True)
class MatchedEnergy:
    """Consumption and the part of it matched with renewable certificates, from ``start``."""

    start: int
    consumed_wh: int
    matched_wh: int

    @property
    def share_bp(self) -> int:
        """Matched share in basis points (round half to even); 0 when nothing was consumed."""
        if self.consumed_wh == 0:
            return 0
        return divide_half_even(self.matched_wh * BASIS_POINTS, self.consumed_wh)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "start": format_utc(self.start),
            "consumed_wh": self.consumed_wh,
            "matched_wh": self.matched_wh,
            "share_bp": self.share_bp,
        }

    @classmethod
    def from_json_dict(cls, data: JsonObject) -> MatchedEnergy:
        matched = cls(
            start=instant(data, "start"),
            consumed_wh=integer(data, "consumed_wh"),
            matched_wh=integer(data, "matched_wh"),
        )
        if integer(data, "share_bp") != matched.share_bp:
            raise InvalidRequest(f"share_bp {data['share_bp']} does not match the energy")
        return matched


class MissingReading(NamedTuple):
    """A reading the bill needed and the ledger does not hold: meter, instant (Unix seconds)."""

    meter_id: str
    at: int


class CertificateClaim(NamedTuple):
    """Wh of a certificate retired against the bill."""

    certificate_id: str
    claimed_wh: int


@dataclass(frozen=True, slots=True)
class Bill:
    """A participant's bill for ``[period_start, period_end)`` (Unix seconds, UTC midnights).

    ``to_json()`` is its canonical JSON, the exact bytes the ledger stores; ``from_json_dict``
    reads it back, so anyone can re-encode a fetched bill and compare or hash it."""

    bill_id: str
    participant: str
    period_start: int
    period_end: int
    currency: str
    complete: bool
    intervals_total: int
    intervals_settled: int
    missing_readings: tuple[MissingReading, ...]
    unsettled_intervals: tuple[int, ...]
    lines: tuple[LineItem, ...]
    subtotal: int
    tax: int
    total: int
    tariff_versions: tuple[int, ...]
    matched_total: MatchedEnergy
    matched_intervals: tuple[MatchedEnergy, ...]
    matched_hours: tuple[MatchedEnergy, ...]
    certificates_claimed: tuple[CertificateClaim, ...]
    inputs_hash: str
    estimates: tuple[Estimate, ...] = ()
    revisions: tuple[Revision, ...] = ()

    @property
    def status(self) -> BillStatus:
        return BillStatus.COMPLETE if self.complete else BillStatus.INCOMPLETE

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "format": BILL_FORMAT,
            "bill_id": self.bill_id,
            "participant": self.participant,
            "period_start": format_utc(self.period_start),
            "period_end": format_utc(self.period_end),
            "currency": self.currency,
            "status": self.status.value,
            "intervals_total": self.intervals_total,
            "intervals_settled": self.intervals_settled,
            "missing_readings": [
                {"meter_id": meter_id, "at": format_utc(at)}
                for meter_id, at in self.missing_readings
            ],
            "unsettled_intervals": [format_utc(at) for at in self.unsettled_intervals],
            "lines": [line.to_json_dict() for line in self.lines],
            "subtotal": self.subtotal,
            "tax": self.tax,
            "total": self.total,
            "tariff_versions": list(self.tariff_versions),
            "certificate_matching": {
                "total": self.matched_total.to_json_dict(),
                "intervals": [item.to_json_dict() for item in self.matched_intervals],
                "hours": [item.to_json_dict() for item in self.matched_hours],
            },
            "certificates_claimed": [
                {"certificate_id": cid, "claimed_wh": wh} for cid, wh in self.certificates_claimed
            ],
            "inputs_hash": self.inputs_hash,
            # written only when present: bills issued before estimation re-encode unchanged
            **({"estimates": [e.to_json_dict() for e in self.estimates]} if self.estimates else {}),
            **({"revisions": [r.to_json_dict() for r in self.revisions]} if self.revisions else {}),
        }

    def to_json(self) -> bytes:
        """Canonical JSON: settling the same inputs twice gives these exact bytes (built from
        typed fields only, so the walk refusing floats is skipped)."""
        return canonical_json(self.to_json_dict(), checked=False)

    @classmethod
    def from_json_dict(cls, data: JsonObject) -> Bill:
        if data.get("format") != BILL_FORMAT:
            raise InvalidRequest(f"not a {BILL_FORMAT} bill: format {data.get('format')!r}")
        matching = as_object(data.get("certificate_matching"), "certificate_matching")
        return cls(
            bill_id=text(data, "bill_id"),
            participant=text(data, "participant"),
            period_start=instant(data, "period_start"),
            period_end=instant(data, "period_end"),
            currency=text(data, "currency"),
            complete=word(data, "status", BillStatus, "bill status") is BillStatus.COMPLETE,
            intervals_total=integer(data, "intervals_total"),
            intervals_settled=integer(data, "intervals_settled"),
            missing_readings=tuple(
                MissingReading(text(missing, "meter_id"), instant(missing, "at"))
                for missing in objects(data, "missing_readings")
            ),
            unsettled_intervals=tuple(
                instant_value(at, "unsettled_intervals")
                for at in items(data, "unsettled_intervals")
            ),
            lines=tuple(LineItem.from_json_dict(line) for line in objects(data, "lines")),
            subtotal=integer(data, "subtotal"),
            tax=integer(data, "tax"),
            total=integer(data, "total"),
            tariff_versions=tuple(
                integer({"tariff_versions": version}, "tariff_versions")
                for version in items(data, "tariff_versions")
            ),
            matched_total=MatchedEnergy.from_json_dict(as_object(matching.get("total"), "total")),
            matched_intervals=tuple(
                MatchedEnergy.from_json_dict(item) for item in objects(matching, "intervals")
            ),
            matched_hours=tuple(
                MatchedEnergy.from_json_dict(item) for item in objects(matching, "hours")
            ),
            certificates_claimed=tuple(
                CertificateClaim(text(claim, "certificate_id"), integer(claim, "claimed_wh"))
                for claim in objects(data, "certificates_claimed")
            ),
            inputs_hash=text(data, "inputs_hash"),
            estimates=tuple(Estimate.from_json_dict(item) for item in _optional(data, "estimates")),
            revisions=tuple(Revision.from_json_dict(item) for item in _optional(data, "revisions")),
        )


def _optional(data: JsonObject, name: str) -> list[JsonObject]:
    return objects(data, name) if name in data else []


def bill_id_for(participant: str, period_start: int, period_end: int) -> str:
    return f"{participant}|{format_utc(period_start)}|{format_utc(period_end)}"
