"""A transaction proposal: evaluate it, or endorse it into a ``Transaction``.

What the asyncio class (``_async``) and its generated sync twin (``_sync``) share.
"""

from __future__ import annotations

from typing import Any

from gridledger.gateway import requests
from gridledger.gateway.context import ClientContext
from gridledger.gateway.signable import Signable


class ProposalBase(Signable):
    """A transaction proposal, either flavour: ids, signing, Evaluate/Endorse requests."""

    _content_field = "proposal_bytes"

    def __init__(self, context: ClientContext, channel: str, proposed: Any) -> None:
        super().__init__(context)
        self._channel = channel
        self._proposed = proposed

    @property
    def transaction_id(self) -> str:
        return str(self._proposed.transaction_id)

    @property
    def channel(self) -> str:
        return self._channel

    @property
    def endorsing_orgs(self) -> list[str]:
        return [str(org) for org in self._proposed.endorsing_organizations]

    def _message(self) -> Any:
        return self._proposed

    def _signed_part(self) -> Any:
        return self._proposed.proposal

    def _evaluate_request(self) -> Any:
        self._ensure_signed()
        return requests.evaluate_request(self._proposed, self._channel)

    def _endorse_request(self) -> Any:
        self._ensure_signed()
        return requests.endorse_request(self._proposed, self._channel)

    def _prepared(self, response: Any) -> Any:
        return requests.prepared_transaction(self.transaction_id, response.prepared_transaction)

    def _timeout(self, timeout: float | None, default: float) -> float:
        return default if timeout is None else timeout
