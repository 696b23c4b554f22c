"""Chaincode events requests: ``gateway.Gateway/ChaincodeEvents`` (signed request, stream)."""

from __future__ import annotations

from typing import Any

from gridledger.gateway.chaincode_event import ChaincodeEvent, chaincode_events_of
from gridledger.gateway.context import ClientContext
from gridledger.gateway.signable import Signable
from gridledger.gateway.streams import AsyncEventStream, EventStream
from gridledger.gateway.transport import AsyncTransport, Transport


class _ChaincodeEventsRequestBase(Signable):
    def __init__(self, context: ClientContext, signed_request: Any) -> None:
        self._context = context
        self._signing = context.signing
        self._request = signed_request

    def _message(self) -> Any:
        return self._request

    def _signed_content(self) -> bytes:
        return bytes(self._request.request)

    def _signature(self) -> bytes:
        return bytes(self._request.signature)

    def _set_signature(self, signature: bytes) -> None:
        self._request.signature = signature


class ChaincodeEventsRequest(_ChaincodeEventsRequestBase):
    def __init__(self, transport: Transport, context: ClientContext, signed_request: Any) -> None:
        super().__init__(context, signed_request)
        self._transport = transport

    def events(self) -> EventStream[ChaincodeEvent]:
        """Start listening; the returned iterator is closeable (``close()``, ``with``)."""
        self._ensure_signed()
        stream = EventStream(self._transport.chaincode_events(self._request), chaincode_events_of)
        self._context.streams.add(stream)
        return stream


class AsyncChaincodeEventsRequest(_ChaincodeEventsRequestBase):
    def __init__(
        self, transport: AsyncTransport, context: ClientContext, signed_request: Any
    ) -> None:
        super().__init__(context, signed_request)
        self._transport = transport

    def events(self) -> AsyncEventStream[ChaincodeEvent]:
        """Start listening (call from a running event loop); ``async for`` the result."""
        self._ensure_signed()
        stream = AsyncEventStream(
            self._transport.chaincode_events(self._request), chaincode_events_of
        )
        self._context.streams.add(stream)
        return stream
