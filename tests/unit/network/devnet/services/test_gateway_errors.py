"""The gateway maps endorser outcomes to Fabric's gRPC codes, messages and ErrorDetails."""

from __future__ import annotations

import importlib
from typing import Any

import grpc
from fabric_protos.gateway import gateway_pb2
from fabric_protos.peer import proposal_response_pb2
from gridledger_network.devnet.endorser import EndorserReply
from gridledger_network.devnet.gateway.errors import RpcError, error_detail, status_details
from gridledger_network.devnet.gateway.policy_plan import (
    Requirements,
    layouts,
    policy_satisfied,
)
from gridledger_network.devnet.gateway.response_status import reply_status
from gridledger_network.devnet.policy import parse_policy

status_pb2: Any = importlib.import_module("google.rpc.status_pb2")
ORGS = ["GridOperatorMSP", "ProsumerMSP"]


def reply(
    status: int, message: str = "", payload: bytes = b"", error: str | None = None
) -> EndorserReply:
    response = proposal_response_pb2.ProposalResponse(
        response=proposal_response_pb2.Response(status=status, message=message), payload=payload
    )
    return EndorserReply(response, error)


def test_chaincode_error_is_unknown_with_the_chaincode_message() -> None:
    status = reply_status(reply(500, "key k1 does not exist", payload=b"prp"), local=True)
    assert status.code == grpc.StatusCode.UNKNOWN
    assert status.message == "chaincode response 500, key k1 does not exist"
    assert not status.retry


def test_simulation_failure_without_payload_is_aborted_and_retried() -> None:
    status = reply_status(reply(500, "error in simulation: failed to execute transaction t"), True)
    assert (status.code, status.retry, status.remove) == (grpc.StatusCode.ABORTED, True, False)
    terminated = reply_status(reply(500, "x: chaincode stream terminated"), True)
    assert terminated.remove


def test_validation_error_depends_on_local_or_remote_peer() -> None:
    failed = reply(
        500,
        "error validating proposal: access denied",
        error="error validating proposal: access denied",
    )
    local = reply_status(failed, local=True)
    assert (local.code, local.message) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "error validating proposal: access denied",
    )
    remote = reply_status(failed, local=False)
    assert remote.code == grpc.StatusCode.UNAVAILABLE
    assert remote.message.startswith("rpc error: code = Unknown desc = error validating")


def test_success_is_ok() -> None:
    assert reply_status(reply(200, payload=b"prp"), local=True).ok


def test_error_details_travel_in_google_rpc_status() -> None:
    detail = error_detail("peer0.prosumer.gridledger.local:9051", "ProsumerMSP", "boom")
    error = RpcError(grpc.StatusCode.ABORTED, "failed to endorse transaction", [detail])
    status = status_pb2.Status.FromString(status_details(error))
    assert status.code == grpc.StatusCode.ABORTED.value[0]
    assert status.message == "failed to endorse transaction"
    unpacked = gateway_pb2.ErrorDetail()
    assert status.details[0].Unpack(unpacked)
    assert (unpacked.address, unpacked.msp_id, unpacked.message) == (
        "peer0.prosumer.gridledger.local:9051",
        "ProsumerMSP",
        "boom",
    )


def test_policy_layouts_prefer_the_gateway_org() -> None:
    both = parse_policy("AND('GridOperatorMSP.peer','ProsumerMSP.peer')")
    either = parse_policy("OR('GridOperatorMSP.peer','ProsumerMSP.peer')")
    assert policy_satisfied(both, ORGS)
    assert not policy_satisfied(both, ["ProsumerMSP"])
    assert layouts(Requirements((both,), frozenset(ORGS)), ORGS, "ProsumerMSP") == [tuple(ORGS)]
    assert layouts(Requirements((either,), frozenset(ORGS)), ORGS, "ProsumerMSP") == [
        ("ProsumerMSP",),
        ("GridOperatorMSP",),
    ]
    members_only = Requirements((both,), frozenset({"GridOperatorMSP"}))
    assert layouts(members_only, ORGS, "GridOperatorMSP") == []
