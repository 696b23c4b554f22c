"""The runner's transactions, through the durable outbox (``gridledger.outbox``).

Each call enqueues its requests under fresh idempotency keys (one per attempt: a day that was
``waiting`` must be asked again later, not answered from the outbox) and drains the outbox until
they are committed or given up. Whatever a killed runner left pending is drained with them on
the next start; every function sent this way (``CloseDays``, ``ReviseDay``, ``Settle``) is
idempotent on the contract's side, so a request sent twice has one effect.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from gridledger.outbox import ItemState, Outbox, OutboxDrainer, TransactionRequest


@dataclass(frozen=True)
class Outcome:
    """One request's end: its committed result (None when the commit was found by looking an
    in-doubt transaction up: the answer is then not known), or why it was given up."""

    committed: bool
    result: bytes | None
    error: str = ""


@dataclass
class OutboxTransactions:
    """Sends the runner's transactions through ``outbox``, drained by ``drainer``, to
    ``chaincode``'s ``contract`` on ``channel``; ``timeout`` bounds each drain."""

    outbox: Outbox
    drainer: OutboxDrainer
    channel: str
    chaincode: str
    contract: str = "energy"
    timeout: float | None = None
    _run: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    _count: int = 0

    def recover(self) -> int:
        """Finish what an earlier run left in the outbox; how many items were pending."""
        pending = self.outbox.pending_count()
        if pending:
            self.drainer.drain(self.timeout)
        return pending

    def send(self, requests: Sequence[tuple[str, Sequence[str]]]) -> list[Outcome]:
        """Each ``(function, args)`` as one transaction; their outcomes, in order."""
        entries = []
        for function, args in requests:
            self._count += 1
            key = f"billing/{self._run}/{self._count}/{function}"
            request = TransactionRequest.of(
                self.channel, self.chaincode, function, list(args), contract=self.contract
            )
            entries.append((key, request))
        items = self.outbox.enqueue_many(entries)
        self.drainer.wake()
        self.drainer.drain(self.timeout)
        outcomes = []
        for item in items:
            done = self.outbox.get(item.id)
            if done.state is ItemState.COMMITTED:
                outcomes.append(Outcome(True, done.result))
            elif done.state is ItemState.FAILED:
                outcomes.append(Outcome(False, None, done.reason))
            else:
                outcomes.append(Outcome(False, None, f"still pending: {done.last_error}"))
        return outcomes
