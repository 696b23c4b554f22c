"""What settlement reads, reduced to exactly what a bill uses, and the hash of it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from gridledger_domain import SignedReading, format_utc
from gridledger_domain.canonical import canonical_json, sha256_hex
from gridledger_domain.records import Certificate, Estimate, Meter, Tariff, Trade
from gridledger_domain.refusals import InvalidRequest
from gridledger_domain.vocabulary import EstimationMethod

from gridledger_chaincode.energy.estimation import profile_instants
from gridledger_chaincode.energy.periods import Period
from gridledger_chaincode.energy.tariffs import tariff_on

INPUTS_FORMAT = "gridledger.settlement-inputs/1"


@dataclass(frozen=True, slots=True)
class SettlementInputs:
    """Everything one participant's bill for one period depends on.

    Build it with :func:`select_inputs`, which keeps only what the bill uses, so the ledger can
    pass supersets (all of a meter's readings, all of a participant's trades, all tariffs)."""

    participant: str
    period: Period
    meters: tuple[Meter, ...]
    readings: tuple[SignedReading, ...]
    trades: tuple[Trade, ...]
    tariffs: tuple[Tariff, ...]
    certificates: tuple[Certificate, ...]
    estimates: tuple[Estimate, ...] = ()
    anchors: tuple[SignedReading, ...] = ()
    """Known readings outside the period that ``estimates`` start from, end at or copy."""

    def canonical(self) -> dict[str, Any]:
        estimation = {
            "estimates": [estimate.to_json_dict() for estimate in self.estimates],
            "anchor_readings": [signed.to_json_dict() for signed in self.anchors],
        }
        return {
            **(estimation if self.estimates else {}),
            "format": INPUTS_FORMAT,
            "participant": self.participant,
            "period_start": format_utc(self.period.start),
            "period_end": format_utc(self.period.end),
            "meters": [
                {
                    "meter_id": m.meter_id,
                    "kind": m.kind.value,
                    "source": m.source.value,
                    **(
                        {} if m.interval_minutes == 15 else {"interval_minutes": m.interval_minutes}
                    ),
                }
                for m in self.meters
            ],
            "readings": [signed.to_json_dict() for signed in self.readings],
            "trades": [trade.to_json_dict() for trade in self.trades],
            "tariffs": [tariff.to_json_dict() for tariff in self.tariffs],
            "certificates": [
                {
                    "certificate_id": c.certificate_id,
                    "meter_id": c.meter_id,
                    "interval_start": format_utc(c.interval_start),
                    "source": c.source.value,
                    "wh": c.wh,
                    "trade_id": c.trade_id,
                }
                for c in self.certificates
            ],
        }

    def inputs_hash(self) -> str:
        """SHA-256 (hex) of the canonical JSON of :meth:`canonical` (built from typed records,
        so the check for floats is skipped: the cost of hashing thousands of readings)."""
        return sha256_hex(canonical_json(self.canonical(), checked=False))


def select_inputs(
    participant: str,
    period: Period,
    meters: Iterable[Meter],
    readings: Iterable[SignedReading],
    trades: Iterable[Trade],
    tariffs: Iterable[Tariff],
    certificates: Iterable[Certificate],
    estimates: Iterable[Estimate] = (),
) -> SettlementInputs:
    """Keep the participant's meters, their readings at instants ``start..end`` inclusive, the
    participant's trades in the period, the tariff versions in force on its days, and the
    participant's certificates backing its purchases in the period; sort each canonically.
    Readings outside the period are kept as anchors when an estimate reads them."""
    own_meters = {m.meter_id: m for m in meters if m.owner == participant}
    chosen_readings: dict[tuple[str, int], SignedReading] = {}
    anchors: dict[tuple[str, int], SignedReading] = {}
    wanted = anchor_instants(estimates := tuple(estimates))
    for signed in readings:
        reading = signed.reading
        if reading.meter_id not in own_meters:
            continue
        key = (reading.meter_id, reading.interval_start)
        if not period.start <= reading.interval_start <= period.end:
            if key in wanted:
                anchors[key] = signed
            continue
        known = chosen_readings.get(key)
        if known is not None and known.reading != reading:
            raise InvalidRequest(f"two different readings for {key[0]} at {format_utc(key[1])}")
        if known is None:
            chosen_readings[key] = signed
    chosen_trades: dict[str, Trade] = {}
    for trade in trades:
        if participant not in (trade.buyer, trade.seller) or not period.contains(
            trade.interval_start
        ):
            continue
        if trade.trade_id in chosen_trades and chosen_trades[trade.trade_id] != trade:
            raise InvalidRequest(f"two different trades with id {trade.trade_id}")
        chosen_trades[trade.trade_id] = trade
    all_tariffs = list(tariffs)
    in_force = {
        tariff_on(all_tariffs, day).version: tariff_on(all_tariffs, day)
        for day in period.day_starts()
    }
    purchases = {t.trade_id for t in chosen_trades.values() if t.buyer == participant}
    chosen_certificates = {
        c.certificate_id: c
        for c in certificates
        if c.owner == participant and c.trade_id in purchases
    }
    return SettlementInputs(
        participant=participant,
        period=period,
        meters=tuple(own_meters[key] for key in sorted(own_meters)),
        readings=tuple(chosen_readings[key] for key in sorted(chosen_readings)),
        trades=tuple(chosen_trades[key] for key in sorted(chosen_trades)),
        tariffs=tuple(in_force[key] for key in sorted(in_force)),
        certificates=tuple(chosen_certificates[key] for key in sorted(chosen_certificates)),
        estimates=tuple(sorted(estimates, key=lambda e: (e.meter_id, e.first))),
        anchors=tuple(anchors[key] for key in sorted(anchors)),
    )


def anchor_instants(estimates: Iterable[Estimate]) -> set[tuple[str, int]]:
    """Every (meter, instant) whose reading the estimates read (see ``estimation``)."""
    wanted: set[tuple[str, int]] = set()
    for estimate in estimates:
        wanted.add((estimate.meter_id, estimate.opening))
        wanted.add((estimate.meter_id, estimate.closing))
        if estimate.method is EstimationMethod.PROFILE:
            wanted.update(
                (estimate.meter_id, at)
                for at in profile_instants(estimate.first, estimate.last, estimate.step)
            )
    return wanted
