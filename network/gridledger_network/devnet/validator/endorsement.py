"""Endorsement policy validation of one namespace, as Fabric's v20 state-based validator does.

Every written key (public, metadata, hashed, hashed metadata) with a key-level policy
(state metadata VALIDATION_PARAMETER) must satisfy it; a private key without one, in a collection
with its own endorsement policy, must satisfy the collection's (it replaces the chaincode's, as in
Fabric's ``checkSBAndCCEP``); any other written key without one needs the chaincode policy once;
with no key checked at all, the chaincode policy applies. A key whose
validation parameter was changed by an earlier valid transaction of the same block fails.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gridledger_network.devnet.interfaces import StateReader
from gridledger_network.devnet.ledger.metadata import VALIDATION_PARAMETER
from gridledger_network.devnet.msp import Identity
from gridledger_network.devnet.policy import (
    PolicyError,
    evaluate_envelope,
    evaluate_policy_bytes,
)
from gridledger_network.devnet.validator.transaction import NamespaceRWSet

WrittenKey = tuple[str, str, str]  # (namespace, collection or "", key or key-hash as latin-1)


class PolicyFailure(Exception):
    pass


def written_keys(ns: NamespaceRWSet) -> list[WrittenKey]:
    keys = [(ns.namespace, "", w.key) for w in ns.kv.writes]
    keys += [(ns.namespace, "", m.key) for m in ns.kv.metadata_writes]
    for coll in ns.collections:
        keys += [
            (ns.namespace, coll.name, bytes(w.key_hash).decode("latin-1"))
            for w in coll.hashed.hashed_writes
        ]
        keys += [
            (ns.namespace, coll.name, bytes(m.key_hash).decode("latin-1"))
            for m in coll.hashed.metadata_writes
        ]
    return keys


def metadata_written_keys(ns: NamespaceRWSet) -> set[WrittenKey]:
    keys = {(ns.namespace, "", m.key) for m in ns.kv.metadata_writes}
    for coll in ns.collections:
        keys |= {
            (ns.namespace, coll.name, bytes(m.key_hash).decode("latin-1"))
            for m in coll.hashed.metadata_writes
        }
    return keys


def validate_namespace(
    namespace: str,
    rwsets: Sequence[NamespaceRWSet],
    chaincode_policy: Any,
    signers: Sequence[Identity],
    state: StateReader,
    vp_updated_in_block: set[WrittenKey],
    collection_policies: Mapping[str, Any] | None = None,
) -> None:
    """Raise PolicyFailure naming what was not satisfied. ``collection_policies``: collection
    name -> its own ``SignaturePolicyEnvelope`` (collections without one are absent)."""
    own_policies = collection_policies or {}
    collections_checked: set[str] = set()

    def check_collection(collection: str) -> None:
        if collection in collections_checked:
            return
        if not evaluate_envelope(own_policies[collection], signers):
            raise PolicyFailure(
                f"endorsement policy of collection {collection} (chaincode {namespace}) not "
                f"satisfied by {[repr(s) for s in signers]}"
            )
        collections_checked.add(collection)

    cc_checked = False
    key_checked = False

    def check_cc() -> None:
        nonlocal cc_checked
        if not cc_checked:
            if not evaluate_envelope(chaincode_policy, signers):
                raise PolicyFailure(
                    f"endorsement policy of chaincode {namespace} not satisfied by "
                    f"{[repr(s) for s in signers]}"
                )
            cc_checked = True

    for ns in rwsets:
        if ns.namespace != namespace:
            continue
        for key in written_keys(ns):
            if key in vp_updated_in_block:
                raise PolicyFailure(
                    f"validation parameter of key {key[2]!r} "
                    f"(collection {key[1]!r}) was updated earlier in this block"
                )
            vp = _validation_parameter(state, key)
            if not vp and key[1] in own_policies:
                check_collection(key[1])
                key_checked = True
                continue
            if not vp:
                check_cc()
                continue
            try:
                ok = evaluate_policy_bytes(vp, signers)
            except PolicyError as exc:
                raise PolicyFailure(f"key-level policy of {key[2]!r} is malformed: {exc}") from exc
            if not ok:
                raise PolicyFailure(
                    f"key-level endorsement policy of key {key[2]!r} "
                    f"(collection {key[1]!r}, namespace {namespace}) not satisfied"
                )
            key_checked = True
    if not cc_checked and not key_checked:
        check_cc()


def _validation_parameter(state: StateReader, key: WrittenKey) -> bytes | None:
    namespace, collection, name = key
    if collection:
        vv = state.get_private_data_hash(namespace, collection, name.encode("latin-1"))
    else:
        vv = state.get_state(namespace, name)
    return vv.metadata.get(VALIDATION_PARAMETER) if vv else None
