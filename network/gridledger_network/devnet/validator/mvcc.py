"""MVCC validation of a transaction's reads against committed state plus the block's earlier writes.

As Fabric's kvledger validator: a read key updated earlier in the block or whose committed version
differs is MVCC_READ_CONFLICT; a range query whose re-execution (committed state merged with the
block's updates) yields different keys or versions (compared raw, or through the Merkle summary
Fabric records beyond 50 results: :mod:`gridledger_network.devnet.query_reads`) is
PHANTOM_READ_CONFLICT; hashed (private) reads are checked like public ones.
"""

from __future__ import annotations

from typing import Any

from fabric_protos.peer import transaction_pb2

from gridledger_network.devnet.interfaces import StateReader, Version
from gridledger_network.devnet.query_reads import range_matches
from gridledger_network.devnet.validator.batch import UpdateBatch
from gridledger_network.devnet.validator.transaction import EndorserTx

Code = transaction_pb2.TxValidationCode


def _read_version(read: Any) -> Version | None:
    return (
        Version(read.version.block_num, read.version.tx_num) if read.HasField("version") else None
    )


def validate_reads(tx: EndorserTx, state: StateReader, batch: UpdateBatch) -> int:
    """``TxValidationCode``: VALID, MVCC_READ_CONFLICT or PHANTOM_READ_CONFLICT."""
    for ns in tx.namespaces:
        reads = list(ns.kv.reads)
        if any(batch.has_public(ns.namespace, read.key) for read in reads):
            return int(Code.MVCC_READ_CONFLICT)
        committed_all = state.get_states(ns.namespace, [read.key for read in reads])
        for read, committed in zip(reads, committed_all, strict=True):
            if (committed.version if committed else None) != _read_version(read):
                return int(Code.MVCC_READ_CONFLICT)
        for rqi in ns.kv.range_queries_info:
            if not _range_still_valid(ns.namespace, rqi, state, batch):
                return int(Code.PHANTOM_READ_CONFLICT)
        for coll in ns.collections:
            for read in coll.hashed.hashed_reads:
                key_hash = bytes(read.key_hash)
                if batch.has_hashed(ns.namespace, coll.name, key_hash):
                    return int(Code.MVCC_READ_CONFLICT)
                committed = state.get_private_data_hash(ns.namespace, coll.name, key_hash)
                if (committed.version if committed else None) != _read_version(read):
                    return int(Code.MVCC_READ_CONFLICT)
    return int(Code.VALID)


def _range_still_valid(namespace: str, rqi: Any, state: StateReader, batch: UpdateBatch) -> bool:
    start = rqi.start_key
    # not exhausted: the simulator stopped at end_key, which was read (inclusive bound)
    end: str | None = (rqi.end_key + "\x00") if not rqi.itr_exhausted else (rqi.end_key or None)
    merged: dict[str, Version | None] = {
        key: vv.version for key, vv in state.range(namespace, start, end or "")
    }
    for write in batch.public_in_range(namespace, start, end):
        merged[write.key] = None if write.value is None else write.version
    current = sorted((k, v) for k, v in merged.items() if v is not None)
    return range_matches(rqi, current)
