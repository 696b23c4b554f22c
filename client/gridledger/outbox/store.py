"""The durable outbox: an SQLite file of transaction requests and every transaction tried.

``enqueue`` returns once the item is on disk (``synchronous=FULL``: it survives a crash of the
process or of the machine). An idempotency key names an item: enqueuing the same key with the
same request again returns the existing item; with a different request it raises
``OutboxConflict``. Before a transaction is sent for ordering its id is recorded as *in doubt*,
so after any crash the drainer looks it up before endorsing the item again.

Transient (private) data: an item's transient values are kept only while it can still be
sent — the file is created readable by its owner only — and erased from the file in the same
disk transaction that marks the item finished (committed or given up); the request keeps the
transient keys' absence as ``transient_erased``. SQLite's ``secure_delete`` overwrites the freed
bytes, and a checkpoint when the outbox is closed truncates the write-ahead log that held the old
page. ``retry_failed`` of such an item needs the transient values again (checked against the
item's fingerprint). ``enqueue`` refuses, before writing anything, a request whose transient
data would go to named endorsing organisations outside the collections it writes
(``PrivateDataLeakError``, the client's guard); the drainer gives such an item up (an item
stored by an older client without ``collections``) instead of sending it.

One process drains a given file at a time (many threads of it may).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from gridledger.errors import GridLedgerError
from gridledger.fabric.proposal import as_bytes
from gridledger.gateway.contract import check_transient_endorsers
from gridledger.outbox.items import (
    AttemptOutcome,
    GiveUp,
    ItemState,
    OutboxItem,
    TransactionRequest,
)
from gridledger.outbox.paths import default_outbox_path
from gridledger.outbox.schema import SCHEMA

_COLUMNS = (
    "id, idempotency_key, request, state, attempts, strikes, enqueued_at, next_attempt_at, "
    "last_error, transaction_id, block_number, result, reason, finished_at"
)


class OutboxConflict(GridLedgerError, ValueError):
    """The idempotency key is already used by a different request."""


def _item(row: Sequence[Any]) -> OutboxItem:
    return OutboxItem(
        id=int(row[0]),
        idempotency_key=str(row[1]),
        request=TransactionRequest.from_json(str(row[2])),
        state=ItemState(row[3]),
        attempts=int(row[4]),
        strikes=int(row[5]),
        enqueued_at=float(row[6]),
        next_attempt_at=float(row[7]),
        last_error=str(row[8]),
        transaction_id=str(row[9]),
        block_number=None if row[10] is None else int(row[10]),
        result=None if row[11] is None else bytes(row[11]),
        reason=str(row[12]),
        finished_at=None if row[13] is None else float(row[13]),
    )


def _private_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


class Outbox:
    """``Outbox.open(path)`` (default: ``default_outbox_path()``); close it when done."""

    def __init__(self, path: Path) -> None:
        self.path = path
        _private_file(path)
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA secure_delete=ON")  # erased transient data: bytes overwritten
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: Path | str | None = None) -> Outbox:
        return cls(Path(path).expanduser() if path is not None else default_outbox_path())

    def close(self) -> None:
        with self._lock:
            with contextlib.suppress(sqlite3.Error):  # busy (another process): its own close
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._db.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # -- enqueue ---------------------------------------------------------------------------------
    def enqueue(
        self,
        idempotency_key: str,
        channel: str,
        chaincode: str,
        function: str,
        args: Sequence[str | bytes] = (),
        *,
        contract: str = "",
        transient: Mapping[str, str | bytes] | None = None,
        endorsing_orgs: Sequence[str] = (),
        collections: Mapping[str, Collection[str]] | None = None,
    ) -> OutboxItem:
        """Store one transaction request durably; returns its item at once.

        ``collections`` (name -> member MSP ids): as for ``Contract.submit``, needed with
        transient data and named endorsing organisations (else ``PrivateDataLeakError``)."""
        request = TransactionRequest.of(
            channel,
            chaincode,
            function,
            args,
            contract=contract,
            transient=transient,
            endorsing_orgs=endorsing_orgs,
            collections=collections,
        )
        return self.enqueue_many([(idempotency_key, request)])[0]

    def enqueue_many(self, entries: Iterable[tuple[str, TransactionRequest]]) -> list[OutboxItem]:
        """Store many requests in one disk transaction (all or none)."""
        now = time.time()
        ids: list[int] = []
        with self._transaction() as db:
            for key, request in entries:
                if not key:
                    raise ValueError("an outbox item needs a non-empty idempotency key")
                if request.transient_erased:
                    raise ValueError(f"item {key!r}: its transient data was erased; give it again")
                check_transient_endorsers(
                    request.transient, request.endorsing_orgs, request.collections
                )
                fingerprint = request.fingerprint()
                row = db.execute(
                    "SELECT id, fingerprint FROM items WHERE idempotency_key=?", (key,)
                ).fetchone()
                if row is not None:
                    if row[1] != fingerprint:
                        raise OutboxConflict(
                            f"idempotency key {key!r} is already used by a different request"
                        )
                    ids.append(int(row[0]))
                    continue
                cursor = db.execute(
                    "INSERT INTO items (idempotency_key, fingerprint, request, state, "
                    "enqueued_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (key, fingerprint, request.to_json(), ItemState.PENDING.value, now, now),
                )
                ids.append(int(cursor.lastrowid or 0))
        return [self.get(item_id) for item_id in ids]

    # -- reading ---------------------------------------------------------------------------------
    def get(self, item_id: int) -> OutboxItem:
        rows = self._query(f"SELECT {_COLUMNS} FROM items WHERE id=?", (item_id,))
        if not rows:
            raise KeyError(item_id)
        return _item(rows[0])

    def by_key(self, idempotency_key: str) -> OutboxItem | None:
        rows = self._query(
            f"SELECT {_COLUMNS} FROM items WHERE idempotency_key=?", (idempotency_key,)
        )
        return _item(rows[0]) if rows else None

    def items(self, state: ItemState | None = None) -> list[OutboxItem]:
        if state is None:
            rows = self._query(f"SELECT {_COLUMNS} FROM items ORDER BY id")
        else:
            rows = self._query(
                f"SELECT {_COLUMNS} FROM items WHERE state=? ORDER BY id", (state.value,)
            )
        return [_item(row) for row in rows]

    def due(self, now: float, limit: int, exclude: Iterable[int] = ()) -> list[OutboxItem]:
        """Pending items whose next attempt is due, oldest first, minus ``exclude``."""
        skip = set(exclude)
        rows = self._query(
            f"SELECT {_COLUMNS} FROM items WHERE state=? AND next_attempt_at<=? "
            "ORDER BY next_attempt_at, id LIMIT ?",
            (ItemState.PENDING.value, now, limit + len(skip)),
        )
        return [item for item in map(_item, rows) if item.id not in skip][:limit]

    def next_due_at(self) -> float | None:
        rows = self._query(
            "SELECT MIN(next_attempt_at) FROM items WHERE state=?", (ItemState.PENDING.value,)
        )
        return None if not rows or rows[0][0] is None else float(rows[0][0])

    def counts(self) -> dict[ItemState, int]:
        rows = self._query("SELECT state, COUNT(*) FROM items GROUP BY state")
        counts = dict.fromkeys(ItemState, 0)
        counts.update({ItemState(state): int(n) for state, n in rows})
        return counts

    def pending_count(self) -> int:
        return self.counts()[ItemState.PENDING]

    def failures(self) -> list[GiveUp]:
        """Every item given up on, with its reason (oldest first)."""
        return [
            GiveUp(
                item_id=item.id,
                idempotency_key=item.idempotency_key,
                function=item.request.qualified_function,
                reason=item.reason,
                attempts=item.attempts,
                transaction_id=item.transaction_id,
                at=item.finished_at or 0.0,
            )
            for item in self.items(ItemState.FAILED)
        ]

    def transactions(self, item_id: int) -> list[tuple[str, AttemptOutcome, str]]:
        """(transaction id, outcome, detail) of every transaction tried for the item."""
        rows = self._query(
            "SELECT transaction_id, outcome, detail FROM attempts WHERE item_id=? "
            "ORDER BY started_at",
            (item_id,),
        )
        return [(str(tx), AttemptOutcome(outcome), str(detail)) for tx, outcome, detail in rows]

    def in_doubt(self, item_id: int) -> list[str]:
        rows = self._query(
            "SELECT transaction_id FROM attempts WHERE item_id=? AND outcome=? ORDER BY started_at",
            (item_id, AttemptOutcome.IN_DOUBT.value),
        )
        return [str(row[0]) for row in rows]

    # -- attempts and outcomes -------------------------------------------------------------------
    def begin_attempt(self, item_id: int, transaction_id: str) -> None:
        """Record a transaction as in doubt, before anything about it is sent."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO attempts (item_id, transaction_id, started_at, outcome) "
                "VALUES (?, ?, ?, ?)",
                (item_id, transaction_id, time.time(), AttemptOutcome.IN_DOUBT.value),
            )
            db.execute("UPDATE items SET attempts=attempts+1 WHERE id=?", (item_id,))

    def settle_attempt(
        self, item_id: int, transaction_id: str, outcome: AttemptOutcome, detail: str = ""
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE attempts SET outcome=?, detail=? WHERE item_id=? AND transaction_id=?",
                (outcome.value, detail, item_id, transaction_id),
            )

    def mark_committed(
        self, item_id: int, transaction_id: str, block_number: int, result: bytes | None
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE attempts SET outcome=? WHERE item_id=? AND transaction_id=?",
                (AttemptOutcome.VALID.value, item_id, transaction_id),
            )
            db.execute(
                "UPDATE items SET state=?, transaction_id=?, block_number=?, result=?, "
                "finished_at=?, last_error='' WHERE id=?",
                (
                    ItemState.COMMITTED.value,
                    transaction_id,
                    block_number,
                    result,
                    time.time(),
                    item_id,
                ),
            )
            _erase_transient(db, item_id)

    def mark_failed(self, item_id: int, reason: str, transaction_id: str = "") -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE items SET state=?, reason=?, last_error=?, transaction_id=?, "
                "finished_at=? WHERE id=?",
                (ItemState.FAILED.value, reason, reason, transaction_id, time.time(), item_id),
            )
            _erase_transient(db, item_id)

    def reschedule(self, item_id: int, next_attempt_at: float, error: str, strike: bool) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE items SET next_attempt_at=?, last_error=?, strikes=strikes+? WHERE id=?",
                (next_attempt_at, error, int(strike), item_id),
            )

    def retry_failed(
        self, item_id: int, transient: Mapping[str, str | bytes] | None = None
    ) -> None:
        """Put a given-up item back in the queue (after fixing its cause). An item that had
        transient data needs it again (``transient``): it was erased when the item was given
        up; it must be the same values (checked against the item's fingerprint)."""
        with self._transaction() as db:
            row = db.execute(
                "SELECT request, fingerprint, state FROM items WHERE id=?", (item_id,)
            ).fetchone()
            if row is None:
                raise KeyError(item_id)
            if row[2] != ItemState.FAILED.value:
                return
            request = TransactionRequest.from_json(str(row[0]))
            if request.transient_erased:
                if not transient:
                    raise ValueError(
                        f"outbox item {item_id}: its transient data was erased when it was "
                        "given up; pass the same transient values again"
                    )
                request = replace(request, transient_erased=False, transient=_bytes_map(transient))
                if request.fingerprint() != row[1]:
                    raise ValueError(
                        f"outbox item {item_id}: these transient values are not the ones it "
                        "was enqueued with"
                    )
            db.execute(
                "UPDATE items SET state=?, strikes=0, reason='', finished_at=NULL, "
                "next_attempt_at=?, request=? WHERE id=? AND state=?",
                (
                    ItemState.PENDING.value,
                    time.time(),
                    request.to_json(),
                    item_id,
                    ItemState.FAILED.value,
                ),
            )


def _bytes_map(values: Mapping[str, str | bytes]) -> Mapping[str, bytes]:
    return MappingProxyType({k: as_bytes(v) for k, v in values.items()})


def _erase_transient(db: sqlite3.Connection, item_id: int) -> None:
    """Drop a finished item's transient values from its stored request (same transaction)."""
    row = db.execute(  # the canonical JSON of a request without transient data says so
        "SELECT request FROM items WHERE id=? AND instr(request, '\"transient\":{}') = 0",
        (item_id,),
    ).fetchone()
    if row is None:
        return
    request = TransactionRequest.from_json(str(row[0]))
    if request.transient:
        db.execute(
            "UPDATE items SET request=? WHERE id=?",
            (request.without_transient().to_json(), item_id),
        )
