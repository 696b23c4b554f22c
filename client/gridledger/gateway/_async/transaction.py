"""An endorsed transaction, ready to sign and submit for ordering (``Submit``)."""

from __future__ import annotations

from typing import Any

from gridledger.gateway._async.commit import AsyncSubmittedTransaction
from gridledger.gateway.context import ClientContext
from gridledger.gateway.transaction import TransactionBase
from gridledger.gateway.transport import SUBMIT, AsyncTransport


class AsyncTransaction(TransactionBase):
    def __init__(self, transport: AsyncTransport, context: ClientContext, prepared: Any) -> None:
        super().__init__(context, prepared)
        self._transport = transport

    async def submit(self, timeout: float | None = None) -> AsyncSubmittedTransaction:
        """Send for ordering; returns at once (``status()`` on the result waits for commit)."""
        request = self._submit_request()
        commit_request = self._commit_request()
        await self._transport.unary(SUBMIT, request, self._timeout(timeout), self.transaction_id)
        return AsyncSubmittedTransaction(
            self._transport, self._context, self.transaction_id, commit_request, self._result
        )
