"""Key-level endorsement policies (state metadata VALIDATION_PARAMETER) built from org MSP ids."""

from __future__ import annotations

from collections.abc import Iterable

from fabric_protos.common import policies_pb2
from fabric_protos.msp import msp_principal_pb2

#: The state metadata key under which Fabric keeps a key-level endorsement policy.
VALIDATION_PARAMETER = "VALIDATION_PARAMETER"

_ROLES = {
    "member": msp_principal_pb2.MSPRole.MEMBER,
    "peer": msp_principal_pb2.MSPRole.PEER,
    "admin": msp_principal_pb2.MSPRole.ADMIN,
    "client": msp_principal_pb2.MSPRole.CLIENT,
    "orderer": msp_principal_pb2.MSPRole.ORDERER,
}


def org_endorsement_policy(msp_ids: Iterable[str], role: str = "peer") -> bytes:
    """A serialised `SignaturePolicyEnvelope` requiring a `role` signature from every listed org.

    Orgs are de-duplicated and sorted (as fabric-chaincode-go's statebased package does), so the
    same set of orgs always gives the same bytes and endorsements agree across peers.
    """
    if role not in _ROLES:
        raise ValueError(f"unknown MSP role {role!r}; expected one of {sorted(_ROLES)}")
    orgs = sorted({msp_id.strip() for msp_id in msp_ids if msp_id.strip()})
    if not orgs:
        raise ValueError("a key-level endorsement policy needs at least one MSP id")
    envelope = policies_pb2.SignaturePolicyEnvelope(version=0)
    n_out_of = envelope.rule.n_out_of
    n_out_of.n = len(orgs)
    for index, msp_id in enumerate(orgs):
        principal = envelope.identities.add()
        principal.principal_classification = msp_principal_pb2.MSPPrincipal.ROLE
        principal.principal = msp_principal_pb2.MSPRole(
            msp_identifier=msp_id, role=_ROLES[role]
        ).SerializeToString()
        n_out_of.rules.add().signed_by = index
    data: bytes = envelope.SerializeToString()
    return data


def policy_msp_ids(policy: bytes) -> list[str]:
    """The MSP ids named by the principals of a serialised `SignaturePolicyEnvelope`."""
    envelope = policies_pb2.SignaturePolicyEnvelope.FromString(policy)
    msp_ids: list[str] = []
    for principal in envelope.identities:
        if principal.principal_classification == msp_principal_pb2.MSPPrincipal.ROLE:
            msp_ids.append(msp_principal_pb2.MSPRole.FromString(principal.principal).msp_identifier)
    return msp_ids
