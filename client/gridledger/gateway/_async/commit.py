"""A submitted transaction, waiting for its commit status (``gateway.Gateway/CommitStatus``)."""

from __future__ import annotations

from typing import Any

from gridledger.gateway.commit import CommitBase
from gridledger.gateway.context import ClientContext
from gridledger.gateway.status import Status, status_of
from gridledger.gateway.transport import COMMIT_STATUS, AsyncTransport


class AsyncSubmittedTransaction(CommitBase):
    """``status()`` waits for the commit; ``bytes()``/``digest()`` serve offline signing."""

    def __init__(
        self,
        transport: AsyncTransport,
        context: ClientContext,
        transaction_id: str,
        signed_request: Any,
        result: bytes = b"",
    ) -> None:
        super().__init__(context, transaction_id, signed_request, result)
        self._transport = transport

    async def status(self, timeout: float | None = None) -> Status:
        """Wait for the transaction to commit; raises ``CommitStatusError`` if the call fails."""
        self._ensure_signed()
        response = await self._transport.unary(
            COMMIT_STATUS, self._request, self._timeout(timeout), self._transaction_id
        )
        return status_of(response, self._transaction_id)
