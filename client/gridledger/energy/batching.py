"""Cutting thousands of signed readings into transactions that can run side by side.

Two transactions that touch the same meter read and write the same keys (the meter's reading
span, its readings around the batch, its certificates), so run concurrently one of them would
fail validation with an MVCC read conflict. The plan therefore keeps each meter's readings in
time order, packs whole meters into a batch where they fit, splits a meter with more readings
than a batch holds into consecutive batches, and says which earlier batch each batch must wait
for (the previous one holding any of its meters). Batches without such a dependency commit
independently.

With private meter data (docs/private-data.md) a batch also holds the meters of one
organisation's households only (``group_of``: meter id -> the owner's MSP id, from the public
meter registry): one transaction can only be endorsed by members of every collection it writes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from gridledger_domain import SignedReading

DEFAULT_BATCH_SIZE = 500
"""Readings per transaction (see ``EnergyClient.submit_readings`` for why)."""
MAX_BATCH_SIZE = 10_000
"""The contract's limit per transaction."""


@dataclass(frozen=True, slots=True)
class ReadingBatch:
    index: int
    readings: tuple[SignedReading, ...]
    after: tuple[int, ...]
    """Indexes of earlier batches that must commit first (they share a meter)."""

    @property
    def meter_ids(self) -> frozenset[str]:
        return frozenset(signed.reading.meter_id for signed in self.readings)

    def __len__(self) -> int:
        return len(self.readings)


def plan_batches(
    readings: Iterable[SignedReading],
    batch_size: int = DEFAULT_BATCH_SIZE,
    group_of: Mapping[str, str] | None = None,
) -> list[ReadingBatch]:
    """Batches of at most ``batch_size`` readings, meters kept whole where they fit, each
    batch within one group of ``group_of`` (meter id -> group; absent: group "")."""
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise ValueError(f"batch size must be 1 to {MAX_BATCH_SIZE}, got {batch_size}")
    by_meter: dict[str, list[SignedReading]] = defaultdict(list)
    for signed in readings:
        by_meter[signed.reading.meter_id].append(signed)
    groups = group_of or {}
    chunks: list[tuple[str, list[SignedReading]]] = []
    for meter_id in sorted(by_meter, key=lambda m: (groups.get(m, ""), m)):
        series = sorted(by_meter[meter_id], key=lambda s: s.reading.interval_start)
        group = groups.get(meter_id, "")
        steps = range(0, len(series), batch_size)
        chunks.extend((group, series[i : i + batch_size]) for i in steps)

    packed: list[list[SignedReading]] = []
    current: list[SignedReading] = []
    current_group = ""
    for group, chunk in chunks:
        if current and (len(current) + len(chunk) > batch_size or group != current_group):
            packed.append(current)
            current = []
        current_group = group
        current.extend(chunk)
    if current:
        packed.append(current)

    batches: list[ReadingBatch] = []
    last_with: dict[str, int] = {}
    for index, content in enumerate(packed):
        meters = {signed.reading.meter_id for signed in content}
        after = sorted({last_with[m] for m in meters if m in last_with})
        for meter_id in meters:
            last_with[meter_id] = index
        batches.append(ReadingBatch(index, tuple(content), tuple(after)))
    return batches
