"""Renewable production certificates: issued per meter and interval from metered exports,
transferred to buyers with the trades they back, retired against a bill."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from gridledger_domain import MeterReading, interval_energy
from gridledger_domain.records import Certificate, Meter, Trade
from gridledger_domain.refusals import Conflict, InvalidRequest
from gridledger_domain.vocabulary import CertificateStatus


def issue_certificate(
    meter: Meter, opening: MeterReading, closing: MeterReading
) -> Certificate | None:
    """The certificate for the meter interval that ``opening`` starts and ``closing`` ends (one
    per interval of the meter's own length), if the meter is renewable and exported energy in
    it; ``None`` otherwise."""
    if closing.interval_start - opening.interval_start != meter.interval_seconds:
        raise InvalidRequest(
            f"a certificate of {meter.meter_id} covers exactly one "
            f"{meter.interval_minutes}-minute interval"
        )
    if not meter.renewable:
        return None
    _, exported = interval_energy(opening, closing)
    if exported <= 0:
        return None
    return Certificate(
        certificate_id=f"{meter.meter_id}:{opening.interval_start}",
        meter_id=meter.meter_id,
        interval_start=opening.interval_start,
        source=meter.source,
        wh=exported,
        owner=meter.owner,
        interval_minutes=meter.interval_minutes,
    )


def transfer_to_trades(
    certificate: Certificate, trades: Iterable[Trade], backed_wh: Mapping[str, int]
) -> tuple[Certificate, list[Certificate]]:
    """Give the certificate's available Wh to the seller's trades of the 15-minute market
    intervals its interval covers, in trade id order, each up to its quantity minus what already
    backs it (``backed_wh[trade_id]``). A buyer's share keeps the certificate's interval.

    Returns the updated producer certificate and the buyers' new certificates."""
    remaining = certificate.available_wh
    children: list[Certificate] = []
    for trade in sorted(trades, key=lambda t: t.trade_id):
        if remaining == 0:
            break
        if trade.seller != certificate.owner or not certificate.covers(trade.interval_start):
            continue
        need = trade.quantity_wh - backed_wh.get(trade.trade_id, 0)
        share = min(need, remaining)
        if share <= 0:
            continue
        remaining -= share
        children.append(
            Certificate(
                certificate_id=f"{certificate.certificate_id}/{trade.trade_id}",
                meter_id=certificate.meter_id,
                interval_start=certificate.interval_start,
                source=certificate.source,
                wh=share,
                owner=trade.buyer,
                trade_id=trade.trade_id,
                parent_id=certificate.certificate_id,
                interval_minutes=certificate.interval_minutes,
            )
        )
    active = certificate.status is CertificateStatus.ACTIVE
    transferred = certificate.wh - remaining if active else certificate.transferred_wh
    status = CertificateStatus.TRANSFERRED if remaining == 0 else certificate.status
    updated = replace(certificate, transferred_wh=transferred, status=status)
    return updated, children


def retire(certificate: Certificate, bill_id: str, claimed_wh: int) -> Certificate:
    if certificate.status is not CertificateStatus.ACTIVE:
        raise Conflict(f"certificate {certificate.certificate_id} is {certificate.status.value}")
    return replace(
        certificate, status=CertificateStatus.RETIRED, bill_id=bill_id, claimed_wh=claimed_wh
    )
