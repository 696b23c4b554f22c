"""Renewable production certificates as the ledger records them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gridledger.energy.json_fields import as_object, instant, integer, text
from gridledger_domain.vocabulary import CertificateStatus, EnergySource


@dataclass(frozen=True, slots=True)
class Certificate:
    """``wh`` of renewable energy from ``meter_id`` in one interval. A producer's certificate
    has no ``trade_id``; a buyer's share names the trade it backs and its ``parent_id``; a
    retired one names the bill that claimed ``claimed_wh`` of it."""

    certificate_id: str
    meter_id: str
    interval_start: datetime
    source: EnergySource
    wh: int
    owner: str
    status: CertificateStatus
    transferred_wh: int
    trade_id: str
    parent_id: str
    bill_id: str
    claimed_wh: int

    @classmethod
    def from_json(cls, value: Any) -> Certificate:
        data = as_object(value, "certificate")
        return cls(
            certificate_id=text(data, "certificate_id"),
            meter_id=text(data, "meter_id"),
            interval_start=instant(data, "interval_start"),
            source=EnergySource(text(data, "source")),
            wh=integer(data, "wh"),
            owner=text(data, "owner"),
            status=CertificateStatus(text(data, "status")),
            transferred_wh=integer(data, "transferred_wh"),
            trade_id=text(data, "trade_id"),
            parent_id=text(data, "parent_id"),
            bill_id=text(data, "bill_id"),
            claimed_wh=integer(data, "claimed_wh"),
        )
