"""Blocks with private data (``DeliverWithPrivateData``) as a reader sees them.

A peer answers each committed block with the private write sets **it holds** (its organisation
is a member of the collection) of the collections **the caller's identity may read** (the
collection's member policy, checked against the signed Deliver request): a member's peer gives
a member its collections' values; a non-member gets the block alone (its hashed write sets are
in the block: key and value hashes, never values). Purged keys are gone from older blocks' write
sets; only valid transactions' private data is kept. ``decode_block_and_private_data`` turns a
``peer.BlockAndPrivateData`` into a ``BlockWithPrivateData``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fabric_protos.ledger.rwset import rwset_pb2
from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2
from fabric_protos.peer import events_pb2
from gridledger.gateway.blocks import BlockDecodeError, BlockInfo, decode_block


@dataclass(frozen=True, slots=True)
class BlockWithPrivateData:
    """One committed block and the private writes the peer gave with it."""

    block: BlockInfo
    private_writes: tuple[PrivateWrite, ...]

    @property
    def number(self) -> int:
        return self.block.number

    def collections(self) -> frozenset[tuple[str, str]]:
        """(namespace, collection) of every private write set this caller was given."""
        return frozenset((w.namespace, w.collection) for w in self.private_writes)


@dataclass(frozen=True, slots=True)
class PrivateWrite:
    """One private write given with a block: transaction ``index`` in the block, chaincode
    ``namespace``, ``collection``, ``key``, and ``value`` (``b""`` with ``is_delete`` for a
    delete)."""

    index: int
    namespace: str
    collection: str
    key: str
    value: bytes
    is_delete: bool


def decode_block_and_private_data(message: Any) -> BlockWithPrivateData:
    """A ``peer.BlockAndPrivateData`` (message or bytes): the decoded block and each private
    write, ordered by transaction index, namespace, collection, then as written."""
    try:
        if isinstance(message, bytes | bytearray):
            message = events_pb2.BlockAndPrivateData.FromString(bytes(message))
        block = decode_block(message.block.SerializeToString())
        writes: list[PrivateWrite] = []
        for index in sorted(message.private_data_map):
            writes += _writes(int(index), message.private_data_map[index])
    except BlockDecodeError:
        raise
    except Exception as err:
        raise BlockDecodeError(f"cannot decode BlockAndPrivateData: {err}") from err
    return BlockWithPrivateData(block=block, private_writes=tuple(writes))


def _writes(index: int, tx: rwset_pb2.TxPvtReadWriteSet) -> list[PrivateWrite]:
    found: list[PrivateWrite] = []
    for ns in sorted(tx.ns_pvt_rwset, key=lambda n: n.namespace):
        for coll in sorted(ns.collection_pvt_rwset, key=lambda c: c.collection_name):
            kv = kv_rwset_pb2.KVRWSet.FromString(coll.rwset)
            where = (index, str(ns.namespace), str(coll.collection_name))
            found += [
                PrivateWrite(*where, str(w.key), bytes(w.value), bool(w.is_delete))
                for w in kv.writes
            ]
    return found
