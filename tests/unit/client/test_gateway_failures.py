"""A failed call's cause is a field to test (``GatewayError.failure``, ``limit_bytes``), read
from the gRPC status the Gateway returned, not only words in its message."""

from __future__ import annotations

import grpc
import pytest
from client_fake_gateway import FakeServer
from gridledger.energy.errors import refusal_from
from gridledger.fabric import Identity, Signer
from gridledger.gateway import (
    EndorseError,
    ErrorDetail,
    EvaluateError,
    Failure,
    Gateway,
    GatewayError,
    SubmitError,
    connect,
)


def test_a_transaction_the_orderer_finds_too_large_says_so_and_names_the_limit(
    gateway: Gateway,
) -> None:
    with pytest.raises(SubmitError) as caught:
        gateway.network("energy").contract("gridledger").submit("SettleTooLarge")

    assert caught.value.failure is Failure.REQUEST_ENTITY_TOO_LARGE
    assert caught.value.limit_bytes == 10_485_760
    assert "10 MB" in caught.value.failure.description


def test_a_passed_deadline_is_deadline_exceeded(
    fake_server: FakeServer, user: tuple[Identity, Signer]
) -> None:
    identity, signer = user
    with (
        connect(fake_server.address, identity=identity, signer=signer) as gateway,
        pytest.raises(EvaluateError) as caught,
    ):
        gateway.network("energy").contract("gridledger").evaluate("Slow", timeout=0.05)

    assert caught.value.failure is Failure.DEADLINE_EXCEEDED
    assert caught.value.limit_bytes is None


def test_an_unreachable_orderer_is_unavailable(gateway: Gateway) -> None:
    with pytest.raises(SubmitError) as caught:
        gateway.network("energy").contract("gridledger").submit("PutUnordered")

    assert caught.value.failure is Failure.UNAVAILABLE


def test_a_chaincode_refusal_has_no_failure_cause(gateway: Gateway) -> None:
    with pytest.raises(EndorseError) as caught:
        gateway.network("energy").contract("gridledger").submit("PutReject")

    assert caught.value.failure is None


def test_an_endorser_out_of_time_behind_the_gateway_is_deadline_exceeded() -> None:
    endorser = ErrorDetail(
        "peer0:7051", "ProsumerMSP", "rpc error: code = DeadlineExceeded desc = context deadline"
    )
    error = EndorseError(
        "failed to endorse transaction", grpc_code=grpc.StatusCode.ABORTED, details=[endorser]
    )

    assert error.failure is Failure.DEADLINE_EXCEEDED


def test_an_answer_over_the_message_limit_is_message_too_large() -> None:
    error = EvaluateError(
        "Received message larger than max (13000000 vs. 4194304)",
        grpc_code=grpc.StatusCode.RESOURCE_EXHAUSTED,
    )

    assert error.failure is Failure.MESSAGE_TOO_LARGE
    assert error.limit_bytes == 4_194_304


def test_a_refusal_keeps_the_cause_of_the_gateway_error_it_came_with() -> None:
    timed_out = EndorseError(
        "failed to endorse transaction",
        grpc_code=grpc.StatusCode.DEADLINE_EXCEEDED,
        details=[
            ErrorDetail(
                "peer0:7051",
                "GridOperatorMSP",
                "chaincode response 500, incomplete: 3 readings missing",
            )
        ],
    )
    refusal = refusal_from(timed_out)

    assert isinstance(refusal, GatewayError)
    assert refusal.failure is Failure.DEADLINE_EXCEEDED
