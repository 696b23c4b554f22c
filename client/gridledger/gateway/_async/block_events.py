"""Block events over ``protos.Deliver``: a signed SeekInfo envelope, then a stream of blocks."""

from __future__ import annotations

from typing import Any

from gridledger.gateway._async.streams import AsyncEventStream
from gridledger.gateway.block_events import BlockEventsRequestBase, deliver_converter
from gridledger.gateway.context import ClientContext
from gridledger.gateway.transport import AsyncTransport, DeliverKind


class AsyncBlockEventsRequest(BlockEventsRequestBase):
    """Yields ``common.Block``, ``peer.FilteredBlock`` or ``peer.BlockAndPrivateData``."""

    def __init__(
        self, transport: AsyncTransport, context: ClientContext, kind: DeliverKind, envelope: Any
    ) -> None:
        super().__init__(context, kind, envelope)
        self._transport = transport

    def events(self) -> AsyncEventStream[Any]:
        self._ensure_signed()
        responses = self._transport.deliver(self.kind, self._envelope)
        stream = AsyncEventStream(responses, deliver_converter(self.kind))
        self._context.streams.add(stream)
        return stream
