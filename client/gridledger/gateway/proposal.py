"""A transaction proposal: evaluate it, or endorse it into a ``Transaction``."""

from __future__ import annotations

from typing import Any

from gridledger.gateway import requests
from gridledger.gateway.context import ClientContext
from gridledger.gateway.signable import Signable
from gridledger.gateway.transaction import AsyncTransaction, Transaction
from gridledger.gateway.transport import AsyncTransport, Transport


class _ProposalBase(Signable):
    def __init__(self, context: ClientContext, channel: str, proposed: Any) -> None:
        self._context = context
        self._signing = context.signing
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

    def _signed_content(self) -> bytes:
        return bytes(self._proposed.proposal.proposal_bytes)

    def _signature(self) -> bytes:
        return bytes(self._proposed.proposal.signature)

    def _set_signature(self, signature: bytes) -> None:
        self._proposed.proposal.signature = signature

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


class Proposal(_ProposalBase):
    def __init__(
        self, transport: Transport, context: ClientContext, channel: str, proposed: Any
    ) -> None:
        super().__init__(context, channel, proposed)
        self._transport = transport

    def evaluate(self, timeout: float | None = None) -> bytes:
        """Run the transaction on a peer without ordering it; returns its result."""
        request = self._evaluate_request()
        timeouts = self._context.timeouts
        response = self._transport.evaluate(request, self._timeout(timeout, timeouts.evaluate))
        return bytes(response.result.payload)

    def endorse(self, timeout: float | None = None) -> Transaction:
        """Collect endorsements; raises ``EndorseError`` when they cannot be had."""
        request = self._endorse_request()
        timeouts = self._context.timeouts
        response = self._transport.endorse(request, self._timeout(timeout, timeouts.endorse))
        return Transaction(self._transport, self._context, self._prepared(response))


class AsyncProposal(_ProposalBase):
    def __init__(
        self, transport: AsyncTransport, context: ClientContext, channel: str, proposed: Any
    ) -> None:
        super().__init__(context, channel, proposed)
        self._transport = transport

    async def evaluate(self, timeout: float | None = None) -> bytes:
        request = self._evaluate_request()
        timeouts = self._context.timeouts
        response = await self._transport.evaluate(
            request, self._timeout(timeout, timeouts.evaluate)
        )
        return bytes(response.result.payload)

    async def endorse(self, timeout: float | None = None) -> AsyncTransaction:
        request = self._endorse_request()
        timeouts = self._context.timeouts
        response = await self._transport.endorse(request, self._timeout(timeout, timeouts.endorse))
        return AsyncTransaction(self._transport, self._context, self._prepared(response))
