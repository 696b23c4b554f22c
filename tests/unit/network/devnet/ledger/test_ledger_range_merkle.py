"""The validator re-checks a range recorded as a Merkle summary (more than 50 results) as
Fabric's does: the same results commit, an insert or delete inside the range is a phantom."""

from __future__ import annotations

from typing import Any

from devnet_ledger_helpers import Code, RWSet, codes, endorser_tx, user_signer
from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2
from gridledger_network.devnet.chaincode_support import TxSimulator
from gridledger_network.devnet.channel import DevnetChannel
from gridledger_network.devnet.msp import LocalSigner

CC = "gridledger"
OPERATOR, PROSUMER = "GridOperatorMSP", "ProsumerMSP"


def peers(channel: DevnetChannel) -> list[LocalSigner]:
    return [channel.peer_signers[OPERATOR], channel.peer_signers[PROSUMER]]


def summarised_range(channel: DevnetChannel, start: str, end: str) -> Any:
    """The RangeQueryInfo of reading [start, end) whole, simulated on the committed state."""
    sim = TxSimulator(channel.ledger, "sim", OPERATOR, {})
    scan = sim.range_scan(CC, start, end)
    while scan.next() is not None:
        pass
    (ns,) = sim.results().public.ns_rwset
    (info,) = kv_rwset_pb2.KVRWSet.FromString(ns.rwset).range_queries_info
    assert info.HasField("reads_merkle_hashes") and not info.HasField("raw_reads")
    return info


def test_summarised_range_valid_unchanged_and_phantom_on_insert(channel: DevnetChannel) -> None:
    writer = channel.new_block_writer()
    client = user_signer(channel)
    seed = {f"m{i:03d}": b"v" for i in range(120)}
    seeding = endorser_tx(client, peers(channel), RWSet(writes=seed))
    assert codes(writer.write([seeding.envelope])) == [Code.VALID]
    info = summarised_range(channel, "m", "n")
    unchanged = endorser_tx(client, peers(channel), RWSet(ranges=[info], writes={"x": b"1"}))
    outside = endorser_tx(client, peers(channel), RWSet(writes={"n1": b"after the range"}))
    insert = endorser_tx(client, peers(channel), RWSet(writes={"m050a": b"phantom"}))
    phantom = endorser_tx(client, peers(channel), RWSet(ranges=[info], writes={"y": b"1"}))
    block = writer.write([unchanged.envelope, outside.envelope, insert.envelope, phantom.envelope])
    assert codes(block) == [Code.VALID, Code.VALID, Code.VALID, Code.PHANTOM_READ_CONFLICT]


def test_summarised_range_phantom_on_delete_and_on_update(channel: DevnetChannel) -> None:
    writer = channel.new_block_writer()
    client = user_signer(channel)
    seed = {f"d{i:03d}": b"v" for i in range(60)}
    writer.write([endorser_tx(client, peers(channel), RWSet(writes=seed)).envelope])
    info = summarised_range(channel, "d", "e")
    delete = endorser_tx(client, peers(channel), RWSet(writes={"d059": None}))
    reader = endorser_tx(client, peers(channel), RWSet(ranges=[info]))
    assert codes(writer.write([delete.envelope, reader.envelope])) == [
        Code.VALID,
        Code.PHANTOM_READ_CONFLICT,
    ]
    info = summarised_range(channel, "d", "e")
    update = endorser_tx(client, peers(channel), RWSet(writes={"d000": b"new"}))
    reader = endorser_tx(client, peers(channel), RWSet(ranges=[info]))
    later = endorser_tx(client, peers(channel), RWSet(ranges=[info]))
    assert codes(writer.write([reader.envelope, update.envelope, later.envelope])) == [
        Code.VALID,
        Code.VALID,
        Code.PHANTOM_READ_CONFLICT,
    ]
