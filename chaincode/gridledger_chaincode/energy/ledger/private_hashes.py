"""``PrivateDataHashes``: the SHA-256 a peer holds for private keys of a collection.

Every peer of the channel keeps the hashes of every collection's values (members and
non-members alike: ``GetPrivateDataHash``), so evaluating this on each member's peer shows an
erasure took effect there (an empty hash: the value and its state hash are purged), and anyone
holding a value can check it against the hash on its own peer. Answers hashes only, never
values. Read-only; the utility, auditors and registered participants may ask.
"""

from __future__ import annotations

import json
from typing import Any

from gridledger_domain.collections import is_meter_data_collection
from gridledger_domain.erasure import MAX_HASHED_KEYS
from gridledger_domain.refusals import AccessDenied, InvalidRequest

from gridledger_chaincode.energy.ledger.access import Caller
from gridledger_chaincode.energy.ledger.state import State


def private_data_hashes(
    state: State, caller: Caller, collection: str, keys_json: str
) -> dict[str, Any]:
    """``{collection, hashes: [{key, sha256 (hex, "" when none)}]}`` in the keys' order."""
    if not caller.reads_everything and caller.participant is None:
        raise AccessDenied(f"caller {caller.participant_id} is not registered")
    if not is_meter_data_collection(collection):
        raise InvalidRequest(f"not a meter-data collection: {collection!r}")
    try:
        keys = json.loads(keys_json)
    except ValueError as exc:
        raise InvalidRequest(f"keys must be a JSON array of strings: {exc}") from exc
    if not isinstance(keys, list) or not all(isinstance(k, str) and k for k in keys):
        raise InvalidRequest("keys must be a JSON array of non-empty strings")
    if not 1 <= len(keys) <= MAX_HASHED_KEYS:
        raise InvalidRequest(f"1 to {MAX_HASHED_KEYS} keys at a time, got {len(keys)}")
    hashes = [
        {"key": key, "sha256": bytes(state.stub.get_private_data_hash(collection, key)).hex()}
        for key in keys
    ]
    return {"collection": collection, "hashes": hashes}
