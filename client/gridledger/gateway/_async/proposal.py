"""A transaction proposal: evaluate it, or endorse it into a transaction."""

from __future__ import annotations

from typing import Any

from gridledger.gateway._async.transaction import AsyncTransaction
from gridledger.gateway.context import ClientContext
from gridledger.gateway.proposal import ProposalBase
from gridledger.gateway.transport import ENDORSE, EVALUATE, AsyncTransport


class AsyncProposal(ProposalBase):
    def __init__(
        self, transport: AsyncTransport, context: ClientContext, channel: str, proposed: Any
    ) -> None:
        super().__init__(context, channel, proposed)
        self._transport = transport

    async def evaluate(self, timeout: float | None = None) -> bytes:
        """Run the transaction on a peer without ordering it; returns its result."""
        request = self._evaluate_request()
        timeout = self._timeout(timeout, self._context.timeouts.evaluate)
        response = await self._transport.unary(EVALUATE, request, timeout, self.transaction_id)
        return bytes(response.result.payload)

    async def endorse(self, timeout: float | None = None) -> AsyncTransaction:
        """Collect endorsements; raises ``EndorseError`` when they cannot be had."""
        request = self._endorse_request()
        timeout = self._timeout(timeout, self._context.timeouts.endorse)
        response = await self._transport.unary(ENDORSE, request, timeout, self.transaction_id)
        return AsyncTransaction(self._transport, self._context, self._prepared(response))
