"""Lanes: the bridge's meters partitioned by a stable hash of the meter id, so that several
transactions can be in flight at once without two of them ever holding the same meter.

Two ``SubmitReadings`` transactions holding one meter read and write the same keys (the meter's
span, its readings): the second to commit would fail validation (an MVCC read conflict) and be
retried. A meter belongs to exactly one lane (``lane_of``); each lane batches only its meters
(its own ``Batcher``) and submits through its own outbox with one transaction in flight, so
concurrent transactions never share a meter and one meter's batches stay in the order received.
``Lanes`` routes each message to its lane before classification: by the meter named in the
topic (``meters/<meter id>/readings``), else by the ``meter_id`` of its JSON payload; a message
naming no meter goes to lane 0 (it is a dead letter anyway).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence

from gridledger.bridge.batching import Batcher, Incoming

DEFAULT_LANES = 2  # measured best on the 2-core bench machine (bench/RESULTS.md "ingest")


def lane_of(meter_id: str, lanes: int) -> int:
    """The lane of a meter: the same in every process and at every start (CRC-32, not ``hash``)."""
    if lanes < 1:
        raise ValueError("a bridge has at least one lane")
    return zlib.crc32(meter_id.encode("utf-8")) % lanes


def meter_of(message: Incoming) -> str:
    """The meter a message is about, as far as routing needs it ("" when it names none)."""
    levels = message.topic.split("/")
    if len(levels) == 3 and levels[0] == "meters" and levels[1] not in ("", "+", "#"):
        return levels[1]
    try:
        document = json.loads(message.payload)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return ""
    meter_id = document.get("meter_id") if isinstance(document, dict) else None
    return meter_id if isinstance(meter_id, str) else ""


class Lanes:
    """One ``Batcher`` per lane (lane n's writes lane n's batches); routes messages to them."""

    def __init__(self, batchers: Sequence[Batcher]) -> None:
        if not batchers:
            raise ValueError("a bridge has at least one lane")
        self.batchers = list(batchers)
        self.count = len(self.batchers)

    @property
    def pending(self) -> int:
        return sum(b.pending for b in self.batchers)

    def lane(self, message: Incoming) -> int:
        meter_id = meter_of(message)
        return lane_of(meter_id, self.count) if meter_id else 0

    def add(self, message: Incoming) -> None:
        self.batchers[self.lane(message)].add(message)

    def due_in(self) -> float | None:
        due = [d for d in (b.due_in() for b in self.batchers) if d is not None]
        return min(due) if due else None

    def poll(self) -> None:
        for batcher in self.batchers:
            batcher.poll()

    def flush(self) -> bool:
        return all([batcher.flush() for batcher in self.batchers])
