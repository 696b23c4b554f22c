"""Match a valid transaction's hashed private writes with private data from the transient store."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from typing import Any

from fabric_protos.ledger.rwset import rwset_pb2
from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2

from gridledger_network.devnet.interfaces import Version
from gridledger_network.devnet.ledger.updates import (
    Expiry,
    PrivateBlockData,
    PrivateWrite,
)
from gridledger_network.devnet.validator.transaction import EndorserTx

log = logging.getLogger(__name__)


def collect_private_writes(
    tx: EndorserTx,
    version: Version,
    pvt_sets: Sequence[Any],
    block_to_live: dict[tuple[str, str], int],
) -> tuple[list[PrivateWrite], list[PrivateBlockData], list[Expiry]]:
    """For each collection the tx wrote (hashes), the private writes whose rwset hash matches."""
    writes: list[PrivateWrite] = []
    block_data: list[PrivateBlockData] = []
    expiries: list[Expiry] = []
    candidates: dict[bytes, tuple[str, str, bytes]] = {}
    for pvt in pvt_sets:
        for ns in pvt.ns_pvt_rwset:
            for coll in ns.collection_pvt_rwset:
                data = bytes(coll.rwset)
                candidates[hashlib.sha256(data).digest()] = (
                    ns.namespace,
                    coll.collection_name,
                    data,
                )
    for ns in tx.namespaces:
        for coll in ns.collections:
            btl = block_to_live.get((ns.namespace, coll.name), 0)
            expire_at = version.block + btl + 1 if btl > 0 else None
            if expire_at is not None:
                for w in coll.hashed.hashed_writes:
                    if not (w.is_delete or w.is_purge):
                        expiries.append(
                            Expiry(expire_at, ns.namespace, coll.name, bytes(w.key_hash), version)
                        )
            if not len(coll.hashed.hashed_writes) and not len(coll.hashed.hashed_reads):
                continue
            match = candidates.get(coll.pvt_rwset_hash)
            if match is None or match[:2] != (ns.namespace, coll.name):
                if len(coll.hashed.hashed_writes):
                    log.warning(
                        "tx %s: private data of %s/%s missing or not matching its hash",
                        tx.tx_id,
                        ns.namespace,
                        coll.name,
                    )
                continue
            kv = kv_rwset_pb2.KVRWSet()
            kv.ParseFromString(match[2])
            for w in kv.writes:
                value = None if w.is_delete else bytes(w.value)
                writes.append(PrivateWrite(ns.namespace, coll.name, w.key, value, version))
            stored = rwset_pb2.CollectionPvtReadWriteSet(collection_name=coll.name, rwset=match[2])
            block_data.append(
                PrivateBlockData(
                    tx.index, ns.namespace, coll.name, stored.SerializeToString(), expire_at
                )
            )
    return writes, block_data, expiries
