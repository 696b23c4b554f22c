"""Gateway request messages, built once and shared by the sync and asyncio clients.

Everything protobuf-shaped about the Gateway and Deliver services is assembled here; the
transports only send these messages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2
from fabric_protos.peer import proposal_pb2
from gridledger.fabric.envelope import deliver_payload_bytes, seek_position
from gridledger.fabric.proposal import (
    ChaincodeInvocation,
    as_bytes,
    proposal_bytes,
    read_proposal_header,
)
from gridledger.fabric.txcontext import TransactionContext
from gridledger.gateway.signing import SigningIdentity


def proposed_transaction(
    signing: SigningIdentity, invocation: ChaincodeInvocation, endorsing_orgs: Sequence[str]
) -> Any:
    """An unsigned ``gateway.ProposedTransaction`` for ``invocation``."""
    context = TransactionContext.new(signing.creator())
    return gateway_pb2.ProposedTransaction(
        transaction_id=context.transaction_id,
        proposal=proposal_pb2.SignedProposal(proposal_bytes=proposal_bytes(invocation, context)),
        endorsing_organizations=list(endorsing_orgs),
    )


def parse_proposed_transaction(data: bytes) -> tuple[Any, str]:
    """A ``gateway.ProposedTransaction`` from its bytes, and the channel its proposal names."""
    proposed = gateway_pb2.ProposedTransaction.FromString(data)
    header = read_proposal_header(bytes(proposed.proposal.proposal_bytes))
    return proposed, header.channel


def evaluate_request(proposed: Any, channel: str) -> Any:
    return gateway_pb2.EvaluateRequest(
        transaction_id=proposed.transaction_id,
        channel_id=channel,
        proposed_transaction=proposed.proposal,
        target_organizations=list(proposed.endorsing_organizations),
    )


def endorse_request(proposed: Any, channel: str) -> Any:
    return gateway_pb2.EndorseRequest(
        transaction_id=proposed.transaction_id,
        channel_id=channel,
        proposed_transaction=proposed.proposal,
        endorsing_organizations=list(proposed.endorsing_organizations),
    )


def prepared_transaction(transaction_id: str, envelope: Any) -> Any:
    return gateway_pb2.PreparedTransaction(transaction_id=transaction_id, envelope=envelope)


def parse_prepared_transaction(data: bytes) -> Any:
    return gateway_pb2.PreparedTransaction.FromString(data)


def submit_request(prepared: Any, channel: str) -> Any:
    return gateway_pb2.SubmitRequest(
        transaction_id=prepared.transaction_id,
        channel_id=channel,
        prepared_transaction=prepared.envelope,
    )


def commit_status_request(signing: SigningIdentity, channel: str, transaction_id: str) -> Any:
    """An unsigned ``gateway.SignedCommitStatusRequest``."""
    request = gateway_pb2.CommitStatusRequest(
        transaction_id=transaction_id, channel_id=channel, identity=signing.creator()
    )
    return gateway_pb2.SignedCommitStatusRequest(request=request.SerializeToString())


def parse_commit_status_request(data: bytes) -> tuple[Any, str]:
    """A ``SignedCommitStatusRequest`` from bytes, and the transaction id it asks about."""
    signed = gateway_pb2.SignedCommitStatusRequest.FromString(data)
    inner = gateway_pb2.CommitStatusRequest.FromString(signed.request)
    return signed, str(inner.transaction_id)


def chaincode_events_request(
    signing: SigningIdentity,
    channel: str,
    chaincode: str,
    start_block: int | None,
    after_transaction_id: str = "",
) -> Any:
    """An unsigned ``gateway.SignedChaincodeEventsRequest``."""
    request = gateway_pb2.ChaincodeEventsRequest(
        channel_id=channel,
        chaincode_id=chaincode,
        identity=signing.creator(),
        start_position=seek_position(start_block),
        after_transaction_id=after_transaction_id,
    )
    return gateway_pb2.SignedChaincodeEventsRequest(request=request.SerializeToString())


def parse_chaincode_events_request(data: bytes) -> Any:
    return gateway_pb2.SignedChaincodeEventsRequest.FromString(data)


def deliver_envelope(
    signing: SigningIdentity, channel: str, start_block: int | None, tls_cert_hash: bytes = b""
) -> Any:
    """An unsigned ``common.Envelope`` carrying a ``DELIVER_SEEK_INFO`` payload."""
    payload = deliver_payload_bytes(
        channel=channel,
        creator=signing.creator(),
        start_block=start_block,
        tls_cert_hash=tls_cert_hash,
    )
    return common_pb2.Envelope(payload=payload)


def parse_envelope(data: bytes) -> Any:
    return common_pb2.Envelope.FromString(data)


def transient_map(transient: Mapping[str, bytes | str] | None) -> dict[str, bytes]:
    return {key: as_bytes(value) for key, value in (transient or {}).items()}
