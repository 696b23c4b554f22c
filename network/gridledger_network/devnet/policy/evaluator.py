"""Evaluate a ``common.SignaturePolicyEnvelope`` against verified signers as Fabric's cauthdsl.

Each principal is satisfied by a distinct identity: a ``SignedBy`` takes the first unused identity
that satisfies its principal; an ``NOutOf`` tries each rule on a copy of the used-flags and keeps
the flags of the rules that succeed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fabric_protos.common import policies_pb2
from fabric_protos.msp import msp_principal_pb2

from gridledger_network.devnet.msp.identity import Identity

ROLE_NAMES = {
    msp_principal_pb2.MSPRole.MEMBER: "member",
    msp_principal_pb2.MSPRole.ADMIN: "admin",
    msp_principal_pb2.MSPRole.CLIENT: "client",
    msp_principal_pb2.MSPRole.PEER: "peer",
    msp_principal_pb2.MSPRole.ORDERER: "orderer",
}


class PolicyError(ValueError):
    """The policy itself is malformed (bad principal index, unknown principal type)."""


def satisfies_principal(identity: Identity, principal: Any) -> bool:
    kind = principal.principal_classification
    if kind == msp_principal_pb2.MSPPrincipal.ROLE:
        role = msp_principal_pb2.MSPRole()
        role.ParseFromString(principal.principal)
        name = ROLE_NAMES.get(role.role)
        return (
            identity.msp_id == role.msp_identifier and name is not None and name in identity.roles
        )
    if kind == msp_principal_pb2.MSPPrincipal.IDENTITY:
        return bool(principal.principal == identity.serialized)
    return False


def evaluate_envelope(envelope: Any, signers: Sequence[Identity]) -> bool:
    """True when the de-duplicated, signature-verified ``signers`` satisfy ``envelope``."""
    if not envelope.HasField("rule"):
        raise PolicyError("policy envelope has no rule")
    used = [False] * len(signers)
    return _evaluate(envelope.rule, list(envelope.identities), signers, used)


def evaluate_policy_bytes(policy: bytes, signers: Sequence[Identity]) -> bool:
    """``policy`` is a serialized SignaturePolicyEnvelope (e.g. a key's VALIDATION_PARAMETER)."""
    envelope = policies_pb2.SignaturePolicyEnvelope()
    try:
        envelope.ParseFromString(policy)
    except Exception as exc:  # protobuf DecodeError (google.protobuf is untyped here)
        raise PolicyError(f"not a SignaturePolicyEnvelope: {exc}") from exc
    return evaluate_envelope(envelope, signers)


def _evaluate(
    rule: Any, principals: list[Any], signers: Sequence[Identity], used: list[bool]
) -> bool:
    kind = rule.WhichOneof("Type")
    if kind == "signed_by":
        index = rule.signed_by
        if index < 0 or index >= len(principals):
            raise PolicyError(
                f"identity index out of range, requested {index}, "
                f"but identities length is {len(principals)}"
            )
        for i, signer in enumerate(signers):
            if not used[i] and satisfies_principal(signer, principals[index]):
                used[i] = True
                return True
        return False
    if kind == "n_out_of":
        verified = 0
        for sub in rule.n_out_of.rules:
            trial = list(used)
            if _evaluate(sub, principals, signers, trial):
                verified += 1
                used[:] = trial
        return verified >= int(rule.n_out_of.n)
    raise PolicyError(f"unknown signature policy type {kind}")
