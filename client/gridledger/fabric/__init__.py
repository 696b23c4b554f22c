"""Fabric protocol layer: identities, signing, proposal and envelope assembly (no gRPC)."""

from gridledger.fabric.attributes import FABRIC_CA_ATTRIBUTES_OID, certificate_attributes
from gridledger.fabric.envelope import (
    MAX_BLOCK_NUMBER,
    deliver_payload_bytes,
    envelope_bytes,
    read_envelope,
    seek_info_bytes,
    signed_envelope_bytes,
)
from gridledger.fabric.hashing import sha256
from gridledger.fabric.identity import Identity
from gridledger.fabric.msp import MspError, MspFolder, load_msp, read_msp
from gridledger.fabric.nodeous import NodeOUs, read_node_ous
from gridledger.fabric.proposal import (
    ChaincodeInvocation,
    ProposalHeader,
    as_bytes,
    proposal_bytes,
    qualified_function_name,
    read_proposal_header,
    signed_proposal_bytes,
)
from gridledger.fabric.signer import P256_HALF_ORDER, P256_ORDER, Signer, is_low_s, to_low_s
from gridledger.fabric.transaction_parser import (
    TransactionInfo,
    TransactionParseError,
    parse_transaction_envelope,
)
from gridledger.fabric.txcontext import TransactionContext, compute_transaction_id, new_nonce

__all__ = [
    "FABRIC_CA_ATTRIBUTES_OID",
    "MAX_BLOCK_NUMBER",
    "P256_HALF_ORDER",
    "P256_ORDER",
    "ChaincodeInvocation",
    "Identity",
    "MspError",
    "MspFolder",
    "NodeOUs",
    "ProposalHeader",
    "Signer",
    "TransactionContext",
    "TransactionInfo",
    "TransactionParseError",
    "as_bytes",
    "certificate_attributes",
    "compute_transaction_id",
    "deliver_payload_bytes",
    "envelope_bytes",
    "is_low_s",
    "load_msp",
    "new_nonce",
    "parse_transaction_envelope",
    "proposal_bytes",
    "qualified_function_name",
    "read_envelope",
    "read_msp",
    "read_node_ous",
    "read_proposal_header",
    "seek_info_bytes",
    "sha256",
    "signed_envelope_bytes",
    "signed_proposal_bytes",
    "to_low_s",
]
