"""The ``gateway.Gateway`` gRPC service of one organisation's peer endpoint (Fabric 3.1.5 shape)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import grpc
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2, gateway_pb2_grpc
from fabric_protos.peer import proposal_pb2, proposal_response_pb2

from gridledger_network.devnet.deliver.block_view import BlockViewCache
from gridledger_network.devnet.endorser import ProposalError, UnpackedProposal, unpack_proposal
from gridledger_network.devnet.gateway.endorsement import EndorsementCollector
from gridledger_network.devnet.gateway.errors import RpcError, answer, error_detail
from gridledger_network.devnet.gateway.peers import PeerNode
from gridledger_network.devnet.gateway.response_status import reply_status
from gridledger_network.devnet.gateway.transaction import prepare_transaction
from gridledger_network.devnet.interfaces import ChannelConfig, Ledger, Orderer, OrdererRejected
from gridledger_network.devnet.policy.channel_policies import application_reader, readers_denied

logger = logging.getLogger(__name__)

UNPACK_FAILED = "failed to unpack transaction proposal: "  # Evaluate's prefix; Endorse has none


class GatewayService(gateway_pb2_grpc.GatewayServicer):  # type: ignore[misc]
    def __init__(
        self,
        local_msp_id: str,
        peers: Mapping[str, PeerNode],
        ledger: Ledger,
        orderer: Orderer,
        channel_config: ChannelConfig,
        blocks: BlockViewCache,
        orderer_address: str = "orderer0.orderer.gridledger.local:7050",
        orderer_msp_id: str = "OrdererMSP",
    ) -> None:
        self.local_msp_id = local_msp_id
        # the gateway's own peer first, then the others in configuration order
        self.peers = {local_msp_id: peers[local_msp_id]} | {
            k: v for k, v in peers.items() if k != local_msp_id
        }
        self.ledger = ledger
        self.orderer = orderer
        self.channel_config = channel_config
        self.blocks = blocks
        self.orderer_address = orderer_address
        self.orderer_msp_id = orderer_msp_id

    @property
    def _definitions(self) -> Mapping[str, Any]:
        return self.peers[self.local_msp_id].endorser.definitions

    def _orgs_with_chaincode(self, channel: str, chaincode: str) -> list[str]:
        """Orgs with a peer on ``channel`` that has ``chaincode`` (Fabric's ``endorsersByOrg``)."""
        if channel != self.ledger.channel:
            return []
        return [org for org, peer in self.peers.items() if peer.endorser.serves(chaincode)]

    # -- Evaluate -----------------------------------------------------------------------------
    async def Evaluate(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        return await answer(context, self.evaluate(request))

    async def evaluate(self, request: Any) -> Any:
        signed = request.proposed_transaction
        up = _unpack(signed, "a signed proposal is required", UNPACK_FAILED)
        channel, chaincode = up.channel_id, up.chaincode_name
        if not channel:
            raise RpcError(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"{UNPACK_FAILED}no channel id provided",
            )
        if channel != self.ledger.channel:
            raise RpcError(grpc.StatusCode.UNAVAILABLE, unknown_channel(channel))
        targets = list(request.target_organizations)
        protected = False
        if up.has_transient_data and not targets:
            targets, protected = [self.local_msp_id], True
        candidates = [
            org
            for org in self.peers
            if (not targets or org in targets) and self.peers[org].endorser.serves(chaincode)
        ]
        if not candidates:
            message = f"no peers available to evaluate chaincode {chaincode} in channel {channel}"
            if protected:
                message = (
                    "no endorsers found in the gateway's organization; retry specifying target "
                    f"organization(s) to protect transient data: {message}"
                )
            raise RpcError(grpc.StatusCode.FAILED_PRECONDITION, message)
        details: list[Any] = []
        code = grpc.StatusCode.UNAVAILABLE
        for org in candidates:
            peer = self.peers[org]
            reply = await peer.endorser.process_proposal(signed, up)
            status = reply_status(reply, local=org == self.local_msp_id)
            if status.ok:
                response = proposal_response_pb2.Response()
                response.CopyFrom(reply.response.response)
                response.payload = _result_payload(reply.response.payload, response.payload)
                return gateway_pb2.EvaluateResponse(result=response)
            details.append(error_detail(peer.address, org, status.message))
            code = status.code
            if not status.retry:
                raise RpcError(
                    code, f"evaluate call to endorser returned error: {status.message}", details
                )
        raise RpcError(
            code, "failed to evaluate transaction, see attached details for more info", details
        )

    # -- Endorse ------------------------------------------------------------------------------
    async def Endorse(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        return await answer(context, self.endorse(request))

    async def endorse(self, request: Any) -> Any:
        signed = request.proposed_transaction
        up = _unpack(signed, "the proposed transaction must contain a signed proposal")
        collector = EndorsementCollector(self.local_msp_id, self.peers, up)
        available = self._orgs_with_chaincode(up.channel_id, up.chaincode_name)
        if request.endorsing_organizations:
            orgs = list(request.endorsing_organizations)
            payload, endorsements = await collector.for_orgs(orgs, available)
        else:
            known = up.channel_id == self.ledger.channel
            definitions = self._definitions if known else {}
            payload, endorsements = await collector.by_policy(definitions, available)
        envelope = prepare_transaction(
            up.header, up.chaincode_proposal_payload, payload, endorsements
        )
        return gateway_pb2.EndorseResponse(prepared_transaction=envelope)

    # -- Submit -------------------------------------------------------------------------------
    async def Submit(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        return await answer(context, self.submit(request))

    async def submit(self, request: Any) -> Any:
        if not request.HasField("prepared_transaction"):
            raise RpcError(grpc.StatusCode.INVALID_ARGUMENT, "a prepared transaction is required")
        envelope = request.prepared_transaction
        if not envelope.signature:
            raise RpcError(grpc.StatusCode.INVALID_ARGUMENT, "prepared transaction must be signed")
        if request.channel_id != self.ledger.channel:
            raise RpcError(grpc.StatusCode.FAILED_PRECONDITION, unknown_channel(request.channel_id))
        try:
            self.orderer.broadcast(envelope)
        except OrdererRejected as err:
            info = (
                f"received unsuccessful response from orderer: status="
                f"{_status_name(err.status)}, info={err.message}"
            )
            logger.warning("orderer rejected %s: %s", request.transaction_id, info)
            if 400 <= err.status < 500:
                raise RpcError(grpc.StatusCode.ABORTED, info) from err
            raise RpcError(
                grpc.StatusCode.UNAVAILABLE,
                "no orderers could successfully process transaction",
                [error_detail(self.orderer_address, self.orderer_msp_id, info)],
            ) from err
        return gateway_pb2.SubmitResponse()

    # -- CommitStatus -------------------------------------------------------------------------
    async def CommitStatus(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        return await answer(context, self.commit_status(request))

    def _check_reader(self, channel: str, data: bytes, identity: bytes, signature: bytes) -> None:
        if channel != self.ledger.channel:
            raise RpcError(
                grpc.StatusCode.PERMISSION_DENIED,
                f"Failed to get policy manager for channel [{channel}]",
            )
        try:
            creator = self.channel_config.deserialize_and_verify_identity(identity)
            verified = creator.verify(data, signature) and application_reader(
                creator, self.channel_config.org_msp_ids
            )
        except Exception:
            verified = False
        if not verified:
            raise RpcError(grpc.StatusCode.PERMISSION_DENIED, readers_denied(channel))

    async def commit_status(self, signed: Any) -> Any:
        request = _signed_request(
            signed, gateway_pb2.CommitStatusRequest, "commit status request", "status request"
        )
        if not request.identity:
            raise RpcError(grpc.StatusCode.INVALID_ARGUMENT, "no identity provided")
        if not request.channel_id:
            raise RpcError(grpc.StatusCode.INVALID_ARGUMENT, "no channel ID provided")
        if not request.transaction_id:
            raise RpcError(grpc.StatusCode.INVALID_ARGUMENT, "transaction ID should not be empty")
        self._check_reader(request.channel_id, signed.request, request.identity, signed.signature)
        ledger = self.ledger
        while True:
            height = ledger.height
            status = ledger.tx_status(request.transaction_id)
            if status is not None:
                return gateway_pb2.CommitStatusResponse(
                    result=status.validation_code, block_number=status.block_number
                )
            await ledger.wait_for_height(height + 1)

    # -- ChaincodeEvents ----------------------------------------------------------------------
    async def ChaincodeEvents(self, signed: Any, context: grpc.aio.ServicerContext) -> None:
        await answer(context, self.chaincode_events(signed, context))

    async def chaincode_events(self, signed: Any, context: grpc.aio.ServicerContext) -> None:
        request = _signed_request(
            signed, gateway_pb2.ChaincodeEventsRequest, "chaincode events request"
        )
        self._check_reader(request.channel_id, signed.request, request.identity, signed.signature)
        number = self._events_start_block(request)
        chaincode_id = request.chaincode_id
        after_tx = request.after_transaction_id
        passed_after_tx = not after_tx
        ledger = self.ledger
        while True:
            if number >= ledger.height:
                await ledger.wait_for_height(number + 1)
            view = self.blocks.get(number)
            matching = []
            for event in view.chaincode_events():
                if not passed_after_tx:
                    passed_after_tx = event.tx_id == after_tx
                    continue
                if event.chaincode_id == chaincode_id:
                    matching.append(event)
            if matching:
                await context.write(
                    gateway_pb2.ChaincodeEventsResponse(events=matching, block_number=number)
                )
            number += 1

    def _events_start_block(self, request: Any) -> int:
        if request.after_transaction_id:
            status = self.ledger.tx_status(request.after_transaction_id)
            if status is not None:
                return status.block_number
        position = request.start_position
        kind = position.WhichOneof("Type") if request.HasField("start_position") else None
        if kind == "specified":
            return int(position.specified.number)
        if kind not in (None, "next_commit"):
            name = {"oldest": "SeekPosition_Oldest", "newest": "SeekPosition_Newest"}[kind]
            raise RpcError(
                grpc.StatusCode.INVALID_ARGUMENT, f"invalid start position type: *orderer.{name}"
            )
        return self.ledger.height


def unknown_channel(channel: str) -> str:
    """What Fabric's gateway says when it finds no configuration for ``channel``."""
    return (
        f"failed to get config for channel [{channel}]: could not get last config for channel "
        f"{channel}"
    )


def _unpack(signed: Any, missing: str, prefix: str = "") -> UnpackedProposal:
    """The signed proposal of an Evaluate or Endorse request, or INVALID_ARGUMENT."""
    if not signed.proposal_bytes:
        raise RpcError(grpc.StatusCode.INVALID_ARGUMENT, prefix + missing)
    try:
        return unpack_proposal(signed)
    except ProposalError as err:
        raise RpcError(grpc.StatusCode.INVALID_ARGUMENT, f"{prefix}{err}") from err


def _signed_request(signed: Any, kind: Any, what: str, invalid: str | None = None) -> Any:
    """The ``kind`` message inside a signed CommitStatus or ChaincodeEvents request."""
    if not signed.request:
        raise RpcError(grpc.StatusCode.INVALID_ARGUMENT, f"a {what} is required")
    try:
        return kind.FromString(signed.request)
    except Exception as err:
        raise RpcError(
            grpc.StatusCode.INVALID_ARGUMENT, f"invalid {invalid or what}: {err}"
        ) from err


def _result_payload(response_payload: bytes, fallback: bytes) -> bytes:
    """The chaincode result inside a ProposalResponsePayload (getResultFromProposalResponse)."""
    try:
        prp = proposal_response_pb2.ProposalResponsePayload.FromString(response_payload)
        action = proposal_pb2.ChaincodeAction.FromString(prp.extension)
        return bytes(action.response.payload)
    except Exception:
        return fallback


def _status_name(status: int) -> str:
    try:
        return str(common_pb2.Status.Name(status))
    except ValueError:
        return str(status)
