"""Malformed protobuf and garbage bytes on the devnet's peer (Gateway) port and on the chaincode
server's port: each call fails on its own, and neither process goes down."""

from __future__ import annotations

import random

import grpc
import pytest
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2
from fabric_protos.peer import chaincode_shim_pb2, proposal_pb2
from harness.devnet import OPERATOR
from harness.layout import ChaincodeTls

from faults.fault_network import FaultNetwork
from faults.wire import bidi_bytes, send_raw, server_stream_bytes, tls_channel, unary_bytes

pytestmark = pytest.mark.integration

GATEWAY_UNARY = ("Evaluate", "Endorse", "Submit", "CommitStatus")
HTTP2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
# the server answered (it did not hang, drop the connection or accept the nonsense)
REFUSALS = {
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.UNKNOWN,  # the request did not deserialize
    grpc.StatusCode.INTERNAL,
    grpc.StatusCode.ABORTED,
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.NOT_FOUND,
}
Msg = chaincode_shim_pb2.ChaincodeMessage


def garbage(rng: random.Random, count: int = 12) -> list[bytes]:
    samples = [b"", b"\x00", b"\xff" * 64, b"\x0a\xff\xff\xff\xff\x0f", b"\x12\x05abc"]
    samples += [rng.randbytes(rng.randint(1, 2048)) for _ in range(count)]
    return samples


def structured_nonsense() -> list[bytes]:
    """Messages that parse as protobuf but mean nothing (random proposal, envelope, ids)."""
    bogus_proposal = proposal_pb2.SignedProposal(proposal_bytes=b"\x0a\x03abc", signature=b"x")
    return [
        gateway_pb2.EndorseRequest(transaction_id="t", channel_id="energy").SerializeToString(),
        gateway_pb2.EndorseRequest(
            transaction_id="t", channel_id="energy", proposed_transaction=bogus_proposal
        ).SerializeToString(),
        gateway_pb2.SubmitRequest(
            transaction_id="t",
            channel_id="energy",
            prepared_transaction=common_pb2.Envelope(payload=b"\x0a\x00", signature=b"sig"),
        ).SerializeToString(),
        gateway_pb2.SignedCommitStatusRequest(
            request=b"\xff\xff", signature=b""
        ).SerializeToString(),
    ]


def peer_tls(network: FaultNetwork) -> tuple[int, object, str]:
    profile = network.profile
    org = profile.organization(OPERATOR)
    return int(org.peer_endpoint.rsplit(":", 1)[1]), org.tls_ca_cert, org.peer_host


def test_raw_garbage_on_the_peer_and_chaincode_ports(fault_network: FaultNetwork) -> None:
    rng = random.Random(7)
    peer_port, _, _ = peer_tls(fault_network)
    for port in (peer_port, fault_network.chaincode_port):
        for data in [HTTP2_PREFACE + rng.randbytes(512), *garbage(rng)]:
            send_raw(port, data)
    assert fault_network.answers()


def test_grpc_calls_with_garbage_payloads_on_the_gateway_port(fault_network: FaultNetwork) -> None:
    rng = random.Random(8)
    port, root, host = peer_tls(fault_network)
    with tls_channel(port, root, host) as channel:  # type: ignore[arg-type]
        for payload in [*garbage(rng), *structured_nonsense()]:
            for method in GATEWAY_UNARY:
                code = unary_bytes(channel, f"/gateway.Gateway/{method}", payload)
                assert code in REFUSALS, (method, payload[:32], code)
            code = server_stream_bytes(channel, "/gateway.Gateway/ChaincodeEvents", payload)
            assert code in REFUSALS, ("ChaincodeEvents", payload[:32], code)
            unary_bytes(channel, "/protos.Endorser/ProcessProposal", payload)
            bidi_bytes(channel, "/protos.Deliver/Deliver", [payload], timeout=1.0)
        assert unary_bytes(channel, "/gateway.Gateway/NoSuchMethod", b"") == (
            grpc.StatusCode.UNIMPLEMENTED
        )
    assert fault_network.answers()


def test_grpc_streams_with_garbage_on_the_chaincode_port(fault_network: FaultNetwork) -> None:
    """Posing as the peer (its client certificate), send bytes and out-of-order messages."""
    rng = random.Random(9)
    tls = ChaincodeTls.of_home(fault_network.home)
    client_cert = tls.directory / "client.crt"
    client_key = tls.directory / "client.key"
    out_of_order = [
        Msg(
            type=Msg.TRANSACTION, txid="t1", channel_id="energy", payload=b"\xff"
        ).SerializeToString(),
        Msg(type=Msg.REGISTERED).SerializeToString(),
        Msg(type=Msg.READY, payload=b"\xff\xff").SerializeToString(),
    ]
    registered_then_junk = [
        Msg(type=Msg.REGISTERED).SerializeToString(),
        Msg(type=Msg.READY).SerializeToString(),
        Msg(
            type=Msg.TRANSACTION, txid="t2", channel_id="energy", payload=b"\xff\x01"
        ).SerializeToString(),
        Msg(type=Msg.RESPONSE, txid="nobody", channel_id="energy").SerializeToString(),
        Msg(type=Msg.GET_STATE, txid="t3", channel_id="energy").SerializeToString(),
        Msg(type=999, txid="t4").SerializeToString(),
    ]
    with tls_channel(
        fault_network.chaincode_port, tls.ca_cert, "localhost", client_cert, client_key
    ) as channel:
        for messages in [[g] for g in garbage(rng)] + [out_of_order, registered_then_junk]:
            code = bidi_bytes(channel, "/protos.Chaincode/Connect", messages)
            assert code != grpc.StatusCode.UNAVAILABLE, "the stream never reached the shim"
    assert fault_network.chaincode is not None and fault_network.chaincode.alive
    assert fault_network.answers()
