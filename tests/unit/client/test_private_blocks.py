"""Decoding ``peer.BlockAndPrivateData``: the block, and each private write ordered by
transaction, namespace and collection; malformed answers are a ``BlockDecodeError``."""

from __future__ import annotations

import pytest
from fabric_protos.common import common_pb2
from fabric_protos.ledger.rwset import rwset_pb2
from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2
from fabric_protos.peer import events_pb2
from gridledger.gateway import BlockDecodeError, PrivateWrite, decode_block_and_private_data


def _collection(name: str, *writes: kv_rwset_pb2.KVWrite) -> rwset_pb2.CollectionPvtReadWriteSet:
    rwset = kv_rwset_pb2.KVRWSet(writes=list(writes)).SerializeToString()
    return rwset_pb2.CollectionPvtReadWriteSet(collection_name=name, rwset=rwset)


def _tx(*collections: rwset_pb2.CollectionPvtReadWriteSet) -> rwset_pb2.TxPvtReadWriteSet:
    namespace = rwset_pb2.NsPvtReadWriteSet(
        namespace="gridledger", collection_pvt_rwset=list(collections)
    )
    return rwset_pb2.TxPvtReadWriteSet(ns_pvt_rwset=[namespace])


def _message() -> events_pb2.BlockAndPrivateData:
    message = events_pb2.BlockAndPrivateData(
        block=common_pb2.Block(header=common_pb2.BlockHeader(number=7))
    )
    message.private_data_map[3].CopyFrom(
        _tx(
            _collection("mdata_B", kv_rwset_pb2.KVWrite(key="k2", is_delete=True)),
            _collection("mdata_A", kv_rwset_pb2.KVWrite(key="k1", value=b"12 Wh")),
        )
    )
    message.private_data_map[0].CopyFrom(
        _tx(_collection("mdata_A", kv_rwset_pb2.KVWrite(key="k0", value=b"0")))
    )
    return message


@pytest.mark.parametrize("as_bytes", [False, True])
def test_writes_come_in_transaction_then_collection_order(as_bytes: bool) -> None:
    message = _message()
    decoded = decode_block_and_private_data(message.SerializeToString() if as_bytes else message)
    assert decoded.number == 7 and decoded.block.transactions == ()
    assert decoded.private_writes == (
        PrivateWrite(0, "gridledger", "mdata_A", "k0", b"0", False),
        PrivateWrite(3, "gridledger", "mdata_A", "k1", b"12 Wh", False),
        PrivateWrite(3, "gridledger", "mdata_B", "k2", b"", True),
    )
    assert decoded.collections() == {("gridledger", "mdata_A"), ("gridledger", "mdata_B")}


def test_a_block_without_private_data_has_no_writes() -> None:
    message = events_pb2.BlockAndPrivateData(
        block=common_pb2.Block(header=common_pb2.BlockHeader(number=1))
    )
    assert decode_block_and_private_data(message).private_writes == ()


def test_malformed_answers_are_block_decode_errors() -> None:
    with pytest.raises(BlockDecodeError, match="cannot decode BlockAndPrivateData"):
        decode_block_and_private_data(b"\xff\xff\xff")
    message = _message()
    bad = message.private_data_map[0].ns_pvt_rwset[0].collection_pvt_rwset[0]
    bad.rwset = b"\xff\xff"
    with pytest.raises(BlockDecodeError, match="cannot decode BlockAndPrivateData"):
        decode_block_and_private_data(message)
