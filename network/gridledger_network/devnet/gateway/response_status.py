"""How the gateway classifies an endorser's reply (Fabric's ``responseStatus`` in apiutils.go)."""

from __future__ import annotations

from dataclasses import dataclass

import grpc

from gridledger_network.devnet.endorser import EndorserReply

ERROR_STREAM_TERMINATED = "chaincode stream terminated"


@dataclass(frozen=True, slots=True)
class ReplyStatus:
    code: grpc.StatusCode
    message: str
    retry: bool
    remove: bool

    @property
    def ok(self) -> bool:
        return bool(self.code == grpc.StatusCode.OK)


def reply_status(reply: EndorserReply, local: bool) -> ReplyStatus:
    """``local``: the gateway's own peer, called in process (its Go error keeps the response)."""
    if reply.error is not None:
        if not local:
            message = f"rpc error: code = Unknown desc = {reply.error}"
            return ReplyStatus(grpc.StatusCode.UNAVAILABLE, message, True, True)
        return ReplyStatus(grpc.StatusCode.FAILED_PRECONDITION, reply.error, False, False)
    response = reply.response.response
    status = response.status
    if status < 200 or status >= 400:
        if not reply.response.payload and status == 500:
            remove = response.message.endswith(ERROR_STREAM_TERMINATED)
            return ReplyStatus(grpc.StatusCode.ABORTED, response.message, True, remove)
        return ReplyStatus(
            grpc.StatusCode.UNKNOWN,
            f"chaincode response {status}, {response.message}",
            False,
            False,
        )
    return ReplyStatus(grpc.StatusCode.OK, "", False, False)
