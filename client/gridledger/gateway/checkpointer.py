"""Checkpointers: remember where an event listener got to, so it can resume there."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Protocol

from gridledger.gateway.chaincode_event import ChaincodeEvent


class Checkpoint(Protocol):
    """Where to resume: a block number and, within it, the last transaction processed."""

    @property
    def block_number(self) -> int | None: ...

    @property
    def transaction_id(self) -> str | None: ...


class Checkpointer(Checkpoint, Protocol):
    def checkpoint_block(self, block_number: int) -> None: ...

    def checkpoint_transaction(self, block_number: int, transaction_id: str) -> None: ...

    def checkpoint_chaincode_event(self, event: ChaincodeEvent) -> None: ...


class InMemoryCheckpointer:
    """Keeps the checkpoint in memory (for one process's lifetime)."""

    def __init__(self) -> None:
        self._block_number: int | None = None
        self._transaction_id: str | None = None

    @property
    def block_number(self) -> int | None:
        return self._block_number

    @property
    def transaction_id(self) -> str | None:
        return self._transaction_id

    def checkpoint_block(self, block_number: int) -> None:
        """Block ``block_number`` is fully processed: resume at the next one."""
        self.checkpoint_transaction(block_number + 1, None)

    def checkpoint_transaction(self, block_number: int, transaction_id: str | None) -> None:
        """Resume in ``block_number`` after ``transaction_id``."""
        self._block_number = block_number
        self._transaction_id = transaction_id
        self._saved()

    def checkpoint_chaincode_event(self, event: ChaincodeEvent) -> None:
        self.checkpoint_transaction(event.block_number, event.transaction_id)

    def _saved(self) -> None:
        """Hook for persistent checkpointers."""


class FileCheckpointer(InMemoryCheckpointer):
    """Persists the checkpoint as JSON ``{"blockNumber": n, "transactionId": id}``.

    Each checkpoint is written to a temporary file and renamed over the old one, so a crash
    leaves either the previous or the new checkpoint, never a torn file.
    """

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.path = Path(path)
        self._load()
        self._saved()

    def _load(self) -> None:
        if not self.path.is_file():
            return
        text = self.path.read_text(encoding="utf-8").strip()
        if not text:
            return
        state = json.loads(text)
        block = state.get("blockNumber")
        self._block_number = int(block) if block is not None else None
        transaction = state.get("transactionId")
        self._transaction_id = str(transaction) if transaction else None

    def _saved(self) -> None:
        state = {"blockNumber": self._block_number, "transactionId": self._transaction_id}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
        )
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(state, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
