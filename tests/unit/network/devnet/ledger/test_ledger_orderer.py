"""The solo orderer: broadcast checks, block cutting by count and by timeout on asyncio."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from devnet_ledger_helpers import Code, RWSet, codes, endorser_tx, user_signer
from fabric_protos.common import common_pb2
from gridledger_network.devnet.channel import DevnetChannel
from gridledger_network.devnet.config import BatchConfig
from gridledger_network.devnet.interfaces import OrdererRejected
from gridledger_network.devnet.orderer import BlockCutter, SoloOrderer


def _orderer(channel: DevnetChannel, **batch: int) -> SoloOrderer:
    config = dataclasses.replace(channel.config.batch, **batch)
    return SoloOrderer(channel.channel_config, channel.new_block_writer(), config)


def _txs(channel: DevnetChannel, count: int) -> list[bytes]:
    peers = list(channel.peer_signers.values())
    client = user_signer(channel)
    return [
        endorser_tx(client, peers, RWSet(writes={f"k{i}": b"v"})).envelope for i in range(count)
    ]


def test_blocks_cut_by_message_count(channel: DevnetChannel) -> None:
    orderer = _orderer(channel, max_message_count=2, batch_timeout_ms=60_000)
    envelopes = _txs(channel, 5)

    async def scenario() -> None:
        orderer.start(asyncio.get_running_loop())
        for envelope in envelopes:
            orderer.broadcast(envelope)
        await channel.ledger.wait_for_height(3)  # genesis + two full blocks, no timeout needed
        orderer.stop()  # flushes the fifth

    asyncio.run(scenario())
    sizes = [len(channel.ledger.block(n).data.data) for n in range(1, channel.ledger.height)]
    assert sizes == [2, 2, 1]
    assert all(c == Code.VALID for n in range(1, 4) for c in codes(channel.ledger.block(n)))


def test_block_cut_by_timeout(channel: DevnetChannel) -> None:
    orderer = _orderer(channel, max_message_count=100, batch_timeout_ms=20)
    envelopes = _txs(channel, 3)

    async def scenario() -> None:
        for envelope in envelopes:
            orderer.broadcast(envelope)  # attaches to the running loop by itself
        await channel.ledger.wait_for_height(2)
        orderer.stop()

    asyncio.run(scenario())
    assert channel.ledger.height == 2 and len(channel.ledger.block(1).data.data) == 3


def test_block_cutter_respects_preferred_bytes() -> None:
    cutter = BlockCutter(BatchConfig(max_message_count=10, preferred_max_bytes=100))
    assert cutter.ordered(b"a" * 60) == []
    assert cutter.ordered(b"b" * 60) == [[b"a" * 60]]  # would overflow: pending cut first
    assert cutter.ordered(b"c" * 150) == [[b"b" * 60], [b"c" * 150]]  # oversized goes alone
    assert cutter.pending == []


def test_broadcast_rejections(channel: DevnetChannel) -> None:
    orderer = _orderer(channel, absolute_max_bytes=50_000)
    client = user_signer(channel)
    peers = list(channel.peer_signers.values())
    wrong_channel = endorser_tx(client, peers, RWSet(writes={"k": b"v"}), channel="other").envelope
    forged = endorser_tx(
        client, peers, RWSet(writes={"k": b"v"}), sign_envelope=user_signer(channel, "ProsumerMSP")
    ).envelope
    huge = endorser_tx(client, peers, RWSet(writes={"k": b"v" * 60_000})).envelope

    async def scenario() -> list[int]:
        statuses = []
        for envelope in (b"\x0a\x03abc", wrong_channel, forged, huge):
            with pytest.raises(OrdererRejected) as rejected:
                orderer.broadcast(envelope)
            statuses.append(rejected.value.status)
        orderer.stop()
        return statuses

    assert asyncio.run(scenario()) == [
        common_pb2.BAD_REQUEST,
        common_pb2.NOT_FOUND,
        common_pb2.FORBIDDEN,
        common_pb2.REQUEST_ENTITY_TOO_LARGE,
    ]
    with pytest.raises(OrdererRejected) as stopped:
        orderer.broadcast(_txs(channel, 1)[0])
    assert stopped.value.status == common_pb2.SERVICE_UNAVAILABLE
