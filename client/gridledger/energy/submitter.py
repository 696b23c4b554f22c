"""Submitting a batch plan concurrently: what ``_async.submitter`` and the ``_sync`` one
generated from it share (the failure that skips dependents, and the progress count)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from gridledger.energy.batching import ReadingBatch
from gridledger.energy.readings import BatchFailure, BatchResult, Progress, SubmissionSummary
from gridledger.errors import GridLedgerError
from gridledger.outbox import TransactionRequest
from gridledger_domain.meter_data import readings_request

ProgressCallback = Callable[[Progress], None]
FUNCTION = "SubmitReadings"


def readings_outbox_request(
    channel: str, chaincode: str, readings_json: str, contract: str = "energy"
) -> TransactionRequest:
    """An outbox request submitting the readings ``readings_json`` (a JSON array in transport
    form) as ``SubmitReadings`` does: in the transient data, their count and SHA-256 as the
    arguments (docs/private-data.md)."""
    args, transient = readings_request(json.loads(readings_json))
    return TransactionRequest.of(
        channel, chaincode, FUNCTION, args, contract=contract, transient=transient
    )


class DependencyFailed(GridLedgerError):
    """A batch was not sent because a batch it depends on failed."""

    def __init__(self, failure: BatchFailure) -> None:
        super().__init__(str(failure.error))
        self.failure = failure


class ProgressCounter:
    """What has settled so far, for ``Progress`` reports and the final summary."""

    def __init__(self, batches: Sequence[ReadingBatch]) -> None:
        self._batches = len(batches)
        self._readings = sum(len(batch) for batch in batches)
        self._readings_done = 0
        self._results: list[BatchResult] = []
        self._failures: list[BatchFailure] = []

    def committed(self, batch: ReadingBatch, result: BatchResult) -> None:
        self._readings_done += len(batch)
        self._results.append(result)

    def failed(self, batch: ReadingBatch, failure: BatchFailure) -> None:
        self._readings_done += len(batch)
        self._failures.append(failure)

    def progress(self) -> Progress:
        return Progress(
            batches_done=len(self._results) + len(self._failures),
            batches_total=self._batches,
            readings_done=self._readings_done,
            readings_total=self._readings,
            stored=sum(r.stored for r in self._results),
            duplicates=sum(r.duplicates for r in self._results),
            failed_batches=len(self._failures),
        )

    def summary(self, seconds: float) -> SubmissionSummary:
        return SubmissionSummary(
            readings=self._readings,
            batches=tuple(sorted(self._results, key=lambda r: r.index)),
            failures=tuple(sorted(self._failures, key=lambda f: f.index)),
            seconds=seconds,
        )
