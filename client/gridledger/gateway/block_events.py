"""Block events over ``protos.Deliver``: a signed SeekInfo envelope, then a stream of blocks.

What the asyncio class (``_async``) and its generated sync twin (``_sync``) share.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fabric_protos.common import common_pb2
from gridledger.gateway.context import ClientContext
from gridledger.gateway.errors import EventsError
from gridledger.gateway.signable import Signable
from gridledger.gateway.transport import DeliverKind

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


class BlockEventsRequestBase(Signable):
    """A signed Deliver SeekInfo envelope, either flavour."""

    _content_field = "payload"

    def __init__(self, context: ClientContext, kind: DeliverKind, envelope: Any) -> None:
        super().__init__(context)
        self.kind = kind
        self._envelope = envelope

    def _message(self) -> Any:
        return self._envelope

    def _signed_part(self) -> Any:
        return self._envelope
