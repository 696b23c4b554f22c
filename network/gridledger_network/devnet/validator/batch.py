"""The updates of a block's valid transactions so far, applied as Fabric's txOps do.

Per key and transaction: a delete removes value and metadata; a value write keeps the latest
metadata; a metadata write keeps the latest value (and is dropped if the key does not exist); a
metadata write with no entries clears the metadata.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from gridledger_network.devnet.interfaces import HistoryEntry, StateReader, Version
from gridledger_network.devnet.ledger.metadata import metadata_from_entries
from gridledger_network.devnet.ledger.updates import (
    HashedWrite,
    HistoryWrite,
    PublicWrite,
    PurgeMarker,
)
from gridledger_network.devnet.validator.transaction import EndorserTx


@dataclass
class _KeyOps:
    value: bytes | None = None
    upsert: bool = False
    delete: bool = False
    metadata: dict[str, bytes] | None = None  # None: untouched; {}: cleared


@dataclass
class UpdateBatch:
    state: StateReader
    public: dict[tuple[str, str], PublicWrite] = field(default_factory=dict)
    hashed: dict[tuple[str, str, bytes], HashedWrite] = field(default_factory=dict)
    history: list[HistoryWrite] = field(default_factory=list)
    purges: list[PurgeMarker] = field(default_factory=list)

    def has_public(self, namespace: str, key: str) -> bool:
        return (namespace, key) in self.public

    def has_hashed(self, namespace: str, collection: str, key_hash: bytes) -> bool:
        return (namespace, collection, key_hash) in self.hashed

    def public_in_range(self, namespace: str, start: str, end: str | None) -> Iterator[PublicWrite]:
        """Updated keys with start <= key and (end None or key < end), in any order."""
        for (ns, key), write in self.public.items():
            if ns == namespace and key >= start and (end is None or key < end):
                yield write

    def apply(self, tx: EndorserTx, version: Version) -> None:
        for ns in tx.namespaces:
            self._apply_public(tx, ns.namespace, ns.kv, version)
            for coll in ns.collections:
                self._apply_hashed(ns.namespace, coll.name, coll.hashed, version)

    def _apply_public(self, tx: EndorserTx, namespace: str, kv: Any, version: Version) -> None:
        ops: dict[str, _KeyOps] = {}
        for w in kv.writes:
            op = ops.setdefault(w.key, _KeyOps())
            if w.is_delete:
                op.delete = True
            else:
                op.upsert, op.value = True, bytes(w.value)
            self.history.append(
                HistoryWrite(
                    namespace,
                    w.key,
                    version,
                    HistoryEntry(
                        tx.tx_id,
                        b"" if w.is_delete else bytes(w.value),
                        bool(w.is_delete),
                        tx.timestamp_seconds,
                        tx.timestamp_nanos,
                    ),
                )
            )
        for m in kv.metadata_writes:
            ops.setdefault(m.key, _KeyOps()).metadata = metadata_from_entries(m.entries)
        for key, op in ops.items():
            latest = self._latest_public(namespace, key)
            final = _resolve(op, latest)
            if final is not None:
                value, metadata = final
                self.public[(namespace, key)] = PublicWrite(
                    namespace, key, value, metadata, version
                )

    def _apply_hashed(self, namespace: str, collection: str, hashed: Any, version: Version) -> None:
        ops: dict[bytes, _KeyOps] = {}
        for w in hashed.hashed_writes:
            op = ops.setdefault(bytes(w.key_hash), _KeyOps())
            if w.is_purge:
                self.purges.append(PurgeMarker(namespace, collection, bytes(w.key_hash), version))
            if w.is_delete or w.is_purge:
                op.delete = True
            else:
                op.upsert, op.value = True, bytes(w.value_hash)
        for m in hashed.metadata_writes:
            ops.setdefault(bytes(m.key_hash), _KeyOps()).metadata = metadata_from_entries(m.entries)
        for key_hash, op in ops.items():
            latest = self._latest_hashed(namespace, collection, key_hash)
            final = _resolve(op, latest)
            if final is not None:
                value, metadata = final
                self.hashed[(namespace, collection, key_hash)] = HashedWrite(
                    namespace, collection, key_hash, value, metadata, version
                )

    def _latest_public(self, namespace: str, key: str) -> tuple[bytes, dict[str, bytes]] | None:
        write = self.public.get((namespace, key))
        if write is not None:
            return None if write.value is None else (write.value, dict(write.metadata))
        committed = self.state.get_state(namespace, key)
        return (committed.value, dict(committed.metadata)) if committed else None

    def _latest_hashed(
        self, namespace: str, collection: str, key_hash: bytes
    ) -> tuple[bytes, dict[str, bytes]] | None:
        write = self.hashed.get((namespace, collection, key_hash))
        if write is not None:
            return None if write.value_hash is None else (write.value_hash, dict(write.metadata))
        committed = self.state.get_private_data_hash(namespace, collection, key_hash)
        return (committed.value, dict(committed.metadata)) if committed else None


def _resolve(
    op: _KeyOps, latest: tuple[bytes, dict[str, bytes]] | None
) -> tuple[bytes | None, dict[str, bytes]] | None:
    """(value or None for delete, metadata) to store, or None when nothing changes."""
    if op.delete:
        return None, {}
    if op.upsert:
        assert op.value is not None
        if op.metadata is not None:
            return op.value, op.metadata
        return op.value, latest[1] if latest else {}
    if latest is None:  # metadata for a key that does not exist: dropped, as in Fabric
        return None
    return latest[0], op.metadata or {}
