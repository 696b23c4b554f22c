"""Submitting signed readings through the durable outbox (``gridledger.outbox``), batch by batch.

The batches are those of ``EnergyClient.submit_readings`` (``plan_batches``: a meter's readings
in time order, whole meters packed together, at most ``batch_size`` per transaction). Batches
that share a meter would conflict if they ran together, so they are sent in waves: a wave holds
the batches whose earlier batches have all committed. Each batch is an outbox item keyed by a
hash of its content, so an interrupted import resumes from the outbox and a repeated one finds
its items already committed; ``SubmitReadings`` is idempotent on the ledger in any case.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from gridledger.energy import DEFAULT_BATCH_SIZE, Progress, SignedReading
from gridledger.energy.batching import ReadingBatch, plan_batches
from gridledger.energy.submitter import readings_outbox_request
from gridledger.outbox import ItemState, Outbox, OutboxDrainer, OutboxItem
from gridledger_domain import format_utc

FUNCTION = "SubmitReadings"


@dataclass(slots=True)
class OutboxSummary:
    """What an import's batches did: readings stored, already on the ledger (duplicates),
    committed without a known answer (found by looking an in-doubt transaction up), and the
    batches given up or still pending, with their reasons."""

    readings: int
    batches: int
    stored: int = 0
    duplicates: int = 0
    unknown: int = 0
    earlier: int = 0
    """Readings of batches this outbox had already committed (the same file imported before)."""
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def waves(batches: Sequence[ReadingBatch]) -> list[list[ReadingBatch]]:
    """``batches`` grouped so that each batch comes after every batch it depends on."""
    depth: dict[int, int] = {}
    for batch in batches:
        depth[batch.index] = 1 + max((depth[a] for a in batch.after), default=-1)
    grouped: list[list[ReadingBatch]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for batch in batches:
        grouped[depth[batch.index]].append(batch)
    return grouped


def _key(payload: str) -> str:
    return "greenbutton/" + hashlib.sha256(payload.encode()).hexdigest()[:40]


def submit_through_outbox(
    readings: Sequence[SignedReading],
    outbox: Outbox,
    drainer: OutboxDrainer,
    *,
    channel: str,
    chaincode: str,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_progress: Callable[[Progress], None] | None = None,
    timeout: float | None = None,
) -> OutboxSummary:
    """Enqueue and drain ``readings`` wave by wave; ``timeout`` bounds each wave's drain."""
    batches = plan_batches(readings, batch_size)
    summary = OutboxSummary(readings=len(readings), batches=len(batches))
    done = batches_done = 0
    for wave in waves(batches):
        entries = []
        for batch in wave:
            payload = json.dumps([signed.to_json_dict() for signed in batch.readings])
            request = readings_outbox_request(channel, chaincode, payload)
            entries.append((_key(payload), request))
        items = outbox.enqueue_many(entries)
        drainer.wake()
        drainer.drain(timeout)
        for batch, item in zip(wave, items, strict=True):
            if item.state is ItemState.COMMITTED:
                summary.earlier += len(batch)
            else:
                _account(summary, batch, outbox.get(item.id))
            done += len(batch)
        batches_done += len(wave)
        if on_progress is not None:
            on_progress(
                Progress(
                    batches_done=batches_done,
                    batches_total=len(batches),
                    readings_done=done,
                    readings_total=len(readings),
                    stored=summary.stored,
                    duplicates=summary.duplicates,
                    failed_batches=len(summary.failures),
                )
            )
        if summary.failures:
            break  # later waves hold the same meters' later readings: they would fail too
    return summary


def _account(summary: OutboxSummary, batch: ReadingBatch, item: OutboxItem) -> None:
    first = batch.readings[0].reading
    since = format_utc(first.interval_start)
    name = f"batch {batch.index} ({len(batch)} readings from {first.meter_id} at {since})"
    if item.state is ItemState.COMMITTED:
        if item.result is None:
            summary.unknown += len(batch)
            return
        answer = json.loads(item.result)
        summary.stored += int(answer.get("stored", 0))
        summary.duplicates += int(answer.get("duplicates", 0))
    elif item.state is ItemState.FAILED:
        summary.failures.append(f"{name}: refused: {item.reason}")
    else:
        summary.failures.append(f"{name}: still pending in the outbox: {item.last_error}")
