"""Block events over ``protos.Deliver``: a signed SeekInfo envelope, then a stream of blocks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fabric_protos.common import common_pb2
from gridledger.gateway.context import ClientContext
from gridledger.gateway.errors import EventsError
from gridledger.gateway.signable import Signable
from gridledger.gateway.streams import AsyncEventStream, EventStream
from gridledger.gateway.transport import AsyncTransport, DeliverKind, Transport

_FIELD = {
    DeliverKind.BLOCK: "block",
    DeliverKind.FILTERED_BLOCK: "filtered_block",
    DeliverKind.BLOCK_AND_PRIVATE_DATA: "block_and_private_data",
}
_SUCCESS = int(common_pb2.Status.SUCCESS)


def deliver_converter(kind: DeliverKind) -> Any:
    """A converter from ``peer.DeliverResponse`` to the block messages of ``kind``."""
    wanted = _FIELD[kind]

    def convert(response: Any) -> Sequence[Any] | None:
        which = response.WhichOneof("Type")
        if which == wanted:
            return [getattr(response, wanted)]
        if which == "status":
            status = int(response.status)
            if status == _SUCCESS:
                return None
            name = common_pb2.Status.Name(status) if status in common_pb2.Status.values() else ""
            raise EventsError(f"deliver refused the request: status {status} {name}".rstrip())
        return []

    return convert


class _BlockEventsRequestBase(Signable):
    def __init__(self, context: ClientContext, kind: DeliverKind, envelope: Any) -> None:
        self._context = context
        self._signing = context.signing
        self.kind = kind
        self._envelope = envelope

    def _message(self) -> Any:
        return self._envelope

    def _signed_content(self) -> bytes:
        return bytes(self._envelope.payload)

    def _signature(self) -> bytes:
        return bytes(self._envelope.signature)

    def _set_signature(self, signature: bytes) -> None:
        self._envelope.signature = signature


class BlockEventsRequest(_BlockEventsRequestBase):
    """Yields ``common.Block``, ``peer.FilteredBlock`` or ``peer.BlockAndPrivateData``."""

    def __init__(
        self, transport: Transport, context: ClientContext, kind: DeliverKind, envelope: Any
    ) -> None:
        super().__init__(context, kind, envelope)
        self._transport = transport

    def events(self) -> EventStream[Any]:
        self._ensure_signed()
        call, closed = self._transport.deliver(self.kind, self._envelope)
        stream = EventStream(call, deliver_converter(self.kind), on_close=closed.set)
        self._context.streams.add(stream)
        return stream


class AsyncBlockEventsRequest(_BlockEventsRequestBase):
    def __init__(
        self,
        transport: AsyncTransport,
        context: ClientContext,
        kind: DeliverKind,
        envelope: Any,
    ) -> None:
        super().__init__(context, kind, envelope)
        self._transport = transport

    def events(self) -> AsyncEventStream[Any]:
        self._ensure_signed()
        call, closed = self._transport.deliver(self.kind, self._envelope)
        stream = AsyncEventStream(call, deliver_converter(self.kind), on_close=closed.set)
        self._context.streams.add(stream)
        return stream
