"""Erasing a household's private meter data: the receipt ``erase_household`` gives.

The receipt names every ``EraseHousehold`` transaction (id, block, keys purged), the
collection, the purged keys (HMAC keys: they reveal nothing without the household's salt, and
once the salt is erased nobody can derive them again) and, per member organisation of the
collection, what its peer answered ``PrivateDataHashes`` for those keys: every hash empty
means the values and their state hashes are gone there (docs/private-data.md, "Erasure").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gridledger.energy.answers import ResponseFormatError


@dataclass(frozen=True, slots=True)
class ErasureTransaction:
    """One ``EraseHousehold`` transaction: its id, its block and how many keys it purged."""

    transaction_id: str
    block_number: int
    erased: int

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "transaction_id": self.transaction_id,
            "block_number": self.block_number,
            "erased": self.erased,
        }


@dataclass(frozen=True, slots=True)
class MemberCheck:
    """What a member organisation's peer holds for the purged keys: ``checked`` keys asked,
    ``empty`` of them without a hash."""

    msp_id: str
    checked: int
    empty: int

    @property
    def all_empty(self) -> bool:
        return self.empty == self.checked

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "msp_id": self.msp_id,
            "checked": self.checked,
            "empty": self.empty,
            "all_empty": self.all_empty,
        }


@dataclass(frozen=True, slots=True)
class ErasureReceipt:
    """What ``erase_household`` did, and what each member's peer shows afterwards."""

    participant: str
    collection: str
    include_bills: bool
    transactions: tuple[ErasureTransaction, ...]
    """Every ``EraseHousehold`` transaction, in order."""
    keys: tuple[str, ...]
    """The purged keys, in the order they were purged (the salt's last, if erased)."""
    members: tuple[MemberCheck, ...]

    @property
    def erased(self) -> int:
        return len(self.keys)

    @property
    def verified(self) -> bool:
        """Every member's peer answered an empty hash for every purged key."""
        return all(check.all_empty for check in self.members)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "participant": self.participant,
            "collection": self.collection,
            "include_bills": self.include_bills,
            "erased": self.erased,
            "verified": self.verified,
            "transactions": [t.to_json_dict() for t in self.transactions],
            "members": [m.to_json_dict() for m in self.members],
            "keys": list(self.keys),
        }


ErasureProgress = Callable[[int, int], None]
"""Called after each ``EraseHousehold`` transaction with the keys purged so far and the
transactions committed so far."""


def erased_keys(answer: Any) -> list[str]:
    """The purged keys of an ``EraseHousehold`` answer."""
    keys = answer.get("keys") if isinstance(answer, dict) else None
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise ResponseFormatError("EraseHousehold did not answer its purged keys")
    return keys
