"""The SHA-256 of private values, as every peer of the channel holds them (issue 20).

A peer of an organisation in no collection still stores the hash of every private key's value
(Fabric's ``GetPrivateDataHash``), so an auditor can check data it obtained from a member's peer
(``AuditMeterData``) against its own peer, without trusting the member. Any registered
participant may ask: the hashes are on every peer anyway; the keys of meter data are salted
HMACs, so a hash confirms a value only to whoever already holds it.
"""

from __future__ import annotations

import json
from typing import Any

from gridledger_domain.refusals import AccessDenied, InvalidRequest

from gridledger_chaincode.energy.ledger.access import Caller
from gridledger_chaincode.energy.ledger.state import State

MAX_HASH_KEYS = 256
"""Keys per ``PrivateDataHashes`` call."""


def _keys(keys_json: str) -> list[str]:
    try:
        keys = json.loads(keys_json)
    except ValueError:
        raise InvalidRequest("keys must be a JSON array of private keys") from None
    if not isinstance(keys, list) or not all(isinstance(k, str) and k for k in keys):
        raise InvalidRequest("keys must be a JSON array of non-empty strings")
    if not 1 <= len(keys) <= MAX_HASH_KEYS:
        raise InvalidRequest(f"give 1 to {MAX_HASH_KEYS} keys, got {len(keys)}")
    return list(dict.fromkeys(keys))


def private_data_hashes(
    state: State, caller: Caller, collection: str, keys_json: str
) -> dict[str, Any]:
    """``{"collection", "hashes": {key: SHA-256 hex of its value, "" when none}}``, read from the
    answering peer's own hashes (a read-only query; works on a non-member's peer)."""
    if caller.participant is None and not caller.is_utility:
        raise AccessDenied(
            f"only registered participants may read private data hashes "
            f"(caller {caller.participant_id})"
        )
    if not isinstance(collection, str) or not collection.strip():
        raise InvalidRequest("a collection name is required")
    keys = _keys(keys_json)
    hashes = {key: bytes(state.stub.get_private_data_hash(collection, key)).hex() for key in keys}
    return {"collection": collection, "hashes": hashes}
