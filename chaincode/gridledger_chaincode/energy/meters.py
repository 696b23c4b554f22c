"""Meters: registered by the utility with the device's own public key."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, TypeVar

from gridledger_domain import MeterDataError, load_meter_public_key, validate_meter_id

from gridledger_chaincode.energy.errors import ValidationError
from gridledger_chaincode.energy.participants import validate_zone


class MeterKind(StrEnum):
    PRODUCTION = "production"
    CONSUMPTION = "consumption"
    BIDIRECTIONAL = "bidirectional"


class EnergySource(StrEnum):
    SOLAR = "solar"
    WIND = "wind"
    HYDRO = "hydro"
    BIOMASS = "biomass"
    GEOTHERMAL = "geothermal"
    GAS = "gas"
    COAL = "coal"
    NUCLEAR = "nuclear"
    GRID = "grid"


RENEWABLE_SOURCES = frozenset(
    {
        EnergySource.SOLAR,
        EnergySource.WIND,
        EnergySource.HYDRO,
        EnergySource.BIOMASS,
        EnergySource.GEOTHERMAL,
    }
)


class MeterStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


_E = TypeVar("_E", bound=StrEnum)


def _enum(kind: type[_E], value: object, what: str) -> _E:
    try:
        return kind(str(value))
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise ValidationError(f"unknown {what} {value!r} (one of: {allowed})") from None


def parse_kind(value: object) -> MeterKind:
    return _enum(MeterKind, value, "meter kind")


def parse_source(value: object) -> EnergySource:
    return _enum(EnergySource, value, "energy source")


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
            raise ValidationError(str(exc)) from exc
        if not isinstance(self.owner, str) or not self.owner:
            raise ValidationError("meter owner must be a participant id")
        validate_zone(self.zone)
        if self.kind is MeterKind.CONSUMPTION and self.source is not EnergySource.GRID:
            raise ValidationError("a consumption meter's source must be 'grid'")

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
            kind=parse_kind(data["kind"]),
            source=parse_source(data["source"]),
            zone=data["zone"],
            public_key_pem=data["public_key_pem"],
            status=_enum(MeterStatus, data["status"], "meter status"),
        )
