"""Records a simulation's reads and writes and renders them as Fabric's ``kvrwset`` messages.

Ordering follows Fabric's ``rwsetutil.RWSetBuilder``: namespaces, keys and collections sorted,
range queries in the order they were made (deduplicated), so two peers simulating the same
transaction on the same state produce byte-identical read-write sets.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fabric_protos.ledger.rwset import rwset_pb2
from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2

from gridledger_network.devnet.interfaces import Version


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _version(version: Version | None) -> Any:
    if version is None:
        return None
    return kv_rwset_pb2.Version(block_num=version.block, tx_num=version.tx)


def _metadata_entries(metadata: Mapping[str, bytes] | None) -> list[Any]:
    if not metadata:
        return []
    return [kv_rwset_pb2.KVMetadataEntry(name=n, value=metadata[n]) for n in sorted(metadata)]


@dataclass(slots=True)
class _CollectionHashed:
    reads: dict[str, Version | None] = field(default_factory=dict)
    writes: dict[str, tuple[bytes | None, bool]] = field(default_factory=dict)  # value, purge
    metadata_writes: dict[str, Mapping[str, bytes] | None] = field(default_factory=dict)


@dataclass(slots=True)
class _Namespace:
    reads: dict[str, Version | None] = field(default_factory=dict)
    writes: dict[str, bytes | None] = field(default_factory=dict)
    metadata_writes: dict[str, Mapping[str, bytes] | None] = field(default_factory=dict)
    range_queries: dict[tuple[str, str, bool], Any] = field(default_factory=dict)
    collections: dict[str, _CollectionHashed] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SimulationResults:
    public: Any  # rwset.TxReadWriteSet
    public_bytes: bytes
    private: Any | None  # rwset.TxPvtReadWriteSet, None without private writes


class RWSetBuilder:
    def __init__(self) -> None:
        self._namespaces: dict[str, _Namespace] = {}

    def _ns(self, namespace: str) -> _Namespace:
        ns = self._namespaces.get(namespace)
        if ns is None:
            ns = self._namespaces[namespace] = _Namespace()
        return ns

    def _coll(self, namespace: str, collection: str) -> _CollectionHashed:
        ns = self._ns(namespace)
        coll = ns.collections.get(collection)
        if coll is None:
            coll = ns.collections[collection] = _CollectionHashed()
        return coll

    def add_read(self, namespace: str, key: str, version: Version | None) -> None:
        self._ns(namespace).reads[key] = version

    def add_write(self, namespace: str, key: str, value: bytes | None) -> None:
        self._ns(namespace).writes[key] = value

    def add_metadata_write(
        self, namespace: str, key: str, metadata: Mapping[str, bytes] | None
    ) -> None:
        self._ns(namespace).metadata_writes[key] = metadata

    def add_range_query(self, namespace: str, info: Any) -> None:
        queries = self._ns(namespace).range_queries
        query_key = (info.start_key, info.end_key, info.itr_exhausted)
        if query_key not in queries:
            queries[query_key] = info

    def add_hashed_read(
        self, namespace: str, collection: str, key: str, version: Version | None
    ) -> None:
        self._coll(namespace, collection).reads[key] = version

    def add_private_write(
        self, namespace: str, collection: str, key: str, value: bytes | None, purge: bool = False
    ) -> None:
        self._coll(namespace, collection).writes[key] = (value, purge)

    def add_private_metadata_write(
        self, namespace: str, collection: str, key: str, metadata: Mapping[str, bytes] | None
    ) -> None:
        self._coll(namespace, collection).metadata_writes[key] = metadata

    def namespaces(self) -> list[str]:
        return sorted(self._namespaces)

    def written_keys(self) -> dict[tuple[str, str], list[str]]:
        """(namespace, collection or "") -> keys written (values or metadata)."""
        out: dict[tuple[str, str], list[str]] = {}
        for name, ns in self._namespaces.items():
            keys = sorted(set(ns.writes) | set(ns.metadata_writes))
            if keys:
                out[(name, "")] = keys
            for coll_name, coll in ns.collections.items():
                ckeys = sorted(set(coll.writes) | set(coll.metadata_writes))
                if ckeys:
                    out[(name, coll_name)] = ckeys
        return out

    def build(self) -> SimulationResults:
        private = self._build_private()
        private_hashes: dict[tuple[str, str], bytes] = {}
        if private is not None:
            for ns_pvt in private.ns_pvt_rwset:
                for coll_pvt in ns_pvt.collection_pvt_rwset:
                    private_hashes[(ns_pvt.namespace, coll_pvt.collection_name)] = sha256(
                        coll_pvt.rwset
                    )
        public = rwset_pb2.TxReadWriteSet(data_model=rwset_pb2.TxReadWriteSet.KV)
        for name in sorted(self._namespaces):
            ns = self._namespaces[name]
            kv = kv_rwset_pb2.KVRWSet(
                reads=[
                    kv_rwset_pb2.KVRead(key=k, version=_version(ns.reads[k]))
                    for k in sorted(ns.reads)
                ],
                range_queries_info=list(ns.range_queries.values()),
                writes=[_kv_write(k, ns.writes[k]) for k in sorted(ns.writes)],
                metadata_writes=[
                    kv_rwset_pb2.KVMetadataWrite(
                        key=k, entries=_metadata_entries(ns.metadata_writes[k])
                    )
                    for k in sorted(ns.metadata_writes)
                ],
            )
            ns_rwset = public.ns_rwset.add(namespace=name, rwset=kv.SerializeToString())
            for coll_name in sorted(ns.collections):
                coll = ns.collections[coll_name]
                hashed = kv_rwset_pb2.HashedRWSet(
                    hashed_reads=[
                        kv_rwset_pb2.KVReadHash(
                            key_hash=sha256(k.encode()), version=_version(coll.reads[k])
                        )
                        for k in sorted(coll.reads)
                    ],
                    hashed_writes=[_kv_write_hash(k, *coll.writes[k]) for k in sorted(coll.writes)],
                    metadata_writes=[
                        kv_rwset_pb2.KVMetadataWriteHash(
                            key_hash=sha256(k.encode()),
                            entries=_metadata_entries(coll.metadata_writes[k]),
                        )
                        for k in sorted(coll.metadata_writes)
                    ],
                )
                ns_rwset.collection_hashed_rwset.add(
                    collection_name=coll_name,
                    hashed_rwset=hashed.SerializeToString(),
                    pvt_rwset_hash=private_hashes.get((name, coll_name), b""),
                )
        return SimulationResults(public, public.SerializeToString(), private)

    def _build_private(self) -> Any | None:
        private = rwset_pb2.TxPvtReadWriteSet(data_model=rwset_pb2.TxReadWriteSet.KV)
        for name in sorted(self._namespaces):
            ns = self._namespaces[name]
            ns_pvt = None
            for coll_name in sorted(ns.collections):
                coll = ns.collections[coll_name]
                if not coll.writes and not coll.metadata_writes:
                    continue
                kv = kv_rwset_pb2.KVRWSet(
                    writes=[_kv_write(k, coll.writes[k][0]) for k in sorted(coll.writes)],
                    metadata_writes=[
                        kv_rwset_pb2.KVMetadataWrite(key=k) for k in sorted(coll.metadata_writes)
                    ],
                )
                if ns_pvt is None:
                    ns_pvt = private.ns_pvt_rwset.add(namespace=name)
                ns_pvt.collection_pvt_rwset.add(
                    collection_name=coll_name, rwset=kv.SerializeToString()
                )
        return private if len(private.ns_pvt_rwset) else None


def _kv_write(key: str, value: bytes | None) -> Any:
    if not value:
        return kv_rwset_pb2.KVWrite(key=key, is_delete=True)
    return kv_rwset_pb2.KVWrite(key=key, value=value)


def _kv_write_hash(key: str, value: bytes | None, purge: bool) -> Any:
    if not value:
        return kv_rwset_pb2.KVWriteHash(
            key_hash=sha256(key.encode()), is_delete=True, is_purge=purge
        )
    return kv_rwset_pb2.KVWriteHash(key_hash=sha256(key.encode()), value_hash=sha256(value))
