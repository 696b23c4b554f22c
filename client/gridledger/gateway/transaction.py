"""An endorsed transaction, ready to sign and submit for ordering (``Submit``).

What the asyncio class (``_async``) and its generated sync twin (``_sync``) share.
"""

from __future__ import annotations

from typing import Any

from gridledger.fabric.transaction_parser import parse_transaction_envelope
from gridledger.gateway import requests
from gridledger.gateway.context import ClientContext
from gridledger.gateway.signable import Signable


class TransactionBase(Signable):
    """An endorsed transaction, either flavour: its result, signing, and the Submit request."""

    _content_field = "payload"

    def __init__(self, context: ClientContext, prepared: Any) -> None:
        super().__init__(context)
        self._prepared = prepared
        info = parse_transaction_envelope(bytes(prepared.envelope.SerializeToString()))
        self._channel = info.channel
        self._result = info.result

    @property
    def transaction_id(self) -> str:
        return str(self._prepared.transaction_id)

    @property
    def result(self) -> bytes:
        """The chaincode's response payload, as endorsed."""
        return self._result

    def _message(self) -> Any:
        return self._prepared

    def _signed_part(self) -> Any:
        return self._prepared.envelope

    def _submit_request(self) -> Any:
        self._ensure_signed()
        return requests.submit_request(self._prepared, self._channel)

    def _commit_request(self) -> Any:
        return requests.commit_status_request(self._signing, self._channel, self.transaction_id)

    def _timeout(self, timeout: float | None) -> float:
        return self._context.timeouts.submit if timeout is None else timeout
