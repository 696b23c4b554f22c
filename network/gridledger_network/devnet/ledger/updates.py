"""What the validator hands the ledger for one block: every write, index entry and purge, final."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gridledger_network.devnet.interfaces import HistoryEntry, Version


@dataclass(frozen=True, slots=True)
class PublicWrite:
    """The final state of one key after the block: ``value`` None deletes the key."""

    namespace: str
    key: str
    value: bytes | None
    metadata: Mapping[str, bytes]
    version: Version


@dataclass(frozen=True, slots=True)
class HashedWrite:
    """The final hashed state of one private key (SHA-256 of key and value)."""

    namespace: str
    collection: str
    key_hash: bytes
    value_hash: bytes | None
    metadata: Mapping[str, bytes]
    version: Version


@dataclass(frozen=True, slots=True)
class PrivateWrite:
    """The final private value of one key (from the transient store): ``value`` None deletes."""

    namespace: str
    collection: str
    key: str
    value: bytes | None
    version: Version


@dataclass(frozen=True, slots=True)
class HistoryWrite:
    """One write of a key, for its history: where and at which version, and the entry itself."""

    namespace: str
    key: str
    version: Version
    entry: HistoryEntry


@dataclass(frozen=True, slots=True)
class TxRecord:
    tx_id: str
    tx_index: int
    validation_code: int


@dataclass(frozen=True, slots=True)
class PrivateBlockData:
    """One collection's private write set committed with a transaction (for deliver/BTL)."""

    tx_index: int
    namespace: str
    collection: str
    rwset: bytes  # rwset.CollectionPvtReadWriteSet
    expire_at: int | None  # block number at whose commit it is purged; None: never


@dataclass(frozen=True, slots=True)
class Expiry:
    """Purge the private key (value and hash) at block ``expire_at`` unless rewritten since."""

    expire_at: int
    namespace: str
    collection: str
    key_hash: bytes
    version: Version


@dataclass(frozen=True, slots=True)
class PurgeMarker:
    """A valid ``PurgePrivateData`` of one key: besides removing its value and hash (as a delete
    does), every older version of the key leaves the private write sets of earlier blocks."""

    namespace: str
    collection: str
    key_hash: bytes
    version: Version  # the purging transaction's


@dataclass
class BlockCommit:
    block: Any  # common.Block with TRANSACTIONS_FILTER set; the ledger adds COMMIT_HASH
    txs: list[TxRecord] = field(default_factory=list)
    public: list[PublicWrite] = field(default_factory=list)
    hashed: list[HashedWrite] = field(default_factory=list)
    private: list[PrivateWrite] = field(default_factory=list)
    history: list[HistoryWrite] = field(default_factory=list)
    private_block_data: list[PrivateBlockData] = field(default_factory=list)
    expiries: list[Expiry] = field(default_factory=list)
    purges: list[PurgeMarker] = field(default_factory=list)
