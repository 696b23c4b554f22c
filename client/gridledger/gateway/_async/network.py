"""A channel: its contracts, chaincode events, block events and ledger queries (``qscc``)."""

from __future__ import annotations

from typing import Any

from gridledger.gateway._async.block_events import AsyncBlockEventsRequest
from gridledger.gateway._async.chaincode_events import AsyncChaincodeEventsRequest
from gridledger.gateway._async.contract import AsyncContract
from gridledger.gateway._async.streams import AsyncEventStream
from gridledger.gateway.blocks import (
    QSCC,
    BlockInfo,
    BlockTransaction,
    ChainInfo,
    decode_block,
    decode_chain_info,
    decode_processed_transaction,
)
from gridledger.gateway.chaincode_event import ChaincodeEvent
from gridledger.gateway.checkpointer import Checkpoint
from gridledger.gateway.context import ClientContext
from gridledger.gateway.network import NetworkBase
from gridledger.gateway.private_blocks import BlockWithPrivateData, decode_block_and_private_data
from gridledger.gateway.transport import AsyncTransport, DeliverKind


class AsyncNetwork(NetworkBase):
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
        """Events of ``chaincode_name`` from ``start_block`` (or the checkpoint, or the next
        commit). The checkpointer only chooses where to start: call its
        ``checkpoint_chaincode_event(event)`` once an event is processed."""
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
        """``common.Block`` messages (``Deliver``)."""
        return self.new_block_events_request(start_block, checkpointer).events()

    def filtered_block_events(
        self, start_block: int | None = None, checkpointer: Checkpoint | None = None
    ) -> AsyncEventStream[Any]:
        """``peer.FilteredBlock`` messages (``DeliverFiltered``)."""
        kind = DeliverKind.FILTERED_BLOCK
        return self.new_block_events_request(start_block, checkpointer, kind).events()

    def block_and_private_data_events(
        self, start_block: int | None = None, checkpointer: Checkpoint | None = None
    ) -> AsyncEventStream[Any]:
        """``peer.BlockAndPrivateData`` messages (``DeliverWithPrivateData``)."""
        kind = DeliverKind.BLOCK_AND_PRIVATE_DATA
        return self.new_block_events_request(start_block, checkpointer, kind).events()

    def private_data_blocks(
        self, start_block: int | None = None, checkpointer: Checkpoint | None = None
    ) -> AsyncEventStream[BlockWithPrivateData]:
        """Each committed block decoded, with the private writes the peer holds and gives this
        identity (``DeliverWithPrivateData``; see ``gridledger.gateway.private_blocks``)."""
        kind = DeliverKind.BLOCK_AND_PRIVATE_DATA
        request = self.new_block_events_request(start_block, checkpointer, kind)
        return request.decoded_events(decode_block_and_private_data)

    # -- ledger queries (Fabric's qscc, evaluated as the caller: /Channel/Application/Readers) --
    async def chain_info(self, *, timeout: float | None = None) -> ChainInfo:
        """The channel's height and last block hashes (``qscc`` ``GetChainInfo``)."""
        answer = await self.contract(QSCC).evaluate("GetChainInfo", self.name, timeout=timeout)
        return decode_chain_info(answer)

    async def block(self, number: int, *, timeout: float | None = None) -> BlockInfo:
        """Block ``number`` decoded, each transaction with its validation code and endorsers
        (``qscc`` ``GetBlockByNumber``; an ``EvaluateError`` for a block not yet committed)."""
        if number < 0:
            raise ValueError(f"block numbers start at 0, not {number}")
        answer = await self.contract(QSCC).evaluate(
            "GetBlockByNumber", self.name, str(number), timeout=timeout
        )
        return decode_block(answer)

    async def transaction(
        self, transaction_id: str, *, timeout: float | None = None
    ) -> BlockTransaction:
        """A committed transaction decoded, with its validation code (``qscc``
        ``GetTransactionByID``; its block and index in it are not part of that answer)."""
        answer = await self.contract(QSCC).evaluate(
            "GetTransactionByID", self.name, transaction_id, timeout=timeout
        )
        return decode_processed_transaction(answer)

    async def transaction_block(
        self, transaction_id: str, *, timeout: float | None = None
    ) -> BlockInfo:
        """The block holding a committed transaction, decoded (``qscc`` ``GetBlockByTxID``)."""
        answer = await self.contract(QSCC).evaluate(
            "GetBlockByTxID", self.name, transaction_id, timeout=timeout
        )
        return decode_block(answer)
