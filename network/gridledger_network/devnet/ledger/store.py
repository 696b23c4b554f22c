"""The channel ledger on SQLite: blocks, world state, history, tx-id index, private data.

One SQLite file in WAL mode. ``commit`` writes a whole block (block, state, hashes, private data,
history, tx index, purges) in one SQLite transaction, so a process killed mid-commit leaves the
ledger at the previous block. Reads use one connection per thread and never hold a transaction
open between calls (range scans read in pages), so readers always see the latest committed block.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import struct
import threading
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from fabric_protos.common import common_pb2
from fabric_protos.ledger.rwset import rwset_pb2
from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2
from gridledger_domain.errors import GridLedgerError

from gridledger_network.devnet.interfaces import (
    HistoryEntry,
    TxStatus,
    Version,
    VersionedValue,
)
from gridledger_network.devnet.ledger.blocks import block_header_hash
from gridledger_network.devnet.ledger.metadata import decode_metadata, encode_metadata
from gridledger_network.devnet.ledger.schema import SCHEMA
from gridledger_network.devnet.ledger.updates import (
    BlockCommit,
    Expiry,
    HashedWrite,
    HistoryWrite,
    PrivateBlockData,
    PrivateWrite,
    PublicWrite,
    PurgeMarker,
    TxRecord,
)
from gridledger_network.devnet.ledger.waiters import HeightWaiters

log = logging.getLogger(__name__)

PAGE = 256
LEDGER_FILE = "ledger.sqlite"
COMMIT_HASH_SLOT = common_pb2.BlockMetadataIndex.COMMIT_HASH
FILTER_SLOT = common_pb2.BlockMetadataIndex.TRANSACTIONS_FILTER


class LedgerError(GridLedgerError):
    pass


_IN_CHUNK = 500  # keys per SELECT ... IN (...), under SQLite's limit on parameters


def _k(key: str) -> bytes:
    return key.encode("utf-8")


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30.0)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


class SqliteLedger:
    """Implements ``interfaces.Ledger`` (and ``StateReader``)."""

    def __init__(self, directory: Path, channel: str) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._path = directory / LEDGER_FILE
        self._channel = channel
        self._writer = _connect(self._path)
        self._writer.executescript(SCHEMA)
        self._write_lock = threading.Lock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._callbacks: list[Callable[[Any], None]] = []
        row = self._writer.execute(
            "SELECT number, header_hash FROM blocks ORDER BY number DESC LIMIT 1"
        ).fetchone()
        self._last_hash: bytes = bytes(row[1]) if row else b""
        self._waiters = HeightWaiters(row[0] + 1 if row else 0)
        info = self._writer.execute("SELECT value FROM info WHERE name='commit_hash'").fetchone()
        self._commit_hash: bytes = bytes(info[0]) if info else b""
        stored = self._writer.execute("SELECT value FROM info WHERE name='channel'").fetchone()
        if stored is None:
            self._writer.execute("INSERT INTO info VALUES ('channel', ?)", (channel.encode(),))
        elif bytes(stored[0]).decode() != channel:
            raise LedgerError(
                f"{self._path} holds channel {bytes(stored[0]).decode()!r}, not {channel!r}"
            )

    # ---- interfaces.Ledger -----------------------------------------------------------------------

    @property
    def channel(self) -> str:
        return self._channel

    @property
    def height(self) -> int:
        return self._waiters.height

    @property
    def last_block_hash(self) -> bytes:
        """Header hash of the last committed block (b"" before genesis)."""
        return self._last_hash

    @property
    def path(self) -> Path:
        return self._path

    def block_bytes(self, number: int) -> bytes:
        row = self._read().execute("SELECT block FROM blocks WHERE number=?", (number,)).fetchone()
        if row is None:
            raise KeyError(number)
        return bytes(row[0])

    def block(self, number: int) -> Any:
        block = common_pb2.Block()
        block.ParseFromString(self.block_bytes(number))
        return block

    def tx_status(self, tx_id: str) -> TxStatus | None:
        row = (
            self._read().execute("SELECT code, block FROM txids WHERE tx_id=?", (tx_id,)).fetchone()
        )
        return TxStatus(validation_code=row[0], block_number=row[1]) if row else None

    def tx_location(self, tx_id: str) -> tuple[int, int] | None:
        """(block number, index in block) of the first committed transaction with this id."""
        row = self._read().execute("SELECT block, tx FROM txids WHERE tx_id=?", (tx_id,)).fetchone()
        return (row[0], row[1]) if row else None

    def tx_envelope(self, tx_id: str) -> tuple[bytes, int] | None:
        """The ``common.Envelope`` bytes of a committed transaction and its validation code."""
        row = (
            self._read()
            .execute("SELECT block, tx, code FROM txids WHERE tx_id=?", (tx_id,))
            .fetchone()
        )
        if row is None:
            return None
        return bytes(self.block(row[0]).data.data[row[1]]), row[2]

    def private_data_for_block(self, number: int) -> Mapping[int, Any]:
        rows = (
            self._read()
            .execute(
                "SELECT tx, ns, coll, rwset FROM pvt_block_data WHERE block=? "
                "ORDER BY tx, ns, coll",
                (number,),
            )
            .fetchall()
        )
        result: dict[int, Any] = {}
        for tx, ns, coll, data in rows:
            txset = result.setdefault(
                tx, rwset_pb2.TxPvtReadWriteSet(data_model=rwset_pb2.TxReadWriteSet.KV)
            )
            nsset = next((n for n in txset.ns_pvt_rwset if n.namespace == ns), None)
            if nsset is None:
                nsset = txset.ns_pvt_rwset.add(namespace=ns)
            collset = nsset.collection_pvt_rwset.add()
            collset.ParseFromString(bytes(data))
            collset.collection_name = coll
        return result

    def on_commit(self, callback: Callable[[Any], None]) -> None:
        self._callbacks.append(callback)

    def wait_for_height(self, height: int) -> Awaitable[None]:
        return self._waiters.wait(height)

    # ---- interfaces.StateReader ------------------------------------------------------------------

    def get_state(self, namespace: str, key: str) -> VersionedValue | None:
        row = (
            self._read()
            .execute(
                "SELECT value, block, tx, metadata FROM state WHERE ns=? AND key=?",
                (namespace, _k(key)),
            )
            .fetchone()
        )
        return _versioned(row) if row else None

    def get_states(self, namespace: str, keys: Sequence[str]) -> list[VersionedValue | None]:
        """Many keys in few queries (``IN`` lists of up to 500 keys)."""
        found: dict[bytes, VersionedValue] = {}
        for start in range(0, len(keys), _IN_CHUNK):
            chunk = [_k(key) for key in keys[start : start + _IN_CHUNK]]
            rows = (
                self._read()
                .execute(
                    "SELECT key, value, block, tx, metadata FROM state WHERE ns=? AND key IN "
                    f"({','.join('?' * len(chunk))})",
                    (namespace, *chunk),
                )
                .fetchall()
            )
            found.update((bytes(row[0]), _versioned(row[1:])) for row in rows)
        return [found.get(_k(key)) for key in keys]

    def range(
        self, namespace: str, start_key: str, end_key: str
    ) -> Iterator[tuple[str, VersionedValue]]:
        return self._paged(
            "SELECT key, value, block, tx, metadata FROM state WHERE ns=?",
            (namespace,),
            start_key,
            end_key,
        )

    def history(self, namespace: str, key: str) -> Iterator[HistoryEntry]:
        rows = (
            self._read()
            .execute(
                "SELECT tx_id, value, is_delete, ts_seconds, ts_nanos FROM history "
                "WHERE ns=? AND key=? ORDER BY block DESC, tx DESC",
                (namespace, _k(key)),
            )
            .fetchall()
        )
        for tx_id, value, is_delete, secs, nanos in rows:
            yield HistoryEntry(tx_id, bytes(value), bool(is_delete), secs, nanos)

    def get_private_data(self, namespace: str, collection: str, key: str) -> VersionedValue | None:
        return self.get_private_data_and_hash(namespace, collection, key)[1]

    def get_private_data_and_hash(
        self, namespace: str, collection: str, key: str
    ) -> tuple[VersionedValue | None, VersionedValue | None]:
        """(the hash, the value) of a private key, read in one statement: one snapshot of the
        ledger, so never from two different blocks."""
        row = (
            self._read()
            .execute(
                "SELECT h.value_hash, h.block, h.tx, h.metadata, p.value, p.block, p.tx "
                "FROM (SELECT 1) "
                "LEFT JOIN pvt_hashes h ON h.ns=? AND h.coll=? AND h.key_hash=? "
                "LEFT JOIN pvt_state p ON p.ns=? AND p.coll=? AND p.key=?",
                (
                    namespace,
                    collection,
                    hashlib.sha256(key.encode()).digest(),
                    namespace,
                    collection,
                    _k(key),
                ),
            )
            .fetchone()
        )
        hashed = _versioned(row[0:4]) if row[0] is not None else None
        private = _versioned((*row[4:7], row[3])) if row[4] is not None else None
        return hashed, private

    def private_range(
        self, namespace: str, collection: str, start_key: str, end_key: str
    ) -> Iterator[tuple[str, VersionedValue]]:
        """Private keys of a collection in [start_key, end_key) (end "" unbounded)."""
        return self._paged(
            "SELECT key, value, block, tx, NULL FROM pvt_state WHERE ns=? AND coll=?",
            (namespace, collection),
            start_key,
            end_key,
        )

    def get_private_data_hash(
        self, namespace: str, collection: str, key_hash: bytes
    ) -> VersionedValue | None:
        row = (
            self._read()
            .execute(
                "SELECT value_hash, block, tx, metadata FROM pvt_hashes "
                "WHERE ns=? AND coll=? AND key_hash=?",
                (namespace, collection, key_hash),
            )
            .fetchone()
        )
        return _versioned(row) if row else None

    # ---- commit ---------------------------------------------------------------------------------

    @property
    def commit_hash(self) -> bytes:
        return self._commit_hash

    def commit(self, commit: BlockCommit) -> None:
        """Persist the block and all its updates atomically, then notify listeners and waiters."""
        block = commit.block
        with self._write_lock:
            number = int(block.header.number)
            if number != self.height:
                raise LedgerError(f"block {number} out of order: ledger height is {self.height}")
            if bytes(block.header.previous_hash) != self._last_hash:
                raise LedgerError(f"block {number} previous_hash does not match block {number - 1}")
            commit_hash = self._next_commit_hash(commit)
            while len(block.metadata.metadata) <= COMMIT_HASH_SLOT:
                block.metadata.metadata.append(b"")
            block.metadata.metadata[COMMIT_HASH_SLOT] = common_pb2.Metadata(
                value=commit_hash
            ).SerializeToString()
            header_hash = block_header_hash(block.header)
            db = self._writer
            db.execute("BEGIN IMMEDIATE")
            try:
                self._apply(db, number, commit)
                db.execute(
                    "INSERT INTO blocks VALUES (?, ?, ?)",
                    (number, header_hash, block.SerializeToString()),
                )
                db.execute("INSERT OR REPLACE INTO info VALUES ('commit_hash', ?)", (commit_hash,))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            self._last_hash = header_hash
            self._commit_hash = commit_hash
            self._waiters.reached(number + 1)
        for callback in list(self._callbacks):
            try:
                callback(block)
            except Exception:
                log.exception("on_commit callback failed for block %d", number)

    def close(self) -> None:
        with self._readers_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
        self._writer.close()

    # ---- internals ------------------------------------------------------------------------------

    def _read(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = _connect(self._path)
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    def _paged(
        self, select: str, params: tuple[Any, ...], start_key: str, end_key: str
    ) -> Iterator[tuple[str, VersionedValue]]:
        lower, op = _k(start_key), ">="
        upper = _k(end_key) if end_key else None
        while True:
            sql = f"{select} AND key {op} ?" + (" AND key < ?" if upper is not None else "")
            args = (*params, lower) + ((upper,) if upper is not None else ())
            rows = self._read().execute(f"{sql} ORDER BY key LIMIT {PAGE}", args).fetchall()
            for row in rows:
                yield bytes(row[0]).decode("utf-8"), _versioned(row[1:])
            if len(rows) < PAGE:
                return
            lower, op = bytes(rows[-1][0]), ">"

    def _apply(self, db: sqlite3.Connection, number: int, commit: BlockCommit) -> None:
        """Write block ``number``'s updates to every store, inside the caller's transaction."""
        _purge_expired_private_data(db, number)
        _write_state(db, commit.public)
        _write_private_hashes(db, commit.hashed)
        _write_private_state(db, commit.private)
        _write_history(db, commit.history)
        _write_tx_index(db, number, commit.txs)
        _write_private_block_data(db, number, commit.private_block_data)
        _purge_private_history(db, commit.purges)
        _write_expiries(db, commit.expiries)

    def _next_commit_hash(self, commit: BlockCommit) -> bytes:
        """SHA-256(len(filter) ‖ filter ‖ updates ‖ previous commit hash), as Fabric chains it."""
        flt = (
            bytes(commit.block.metadata.metadata[FILTER_SLOT])
            if len(commit.block.metadata.metadata) > FILTER_SLOT
            else b""
        )
        h = hashlib.sha256()
        h.update(_varint(len(flt)) + flt)
        for w in sorted(commit.public, key=lambda w: (w.namespace, w.key)):
            for part in (w.namespace.encode(), _k(w.key), w.value if w.value is not None else b""):
                h.update(struct.pack(">I", len(part)) + part)
        for x in sorted(commit.hashed, key=lambda x: (x.namespace, x.collection, x.key_hash)):
            for part in (
                x.namespace.encode(),
                x.collection.encode(),
                x.key_hash,
                x.value_hash or b"",
            ):
                h.update(struct.pack(">I", len(part)) + part)
        h.update(self._commit_hash)
        return h.digest()


# ---- the stores: one function each, all called inside one SQLite transaction per block -------


def _put_or_delete(
    db: sqlite3.Connection, table: str, key: Mapping[str, Any], row: Sequence[Any] | None
) -> None:
    """Replace ``table``'s row for ``key`` by ``row``, or delete it when ``row`` is None."""
    if row is None:
        where = " AND ".join(f"{column}=?" for column in key)
        db.execute(f"DELETE FROM {table} WHERE {where}", tuple(key.values()))
    else:
        marks = ", ".join("?" * len(row))
        db.execute(f"INSERT OR REPLACE INTO {table} VALUES ({marks})", tuple(row))


def _purge_expired_private_data(db: sqlite3.Connection, number: int) -> None:
    """Private values, hashes and block data whose block-to-live ends at block ``number``."""
    for ns, coll, key_hash, blk, tx in db.execute(
        "SELECT ns, coll, key_hash, block, tx FROM pvt_expiry WHERE expire_at <= ?", (number,)
    ).fetchall():
        args = (ns, coll, key_hash, blk, tx)
        for table in ("pvt_hashes", "pvt_state", "pvt_key_blocks"):
            db.execute(
                f"DELETE FROM {table} WHERE ns=? AND coll=? AND key_hash=? AND block=? AND tx=?",
                args,
            )
    db.execute("DELETE FROM pvt_expiry WHERE expire_at <= ?", (number,))
    db.execute(
        "DELETE FROM pvt_block_data WHERE expire_at IS NOT NULL AND expire_at <= ?", (number,)
    )


def _write_state(db: sqlite3.Connection, writes: Sequence[PublicWrite]) -> None:
    """World state: each key's final value, version and metadata (None deletes it)."""
    for w in writes:
        key = _k(w.key)
        row = (w.namespace, key, w.value, w.version.block, w.version.tx)
        _put_or_delete(
            db,
            "state",
            {"ns": w.namespace, "key": key},
            None if w.value is None else (*row, encode_metadata(w.metadata)),
        )


def _write_private_hashes(db: sqlite3.Connection, writes: Sequence[HashedWrite]) -> None:
    """Every peer's hashes of private keys and values (None deletes the key's hash)."""
    for h in writes:
        key = {"ns": h.namespace, "coll": h.collection, "key_hash": h.key_hash}
        row = (h.namespace, h.collection, h.key_hash, h.value_hash, h.version.block, h.version.tx)
        _put_or_delete(
            db,
            "pvt_hashes",
            key,
            None if h.value_hash is None else (*row, encode_metadata(h.metadata)),
        )


def _write_private_state(db: sqlite3.Connection, writes: Sequence[PrivateWrite]) -> None:
    """Member orgs' private values, found by key and by key hash (None deletes the value)."""
    for p in writes:
        key = _k(p.key)
        row = (p.namespace, p.collection, key, hashlib.sha256(key).digest(), p.value)
        _put_or_delete(
            db,
            "pvt_state",
            {"ns": p.namespace, "coll": p.collection, "key": key},
            None if p.value is None else (*row, p.version.block, p.version.tx),
        )


def _write_history(db: sqlite3.Connection, entries: Sequence[HistoryWrite]) -> None:
    """Every valid write of a key, for ``GetHistoryForKey``."""
    db.executemany(
        "INSERT OR REPLACE INTO history VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                e.namespace,
                _k(e.key),
                e.version.block,
                e.version.tx,
                e.entry.tx_id,
                e.entry.value,
                int(e.entry.is_delete),
                e.entry.timestamp_seconds,
                e.entry.timestamp_nanos,
            )
            for e in entries
        ],
    )


def _write_tx_index(db: sqlite3.Connection, number: int, txs: Sequence[TxRecord]) -> None:
    """Transaction id -> (block, index, validation code): the first occurrence of an id, unless
    a later one is the valid one."""
    db.executemany(
        "INSERT INTO txids VALUES (?, ?, ?, ?) ON CONFLICT (tx_id) DO UPDATE SET "
        "block=excluded.block, tx=excluded.tx, code=excluded.code "
        "WHERE excluded.code = 0 AND txids.code != 0",
        [(t.tx_id, number, t.tx_index, t.validation_code) for t in txs if t.tx_id],
    )


def _write_private_block_data(
    db: sqlite3.Connection, number: int, data: Sequence[PrivateBlockData]
) -> None:
    """The private write sets committed with block ``number`` (for DeliverWithPrivateData)."""
    db.executemany(
        "INSERT OR REPLACE INTO pvt_block_data VALUES (?, ?, ?, ?, ?, ?)",
        [(number, d.tx_index, d.namespace, d.collection, d.rwset, d.expire_at) for d in data],
    )
    db.executemany(  # where each key's versions are, for PurgePrivateData
        "INSERT OR IGNORE INTO pvt_key_blocks VALUES (?, ?, ?, ?, ?)",
        [
            (d.namespace, d.collection, hashlib.sha256(key.encode()).digest(), number, d.tx_index)
            for d in data
            for key in _private_keys(d.rwset)
        ],
    )


def _private_keys(data: bytes) -> list[str]:
    """The keys written in one stored ``CollectionPvtReadWriteSet``."""
    collection = rwset_pb2.CollectionPvtReadWriteSet.FromString(data)
    return [str(w.key) for w in kv_rwset_pb2.KVRWSet.FromString(collection.rwset).writes]


def _purge_private_history(db: sqlite3.Connection, purges: Sequence[PurgeMarker]) -> None:
    """Each purged key out of the private write sets of earlier transactions and of the purging
    transaction itself (as Fabric 3.1.5's DeliverWithPrivateData shows: the purge block gives no
    private data); found by the ``pvt_key_blocks`` index, so the work is bounded by the key's own
    writes."""
    for p in purges:
        where = "ns=? AND coll=? AND key_hash=? AND (block < ? OR (block = ? AND tx <= ?))"
        args = (p.namespace, p.collection, p.key_hash, p.version.block, p.version.block)
        places = db.execute(
            f"SELECT block, tx FROM pvt_key_blocks WHERE {where}", (*args, p.version.tx)
        ).fetchall()
        for block, tx in places:
            row = db.execute(
                "SELECT rwset FROM pvt_block_data WHERE block=? AND tx=? AND ns=? AND coll=?",
                (block, tx, p.namespace, p.collection),
            ).fetchone()
            if row is not None:
                _drop_key(db, (block, tx, p.namespace, p.collection), bytes(row[0]), p.key_hash)
        db.execute(f"DELETE FROM pvt_key_blocks WHERE {where}", (*args, p.version.tx))


def _drop_key(
    db: sqlite3.Connection, place: tuple[int, int, str, str], data: bytes, key_hash: bytes
) -> None:
    """Rewrite one stored private write set without ``key_hash``'s writes (delete it if empty)."""
    collection = rwset_pb2.CollectionPvtReadWriteSet.FromString(data)
    kv = kv_rwset_pb2.KVRWSet.FromString(collection.rwset)
    kept = [w for w in kv.writes if hashlib.sha256(w.key.encode()).digest() != key_hash]
    where = "block=? AND tx=? AND ns=? AND coll=?"
    if not kept:
        db.execute(f"DELETE FROM pvt_block_data WHERE {where}", place)
        return
    del kv.writes[:]
    kv.writes.extend(kept)
    collection.rwset = kv.SerializeToString()
    db.execute(
        f"UPDATE pvt_block_data SET rwset=? WHERE {where}",
        (collection.SerializeToString(), *place),
    )


def _write_expiries(db: sqlite3.Connection, expiries: Sequence[Expiry]) -> None:
    """When each private key's block-to-live ends."""
    db.executemany(
        "INSERT OR IGNORE INTO pvt_expiry VALUES (?, ?, ?, ?, ?, ?)",
        [
            (e.expire_at, e.namespace, e.collection, e.key_hash, e.version.block, e.version.tx)
            for e in expiries
        ],
    )


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _versioned(row: Sequence[Any]) -> VersionedValue:
    value, block, tx, metadata = row
    return VersionedValue(bytes(value), Version(block, tx), decode_metadata(metadata))
