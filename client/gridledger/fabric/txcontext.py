"""Transaction context: nonce, creator and the transaction id derived from them."""

from __future__ import annotations

import os
from dataclasses import dataclass

from gridledger.fabric.hashing import sha256

NONCE_LENGTH = 24


def new_nonce() -> bytes:
    """A fresh random nonce (24 bytes, as Fabric's clients use)."""
    return os.urandom(NONCE_LENGTH)


def compute_transaction_id(nonce: bytes, creator: bytes) -> str:
    """Fabric's transaction id: hex(SHA-256(nonce ‖ serialized creator))."""
    return sha256(nonce + creator).hex()


@dataclass(frozen=True)
class TransactionContext:
    """The nonce and creator of one transaction, and its id."""

    nonce: bytes
    creator: bytes
    transaction_id: str

    @classmethod
    def new(cls, creator: bytes, nonce: bytes | None = None) -> TransactionContext:
        chosen = new_nonce() if nonce is None else nonce
        return cls(
            nonce=chosen, creator=creator, transaction_id=compute_transaction_id(chosen, creator)
        )
