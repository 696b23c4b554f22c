"""An in-process fake of a Gateway peer (``gateway.Gateway`` + ``protos.Deliver``), unit tests only.

It checks every signature it receives against the creator in the request, answers with
Fabric-shaped messages, and fails on demand with rich gRPC status details.
"""

from __future__ import annotations

import threading
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any

import grpc
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2, gateway_pb2_grpc
from fabric_protos.msp import identities_pb2
from fabric_protos.orderer import ab_pb2
from fabric_protos.peer import (
    chaincode_event_pb2,
    chaincode_pb2,
    events_pb2,
    events_pb2_grpc,
    proposal_pb2,
    proposal_response_pb2,
    transaction_pb2,
)
from gridledger.gateway import ErrorDetail
from gridledger.gateway.status_details import STATUS_DETAILS_KEY, encode_status_details

PEERS = [
    ErrorDetail("peer0.gridoperator:7051", "GridOperatorMSP", "chaincode response 500, bad meter"),
    ErrorDetail("peer0.prosumer:9051", "ProsumerMSP", "chaincode response 500, bad meter"),
]
TOO_LARGE = (
    "received unsuccessful response from orderer: status=REQUEST_ENTITY_TOO_LARGE, "
    "info=message payload is 12700000 bytes and exceeds maximum allowed 10485760 bytes"
)


def verify(creator: bytes, signature: bytes, message: bytes) -> None:
    serialized = identities_pb2.SerializedIdentity.FromString(creator)
    key = x509.load_pem_x509_certificate(serialized.id_bytes).public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    key.verify(signature, message, ec.ECDSA(hashes.SHA256()))  # raises InvalidSignature


def abort(context: Any, code: grpc.StatusCode, message: str, details: list[ErrorDetail]) -> None:
    status = encode_status_details(code.value[0], message, details)
    context.set_trailing_metadata(((STATUS_DETAILS_KEY, status),))
    context.abort(code, message)


@dataclass
class Invocation:
    channel: str
    transaction_id: str
    creator: bytes
    function: str
    args: list[bytes]
    transient: dict[str, bytes]


def read_signed_proposal(signed: Any) -> Invocation:
    proposal = proposal_pb2.Proposal.FromString(signed.proposal_bytes)
    header = common_pb2.Header.FromString(proposal.header)
    channel_header = common_pb2.ChannelHeader.FromString(header.channel_header)
    creator = common_pb2.SignatureHeader.FromString(header.signature_header).creator
    verify(creator, signed.signature, signed.proposal_bytes)
    payload = proposal_pb2.ChaincodeProposalPayload.FromString(proposal.payload)
    spec = chaincode_pb2.ChaincodeInvocationSpec.FromString(payload.input)
    args = list(spec.chaincode_spec.input.args)
    return Invocation(
        channel=channel_header.channel_id,
        transaction_id=channel_header.tx_id,
        creator=creator,
        function=args[0].decode(),
        args=args[1:],
        transient=dict(payload.TransientMap),
    )


def prepared_envelope(invocation: Invocation, result: bytes) -> Any:
    channel_header = common_pb2.ChannelHeader(
        type=common_pb2.HeaderType.ENDORSER_TRANSACTION,
        channel_id=invocation.channel,
        tx_id=invocation.transaction_id,
    )
    action = proposal_pb2.ChaincodeAction(
        response=proposal_response_pb2.Response(status=200, payload=result)
    )
    response_payload = proposal_response_pb2.ProposalResponsePayload(
        extension=action.SerializeToString()
    )
    action_payload = transaction_pb2.ChaincodeActionPayload(
        action=transaction_pb2.ChaincodeEndorsedAction(
            proposal_response_payload=response_payload.SerializeToString()
        )
    )
    transaction = transaction_pb2.Transaction(
        actions=[transaction_pb2.TransactionAction(payload=action_payload.SerializeToString())]
    )
    payload = common_pb2.Payload(
        header=common_pb2.Header(
            channel_header=channel_header.SerializeToString(),
            signature_header=common_pb2.SignatureHeader(
                creator=invocation.creator
            ).SerializeToString(),
        ),
        data=transaction.SerializeToString(),
    )
    return common_pb2.Envelope(payload=payload.SerializeToString())


def result_of(invocation: Invocation) -> bytes:
    return b"|".join([invocation.function.encode(), *invocation.args])


@dataclass
class FakeState:
    """What the fake saw, for tests to assert on."""

    evaluated: list[Any] = field(default_factory=list)
    endorsed: list[Any] = field(default_factory=list)
    submitted: dict[str, Invocation] = field(default_factory=dict)
    commit_requests: list[Any] = field(default_factory=list)
    events_requests: list[Any] = field(default_factory=list)
    seek_infos: list[Any] = field(default_factory=list)
    invocations: dict[str, Invocation] = field(default_factory=dict)
    cancelled: threading.Event = field(default_factory=threading.Event)


class FakeGateway(gateway_pb2_grpc.GatewayServicer):  # type: ignore[misc]
    def __init__(self, state: FakeState) -> None:
        self.state = state

    def Evaluate(self, request: Any, context: Any) -> Any:
        self.state.evaluated.append(request)
        invocation = read_signed_proposal(request.proposed_transaction)
        if invocation.function.endswith("Fail"):
            abort(context, grpc.StatusCode.UNKNOWN, "evaluate call to endorser failed", PEERS[:1])
        if invocation.function.endswith("Slow"):
            threading.Event().wait(2.0)
        return gateway_pb2.EvaluateResponse(
            result=proposal_response_pb2.Response(status=200, payload=result_of(invocation))
        )

    def Endorse(self, request: Any, context: Any) -> Any:
        self.state.endorsed.append(request)
        invocation = read_signed_proposal(request.proposed_transaction)
        self.state.invocations[invocation.transaction_id] = invocation
        if invocation.function.endswith("Reject"):
            abort(context, grpc.StatusCode.ABORTED, "failed to endorse transaction", PEERS)
        return gateway_pb2.EndorseResponse(
            prepared_transaction=prepared_envelope(invocation, result_of(invocation))
        )

    def Submit(self, request: Any, context: Any) -> Any:
        envelope = request.prepared_transaction
        invocation = self.state.invocations[request.transaction_id]
        verify(invocation.creator, envelope.signature, envelope.payload)
        if invocation.function.endswith("Unordered"):
            orderer = ErrorDetail("orderer0:7050", "OrdererMSP", "SERVICE_UNAVAILABLE")
            abort(context, grpc.StatusCode.UNAVAILABLE, "failed to send to orderer", [orderer])
        if invocation.function.endswith("TooLarge"):  # Fabric 3's gateway, orderer's words
            abort(context, grpc.StatusCode.ABORTED, TOO_LARGE, [])
        self.state.submitted[request.transaction_id] = invocation
        return gateway_pb2.SubmitResponse()

    def CommitStatus(self, request: Any, context: Any) -> Any:
        inner = gateway_pb2.CommitStatusRequest.FromString(request.request)
        verify(inner.identity, request.signature, request.request)
        self.state.commit_requests.append(inner)
        invocation = self.state.submitted.get(inner.transaction_id)
        if invocation is None:
            abort(context, grpc.StatusCode.NOT_FOUND, "transaction not found", [])
        assert invocation is not None
        code = (
            transaction_pb2.TxValidationCode.MVCC_READ_CONFLICT
            if invocation.function.endswith("Conflict")
            else transaction_pb2.TxValidationCode.VALID
        )
        return gateway_pb2.CommitStatusResponse(result=code, block_number=7)

    def ChaincodeEvents(self, request: Any, context: Any) -> Any:
        inner = gateway_pb2.ChaincodeEventsRequest.FromString(request.request)
        verify(inner.identity, request.signature, request.request)
        self.state.events_requests.append(inner)
        if inner.chaincode_id == "endless":  # the RPC ends only when the client cancels it
            context.add_callback(self.state.cancelled.set)
        start = inner.start_position.specified.number
        for block in range(start, start + 2):
            yield gateway_pb2.ChaincodeEventsResponse(
                block_number=block,
                events=[
                    chaincode_event_pb2.ChaincodeEvent(
                        chaincode_id=inner.chaincode_id,
                        tx_id=f"tx{block}-{index}",
                        event_name="ReadingSubmitted",
                        payload=f"{block}/{index}".encode(),
                    )
                    for index in range(2)
                ],
            )
        if inner.chaincode_id == "endless":  # hold the stream open until the client cancels
            finished = threading.Event()
            if context.add_callback(finished.set):
                finished.wait(10)


class FakeDeliver(events_pb2_grpc.DeliverServicer):  # type: ignore[misc]
    def __init__(self, state: FakeState) -> None:
        self.state = state

    def _seek(self, request_iterator: Any) -> Any:
        envelope = next(request_iterator)
        payload = common_pb2.Payload.FromString(envelope.payload)
        creator = common_pb2.SignatureHeader.FromString(payload.header.signature_header).creator
        verify(creator, envelope.signature, envelope.payload)
        seek = ab_pb2.SeekInfo.FromString(payload.data)
        self.state.seek_infos.append(seek)
        return seek

    def _blocks(self, seek: Any, wrap: Any) -> Any:
        start = seek.start.specified.number
        if start >= 100:
            yield events_pb2.DeliverResponse(status=common_pb2.Status.NOT_FOUND)
            return
        for number in range(start, start + 3):
            yield wrap(number)
        yield events_pb2.DeliverResponse(status=common_pb2.Status.SUCCESS)

    def Deliver(self, request_iterator: Any, context: Any) -> Any:
        seek = self._seek(request_iterator)
        yield from self._blocks(
            seek,
            lambda n: events_pb2.DeliverResponse(
                block=common_pb2.Block(header=common_pb2.BlockHeader(number=n))
            ),
        )

    def DeliverFiltered(self, request_iterator: Any, context: Any) -> Any:
        seek = self._seek(request_iterator)
        yield from self._blocks(
            seek,
            lambda n: events_pb2.DeliverResponse(
                filtered_block=events_pb2.FilteredBlock(channel_id="energy", number=n)
            ),
        )

    def DeliverWithPrivateData(self, request_iterator: Any, context: Any) -> Any:
        seek = self._seek(request_iterator)
        yield from self._blocks(
            seek,
            lambda n: events_pb2.DeliverResponse(
                block_and_private_data=events_pb2.BlockAndPrivateData(
                    block=common_pb2.Block(header=common_pb2.BlockHeader(number=n))
                )
            ),
        )


@dataclass
class FakeServer:
    address: str
    state: FakeState
    server: Any

    def stop(self) -> None:
        self.server.stop(grace=None)


def start_fake(credentials: Any = None) -> FakeServer:
    state = FakeState()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    gateway_pb2_grpc.add_GatewayServicer_to_server(FakeGateway(state), server)
    events_pb2_grpc.add_DeliverServicer_to_server(FakeDeliver(state), server)
    if credentials is None:
        port = server.add_insecure_port("127.0.0.1:0")
    else:
        port = server.add_secure_port("127.0.0.1:0", credentials)
    server.start()
    return FakeServer(f"127.0.0.1:{port}", state, server)
