"""The bridge's journal (``bridge.sqlite`` beside the outbox): which readings it has taken in,
the batches it made of them, and its dead letters.

A reading is known by its meter, its instant and the digest of its signature
(``reading_key``). ``record`` writes, in one disk transaction, every new reading of a batch, the
batch (its outbox idempotency key and its readings) and the batch's dead letters; then the batch
is enqueued in the outbox under its key and marked enqueued. A redelivered reading is found in
the journal and written nowhere again; a batch recorded but not enqueued when the process died
is enqueued by ``recover`` at the next start (its key makes that idempotent). A reading for an
instant the journal already holds with another signature is dead-lettered: the ledger would
refuse it, and with it the whole batch.

Lanes (``gridledger.bridge.lanes``): a batch holds the meters of one lane and is enqueued in that
lane's outbox (``outboxes[lane]``). The journal remembers the lane count it was run with; as long
as batches made with one count are not committed, it refuses another (``LaneCountChanged``):
with another count a meter could be in two lanes, two transactions at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gridledger.bridge.batching import Incoming
from gridledger.energy.submitter import readings_outbox_request
from gridledger.outbox import ItemState, Outbox, TransactionRequest
from gridledger_domain import SignedReading
from gridledger_domain.errors import GridLedgerError
from gridledger_domain.timeutil import format_utc

SCHEMA = """
CREATE TABLE IF NOT EXISTS readings (
    meter_id TEXT NOT NULL,
    interval_start INTEGER NOT NULL,
    digest TEXT NOT NULL,
    batch TEXT NOT NULL,
    PRIMARY KEY (meter_id, interval_start)
);
CREATE TABLE IF NOT EXISTS batches (
    key TEXT PRIMARY KEY,
    readings TEXT NOT NULL,
    count INTEGER NOT NULL,
    received_at REAL NOT NULL,
    enqueued INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'pending',
    finished_at REAL,
    lane INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS batches_state ON batches (state);
CREATE TABLE IF NOT EXISTS dead_letters (
    id TEXT PRIMARY KEY,
    topic TEXT NOT NULL,
    payload BLOB NOT NULL,
    reason TEXT NOT NULL,
    at REAL NOT NULL,
    published INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class LaneCountChanged(GridLedgerError):
    """The bridge was started with another lane count while batches of the old one are pending."""


def signature_digest(signature: bytes) -> str:
    return hashlib.sha256(signature).hexdigest()[:32]


def reading_key(signed: SignedReading) -> str:
    """``meter/instant/signature digest``: what makes a redelivered reading the same one."""
    reading = signed.reading
    return (
        f"{reading.meter_id}/{format_utc(reading.interval_start)}/"
        f"{signature_digest(signed.signature)}"
    )


@dataclass(frozen=True, slots=True)
class Classified:
    """A received message: its reading, or why it is a dead letter (``reason``)."""

    message: Incoming
    reading: SignedReading | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class DeadLetter:
    id: str
    topic: str
    payload: bytes
    reason: str
    at: float


@dataclass(frozen=True, slots=True)
class Recorded:
    """What ``record`` did with one batch of messages."""

    batch_key: str | None  # the outbox item made of the new readings (None: none was new)
    new: int
    duplicates: int
    dead_letters: tuple[DeadLetter, ...]


@dataclass(frozen=True, slots=True)
class Totals:
    queued: int
    committed: int
    failed: int
    dead_lettered: int
    pending: int
    oldest_pending_at: float | None


class BridgeJournal:
    def __init__(
        self,
        path: Path,
        outbox: Outbox | Sequence[Outbox],
        *,
        channel: str,
        chaincode: str,
        contract: str = "energy",
    ) -> None:
        self.path = path
        self.outboxes: tuple[Outbox, ...] = (
            (outbox,) if isinstance(outbox, Outbox) else tuple(outbox)
        )
        if not self.outboxes:
            raise ValueError("a bridge journal needs an outbox per lane, at least one")
        self.outbox = self.outboxes[0]
        self.channel = channel
        self.chaincode = chaincode
        self.contract = contract
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        columns = {str(r[1]) for r in self._db.execute("PRAGMA table_info(batches)")}
        if "lane" not in columns:  # a journal from before lanes: every batch was lane 0's
            self._db.execute("ALTER TABLE batches ADD COLUMN lane INTEGER NOT NULL DEFAULT 0")
        self._lock = threading.Lock()
        self._settle_lane_count()

    def _settle_lane_count(self) -> None:
        lanes = len(self.outboxes)
        row = self._db.execute("SELECT value FROM settings WHERE name='lanes'").fetchone()
        before = 1 if row is None else int(row[0])
        if before != lanes:
            (pending,) = self._db.execute(
                "SELECT COUNT(*) FROM batches WHERE state='pending'"
            ).fetchone()
            if pending:
                self._db.close()
                raise LaneCountChanged(
                    f"{self.path} holds {pending} uncommitted batch(es) made with {before} "
                    f"lane(s): run the bridge with --lanes {before} until they are committed"
                )
        self._db.execute(
            "INSERT OR REPLACE INTO settings (name, value) VALUES ('lanes', ?)", (str(lanes),)
        )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _request(self, readings_json: str) -> TransactionRequest:
        return readings_outbox_request(
            self.channel, self.chaincode, readings_json, contract=self.contract
        )

    # -- writing -----------------------------------------------------------------------------
    def record(
        self, batch: Sequence[Classified], now: float | None = None, lane: int = 0
    ) -> Recorded:
        """Journal a batch of one lane's meters, enqueue its new readings as one item of the
        lane's outbox; durable on return."""
        if not 0 <= lane < len(self.outboxes):
            raise ValueError(f"lane {lane} of {len(self.outboxes)}")
        at = time.time() if now is None else now
        fresh: list[SignedReading] = []
        fresh_keys: list[str] = []
        duplicates = 0
        dead: dict[str, DeadLetter] = {}

        def dead_letter(message: Incoming, reason: str) -> None:
            ident = hashlib.sha256(message.topic.encode() + b"\0" + message.payload).hexdigest()
            dead.setdefault(ident, DeadLetter(ident, message.topic, message.payload, reason, at))

        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                seen: dict[tuple[str, int], str] = {}
                for item in batch:
                    if item.reading is None:
                        dead_letter(item.message, item.reason)
                        continue
                    reading = item.reading.reading
                    slot = (reading.meter_id, reading.interval_start)
                    digest = signature_digest(item.reading.signature)
                    known = seen.get(slot)
                    if known is None:
                        row = db.execute(
                            "SELECT digest FROM readings WHERE meter_id=? AND interval_start=?",
                            slot,
                        ).fetchone()
                        known = None if row is None else str(row[0])
                    if known == digest:
                        duplicates += 1
                        continue
                    if known is not None:
                        dead_letter(
                            item.message,
                            f"conflict: {reading.meter_id} already sent another reading for "
                            f"{format_utc(reading.interval_start)}",
                        )
                        continue
                    seen[slot] = digest
                    fresh.append(item.reading)
                    fresh_keys.append(reading_key(item.reading))
                key: str | None = None
                if fresh:
                    key = "mqtt/" + hashlib.sha256("\n".join(fresh_keys).encode()).hexdigest()
                    readings_json = json.dumps(
                        [r.to_json_dict() for r in fresh], separators=(",", ":")
                    )
                    db.execute(
                        "INSERT OR IGNORE INTO batches (key, readings, count, received_at, lane) "
                        "VALUES (?, ?, ?, ?, ?)",
                        (
                            key,
                            readings_json,
                            len(fresh),
                            min(m.message.received_at for m in batch),
                            lane,
                        ),
                    )
                    db.executemany(
                        "INSERT INTO readings (meter_id, interval_start, digest, batch) "
                        "VALUES (?, ?, ?, ?)",
                        [
                            (r.reading.meter_id, r.reading.interval_start, seen_digest, key)
                            for r, seen_digest in zip(
                                fresh, (signature_digest(r.signature) for r in fresh), strict=True
                            )
                        ],
                    )
                db.executemany(
                    "INSERT OR IGNORE INTO dead_letters (id, topic, payload, reason, at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [(d.id, d.topic, d.payload, d.reason, d.at) for d in dead.values()],
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        if key is not None:
            self._enqueue(key)
        return Recorded(key, len(fresh), duplicates, tuple(dead.values()))

    def _enqueue(self, key: str) -> None:
        rows = self._query("SELECT readings, lane FROM batches WHERE key=?", (key,))
        self.outboxes[int(rows[0][1])].enqueue_many([(key, self._request(str(rows[0][0])))])
        self._execute("UPDATE batches SET enqueued=1 WHERE key=?", (key,))

    def recover(self) -> int:
        """Enqueue every batch journaled but not enqueued (the process died in between)."""
        keys = [str(r[0]) for r in self._query("SELECT key FROM batches WHERE enqueued=0")]
        for key in keys:
            self._enqueue(key)
        return len(keys)

    def mark_published(self, dead_letter_id: str) -> None:
        self._execute("UPDATE dead_letters SET published=1 WHERE id=?", (dead_letter_id,))

    def unpublished_dead_letters(self) -> list[DeadLetter]:
        rows = self._query(
            "SELECT id, topic, payload, reason, at FROM dead_letters WHERE published=0 ORDER BY at"
        )
        return [DeadLetter(str(r[0]), str(r[1]), bytes(r[2]), str(r[3]), float(r[4])) for r in rows]

    def dead_letters(self) -> list[DeadLetter]:
        rows = self._query("SELECT id, topic, payload, reason, at FROM dead_letters ORDER BY at")
        return [DeadLetter(str(r[0]), str(r[1]), bytes(r[2]), str(r[3]), float(r[4])) for r in rows]

    # -- following the outbox ----------------------------------------------------------------
    def refresh(self) -> list[tuple[str, ItemState, str]]:
        """Mark batches the outbox committed or gave up; return those that changed now."""
        changed: list[tuple[str, ItemState, str]] = []
        for key, lane in self._query(
            "SELECT key, lane FROM batches WHERE state='pending' AND enqueued=1"
        ):
            item = self.outboxes[int(lane)].by_key(str(key))
            if item is None or item.state is ItemState.PENDING:
                continue
            self._execute(
                "UPDATE batches SET state=?, finished_at=? WHERE key=?",
                (item.state.value, item.finished_at or time.time(), str(key)),
            )
            changed.append((str(key), item.state, item.reason))
        return changed

    def totals(self) -> Totals:
        rows = self._query(
            "SELECT state, COALESCE(SUM(count), 0), MIN(received_at) FROM batches GROUP BY state"
        )
        by_state = {str(r[0]): (int(r[1]), r[2]) for r in rows}
        dead = int(self._query("SELECT COUNT(*) FROM dead_letters")[0][0])
        pending, oldest = by_state.get("pending", (0, None))
        return Totals(
            queued=sum(count for count, _ in by_state.values()),
            committed=by_state.get("committed", (0, None))[0],
            failed=by_state.get("failed", (0, None))[0],
            dead_lettered=dead,
            pending=pending,
            oldest_pending_at=None if oldest is None else float(oldest),
        )

    def _query(self, sql: str, args: Sequence[object] = ()) -> list[Any]:
        with self._lock:
            return list(self._db.execute(sql, args).fetchall())

    def _execute(self, sql: str, args: Sequence[object] = ()) -> None:
        with self._lock:
            self._db.execute(sql, args)
