"""``protos.Deliver`` on a peer endpoint: blocks, filtered blocks, blocks with private data."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import grpc
from fabric_protos.common import common_pb2
from fabric_protos.ledger.rwset import rwset_pb2
from fabric_protos.orderer import ab_pb2
from fabric_protos.peer import events_pb2, events_pb2_grpc

from gridledger_network.devnet.chaincode_support import ChaincodeDefinition
from gridledger_network.devnet.deliver.block_view import BlockView, BlockViewCache
from gridledger_network.devnet.deliver.seek import (
    SeekRejected,
    parse_seek_request,
    start_number,
    stop_number,
)
from gridledger_network.devnet.interfaces import ChannelConfig, Ledger

logger = logging.getLogger(__name__)

# (block view, requester MSP id) -> DeliverResponse
ResponseBuilder = Callable[[BlockView, str], Any]


class DeliverService(events_pb2_grpc.DeliverServicer):  # type: ignore[misc]
    def __init__(
        self,
        ledger: Ledger,
        channel_config: ChannelConfig,
        blocks: BlockViewCache,
        definitions: dict[str, ChaincodeDefinition],
        peer_msp_id: str = "",
    ) -> None:
        self.peer_msp_id = peer_msp_id  # whose peer this is: it holds its org's collections
        self.ledger = ledger
        self.channel_config = channel_config
        self.blocks = blocks
        self.definitions = definitions

    async def Deliver(self, requests: Any, context: grpc.aio.ServicerContext) -> None:
        await self._serve(requests, context, self._block)

    async def DeliverFiltered(self, requests: Any, context: grpc.aio.ServicerContext) -> None:
        await self._serve(requests, context, self._filtered)

    async def DeliverWithPrivateData(
        self, requests: Any, context: grpc.aio.ServicerContext
    ) -> None:
        await self._serve(requests, context, self._with_private_data)

    # -- response shapes ----------------------------------------------------------------------
    def _block(self, view: BlockView, msp_id: str) -> Any:
        return events_pb2.DeliverResponse(block=view.block)

    def _filtered(self, view: BlockView, msp_id: str) -> Any:
        return events_pb2.DeliverResponse(filtered_block=view.filtered_block(self.ledger.channel))

    def _with_private_data(self, view: BlockView, msp_id: str) -> Any:
        result = events_pb2.BlockAndPrivateData(block=view.block)
        for index, private in self.ledger.private_data_for_block(view.number).items():
            visible = self._visible_private_data(private, msp_id)
            if visible is not None:
                result.private_data_map[index].CopyFrom(visible)
        return events_pb2.DeliverResponse(block_and_private_data=result)

    def _visible_private_data(self, private: Any, msp_id: str) -> Any | None:
        """The collections this peer holds (its organisation is a member) that the requester may
        read: as on Fabric 3.1.5 (``collPolicyChecker``), with ``memberOnlyRead: false`` any
        channel reader gets them from a member's peer (scenario ``deliver_with_private_data``),
        with ``memberOnlyRead: true`` only an identity of a member (scenario
        ``member_only_collection``)."""
        visible = rwset_pb2.TxPvtReadWriteSet(data_model=private.data_model)
        for ns in private.ns_pvt_rwset:
            definition = self.definitions.get(ns.namespace)
            collections = [
                c
                for c in ns.collection_pvt_rwset
                if definition is not None
                and c.collection_name in definition.collections
                and self.peer_msp_id in definition.collections[c.collection_name].members
                and definition.collections[c.collection_name].may_read(msp_id)
            ]
            if collections:
                visible.ns_pvt_rwset.add(namespace=ns.namespace, collection_pvt_rwset=collections)
        return visible if len(visible.ns_pvt_rwset) else None

    # -- the stream ---------------------------------------------------------------------------
    async def _serve(
        self, requests: Any, context: grpc.aio.ServicerContext, build: ResponseBuilder
    ) -> None:
        async for envelope in requests:
            status = await self._deliver_blocks(envelope, context, build)
            await context.write(events_pb2.DeliverResponse(status=status))

    async def _deliver_blocks(
        self, envelope: Any, context: grpc.aio.ServicerContext, build: ResponseBuilder
    ) -> int:
        try:
            request = parse_seek_request(envelope)
        except SeekRejected as err:
            logger.warning("deliver request rejected: %s", err)
            return err.status
        if request.channel_id != self.ledger.channel:
            return int(common_pb2.NOT_FOUND)
        try:
            creator = self.channel_config.deserialize_and_verify_identity(request.creator)
            authorized = creator.verify(envelope.payload, envelope.signature)
        except Exception:
            authorized = False
        if not authorized:
            return int(common_pb2.FORBIDDEN)
        seek_info = request.seek_info
        if not seek_info.HasField("start") or not seek_info.HasField("stop"):
            return int(common_pb2.BAD_REQUEST)
        ledger = self.ledger
        height = ledger.height
        number = start_number(seek_info.start, height)
        try:
            stop = stop_number(seek_info, number, height)
        except SeekRejected as err:
            logger.warning("deliver request rejected: %s", err)
            return err.status
        fail_if_not_ready = seek_info.behavior == ab_pb2.SeekInfo.FAIL_IF_NOT_READY
        header_only = seek_info.content_type == ab_pb2.SeekInfo.HEADER_WITH_SIG
        while True:
            if number >= ledger.height:
                if fail_if_not_ready:
                    return int(common_pb2.NOT_FOUND)
                await ledger.wait_for_height(number + 1)
            view = self.blocks.get(number)
            if header_only and not _is_config_block(view):
                view = BlockView(
                    common_pb2.Block(header=view.block.header, metadata=view.block.metadata)
                )
            await context.write(build(view, creator.msp_id))
            if number >= stop:
                return int(common_pb2.SUCCESS)
            number += 1


def _is_config_block(view: BlockView) -> bool:
    transactions = view.transactions()
    return len(transactions) == 1 and transactions[0].header_type == common_pb2.CONFIG
