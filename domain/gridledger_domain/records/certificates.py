"""A renewable production certificate: issued per meter and interval from metered exports,
transferred to buyers with the trades it backs, retired against a bill."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gridledger_domain.records.fields import JsonObject, instant, integer, text, word
from gridledger_domain.refusals import InvalidRequest
from gridledger_domain.timeutil import format_utc
from gridledger_domain.vocabulary import CertificateStatus, EnergySource


@dataclass(frozen=True, slots=True)
class Certificate:
    """``wh`` of renewable energy from ``meter_id`` in the interval ``interval_start``.

    A producer's certificate is issued ``active``; shares of it become buyers' certificates
    (``trade_id`` and ``parent_id`` set) and it is ``transferred`` once nothing is left. A buyer's
    certificate is ``retired`` against the bill that claims it (``claimed_wh`` of it)."""

    certificate_id: str
    meter_id: str
    interval_start: int
    source: EnergySource
    wh: int
    owner: str
    status: CertificateStatus = CertificateStatus.ACTIVE
    transferred_wh: int = 0
    trade_id: str = ""
    parent_id: str = ""
    bill_id: str = ""
    claimed_wh: int = 0

    def __post_init__(self) -> None:
        if type(self.wh) is not int or self.wh <= 0:
            raise InvalidRequest("a certificate covers a positive number of Wh")
        if not 0 <= self.transferred_wh <= self.wh or not 0 <= self.claimed_wh <= self.wh:
            raise InvalidRequest("certificate shares out of range")

    @property
    def available_wh(self) -> int:
        return self.wh - self.transferred_wh if self.status is CertificateStatus.ACTIVE else 0

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "certificate_id": self.certificate_id,
            "meter_id": self.meter_id,
            "interval_start": format_utc(self.interval_start),
            "source": self.source.value,
            "wh": self.wh,
            "owner": self.owner,
            "status": self.status.value,
            "transferred_wh": self.transferred_wh,
            "trade_id": self.trade_id,
            "parent_id": self.parent_id,
            "bill_id": self.bill_id,
            "claimed_wh": self.claimed_wh,
        }

    @classmethod
    def from_json_dict(cls, data: JsonObject) -> Certificate:
        return cls(
            certificate_id=text(data, "certificate_id"),
            meter_id=text(data, "meter_id"),
            interval_start=instant(data, "interval_start"),
            source=word(data, "source", EnergySource, "energy source"),
            wh=integer(data, "wh"),
            owner=text(data, "owner"),
            status=word(data, "status", CertificateStatus, "certificate status"),
            transferred_wh=integer(data, "transferred_wh"),
            trade_id=text(data, "trade_id"),
            parent_id=text(data, "parent_id"),
            bill_id=text(data, "bill_id"),
            claimed_wh=integer(data, "claimed_wh"),
        )
