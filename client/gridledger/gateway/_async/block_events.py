"""Block events over ``protos.Deliver``: a signed SeekInfo envelope, then a stream of blocks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from gridledger.gateway._async.streams import AsyncEventStream
from gridledger.gateway.block_events import BlockEventsRequestBase, deliver_converter
from gridledger.gateway.context import ClientContext
from gridledger.gateway.streams import Convert
from gridledger.gateway.transport import AsyncTransport, DeliverKind

T = TypeVar("T")


class AsyncBlockEventsRequest(BlockEventsRequestBase):
    """Yields ``common.Block``, ``peer.FilteredBlock`` or ``peer.BlockAndPrivateData``."""

    def __init__(
        self, transport: AsyncTransport, context: ClientContext, kind: DeliverKind, envelope: Any
    ) -> None:
        super().__init__(context, kind, envelope)
        self._transport = transport

    def events(self) -> AsyncEventStream[Any]:
        return self._stream(deliver_converter(self.kind))

    def decoded_events(self, decode: Callable[[Any], T]) -> AsyncEventStream[T]:
        """``events()`` with each message passed through ``decode``."""
        convert = deliver_converter(self.kind)

        def converted(response: Any) -> list[T] | None:
            messages = convert(response)
            return None if messages is None else [decode(m) for m in messages]

        return self._stream(converted)

    def _stream(self, convert: Convert[T]) -> AsyncEventStream[T]:
        self._ensure_signed()
        responses = self._transport.deliver(self.kind, self._envelope)
        stream = AsyncEventStream(responses, convert)
        self._context.streams.add(stream)
        return stream
