"""Membership: channel MSPs, identity verification, roles from NodeOUs, the nodes' own signers."""

from gridledger_network.devnet.interfaces import MalformedIdentity, UnknownIdentity
from gridledger_network.devnet.msp.identity import Identity
from gridledger_network.devnet.msp.loader import load_org_msp
from gridledger_network.devnet.msp.provider import MSPManager, OrgMSP, serialize_identity
from gridledger_network.devnet.msp.signature import sign_low_s, verify_signature
from gridledger_network.devnet.msp.signer import LocalSigner

__all__ = [
    "Identity",
    "LocalSigner",
    "MSPManager",
    "MalformedIdentity",
    "OrgMSP",
    "UnknownIdentity",
    "load_org_msp",
    "serialize_identity",
    "sign_low_s",
    "verify_signature",
]
