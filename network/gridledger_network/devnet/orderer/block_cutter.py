"""Fabric's block cutter: pending envelopes cut by count, preferred bytes or batch timeout."""

from __future__ import annotations

from dataclasses import dataclass, field

from gridledger_network.devnet.config import BatchConfig


@dataclass
class BlockCutter:
    batch: BatchConfig
    pending: list[bytes] = field(default_factory=list)
    pending_bytes: int = 0

    def ordered(self, envelope: bytes) -> list[list[bytes]]:
        """Add one envelope; return the batches cut (0, 1 or 2), as Fabric's receiver does."""
        size = len(envelope)
        batches: list[list[bytes]] = []
        if size > self.batch.preferred_max_bytes:
            if self.pending:
                batches.append(self.cut())
            batches.append([envelope])
            return batches
        if self.pending and self.pending_bytes + size > self.batch.preferred_max_bytes:
            batches.append(self.cut())
        self.pending.append(envelope)
        self.pending_bytes += size
        if len(self.pending) >= self.batch.max_message_count:
            batches.append(self.cut())
        return batches

    def cut(self) -> list[bytes]:
        batch, self.pending, self.pending_bytes = self.pending, [], 0
        return batch
