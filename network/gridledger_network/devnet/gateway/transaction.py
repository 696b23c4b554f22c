"""The prepared transaction the gateway returns from Endorse (``protoutil.CreateTx`` shape)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fabric_protos.common import common_pb2
from fabric_protos.peer import proposal_pb2, transaction_pb2


def unique_endorsements(endorsements: Sequence[Any]) -> list[Any]:
    seen: set[bytes] = set()
    unique = []
    for endorsement in endorsements:
        if endorsement is None or endorsement.endorser in seen:
            continue
        seen.add(endorsement.endorser)
        unique.append(endorsement)
    return unique


def prepare_transaction(
    header: Any, proposal_payload: Any, response_payload: bytes, endorsements: Sequence[Any]
) -> Any:
    """An unsigned ``common.Envelope``: the proposal's header, payload without transient data."""
    no_transient = proposal_pb2.ChaincodeProposalPayload(input=proposal_payload.input)
    action_payload = transaction_pb2.ChaincodeActionPayload(
        chaincode_proposal_payload=no_transient.SerializeToString(),
        action=transaction_pb2.ChaincodeEndorsedAction(
            proposal_response_payload=response_payload,
            endorsements=unique_endorsements(endorsements),
        ),
    )
    transaction = transaction_pb2.Transaction(
        actions=[
            transaction_pb2.TransactionAction(
                header=header.signature_header, payload=action_payload.SerializeToString()
            )
        ]
    )
    payload = common_pb2.Payload(header=header, data=transaction.SerializeToString())
    return common_pb2.Envelope(payload=payload.SerializeToString())
