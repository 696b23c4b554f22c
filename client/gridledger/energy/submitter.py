"""Submitting a batch plan concurrently: at most ``max_in_flight`` transactions at once, each
batch after the batches it depends on, progress reported from the caller's thread."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from gridledger.energy.answers import parse_json, read
from gridledger.energy.batching import ReadingBatch
from gridledger.energy.readings import BatchFailure, BatchResult, Progress, SubmissionSummary
from gridledger.energy.transactions import submit_transaction
from gridledger.gateway.contract import Contract
from gridledger.gateway.errors import GatewayError
from gridledger.retry import DEFAULT_RETRY_POLICY, RetryPolicy

ProgressCallback = Callable[[Progress], None]
FUNCTION = "SubmitReadings"


class _DependencyFailed(Exception):
    def __init__(self, failure: BatchFailure) -> None:
        super().__init__(str(failure.error))
        self.failure = failure


def _submit_one(
    contract: Contract,
    batch: ReadingBatch,
    depends_on: Sequence[Future[BatchResult]],
    policy: RetryPolicy,
) -> BatchResult:
    for dependency in depends_on:
        try:
            dependency.result()
        except GatewayError as error:
            raise _DependencyFailed(BatchFailure(batch.index, len(batch), error, True)) from error
        except _DependencyFailed as failed:
            skipped = BatchFailure(batch.index, len(batch), failed.failure.error, True)
            raise _DependencyFailed(skipped) from failed
    payload = json.dumps([signed.to_json_dict() for signed in batch.readings])
    committed = submit_transaction(contract, FUNCTION, [payload], idempotent=True, policy=policy)
    return read(
        lambda data: BatchResult.from_json_dict(data, batch.index, committed.transaction_id),
        parse_json(committed.result),
        "readings summary",
    )


def submit_batches(
    contract: Contract,
    batches: Sequence[ReadingBatch],
    *,
    max_in_flight: int,
    on_progress: ProgressCallback | None = None,
    policy: RetryPolicy = DEFAULT_RETRY_POLICY,
) -> SubmissionSummary:
    """Submit every batch; a batch whose dependency failed is skipped (reported, not sent)."""
    if max_in_flight < 1:
        raise ValueError("max_in_flight must be at least 1")
    started = time.monotonic()
    total_readings = sum(len(batch) for batch in batches)
    results: list[BatchResult] = []
    failures: list[BatchFailure] = []
    readings_done = 0
    # Workers take batches in index order and a batch only waits for lower indexes, which
    # have all been taken by then: no worker waits on a batch that cannot start.
    with ThreadPoolExecutor(max_workers=max_in_flight, thread_name_prefix="readings") as pool:
        futures: list[Future[BatchResult]] = []
        batch_of: dict[Future[BatchResult], ReadingBatch] = {}
        for batch in batches:
            depends_on = [futures[index] for index in batch.after]
            future = pool.submit(_submit_one, contract, batch, depends_on, policy)
            futures.append(future)
            batch_of[future] = batch
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: batch_of[f].index):
                batch = batch_of[future]
                readings_done += len(batch)
                try:
                    results.append(future.result())
                except _DependencyFailed as failed:
                    failures.append(failed.failure)
                except GatewayError as error:
                    failures.append(BatchFailure(batch.index, len(batch), error))
                if on_progress is not None:
                    on_progress(
                        Progress(
                            batches_done=len(results) + len(failures),
                            batches_total=len(batches),
                            readings_done=readings_done,
                            readings_total=total_readings,
                            stored=sum(r.stored for r in results),
                            duplicates=sum(r.duplicates for r in results),
                            failed_batches=len(failures),
                        )
                    )
    return SubmissionSummary(
        readings=total_readings,
        batches=tuple(sorted(results, key=lambda r: r.index)),
        failures=tuple(sorted(failures, key=lambda f: f.index)),
        seconds=time.monotonic() - started,
    )
