"""A renewable production certificate: issued per meter and interval from metered exports,
transferred to buyers with the trades it backs, retired against a bill."""

from __future__ import annotations

from dataclasses import dataclass, field

from gridledger_domain.records.codec import QUIET, Instant, Record
from gridledger_domain.refusals import InvalidRequest
from gridledger_domain.timeutil import (
    DEFAULT_METER_INTERVAL_MINUTES,
    INTERVAL_SECONDS,
    meter_interval_problem,
)
from gridledger_domain.vocabulary import CertificateStatus, EnergySource


@dataclass(frozen=True, slots=True)
class Certificate(Record):
    """``wh`` of renewable energy from ``meter_id`` in the interval ``interval_start``.

    A producer's certificate is issued ``active``; shares of it become buyers' certificates
    (``trade_id`` and ``parent_id`` set) and it is ``transferred`` once nothing is left. A buyer's
    certificate is ``retired`` against the bill that claims it (``claimed_wh`` of it)."""

    certificate_id: str
    meter_id: str
    interval_start: Instant
    source: EnergySource
    wh: int
    owner: str
    status: CertificateStatus = CertificateStatus.ACTIVE
    transferred_wh: int = 0
    trade_id: str = ""
    parent_id: str = ""
    bill_id: str = ""
    claimed_wh: int = 0
    interval_minutes: int = field(default=DEFAULT_METER_INTERVAL_MINUTES, metadata=QUIET)
    """The length of the meter interval it certifies (written only when not 15)."""

    def __post_init__(self) -> None:
        problem = meter_interval_problem(self.interval_minutes)
        if problem is not None:
            raise InvalidRequest(f"certificate {self.certificate_id}: {problem}")
        if type(self.wh) is not int or self.wh <= 0:
            raise InvalidRequest("a certificate covers a positive number of Wh")
        if not 0 <= self.transferred_wh <= self.wh or not 0 <= self.claimed_wh <= self.wh:
            raise InvalidRequest("certificate shares out of range")

    @property
    def interval_end(self) -> int:
        return self.interval_start + self.interval_minutes * 60

    def covers(self, instant: int) -> bool:
        """Whether the 15-minute market interval starting at ``instant`` lies in its interval."""
        return self.interval_start <= instant and instant + INTERVAL_SECONDS <= self.interval_end

    @property
    def available_wh(self) -> int:
        return self.wh - self.transferred_wh if self.status is CertificateStatus.ACTIVE else 0
