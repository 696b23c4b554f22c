"""Chaincode events requests: ``gateway.Gateway/ChaincodeEvents`` (signed request, stream)."""

from __future__ import annotations

from typing import Any

from gridledger.gateway._async.streams import AsyncEventStream
from gridledger.gateway.chaincode_event import ChaincodeEvent, chaincode_events_of
from gridledger.gateway.chaincode_events import ChaincodeEventsRequestBase
from gridledger.gateway.context import ClientContext
from gridledger.gateway.transport import AsyncTransport


class AsyncChaincodeEventsRequest(ChaincodeEventsRequestBase):
    def __init__(
        self, transport: AsyncTransport, context: ClientContext, signed_request: Any
    ) -> None:
        super().__init__(context, signed_request)
        self._transport = transport

    def events(self) -> AsyncEventStream[ChaincodeEvent]:
        """Start listening; iterate the result, ``close()`` it (or leave its ``with``) to stop."""
        self._ensure_signed()
        responses = self._transport.chaincode_events(self._request)
        stream = AsyncEventStream(responses, chaincode_events_of)
        self._context.streams.add(stream)
        return stream
