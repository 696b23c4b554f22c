"""A submitted transaction, waiting for its commit status (``gateway.Gateway/CommitStatus``)."""

from __future__ import annotations

from typing import Any

from gridledger.gateway.context import ClientContext
from gridledger.gateway.signable import Signable
from gridledger.gateway.status import Status, status_of
from gridledger.gateway.transport import AsyncTransport, Transport


class _CommitBase(Signable):
    def __init__(
        self, context: ClientContext, transaction_id: str, signed_request: Any, result: bytes
    ) -> None:
        self._context = context
        self._signing = context.signing
        self._transaction_id = transaction_id
        self._request = signed_request
        self._result = result

    @property
    def transaction_id(self) -> str:
        return self._transaction_id

    @property
    def result(self) -> bytes:
        """The chaincode's result (empty for a commit rebuilt from bytes)."""
        return self._result

    def _message(self) -> Any:
        return self._request

    def _signed_content(self) -> bytes:
        return bytes(self._request.request)

    def _signature(self) -> bytes:
        return bytes(self._request.signature)

    def _set_signature(self, signature: bytes) -> None:
        self._request.signature = signature

    def _timeout(self, timeout: float | None) -> float:
        return self._context.timeouts.commit_status if timeout is None else timeout


class SubmittedTransaction(_CommitBase):
    """``status()`` waits for the commit; ``bytes()``/``digest()`` serve offline signing."""

    def __init__(
        self,
        transport: Transport,
        context: ClientContext,
        transaction_id: str,
        signed_request: Any,
        result: bytes = b"",
    ) -> None:
        super().__init__(context, transaction_id, signed_request, result)
        self._transport = transport

    def status(self, timeout: float | None = None) -> Status:
        """Wait for the transaction to commit; raises ``CommitStatusError`` if the call fails."""
        self._ensure_signed()
        response = self._transport.commit_status(
            self._request, self._transaction_id, self._timeout(timeout)
        )
        return status_of(response, self._transaction_id)


class AsyncSubmittedTransaction(_CommitBase):
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
        self._ensure_signed()
        response = await self._transport.commit_status(
            self._request, self._transaction_id, self._timeout(timeout)
        )
        return status_of(response, self._transaction_id)
