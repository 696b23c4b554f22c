"""What bulk reading submission reports: progress while it runs, a summary when it is done."""

from __future__ import annotations

from dataclasses import dataclass, field

from gridledger.energy.errors import EnergyError
from gridledger.gateway.errors import GatewayError
from gridledger_domain.records.fields import JsonObject, integer


@dataclass(frozen=True, slots=True)
class BatchResult:
    """One committed ``SubmitReadings`` transaction."""

    index: int
    transaction_id: str
    submitted: int
    stored: int
    duplicates: int
    certificates_issued: int

    @classmethod
    def from_json_dict(cls, data: JsonObject, index: int, transaction_id: str) -> BatchResult:
        return cls(
            index=index,
            transaction_id=transaction_id,
            submitted=integer(data, "submitted"),
            stored=integer(data, "stored"),
            duplicates=integer(data, "duplicates"),
            certificates_issued=integer(data, "certificates_issued"),
        )


@dataclass(frozen=True, slots=True)
class BatchFailure:
    """A batch that did not commit: refused by the contract (``EnergyError``), failed on the
    network, or skipped because a batch it depends on failed (``error`` is then that one's)."""

    index: int
    readings: int
    error: GatewayError
    skipped: bool = False

    @property
    def refused(self) -> bool:
        return isinstance(self.error, EnergyError)


@dataclass(frozen=True, slots=True)
class Progress:
    """Reported after each batch settles (committed or failed)."""

    batches_done: int
    batches_total: int
    readings_done: int
    readings_total: int
    stored: int
    duplicates: int
    failed_batches: int


@dataclass(frozen=True, slots=True)
class SubmissionSummary:
    readings: int
    batches: tuple[BatchResult, ...]
    failures: tuple[BatchFailure, ...] = field(default=())
    seconds: float = 0.0

    @property
    def stored(self) -> int:
        return sum(batch.stored for batch in self.batches)

    @property
    def duplicates(self) -> int:
        return sum(batch.duplicates for batch in self.batches)

    @property
    def certificates_issued(self) -> int:
        return sum(batch.certificates_issued for batch in self.batches)

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def readings_per_second(self) -> float:
        done = sum(batch.submitted for batch in self.batches)
        return done / self.seconds if self.seconds > 0 else 0.0


class ReadingSubmissionError(GatewayError):
    """Some batches did not commit; ``summary`` says which committed and which failed."""

    step = "submit readings"

    def __init__(self, summary: SubmissionSummary) -> None:
        first = summary.failures[0].error
        failed = sum(f.readings for f in summary.failures)
        super().__init__(
            f"{len(summary.failures)} of {len(summary.batches) + len(summary.failures)} batches "
            f"({failed} readings) not committed; first failure: {first}",
            transaction_id=first.transaction_id,
            grpc_code=first.grpc_code,
            details=first.details,
        )
        self.summary = summary
