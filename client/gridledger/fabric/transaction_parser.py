"""Read what an endorsed transaction envelope carries: its channel, tx id and chaincode result."""

from __future__ import annotations

from dataclasses import dataclass

from fabric_protos.common import common_pb2
from fabric_protos.peer import proposal_pb2, proposal_response_pb2, transaction_pb2
from gridledger.errors import GridLedgerError


class TransactionParseError(GridLedgerError, ValueError):
    """The envelope is not an endorsed transaction this client understands."""


@dataclass(frozen=True)
class TransactionInfo:
    channel: str
    transaction_id: str
    result: bytes


def _chaincode_result(action: transaction_pb2.TransactionAction) -> bytes:
    action_payload = transaction_pb2.ChaincodeActionPayload.FromString(action.payload)
    response_payload = proposal_response_pb2.ProposalResponsePayload.FromString(
        action_payload.action.proposal_response_payload
    )
    chaincode_action = proposal_pb2.ChaincodeAction.FromString(response_payload.extension)
    return bytes(chaincode_action.response.payload)


def parse_transaction_envelope(envelope: bytes) -> TransactionInfo:
    """Channel, tx id and the chaincode response payload of an endorsed transaction."""
    try:
        decoded = common_pb2.Envelope.FromString(envelope)
        payload = common_pb2.Payload.FromString(decoded.payload)
        channel_header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
        transaction = transaction_pb2.Transaction.FromString(payload.data)
    except Exception as err:  # protobuf DecodeError and friends
        raise TransactionParseError(f"cannot decode transaction envelope: {err}") from err
    if not transaction.actions:
        raise TransactionParseError("transaction envelope has no actions")
    try:
        result = _chaincode_result(transaction.actions[0])
    except Exception as err:
        raise TransactionParseError(f"cannot decode chaincode action: {err}") from err
    return TransactionInfo(
        channel=str(channel_header.channel_id),
        transaction_id=str(channel_header.tx_id),
        result=result,
    )
