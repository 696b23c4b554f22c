"""The channel ledger: blocks, state, history, tx index, private data (SQLite), transient store."""

from gridledger_network.devnet.ledger.blocks import (
    block_header_bytes,
    block_header_hash,
    compute_data_hash,
    header_bytes,
    new_block,
)
from gridledger_network.devnet.ledger.store import LedgerError, SqliteLedger
from gridledger_network.devnet.ledger.transient import MemoryTransientStore
from gridledger_network.devnet.ledger.updates import BlockCommit

__all__ = [
    "BlockCommit",
    "LedgerError",
    "MemoryTransientStore",
    "SqliteLedger",
    "block_header_bytes",
    "block_header_hash",
    "compute_data_hash",
    "header_bytes",
    "new_block",
]
