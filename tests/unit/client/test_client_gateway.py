from __future__ import annotations

import grpc
import pytest
from client_fake_gateway import PEERS, FakeServer
from gridledger.fabric import Identity, Signer
from gridledger.gateway import (
    CommitError,
    CommitStatusError,
    EndorseError,
    ErrorDetail,
    EvaluateError,
    Gateway,
    GatewayError,
    NoSignerError,
    SubmitError,
    Timeouts,
    connect,
)


def test_evaluate_sends_signed_proposal_with_target_orgs(
    gateway: Gateway, fake_server: FakeServer
) -> None:
    contract = gateway.network("energy").contract("gridledger", "meters")
    result = contract.evaluate("GetReading", "meter-1", b"\x00\x01", endorsing_orgs=["ProsumerMSP"])
    assert result == b"meters:GetReading|meter-1|\x00\x01"
    request = fake_server.state.evaluated[-1]
    assert request.channel_id == "energy"
    assert list(request.target_organizations) == ["ProsumerMSP"]


def test_submit_returns_result_after_valid_commit(
    gateway: Gateway, fake_server: FakeServer
) -> None:
    contract = gateway.network("energy").contract("gridledger")
    result = contract.submit(
        "Put",
        "k1",
        "v1",
        transient={"price": b"12"},
        endorsing_orgs=["GridOperatorMSP"],
        collections={},
    )
    assert result == b"Put|k1|v1"
    endorse = fake_server.state.endorsed[-1]
    assert list(endorse.endorsing_organizations) == ["GridOperatorMSP"]
    invocation = fake_server.state.invocations[endorse.transaction_id]
    assert invocation.transient == {"price": b"12"}
    commit = fake_server.state.commit_requests[-1]
    assert commit.transaction_id == endorse.transaction_id
    assert commit.channel_id == "energy"


def test_split_flow(gateway: Gateway) -> None:
    contract = gateway.network("energy").contract("gridledger")
    proposal = contract.new_proposal("Put", args=["k", "v"])
    transaction = proposal.endorse()
    assert transaction.transaction_id == proposal.transaction_id
    assert transaction.result == b"Put|k|v"
    submitted = transaction.submit()
    status = submitted.status()
    assert status.successful
    assert (status.code, status.code_name, status.block_number) == (0, "VALID", 7)
    assert status.transaction_id == proposal.transaction_id


def test_endorse_error_carries_every_peer_detail(gateway: Gateway) -> None:
    contract = gateway.network("energy").contract("gridledger")
    proposal = contract.new_proposal("Reject")
    with pytest.raises(EndorseError) as caught:
        proposal.endorse()
    error = caught.value
    assert isinstance(error, GatewayError)
    assert error.grpc_code == grpc.StatusCode.ABORTED
    assert error.transaction_id == proposal.transaction_id
    assert error.details == PEERS
    text = str(error)
    assert text.startswith("endorse error")
    assert "peer0.prosumer:9051 (ProsumerMSP): chaincode response 500, bad meter" in text


def test_evaluate_error(gateway: Gateway) -> None:
    with pytest.raises(EvaluateError) as caught:
        gateway.network("energy").contract("gridledger").evaluate("Fail")
    assert caught.value.grpc_code == grpc.StatusCode.UNKNOWN
    assert caught.value.details == [PEERS[0]]
    assert "evaluate call to endorser failed" in str(caught.value)


def test_submit_error(gateway: Gateway) -> None:
    with pytest.raises(SubmitError) as caught:
        gateway.network("energy").contract("gridledger").submit("Unordered")
    assert caught.value.grpc_code == grpc.StatusCode.UNAVAILABLE
    assert caught.value.details == [
        ErrorDetail("orderer0:7050", "OrdererMSP", "SERVICE_UNAVAILABLE")
    ]


def test_invalid_commit_raises_commit_error(gateway: Gateway) -> None:
    contract = gateway.network("energy").contract("gridledger")
    with pytest.raises(CommitError) as caught:
        contract.submit("Conflict")
    error = caught.value
    assert error.code == 11
    assert error.code_name == "MVCC_READ_CONFLICT"
    assert error.grpc_code is None
    assert error.transaction_id in str(error)


def test_commit_status_error(gateway: Gateway) -> None:
    proposal = gateway.network("energy").contract("gridledger").new_proposal("Put")
    committed = proposal.endorse().submit()
    stray = gateway.network("energy").contract("gridledger").new_proposal("Put")
    # a commit-status request for a transaction that was never submitted
    unknown = gateway.new_commit(
        committed.bytes().replace(committed.transaction_id.encode(), stray.transaction_id.encode())
    )
    with pytest.raises(CommitStatusError) as caught:
        unknown.status()
    assert caught.value.grpc_code == grpc.StatusCode.NOT_FOUND
    assert caught.value.transaction_id == stray.transaction_id


def test_deadline_exceeded(fake_server: FakeServer, user: tuple[Identity, Signer]) -> None:
    identity, signer = user
    timeouts = Timeouts(evaluate=0.05)
    with connect(fake_server.address, identity=identity, signer=signer, timeouts=timeouts) as gw:
        with pytest.raises(EvaluateError) as caught:
            gw.network("energy").contract("gridledger").evaluate("Slow")
        assert caught.value.grpc_code == grpc.StatusCode.DEADLINE_EXCEEDED
        with pytest.raises(EvaluateError) as caught:
            gw.network("energy").contract("gridledger").evaluate("Slow", timeout=0.05)
        assert caught.value.grpc_code == grpc.StatusCode.DEADLINE_EXCEEDED


def test_offline_signing_flow(fake_server: FakeServer, user: tuple[Identity, Signer]) -> None:
    identity, signer = user
    with connect(fake_server.address, identity=identity) as gw:  # no signer
        contract = gw.network("energy").contract("gridledger")
        unsigned = contract.new_proposal("Put", args=["k", "offline"])
        with pytest.raises(NoSignerError):
            unsigned.endorse()

        proposal = gw.new_signed_proposal(unsigned.bytes(), signer.sign(unsigned.digest()))
        assert proposal.transaction_id == unsigned.transaction_id
        assert proposal.channel == "energy"
        unsigned_tx = proposal.endorse()
        assert unsigned_tx.result == b"Put|k|offline"

        transaction = gw.new_signed_transaction(
            unsigned_tx.bytes(), signer.sign(unsigned_tx.digest())
        )
        unsigned_commit = transaction.submit()
        with pytest.raises(NoSignerError):
            unsigned_commit.status()

        commit = gw.new_signed_commit(
            unsigned_commit.bytes(), signer.sign(unsigned_commit.digest())
        )
        assert commit.transaction_id == unsigned.transaction_id
        assert commit.status().successful


def test_offline_signature_of_wrong_content_is_refused(
    fake_server: FakeServer, user: tuple[Identity, Signer]
) -> None:
    identity, signer = user
    with connect(fake_server.address, identity=identity) as gw:
        unsigned = gw.network("energy").contract("gridledger").new_proposal("Put")
        bad = gw.new_signed_proposal(unsigned.bytes(), signer.sign_message(b"something else"))
        with pytest.raises(EndorseError) as caught:
            bad.endorse()
        assert caught.value.grpc_code == grpc.StatusCode.UNKNOWN  # the fake's InvalidSignature
