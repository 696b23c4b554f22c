"""Unpacking and checking a SignedProposal as Fabric's endorser does (``msgvalidation.go``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from fabric_protos.common import common_pb2
from fabric_protos.msp import identities_pb2
from fabric_protos.peer import chaincode_pb2, proposal_pb2

from gridledger_network.devnet.interfaces import ChannelConfig, MalformedIdentity, UnknownIdentity


class ProposalError(Exception):
    """The proposal is malformed or fails its checks; the message is Fabric's."""


@dataclass(slots=True)
class UnpackedProposal:
    signed_proposal: Any  # peer.SignedProposal
    proposal: Any  # peer.Proposal
    header: Any  # common.Header
    channel_header: Any  # common.ChannelHeader
    signature_header: Any  # common.SignatureHeader
    chaincode_proposal_payload: Any  # peer.ChaincodeProposalPayload
    chaincode_name: str
    input: Any  # peer.ChaincodeInput
    proposal_hash: bytes
    validated: bool = False
    validation_error: str | None = None
    creator: Any = field(default=None)
    # (ledger, height) at which tx_id was found not yet committed, for the duplicate check
    unique_on: tuple[Any, int] | None = None

    @property
    def channel_id(self) -> str:
        return str(self.channel_header.channel_id)

    @property
    def tx_id(self) -> str:
        return str(self.channel_header.tx_id)

    @property
    def has_transient_data(self) -> bool:
        return len(self.chaincode_proposal_payload.TransientMap) > 0


def compute_tx_id(nonce: bytes, creator: bytes) -> str:
    return hashlib.sha256(nonce + creator).hexdigest()


def unpack_proposal(signed_proposal: Any) -> UnpackedProposal:
    try:
        proposal = proposal_pb2.Proposal.FromString(signed_proposal.proposal_bytes)
        header = common_pb2.Header.FromString(proposal.header)
        channel_header = common_pb2.ChannelHeader.FromString(header.channel_header)
        signature_header = common_pb2.SignatureHeader.FromString(header.signature_header)
        extension = proposal_pb2.ChaincodeHeaderExtension.FromString(channel_header.extension)
        payload = proposal_pb2.ChaincodeProposalPayload.FromString(proposal.payload)
        invocation = chaincode_pb2.ChaincodeInvocationSpec.FromString(payload.input)
    except Exception as err:
        raise ProposalError(f"error unmarshalling proposal: {err}") from err
    if not extension.HasField("chaincode_id"):
        raise ProposalError("ChaincodeHeaderExtension.ChaincodeId is nil")
    if not extension.chaincode_id.name:
        raise ProposalError("ChaincodeHeaderExtension.ChaincodeId.Name is empty")
    if not invocation.HasField("chaincode_spec"):
        raise ProposalError("chaincode invocation spec did not contain chaincode spec")
    if not invocation.chaincode_spec.HasField("input"):
        raise ProposalError("chaincode input did not contain any input")
    no_transient = proposal_pb2.ChaincodeProposalPayload(input=payload.input)
    digest = hashlib.sha256()
    digest.update(header.channel_header)
    digest.update(header.signature_header)
    digest.update(no_transient.SerializeToString())
    return UnpackedProposal(
        signed_proposal=signed_proposal,
        proposal=proposal,
        header=header,
        channel_header=channel_header,
        signature_header=signature_header,
        chaincode_proposal_payload=payload,
        chaincode_name=extension.chaincode_id.name,
        input=invocation.chaincode_spec.input,
        proposal_hash=digest.digest(),
    )


def validate_proposal(up: UnpackedProposal, channel_config: ChannelConfig) -> Any:
    """Fabric's ``UnpackedProposal.Validate``; returns the verified creator identity.

    The outcome is cached on ``up`` so that several orgs' peers endorsing the same proposal in
    this process check it once.
    """
    if up.validated:
        if up.validation_error is not None:
            raise ProposalError(up.validation_error)
        return up.creator
    try:
        up.creator = _validate(up, channel_config)
    except ProposalError as err:
        up.validation_error = str(err)
        raise
    finally:
        up.validated = True
    return up.creator


def _validate(up: UnpackedProposal, channel_config: ChannelConfig) -> Any:
    header_type = up.channel_header.type
    if header_type not in (common_pb2.ENDORSER_TRANSACTION, common_pb2.CONFIG):
        known = header_type in common_pb2.HeaderType.values()
        name = common_pb2.HeaderType.Name(header_type) if known else str(header_type)
        raise ProposalError(f"invalid header type {name}")
    if up.channel_header.epoch != 0:
        raise ProposalError("epoch is non-zero")
    nonce = up.signature_header.nonce
    creator_bytes = up.signature_header.creator
    if not nonce:
        raise ProposalError("nonce is empty")
    if not creator_bytes:
        raise ProposalError("creator is empty")
    expected = compute_tx_id(nonce, creator_bytes)
    if up.tx_id != expected:
        raise ProposalError(f"incorrectly computed txid '{up.tx_id}' -- expected '{expected}'")
    if not up.signed_proposal.proposal_bytes:
        raise ProposalError("empty proposal bytes")
    if not up.signed_proposal.signature:
        raise ProposalError("empty signature bytes")
    channel = up.channel_id
    try:
        creator = channel_config.deserialize_and_verify_identity(creator_bytes)
    except MalformedIdentity as err:  # Fabric's DeserializeIdentity fails
        raise ProposalError(
            f"access denied: channel [{channel}] creator org unknown, creator is malformed"
        ) from err
    except UnknownIdentity as err:  # deserialized, but Fabric's creator.Validate() fails
        msp_id = _msp_id_of(creator_bytes)
        raise ProposalError(f"access denied: channel [{channel}] creator org [{msp_id}]") from err
    except Exception as err:
        raise ProposalError(
            f"access denied: channel [{channel}] creator org unknown, creator is malformed"
        ) from err
    if not creator.verify(up.signed_proposal.proposal_bytes, up.signed_proposal.signature):
        raise ProposalError(f"access denied: channel [{channel}] creator org [{creator.msp_id}]")
    return creator


def _msp_id_of(serialized: bytes) -> str:
    try:
        return str(identities_pb2.SerializedIdentity.FromString(serialized).mspid)
    except Exception:
        return ""
