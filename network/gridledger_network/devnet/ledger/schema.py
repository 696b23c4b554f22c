"""The SQLite schema of the ledger: one file, WAL, one transaction per committed block."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS info (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS blocks (
    number INTEGER PRIMARY KEY, header_hash BLOB NOT NULL, block BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS state (
    ns TEXT NOT NULL, key BLOB NOT NULL, value BLOB NOT NULL,
    block INTEGER NOT NULL, tx INTEGER NOT NULL, metadata BLOB,
    PRIMARY KEY (ns, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS history (
    ns TEXT NOT NULL, key BLOB NOT NULL, block INTEGER NOT NULL, tx INTEGER NOT NULL,
    tx_id TEXT NOT NULL, value BLOB NOT NULL, is_delete INTEGER NOT NULL,
    ts_seconds INTEGER NOT NULL, ts_nanos INTEGER NOT NULL,
    PRIMARY KEY (ns, key, block, tx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS txids (
    tx_id TEXT PRIMARY KEY, block INTEGER NOT NULL, tx INTEGER NOT NULL, code INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pvt_hashes (
    ns TEXT NOT NULL, coll TEXT NOT NULL, key_hash BLOB NOT NULL, value_hash BLOB NOT NULL,
    block INTEGER NOT NULL, tx INTEGER NOT NULL, metadata BLOB,
    PRIMARY KEY (ns, coll, key_hash)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pvt_state (
    ns TEXT NOT NULL, coll TEXT NOT NULL, key BLOB NOT NULL, key_hash BLOB NOT NULL,
    value BLOB NOT NULL, block INTEGER NOT NULL, tx INTEGER NOT NULL,
    PRIMARY KEY (ns, coll, key)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pvt_state_by_hash ON pvt_state (ns, coll, key_hash);
CREATE TABLE IF NOT EXISTS pvt_block_data (
    block INTEGER NOT NULL, tx INTEGER NOT NULL, ns TEXT NOT NULL, coll TEXT NOT NULL,
    rwset BLOB NOT NULL, expire_at INTEGER,
    PRIMARY KEY (block, tx, ns, coll)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pvt_key_blocks (
    ns TEXT NOT NULL, coll TEXT NOT NULL, key_hash BLOB NOT NULL, block INTEGER NOT NULL,
    tx INTEGER NOT NULL,
    PRIMARY KEY (ns, coll, key_hash, block, tx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pvt_expiry (
    expire_at INTEGER NOT NULL, ns TEXT NOT NULL, coll TEXT NOT NULL, key_hash BLOB NOT NULL,
    block INTEGER NOT NULL, tx INTEGER NOT NULL,
    PRIMARY KEY (expire_at, ns, coll, key_hash, block, tx)) WITHOUT ROWID;
"""
