"""Batching received messages, and the rule that makes the bridge lose nothing: a message is
acknowledged to the broker only after the batch holding it is durably written.

``Batcher`` is plain logic (no broker, no clock of its own): ``add`` a message, ``poll`` when
time passes. A batch is written (``persist``) when it holds ``size`` messages or its oldest one
has waited ``max_wait`` seconds; only once ``persist`` has returned are its messages acknowledged
(``ack``), in the order received. If ``persist`` raises, nothing is acknowledged and the batch
is kept to be tried again: the broker still holds every message of it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Incoming:
    """One MQTT message as received: topic, payload, and what acknowledging it needs."""

    topic: str
    payload: bytes
    mid: int = 0
    qos: int = 1
    received_at: float = 0.0


class Batcher:
    """Collects messages into batches of at most ``size``, written at most ``max_wait`` s late."""

    def __init__(
        self,
        persist: Callable[[Sequence[Incoming]], None],
        ack: Callable[[Incoming], None],
        *,
        size: int = 500,
        max_wait: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if size < 1:
            raise ValueError("a batch holds at least one message")
        if max_wait < 0:
            raise ValueError("max_wait cannot be negative")
        self.size = size
        self.max_wait = max_wait
        self._persist = persist
        self._ack = ack
        self._clock = clock
        self._pending: list[Incoming] = []
        self._first_at = 0.0

    @property
    def pending(self) -> int:
        """Messages received and not yet acknowledged."""
        return len(self._pending)

    def add(self, message: Incoming) -> None:
        if not self._pending:
            self._first_at = self._clock()
        self._pending.append(message)
        if len(self._pending) >= self.size:
            self.flush()

    def due_in(self) -> float | None:
        """Seconds until the current batch must be written (None: nothing pending)."""
        if not self._pending:
            return None
        return max(0.0, self._first_at + self.max_wait - self._clock())

    def poll(self) -> None:
        """Write the batch if its oldest message has waited ``max_wait``."""
        if self._pending and self._clock() - self._first_at >= self.max_wait:
            self.flush()

    def flush(self) -> bool:
        """Write what is pending, then acknowledge it; False (nothing acknowledged) on failure."""
        while self._pending:
            batch = self._pending[: self.size]
            try:
                self._persist(batch)
            except Exception:
                logger.exception("could not write a batch of %d message(s); will retry", len(batch))
                self._first_at = self._clock()  # retry after another max_wait
                return False
            for message in batch:
                self._ack(message)
            del self._pending[: len(batch)]
        return True
