"""The outbox's SQLite schema: one row per item, one row per transaction tried for it."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    request TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    strikes INTEGER NOT NULL DEFAULT 0,
    enqueued_at REAL NOT NULL,
    next_attempt_at REAL NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    transaction_id TEXT NOT NULL DEFAULT '',
    block_number INTEGER,
    result BLOB,
    reason TEXT NOT NULL DEFAULT '',
    finished_at REAL
);
CREATE INDEX IF NOT EXISTS items_due ON items (state, next_attempt_at, id);
CREATE TABLE IF NOT EXISTS attempts (
    item_id INTEGER NOT NULL REFERENCES items (id),
    transaction_id TEXT NOT NULL,
    started_at REAL NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (item_id, transaction_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS attempts_in_doubt ON attempts (outcome, item_id);
"""
