"""Meters as the ledger records them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gridledger.energy.json_fields import as_object, text
from gridledger_domain.vocabulary import EnergySource, MeterKind, MeterStatus


@dataclass(frozen=True, slots=True)
class Meter:
    meter_id: str
    owner: str
    kind: MeterKind
    source: EnergySource
    zone: str
    public_key_pem: str
    status: MeterStatus

    @property
    def active(self) -> bool:
        return self.status is MeterStatus.ACTIVE

    @classmethod
    def from_json(cls, value: Any) -> Meter:
        data = as_object(value, "meter")
        return cls(
            meter_id=text(data, "meter_id"),
            owner=text(data, "owner"),
            kind=MeterKind(text(data, "kind")),
            source=EnergySource(text(data, "source")),
            zone=text(data, "zone"),
            public_key_pem=text(data, "public_key_pem"),
            status=MeterStatus(text(data, "status")),
        )
