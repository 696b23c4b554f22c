"""Which organisations' peers can satisfy the policies a chaincode interest names.

The gateway's stand-in for Fabric's discovery service: each organisation has one peer on the
devnet, so a layout is a set of organisations. Layouts are the minimal org sets satisfying every
policy, those containing the preferred organisation first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from fabric_protos.msp import msp_principal_pb2

from gridledger_network.devnet.chaincode_support import ChaincodeDefinition

PEER_ROLES = (msp_principal_pb2.MSPRole.MEMBER, msp_principal_pb2.MSPRole.PEER)


class PlanError(Exception):
    pass


def _principal_satisfied(principal: Any, orgs: frozenset[str]) -> bool:
    if principal.principal_classification != msp_principal_pb2.MSPPrincipal.ROLE:
        return False
    role = msp_principal_pb2.MSPRole.FromString(principal.principal)
    return bool(role.msp_identifier in orgs and role.role in PEER_ROLES)


def _rule_satisfied(rule: Any, identities: Sequence[Any], orgs: frozenset[str]) -> bool:
    kind = rule.WhichOneof("Type")
    if kind == "signed_by":
        index = rule.signed_by
        return 0 <= index < len(identities) and _principal_satisfied(identities[index], orgs)
    if kind == "n_out_of":
        satisfied = sum(1 for r in rule.n_out_of.rules if _rule_satisfied(r, identities, orgs))
        return bool(satisfied >= rule.n_out_of.n)
    return False


def policy_satisfied(envelope: Any, orgs: Iterable[str]) -> bool:
    """True when one peer from each of ``orgs`` would satisfy the SignaturePolicyEnvelope."""
    return _rule_satisfied(envelope.rule, list(envelope.identities), frozenset(orgs))


@dataclass(frozen=True, slots=True)
class Requirements:
    policies: tuple[Any, ...]
    allowed_orgs: frozenset[str]


def requirements_for_interest(
    interest: Any,
    definitions: Mapping[str, ChaincodeDefinition],
    orgs: Sequence[str],
    channel: str = "",
) -> Requirements:
    """The policies and allowed orgs of an interest, or ``PlanError`` with discovery's message."""
    policies: list[Any] = []
    allowed = set(orgs)
    for call in interest.chaincodes:
        definition = definitions.get(call.name)
        if definition is None:
            raise PlanError(f"No metadata was found for chaincode {call.name} in channel {channel}")
        if call.collection_names:
            for name in call.collection_names:
                collection = definition.collections.get(name)
                if collection is None:
                    raise PlanError(
                        f"collection {name} doesn't exist in collection config for chaincode "
                        f"{call.name}"
                    )
                policies.append(collection.endorsement_policy or definition.policy)
                if not call.no_private_reads:
                    allowed &= collection.members
        else:
            if not call.disregard_namespace_policy:
                policies.append(definition.policy)
            policies.extend(call.key_policies)
    return Requirements(tuple(policies), frozenset(allowed))


def layouts(
    requirements: Requirements, orgs: Sequence[str], preferred: str | None = None
) -> list[tuple[str, ...]]:
    """Minimal org sets (in ``orgs`` order) satisfying every policy; ``preferred``'s first."""
    candidates = [o for o in orgs if o in requirements.allowed_orgs]
    found: list[tuple[str, ...]] = []
    for size in range(1, len(candidates) + 1):
        for combo in combinations(candidates, size):
            if any(set(f) <= set(combo) for f in found):
                continue
            if all(policy_satisfied(p, combo) for p in requirements.policies):
                found.append(combo)
    found.sort(key=lambda combo: (preferred not in combo, len(combo)))
    return found


def endorsement_layouts(
    interest: Any,
    definitions: Mapping[str, ChaincodeDefinition],
    orgs: Sequence[str],
    channel: str,
    preferred: str | None = None,
) -> list[tuple[str, ...]]:
    """Discovery's ``PeersForEndorsement`` for the devnet: layouts, or ``PlanError`` saying why."""
    requirements = requirements_for_interest(interest, definitions, orgs, channel)
    found = layouts(requirements, orgs, preferred)
    if not found:
        raise PlanError("no peer combination can satisfy the endorsement policy")
    return found
