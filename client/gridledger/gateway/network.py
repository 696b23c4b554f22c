"""A channel: its contracts, chaincode events and block events."""

from __future__ import annotations

from typing import Any

from gridledger.gateway import requests
from gridledger.gateway.block_events import AsyncBlockEventsRequest, BlockEventsRequest
from gridledger.gateway.chaincode_event import ChaincodeEvent
from gridledger.gateway.chaincode_events import (
    AsyncChaincodeEventsRequest,
    ChaincodeEventsRequest,
)
from gridledger.gateway.checkpointer import Checkpoint
from gridledger.gateway.context import ClientContext
from gridledger.gateway.contract import AsyncContract, Contract
from gridledger.gateway.streams import AsyncEventStream, EventStream
from gridledger.gateway.transport import AsyncTransport, DeliverKind, Transport


def start_of(start_block: int | None, checkpoint: Checkpoint | None) -> tuple[int | None, str]:
    """Start block and the transaction to resume after: the checkpoint wins when it has one;
    neither means "from the next block committed"."""
    if checkpoint is not None and checkpoint.block_number is not None:
        return checkpoint.block_number, checkpoint.transaction_id or ""
    return start_block, ""


class _NetworkBase:
    def __init__(self, context: ClientContext, name: str) -> None:
        self._context = context
        self.name = name

    def _chaincode_events_request(
        self, chaincode_name: str, start_block: int | None, checkpoint: Checkpoint | None
    ) -> Any:
        block, after = start_of(start_block, checkpoint)
        return requests.chaincode_events_request(
            self._context.signing, self.name, chaincode_name, block, after
        )

    def _deliver_envelope(self, start_block: int | None, checkpoint: Checkpoint | None) -> Any:
        block, _ = start_of(start_block, checkpoint)
        return requests.deliver_envelope(
            self._context.signing, self.name, block, self._context.tls_cert_hash
        )


class Network(_NetworkBase):
    def __init__(self, transport: Transport, context: ClientContext, name: str) -> None:
        super().__init__(context, name)
        self._transport = transport

    def contract(self, chaincode_name: str, contract_name: str = "") -> Contract:
        return Contract(self._transport, self._context, self.name, chaincode_name, contract_name)

    def new_chaincode_events_request(
        self,
        chaincode_name: str,
        start_block: int | None = None,
        checkpointer: Checkpoint | None = None,
    ) -> ChaincodeEventsRequest:
        request = self._chaincode_events_request(chaincode_name, start_block, checkpointer)
        return ChaincodeEventsRequest(self._transport, self._context, request)

    def chaincode_events(
        self,
        chaincode_name: str,
        start_block: int | None = None,
        checkpointer: Checkpoint | None = None,
    ) -> EventStream[ChaincodeEvent]:
        """Events of ``chaincode_name`` from ``start_block`` (or the checkpoint, or the next
        commit). The checkpointer only chooses where to start: call its
        ``checkpoint_chaincode_event(event)`` once an event is processed."""
        return self.new_chaincode_events_request(chaincode_name, start_block, checkpointer).events()

    def new_block_events_request(
        self,
        start_block: int | None = None,
        checkpointer: Checkpoint | None = None,
        kind: DeliverKind = DeliverKind.BLOCK,
    ) -> BlockEventsRequest:
        envelope = self._deliver_envelope(start_block, checkpointer)
        return BlockEventsRequest(self._transport, self._context, kind, envelope)

    def block_events(
        self, start_block: int | None = None, checkpointer: Checkpoint | None = None
    ) -> EventStream[Any]:
        """``common.Block`` messages (``Deliver``)."""
        return self.new_block_events_request(start_block, checkpointer).events()

    def filtered_block_events(
        self, start_block: int | None = None, checkpointer: Checkpoint | None = None
    ) -> EventStream[Any]:
        """``peer.FilteredBlock`` messages (``DeliverFiltered``)."""
        kind = DeliverKind.FILTERED_BLOCK
        return self.new_block_events_request(start_block, checkpointer, kind).events()

    def block_and_private_data_events(
        self, start_block: int | None = None, checkpointer: Checkpoint | None = None
    ) -> EventStream[Any]:
        """``peer.BlockAndPrivateData`` messages (``DeliverWithPrivateData``)."""
        kind = DeliverKind.BLOCK_AND_PRIVATE_DATA
        return self.new_block_events_request(start_block, checkpointer, kind).events()


class AsyncNetwork(_NetworkBase):
    def __init__(self, transport: AsyncTransport, context: ClientContext, name: str) -> None:
        super().__init__(context, name)
        self._transport = transport

    def contract(self, chaincode_name: str, contract_name: str = "") -> AsyncContract:
        return AsyncContract(
            self._transport, self._context, self.name, chaincode_name, contract_name
        )

    def new_chaincode_events_request(
        self,
        chaincode_name: str,
        start_block: int | None = None,
        checkpointer: Checkpoint | None = None,
    ) -> AsyncChaincodeEventsRequest:
        request = self._chaincode_events_request(chaincode_name, start_block, checkpointer)
        return AsyncChaincodeEventsRequest(self._transport, self._context, request)

    def chaincode_events(
        self,
        chaincode_name: str,
        start_block: int | None = None,
        checkpointer: Checkpoint | None = None,
    ) -> AsyncEventStream[ChaincodeEvent]:
        """Call from a running event loop; ``async for event in ...``."""
        return self.new_chaincode_events_request(chaincode_name, start_block, checkpointer).events()

    def new_block_events_request(
        self,
        start_block: int | None = None,
        checkpointer: Checkpoint | None = None,
        kind: DeliverKind = DeliverKind.BLOCK,
    ) -> AsyncBlockEventsRequest:
        envelope = self._deliver_envelope(start_block, checkpointer)
        return AsyncBlockEventsRequest(self._transport, self._context, kind, envelope)

    def block_events(
        self, start_block: int | None = None, checkpointer: Checkpoint | None = None
    ) -> AsyncEventStream[Any]:
        return self.new_block_events_request(start_block, checkpointer).events()

    def filtered_block_events(
        self, start_block: int | None = None, checkpointer: Checkpoint | None = None
    ) -> AsyncEventStream[Any]:
        kind = DeliverKind.FILTERED_BLOCK
        return self.new_block_events_request(start_block, checkpointer, kind).events()

    def block_and_private_data_events(
        self, start_block: int | None = None, checkpointer: Checkpoint | None = None
    ) -> AsyncEventStream[Any]:
        kind = DeliverKind.BLOCK_AND_PRIVATE_DATA
        return self.new_block_events_request(start_block, checkpointer, kind).events()
