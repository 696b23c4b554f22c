"""A submitted transaction, waiting for its commit status (``gateway.Gateway/CommitStatus``).

What the asyncio class (``_async``) and its generated sync twin (``_sync``) share.
"""

from __future__ import annotations

from typing import Any

from gridledger.gateway.context import ClientContext
from gridledger.gateway.signable import SignedRequest


class CommitBase(SignedRequest):
    """A submitted transaction, either flavour: its id, result and signed CommitStatus request."""

    def __init__(
        self, context: ClientContext, transaction_id: str, signed_request: Any, result: bytes
    ) -> None:
        super().__init__(context)
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

    def _timeout(self, timeout: float | None) -> float:
        return self._context.timeouts.commit_status if timeout is None else timeout
