"""Private write sets from endorsement, held until their transaction commits (in memory)."""

from __future__ import annotations

import threading
from typing import Any

MAX_TX_RETENTION = 10_000


class MemoryTransientStore:
    """Implements ``interfaces.TransientStore`` (private data kept in memory until commit)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._data: dict[str, list[Any]] = {}

    def put(self, tx_id: str, private_rwset: Any) -> None:
        """``private_rwset`` is an ``rwset.TxPvtReadWriteSet`` (one per endorsing peer is fine)."""
        with self._lock:
            if len(self._data) >= MAX_TX_RETENTION and tx_id not in self._data:
                self._data.pop(next(iter(self._data)))  # the oldest: its tx never came back
            self._data.setdefault(tx_id, []).append(private_rwset)

    def get(self, tx_id: str) -> list[Any]:
        with self._lock:
            return list(self._data.get(tx_id, ()))

    def purge(self, tx_ids: list[str]) -> None:
        with self._lock:
            for tx_id in tx_ids:
                self._data.pop(tx_id, None)
