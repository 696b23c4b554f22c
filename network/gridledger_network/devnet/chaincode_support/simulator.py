"""A transaction simulator: reads committed state, records what it read and buffers what it wrote.

Behaviour follows Fabric's ``txmgr.txSimulator``: reads never see the transaction's own writes,
range queries are recorded as ``RangeQueryInfo`` with their reads raw, or as a Merkle summary
beyond 50 results (for phantom checks, see :mod:`gridledger_network.devnet.query_reads`), private
data reads are recorded as hashed reads, and paginated or private-data queries make the
transaction read-only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2

from gridledger_network.devnet.chaincode_support.definitions import CollectionDefinition
from gridledger_network.devnet.chaincode_support.errors import SimulationError
from gridledger_network.devnet.chaincode_support.rwset_builder import (
    RWSetBuilder,
    SimulationResults,
)
from gridledger_network.devnet.interfaces import HistoryEntry, StateReader, Version, VersionedValue
from gridledger_network.devnet.query_reads import QueryReadsSummarizer, record_reads

VALIDATION_PARAMETER = "VALIDATION_PARAMETER"


def _version_text(version: Version | None) -> str:
    if version is None:
        return "<nil>"
    return f"{{BlockNum: {version.block}, TxNum: {version.tx}}}"


class RangeScan:
    """One range query: yields (key, value) and records its RangeQueryInfo."""

    def __init__(
        self,
        rows: Iterator[tuple[str, VersionedValue]],
        start_key: str,
        end_key: str,
        page_size: int,
        record: bool,
    ) -> None:
        self._rows = rows
        self._end_key = end_key
        self._page_size = page_size
        self._returned = 0
        self._done = False
        self.info: Any = kv_rwset_pb2.RangeQueryInfo(start_key=start_key) if record else None
        self._reads: QueryReadsSummarizer | None = QueryReadsSummarizer() if record else None

    def next(self) -> tuple[str, bytes] | None:
        if self._done:
            return None
        if self._page_size and self._returned >= self._page_size:
            self._exhaust()
            return None
        row = next(self._rows, None)
        if row is None:
            self._exhaust()
            return None
        key, versioned = row
        self._returned += 1
        if self._reads is not None:
            self._reads.add(key, versioned.version)
            self.info.end_key = key
        return key, versioned.value

    def range_query_info(self) -> Any:
        """The ``kvrwset.RangeQueryInfo`` (None when not recorded), reads raw or summarised;
        the scan reads nothing more once it has been asked."""
        if self._reads is not None:
            record_reads(self.info, self._reads)
            self._reads = None
            self._done = True
        return self.info

    def _exhaust(self) -> None:
        self._done = True
        if self.info is not None:
            self.info.itr_exhausted = True
            self.info.end_key = self._end_key

    def bookmark(self) -> str:
        """The key the next page starts at ("" when nothing follows), like Fabric's pagination."""
        row = next(self._rows, None)
        return "" if row is None else row[0]


@dataclass(frozen=True, slots=True)
class WrittenKeyMetadata:
    """Committed metadata of each key the transaction writes (Fabric's WritesetMetadata)."""

    entries: Mapping[tuple[str, str], Mapping[str, Mapping[str, bytes]]]  # (ns, coll) -> key -> md


class TxSimulator:
    def __init__(
        self,
        reader: StateReader,
        tx_id: str,
        peer_msp_id: str,
        collections: Mapping[str, Mapping[str, CollectionDefinition]],
        creator_msp_id: str | None = None,
    ) -> None:
        """``creator_msp_id``: the organisation of the proposal's signer, checked against
        collections with member-only reads or writes (``None``: not checked)."""
        self._reader = reader
        self.tx_id = tx_id
        self._peer_msp_id = peer_msp_id
        self._collections = collections
        self._creator_msp_id = creator_msp_id
        self._builder = RWSetBuilder()
        self._scans: list[tuple[str, RangeScan]] = []
        self._write_performed = False
        self._private_queries = False
        self._paginated_queries = False
        self.private_reads: set[tuple[str, str]] = set()
        self._results: SimulationResults | None = None

    # -- public state -------------------------------------------------------------------------
    def get_state(self, namespace: str, key: str) -> bytes | None:
        versioned = self._reader.get_state(namespace, key)
        self._builder.add_read(namespace, key, versioned.version if versioned else None)
        return versioned.value if versioned else None

    def get_states(self, namespace: str, keys: Sequence[str]) -> list[bytes | None]:
        values: list[bytes | None] = []
        for key, versioned in zip(keys, self._reader.get_states(namespace, keys), strict=True):
            self._builder.add_read(namespace, key, versioned.version if versioned else None)
            values.append(versioned.value if versioned else None)
        return values

    def get_state_metadata(self, namespace: str, key: str) -> Mapping[str, bytes]:
        versioned = self._reader.get_state(namespace, key)
        self._builder.add_read(namespace, key, versioned.version if versioned else None)
        return versioned.metadata if versioned else {}

    def set_state(self, namespace: str, key: str, value: bytes | None) -> None:
        self._check_write()
        self._builder.add_write(namespace, key, value)

    def delete_state(self, namespace: str, key: str) -> None:
        self.set_state(namespace, key, None)

    def set_state_metadata(
        self, namespace: str, key: str, metadata: Mapping[str, bytes] | None
    ) -> None:
        self._check_write()
        self._builder.add_metadata_write(namespace, key, metadata)

    def range_scan(
        self, namespace: str, start_key: str, end_key: str, page_size: int = 0
    ) -> RangeScan:
        if page_size:
            if self._write_performed:
                raise SimulationError(
                    f"txid [{self.tx_id}]: unsuppored transaction. Paginated queries are "
                    "supported only in a read-only transaction"
                )
            self._paginated_queries = True
        scan = RangeScan(
            iter(self._reader.range(namespace, start_key, end_key)),
            start_key,
            end_key,
            page_size,
            record=True,
        )
        self._scans.append((namespace, scan))
        return scan

    def history(self, namespace: str, key: str) -> Iterator[HistoryEntry]:
        return iter(self._reader.history(namespace, key))

    # -- private data -------------------------------------------------------------------------
    def _collection(self, namespace: str, collection: str) -> CollectionDefinition:
        definition = self._collections.get(namespace, {}).get(collection)
        if definition is None:
            if not self._collections.get(namespace):
                raise SimulationError(
                    f"collection config not defined for chaincode [{namespace}], pass the "
                    "collection configuration upon chaincode definition/instantiation"
                )
            raise SimulationError(
                f"collection [{collection}] not defined in the collection config for chaincode "
                f"[{namespace}]"
            )
        return definition

    def _permitted(self, namespace: str, collection: str, access: str) -> CollectionDefinition:
        """The collection, if the proposal's creator may ``access`` ("read" or "write") it:
        Fabric's chaincode handler checks ``memberOnlyRead`` before every private read but the
        hash, ``memberOnlyWrite`` before puts, deletes, purges and metadata writes."""
        definition = self._collection(namespace, collection)
        creator = self._creator_msp_id
        if not (definition.may_read if access == "read" else definition.may_write)(creator):
            raise SimulationError(
                f"tx creator does not have {access} access permission on privatedata in "
                f"chaincodeName:{namespace} collectionName: {collection}"
            )
        return definition

    def _hashed(self, namespace: str, collection: str, key: str) -> VersionedValue | None:
        key_hash = hashlib.sha256(key.encode()).digest()
        return self._reader.get_private_data_hash(namespace, collection, key_hash)

    def get_private_data(self, namespace: str, collection: str, key: str) -> bytes | None:
        definition = self._permitted(namespace, collection, "read")
        if self._peer_msp_id in definition.members:
            hashed, private = self._reader.get_private_data_and_hash(namespace, collection, key)
        else:
            hashed, private = self._hashed(namespace, collection, key), None
        hash_version = hashed.version if hashed else None
        private_version = private.version if private else None
        if hash_version != private_version:
            raise SimulationError(
                "private data matching public hash version is not available. Public hash "
                f"version = {_version_text(hash_version)}, Private data version = "
                f"{_version_text(private_version)}"
            )
        self._builder.add_hashed_read(namespace, collection, key, private_version)
        self.private_reads.add((namespace, collection))
        return private.value if private else None

    def get_private_data_hash(self, namespace: str, collection: str, key: str) -> bytes | None:
        self._collection(namespace, collection)
        hashed = self._hashed(namespace, collection, key)
        self._builder.add_hashed_read(
            namespace, collection, key, hashed.version if hashed else None
        )
        return hashed.value if hashed else None

    def get_private_data_metadata(
        self, namespace: str, collection: str, key: str
    ) -> Mapping[str, bytes]:
        self._permitted(namespace, collection, "read")
        hashed = self._hashed(namespace, collection, key)
        self._builder.add_hashed_read(
            namespace, collection, key, hashed.version if hashed else None
        )
        return hashed.metadata if hashed else {}

    def set_private_data(
        self, namespace: str, collection: str, key: str, value: bytes | None
    ) -> None:
        self._permitted(namespace, collection, "write")
        self._check_write()
        self._builder.add_private_write(namespace, collection, key, value)

    def delete_private_data(self, namespace: str, collection: str, key: str) -> None:
        self.set_private_data(namespace, collection, key, None)

    def purge_private_data(self, namespace: str, collection: str, key: str) -> None:
        self._permitted(namespace, collection, "write")
        self._check_write()
        self._builder.add_private_write(namespace, collection, key, None, purge=True)

    def set_private_data_metadata(
        self, namespace: str, collection: str, key: str, metadata: Mapping[str, bytes] | None
    ) -> None:
        self._permitted(namespace, collection, "write")
        self._check_write()
        self._builder.add_private_metadata_write(namespace, collection, key, metadata)

    def private_range_scan(
        self, namespace: str, collection: str, start_key: str, end_key: str
    ) -> RangeScan:
        definition = self._permitted(namespace, collection, "read")
        if self._write_performed:
            raise SimulationError(
                f"txid [{self.tx_id}]: unsuppored transaction. Queries on pvt data is supported "
                "only in a read-only transaction"
            )
        self._private_queries = True
        private_range = getattr(self._reader, "private_range", None)
        if private_range is None:
            raise SimulationError("private data range queries are not supported by this ledger")
        rows: Iterator[tuple[str, VersionedValue]] = (
            iter(private_range(namespace, collection, start_key, end_key))
            if self._peer_msp_id in definition.members
            else iter(())
        )
        return RangeScan(rows, start_key, end_key, 0, record=False)

    # -- results ------------------------------------------------------------------------------
    def _check_write(self) -> None:
        if self._private_queries:
            raise SimulationError(
                f"txid [{self.tx_id}]: unsuppored transaction. Transaction has already performed "
                "queries on pvt data. Writes are not allowed"
            )
        if self._paginated_queries:
            raise SimulationError(
                f"txid [{self.tx_id}]: unsuppored transaction. Transaction has already performed "
                "a paginated query. Writes are not allowed"
            )
        self._write_performed = True

    def results(self) -> SimulationResults:
        if self._results is None:
            for namespace, scan in self._scans:
                info = scan.range_query_info()
                if info is not None:
                    self._builder.add_range_query(namespace, info)
            self._results = self._builder.build()
        return self._results

    def written_key_metadata(self) -> WrittenKeyMetadata:
        """Committed metadata of every written key, for the chaincode interest."""
        entries: dict[tuple[str, str], dict[str, Mapping[str, bytes]]] = {}
        for (namespace, collection), keys in self._builder.written_keys().items():
            per_key: dict[str, Mapping[str, bytes]] = {}
            for key in keys:
                if collection:
                    committed = self._hashed(namespace, collection, key)
                else:
                    committed = self._reader.get_state(namespace, key)
                per_key[key] = committed.metadata if committed else {}
            entries[(namespace, collection)] = per_key
        return WrittenKeyMetadata(entries)

    def namespaces(self) -> list[str]:
        return self._builder.namespaces()
