"""Chaincode proposal assembly: peer.Proposal and peer.SignedProposal bytes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from fabric_protos.common import common_pb2
from fabric_protos.peer import chaincode_pb2, proposal_pb2
from gridledger.fabric.headers import (
    HEADER_TYPE_ENDORSER_TRANSACTION,
    channel_header_bytes,
    header_bytes,
    signature_header_bytes,
)
from gridledger.fabric.txcontext import TransactionContext


def qualified_function_name(contract_name: str, function: str) -> str:
    """``contract:function`` for a named contract, ``function`` for the default one."""
    return f"{contract_name}:{function}" if contract_name else function


def as_bytes(argument: str | bytes) -> bytes:
    return argument.encode("utf-8") if isinstance(argument, str) else bytes(argument)


@dataclass(frozen=True)
class ChaincodeInvocation:
    """What a proposal asks the chaincode to run."""

    channel: str
    chaincode: str
    function: str  # already qualified: "contract:fn" or "fn"
    args: Sequence[bytes] = ()
    transient: Mapping[str, bytes] | None = None


def chaincode_header_extension_bytes(chaincode: str) -> bytes:
    extension = proposal_pb2.ChaincodeHeaderExtension(
        chaincode_id=chaincode_pb2.ChaincodeID(name=chaincode)
    )
    return bytes(extension.SerializeToString())


def chaincode_proposal_payload_bytes(invocation: ChaincodeInvocation) -> bytes:
    spec = chaincode_pb2.ChaincodeInvocationSpec(
        chaincode_spec=chaincode_pb2.ChaincodeSpec(
            type=chaincode_pb2.ChaincodeSpec.Type.UNDEFINED,
            chaincode_id=chaincode_pb2.ChaincodeID(name=invocation.chaincode),
            input=chaincode_pb2.ChaincodeInput(
                args=[invocation.function.encode("utf-8"), *invocation.args]
            ),
        )
    )
    payload = proposal_pb2.ChaincodeProposalPayload(
        input=spec.SerializeToString(), TransientMap=dict(invocation.transient or {})
    )
    return bytes(payload.SerializeToString())


def proposal_bytes(
    invocation: ChaincodeInvocation,
    context: TransactionContext,
    timestamp: datetime | None = None,
) -> bytes:
    """Serialized ``peer.Proposal`` of an ENDORSER_TRANSACTION for ``invocation``."""
    channel_header = channel_header_bytes(
        header_type=HEADER_TYPE_ENDORSER_TRANSACTION,
        channel=invocation.channel,
        transaction_id=context.transaction_id,
        extension=chaincode_header_extension_bytes(invocation.chaincode),
        timestamp=timestamp,
    )
    header = header_bytes(channel_header, signature_header_bytes(context.creator, context.nonce))
    proposal = proposal_pb2.Proposal(
        header=header, payload=chaincode_proposal_payload_bytes(invocation)
    )
    return bytes(proposal.SerializeToString())


def signed_proposal_bytes(proposal: bytes, signature: bytes) -> bytes:
    signed = proposal_pb2.SignedProposal(proposal_bytes=proposal, signature=signature)
    return bytes(signed.SerializeToString())


@dataclass(frozen=True)
class ProposalHeader:
    """What a proposal's header says (decoded back, e.g. for offline-signed proposals)."""

    channel: str
    transaction_id: str
    header_type: int
    creator: bytes
    nonce: bytes


def read_proposal_header(proposal: bytes) -> ProposalHeader:
    decoded = proposal_pb2.Proposal.FromString(proposal)
    header = common_pb2.Header.FromString(decoded.header)
    channel_header = common_pb2.ChannelHeader.FromString(header.channel_header)
    signature_header = common_pb2.SignatureHeader.FromString(header.signature_header)
    return ProposalHeader(
        channel=str(channel_header.channel_id),
        transaction_id=str(channel_header.tx_id),
        header_type=int(channel_header.type),
        creator=bytes(signature_header.creator),
        nonce=bytes(signature_header.nonce),
    )
