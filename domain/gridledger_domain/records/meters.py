"""A meter: registered by the utility with the device's own public key."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from gridledger_domain.errors import MeterDataError
from gridledger_domain.identifiers import validate_zone
from gridledger_domain.keys import load_meter_public_key
from gridledger_domain.reading import validate_meter_id
from gridledger_domain.records.codec import QUIET, Record
from gridledger_domain.records.custodians import validate_custodian_ids
from gridledger_domain.refusals import InvalidRequest
from gridledger_domain.timeutil import DEFAULT_METER_INTERVAL_MINUTES, meter_interval_problem
from gridledger_domain.vocabulary import RENEWABLE_SOURCES, EnergySource, MeterKind, MeterStatus


@dataclass(frozen=True, slots=True)
class Meter(Record):
    meter_id: str
    owner: str
    kind: MeterKind
    source: EnergySource
    zone: str
    public_key_pem: str
    status: MeterStatus = MeterStatus.ACTIVE
    interval_minutes: int = field(default=DEFAULT_METER_INTERVAL_MINUTES, metadata=QUIET)
    """The meter's interval length (15, 30 or 60): its readings are at multiples of it. Written
    only when not 15, so meters registered before the field existed keep their exact bytes."""
    custodians: tuple[str, ...] = field(default=(), metadata=QUIET)
    """The data custodians allowed to sign this meter's readings besides the meter itself
    (ids of registered ``DataCustodian`` records); written only when not empty."""

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
        problem = meter_interval_problem(self.interval_minutes)
        if problem is not None:
            raise InvalidRequest(f"meter {self.meter_id}: {problem}")
        validate_custodian_ids(self.custodians, f"meter {self.meter_id}")

    @property
    def interval_seconds(self) -> int:
        return self.interval_minutes * 60

    def on_grid(self, instant: int) -> bool:
        """Whether a reading at ``instant`` is on the meter's interval grid."""
        return instant % self.interval_seconds == 0

    @property
    def active(self) -> bool:
        return self.status is MeterStatus.ACTIVE

    @property
    def renewable(self) -> bool:
        return self.kind is not MeterKind.CONSUMPTION and self.source in RENEWABLE_SOURCES

    def deactivated(self) -> Meter:
        return replace(self, status=MeterStatus.INACTIVE)

    def with_custodians(self, custodians: tuple[str, ...]) -> Meter:
        return replace(self, custodians=custodians)

    def vouched_by(self, custodian_id: str) -> bool:
        """Whether the data custodian ``custodian_id`` may sign this meter's readings."""
        return custodian_id in self.custodians
