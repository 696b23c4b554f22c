"""Refusals that protect the ledger: outsiders, tampered envelopes, and a chaincode server that
only talks to the peer."""

from __future__ import annotations

import uuid
from pathlib import Path

import grpc
import pytest
from fabric_protos.gateway import gateway_pb2, gateway_pb2_grpc
from fabric_protos.peer import chaincode_shim_pb2
from gridledger.gateway import (
    CommitError,
    EndorseError,
    EvaluateError,
    GatewayError,
    SubmitError,
    connect,
)
from gridledger.outbox import find_commit
from gridledger.retry import Disposition, classify
from harness.devnet import OPERATOR
from harness.layout import ChaincodeTls

from faults.fault_network import CHANNEL, PYTHON_CHAINCODE, FaultNetwork
from faults.tampering import (
    flip_payload_byte,
    foreign_client,
    rewrite_writes,
    signed_nonsense_envelope,
    write_foreign_tls_client,
)
from faults.wire import tls_channel

pytestmark = pytest.mark.integration

Msg = chaincode_shim_pb2.ChaincodeMessage


def _kv(gateway: object) -> object:
    return gateway.network(CHANNEL).contract(PYTHON_CHAINCODE, "kv")  # type: ignore[attr-defined]


def _missing(kv: object, key: str) -> bool:
    try:
        kv.evaluate("Get", key)  # type: ignore[attr-defined]
    except EvaluateError as error:
        return f"key {key} does not exist" in str(error)
    return False


@pytest.mark.parametrize("msp_id", [OPERATOR, "MalloryMSP"])
def test_a_client_whose_certificate_is_from_a_ca_outside_the_channel_is_refused(
    fault_network: FaultNetwork, msp_id: str
) -> None:
    identity, signer = foreign_client(msp_id)
    org = fault_network.profile.organization(OPERATOR)
    key = f"outsider-{uuid.uuid4().hex[:8]}"
    with connect(
        org.peer_endpoint,
        identity=identity,
        signer=signer,
        tls_root_cert=org.tls_ca_cert.read_bytes(),
    ) as outsider:
        kv = _kv(outsider)
        with pytest.raises(EvaluateError):
            kv.evaluate("Noop")  # type: ignore[attr-defined]
        with pytest.raises(EndorseError) as refused:
            kv.submit("Put", key, "forged")  # type: ignore[attr-defined]
        assert classify(refused.value).disposition is Disposition.REJECTED
        with pytest.raises(GatewayError) as status_refused:
            find_commit(outsider, CHANNEL, "0" * 64, timeout=5.0)
        assert status_refused.value.grpc_code == grpc.StatusCode.PERMISSION_DENIED
    with fault_network.connect() as gateway:
        assert _missing(_kv(gateway), key)


def test_an_envelope_edited_after_endorsement_is_invalidated(fault_network: FaultNetwork) -> None:
    key = f"tamper-{uuid.uuid4().hex[:8]}"
    with fault_network.connect() as gateway:
        kv = _kv(gateway)
        transaction = kv.new_proposal("Put", args=[key, "honest"]).endorse()  # type: ignore[attr-defined]
        forged = gateway.new_transaction(rewrite_writes(transaction.bytes(), b"forged"))
        status = forged.submit().status()  # re-signed by the client: the orderer accepts it
        assert not status.successful
        assert status.code_name == "ENDORSEMENT_POLICY_FAILURE"
        assert classify(CommitError(status.transaction_id, status.code)).disposition is (
            Disposition.REJECTED
        )
        assert _missing(kv, key)


def test_an_envelope_whose_signature_no_longer_matches_is_refused(
    fault_network: FaultNetwork,
) -> None:
    key = f"flip-{uuid.uuid4().hex[:8]}"
    _, signer = fault_network.profile.identity(OPERATOR, "utility")
    with fault_network.connect() as gateway:
        kv = _kv(gateway)
        transaction = kv.new_proposal("Put", args=[key, "honest"]).endorse()  # type: ignore[attr-defined]
        honest_signature = signer.sign(transaction.digest())  # the client signs the honest one
        tampered = gateway_pb2.PreparedTransaction.FromString(
            flip_payload_byte(transaction.bytes())
        )
        tampered.envelope.signature = honest_signature  # ...and a changed one is sent
        stub = gateway_pb2_grpc.GatewayStub(gateway.grpc_channel)
        with pytest.raises(grpc.RpcError) as refused:
            stub.Submit(
                gateway_pb2.SubmitRequest(
                    transaction_id=tampered.transaction_id,
                    channel_id=CHANNEL,
                    prepared_transaction=tampered.envelope,
                ),
                timeout=10.0,
            )
        assert refused.value.code() == grpc.StatusCode.ABORTED
        # Fabric's orderer: the creator's signature does not satisfy /Channel/Writers
        assert (refused.value.details() or "").endswith(
            "requires 1 of the 'Writers' sub-policies to be satisfied: permission denied"
        )
        assert _missing(kv, key)


def test_a_signed_envelope_of_nonsense_is_committed_invalid_and_changes_nothing(
    fault_network: FaultNetwork,
) -> None:
    identity, signer = fault_network.profile.identity(OPERATOR, "User1")
    transaction_id, envelope = signed_nonsense_envelope(identity, signer, CHANNEL)
    with fault_network.connect(OPERATOR, "User1") as gateway:
        stub = gateway_pb2_grpc.GatewayStub(gateway.grpc_channel)
        try:
            stub.Submit(
                gateway_pb2.SubmitRequest(
                    transaction_id=transaction_id, channel_id=CHANNEL, prepared_transaction=envelope
                ),
                timeout=10.0,
            )
        except grpc.RpcError as refused:  # refusing it at the door is fine too
            assert refused.code() in (grpc.StatusCode.ABORTED, grpc.StatusCode.INVALID_ARGUMENT)
        else:
            status = find_commit(gateway, CHANNEL, transaction_id, timeout=10.0)
            assert status is not None and not status.successful
    assert fault_network.answers()


def _first_message(channel: object) -> object:
    call = channel.stream_stream(  # type: ignore[attr-defined]
        "/protos.Chaincode/Connect",
        request_serializer=Msg.SerializeToString,
        response_deserializer=Msg.FromString,
    )
    replies = call(iter([]), timeout=5.0)
    return next(iter(replies))


def test_the_chaincode_server_refuses_a_tls_client_that_is_not_the_peer(
    fault_network: FaultNetwork, tmp_path: Path
) -> None:
    tls = ChaincodeTls.of_home(fault_network.home)
    port = fault_network.chaincode_port
    peer_cert, peer_key = tls.directory / "client.crt", tls.directory / "client.key"
    with tls_channel(port, tls.ca_cert, "localhost", peer_cert, peer_key) as channel:
        assert _first_message(channel).type == Msg.REGISTER  # type: ignore[attr-defined]
    stranger_cert, stranger_key = write_foreign_tls_client(tmp_path / "stranger")
    for cert, key in ((None, None), (stranger_cert, stranger_key)):
        with tls_channel(port, tls.ca_cert, "localhost", cert, key) as channel:
            with pytest.raises(grpc.RpcError) as refused:
                _first_message(channel)
            assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    assert fault_network.answers()


def test_submit_error_from_a_refused_identity_is_not_retried(fault_network: FaultNetwork) -> None:
    identity, signer = foreign_client(OPERATOR)
    org = fault_network.profile.organization(OPERATOR)
    with (
        connect(
            org.peer_endpoint, identity=identity, signer=signer, tls_root_cert=org.tls_ca_cert
        ) as outsider,
        pytest.raises((EndorseError, SubmitError)) as refused,
    ):
        _kv(outsider).submit("Noop")  # type: ignore[attr-defined]
    assert not classify(refused.value).retryable
