"""Submitting a batch plan concurrently: at most ``max_in_flight`` transactions at once, each
batch after the batches it depends on, progress reported as each batch settles. Once a batch
finds the ledger unreachable (retries included), the batches not yet sent are skipped with that
error instead of each waiting out its own retries."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from gridledger.energy._async.transactions import submit_transaction
from gridledger.energy.answers import parse_json, read
from gridledger.energy.batching import ReadingBatch
from gridledger.energy.collections import MemberEndorsers
from gridledger.energy.readings import BatchFailure, BatchResult, SubmissionSummary
from gridledger.energy.submitter import (
    FUNCTION,
    DependencyFailed,
    ProgressCallback,
    ProgressCounter,
)
from gridledger.energy.workers import AsyncHandle, AsyncWorkers
from gridledger.gateway import AsyncContract, GatewayError
from gridledger.retry import DEFAULT_RETRY_POLICY, Disposition, RetryPolicy, classify
from gridledger_domain.meter_data import readings_request


async def _submit_one(
    workers: AsyncWorkers,
    contract: AsyncContract,
    batch: ReadingBatch,
    depends_on: Sequence[AsyncHandle[BatchResult]],
    policy: RetryPolicy,
    timeout: float | None,
    outage: list[GatewayError],
    endorsers: MemberEndorsers | None,
) -> BatchResult:
    for dependency in depends_on:
        try:
            await workers.outcome(dependency)
        except GatewayError as error:
            raise DependencyFailed(BatchFailure(batch.index, len(batch), error, True)) from error
        except DependencyFailed as failed:
            skipped = BatchFailure(batch.index, len(batch), failed.failure.error, True)
            raise DependencyFailed(skipped) from failed
    if outage:
        raise DependencyFailed(BatchFailure(batch.index, len(batch), outage[0], True))
    args, transient = readings_request([signed.to_json_dict() for signed in batch.readings])
    try:
        committed = await submit_transaction(
            contract,
            FUNCTION,
            args,
            transient=transient,
            idempotent=True,
            policy=policy,
            timeout=timeout,
            endorsers=endorsers,
        )
    except GatewayError as error:
        if classify(error).disposition is Disposition.UNAVAILABLE:
            outage.append(error)
        raise
    return read(
        lambda data: BatchResult.from_json_dict(data, batch.index, committed.transaction_id),
        parse_json(committed.result),
        "readings summary",
    )


async def submit_batches(
    contract: AsyncContract,
    batches: Sequence[ReadingBatch],
    *,
    max_in_flight: int,
    on_progress: ProgressCallback | None = None,
    policy: RetryPolicy = DEFAULT_RETRY_POLICY,
    timeout: float | None = None,
    endorsers_of: Callable[[ReadingBatch], MemberEndorsers | None] | None = None,
) -> SubmissionSummary:
    """Submit every batch; a batch whose dependency failed is skipped (reported, not sent).
    ``timeout`` bounds each batch's transaction, its retries included; ``endorsers_of`` names
    a batch's endorsing organisations (None: the Gateway's choice)."""
    if max_in_flight < 1:
        raise ValueError("max_in_flight must be at least 1")
    started = time.monotonic()
    counter = ProgressCounter(batches)
    # Batches start in index order and a batch only waits for lower indexes, which have all
    # started by then: no batch waits on one that cannot start.
    workers = AsyncWorkers(max_in_flight)
    outage: list[GatewayError] = []  # the first "ledger unreachable" failure, once there is one
    try:
        handles: list[AsyncHandle[BatchResult]] = []
        batch_of: dict[AsyncHandle[BatchResult], ReadingBatch] = {}
        for batch in batches:
            depends_on = [handles[index] for index in batch.after]
            endorsers = None if endorsers_of is None else endorsers_of(batch)
            handle = workers.start(
                _submit_one,
                workers,
                contract,
                batch,
                depends_on,
                policy,
                timeout,
                outage,
                endorsers,
            )
            handles.append(handle)
            batch_of[handle] = batch
        pending = set(handles)
        while pending:
            done, pending = await workers.wait_first(pending)
            for handle in sorted(done, key=lambda h: batch_of[h].index):
                batch = batch_of[handle]
                try:
                    counter.committed(batch, handle.result())
                except DependencyFailed as failed:
                    counter.failed(batch, failed.failure)
                except GatewayError as error:
                    counter.failed(batch, BatchFailure(batch.index, len(batch), error))
                if on_progress is not None:
                    on_progress(counter.progress())
    finally:
        await workers.join()
    return counter.summary(time.monotonic() - started)
