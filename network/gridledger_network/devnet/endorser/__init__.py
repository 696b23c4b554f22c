"""Peer endorsement: proposal checks, simulation on chaincode support, signed responses."""

from gridledger_network.devnet.endorser.endorser import Endorser, EndorserReply, Signer
from gridledger_network.devnet.endorser.proposal import (
    ProposalError,
    UnpackedProposal,
    compute_tx_id,
    unpack_proposal,
    validate_proposal,
)

__all__ = [
    "Endorser",
    "EndorserReply",
    "ProposalError",
    "Signer",
    "UnpackedProposal",
    "compute_tx_id",
    "unpack_proposal",
    "validate_proposal",
]
