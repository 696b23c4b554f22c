"""``protos.Endorser/ProcessProposal`` on a peer endpoint, for clients that endorse directly."""

from __future__ import annotations

from typing import Any

import grpc
from fabric_protos.peer import peer_pb2_grpc

from gridledger_network.devnet.endorser.endorser import Endorser


class EndorserService(peer_pb2_grpc.EndorserServicer):  # type: ignore[misc]
    def __init__(self, endorser: Endorser) -> None:
        self.endorser = endorser

    async def ProcessProposal(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        reply = await self.endorser.process_proposal(request)
        if reply.error is not None:
            await context.abort(grpc.StatusCode.UNKNOWN, reply.error)
        return reply.response
