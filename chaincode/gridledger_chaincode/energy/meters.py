"""Meters: registered by the utility with the device's own public key."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from gridledger_domain import MeterDataError, load_meter_public_key, validate_meter_id
from gridledger_domain.refusals import InvalidRequest
from gridledger_domain.vocabulary import (
    RENEWABLE_SOURCES,
    EnergySource,
    MeterKind,
    MeterStatus,
    parse_word,
)

from gridledger_chaincode.energy.participants import validate_zone


@dataclass(frozen=True, slots=True)
class Meter:
    meter_id: str
    owner: str
    kind: MeterKind
    source: EnergySource
    zone: str
    public_key_pem: str
    status: MeterStatus = MeterStatus.ACTIVE

    def __post_init__(self) -> None:
        try:
            validate_meter_id(self.meter_id)
            load_meter_public_key(self.public_key_pem)
        except MeterDataError as exc:
            raise InvalidRequest(str(exc)) from exc
        if not isinstance(self.owner, str) or not self.owner:
            raise InvalidRequest("meter owner must be a participant id")
        validate_zone(self.zone)
        if self.kind is MeterKind.CONSUMPTION and self.source is not EnergySource.GRID:
            raise InvalidRequest("a consumption meter's source must be 'grid'")

    @property
    def active(self) -> bool:
        return self.status is MeterStatus.ACTIVE

    @property
    def renewable(self) -> bool:
        return self.kind is not MeterKind.CONSUMPTION and self.source in RENEWABLE_SOURCES

    def deactivated(self) -> Meter:
        return replace(self, status=MeterStatus.INACTIVE)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "meter_id": self.meter_id,
            "owner": self.owner,
            "kind": self.kind.value,
            "source": self.source.value,
            "zone": self.zone,
            "public_key_pem": self.public_key_pem,
            "status": self.status.value,
        }

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> Meter:
        return cls(
            meter_id=data["meter_id"],
            owner=data["owner"],
            kind=parse_word(MeterKind, data["kind"], "meter kind"),
            source=parse_word(EnergySource, data["source"], "energy source"),
            zone=data["zone"],
            public_key_pem=data["public_key_pem"],
            status=parse_word(MeterStatus, data["status"], "meter status"),
        )
