"""Looking up an in-doubt transaction by id: committed (and how), or not seen in time."""

from __future__ import annotations

from fabric_protos.gateway import gateway_pb2
from gridledger.gateway import Gateway
from gridledger.gateway.errors import CommitStatusError
from gridledger.gateway.status import Status


def commit_status_request_bytes(gateway: Gateway, channel: str, transaction_id: str) -> bytes:
    """An unsigned ``gateway.SignedCommitStatusRequest`` for ``transaction_id``."""
    request = gateway_pb2.CommitStatusRequest(
        transaction_id=transaction_id,
        channel_id=channel,
        identity=gateway.identity.serialize(),
    )
    signed = gateway_pb2.SignedCommitStatusRequest(request=request.SerializeToString())
    return bytes(signed.SerializeToString())


def find_commit(
    gateway: Gateway, channel: str, transaction_id: str, timeout: float
) -> Status | None:
    """The transaction's commit status, or None if it was not committed within ``timeout``.

    Raises ``CommitStatusError`` when the peer cannot be asked (unreachable, refused).
    """
    commit = gateway.new_commit(commit_status_request_bytes(gateway, channel, transaction_id))
    try:
        return commit.status(timeout)
    except CommitStatusError as error:
        if error.grpc_code_name == "DEADLINE_EXCEEDED":
            return None
        raise
