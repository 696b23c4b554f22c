"""How ``gridledger.retry.classify`` treats the errors real Fabric 3.1.5 gave our client while a
peer, an orderer or the chaincode server was down (seen in tests/faults/test_fabric_faults.py),
next to the look-alike answers that must stay refusals."""

from __future__ import annotations

import grpc
import pytest
from gridledger.gateway import EndorseError, ErrorDetail, SubmitError
from gridledger.retry import Disposition, classify

Code = grpc.StatusCode
PROSUMER_PEER = ErrorDetail("127.0.0.1:37957", "ProsumerMSP", "")
COLLECT = "failed to collect enough transaction endorsements, see attached details for more info"
NO_PLAN = "no combination of peers can be derived which satisfy the endorsement policy"
PACKAGE = "gridledger_1.0:" + "ab" * 32


def _detail(message: str, endorser: ErrorDetail = PROSUMER_PEER) -> ErrorDetail:
    return ErrorDetail(endorser.address, endorser.msp_id, message)


FABRIC_ANSWERS_UNDER_FAULTS = {
    # the other org's peer stopped: discovery (gossip) no longer lists it
    "other_peer_gone_from_discovery": EndorseError(
        f"{NO_PLAN}: no peer combination can satisfy the endorsement policy",
        grpc_code=Code.FAILED_PRECONDITION,
    ),
    # the other org's peer stopped: the gateway's registry has dropped it
    "other_peer_dropped_by_the_gateway": EndorseError(
        "failed to select a set of endorsers that satisfy the endorsement policy due to "
        "unavailability of peers: [127.0.0.1:37957]",
        grpc_code=Code.FAILED_PRECONDITION,
    ),
    # the other org's peer stopped: the gateway still dials it
    "other_peer_refuses_connections": EndorseError(
        COLLECT,
        grpc_code=Code.ABORTED,
        details=[
            _detail(
                'rpc error: code = Unavailable desc = connection error: desc = "transport: Error '
                'while dialing: dial tcp 127.0.0.1:37957: connect: connection refused"'
            )
        ],
    ),
    # the gateway closed its connection to the stopped peer while an endorsement used it
    "other_peer_connection_closing": EndorseError(
        COLLECT,
        grpc_code=Code.ABORTED,
        details=[
            _detail("rpc error: code = Canceled desc = grpc: the client connection is closing")
        ],
    ),
    # the client's own gateway peer stopped (our gRPC client's words)
    "gateway_peer_down": EndorseError(
        "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:59181: "
        "Failed to connect to remote host: Connection refused",
        grpc_code=Code.UNAVAILABLE,
    ),
    # the chaincode server killed: the peer cannot launch (dial) it
    "chaincode_server_down": EndorseError(
        "failed to endorse transaction, see attached details for more info",
        grpc_code=Code.ABORTED,
        details=[
            _detail(
                f"error in simulation: failed to execute transaction {'cd' * 32}: could not "
                f"launch chaincode {PACKAGE}: connection to {PACKAGE} failed: error cannot "
                f"create connection for {PACKAGE}: error creating grpc connection to "
                "127.0.0.1:38011: failed to create new connection: connection error: desc = "
                '"transport: error while dialing: dial tcp 127.0.0.1:38011: connect: '
                'connection refused"'
            )
        ],
    ),
    # orderers killed / electing: none accepted the transaction
    "orderers_unavailable": SubmitError(
        "no orderers could successfully process transaction",
        grpc_code=Code.UNAVAILABLE,
        details=[
            _detail(
                'rpc error: code = Unavailable desc = connection error: desc = "transport: Error '
                'while dialing: dial tcp 127.0.0.1:43925: connect: connection refused"',
                ErrorDetail("127.0.0.1:43925", "OrdererMSP", ""),
            )
        ],
    ),
}


@pytest.mark.parametrize("situation", sorted(FABRIC_ANSWERS_UNDER_FAULTS))
def test_fabric_unavailability_is_retried_without_a_strike(situation: str) -> None:
    verdict = classify(FABRIC_ANSWERS_UNDER_FAULTS[situation])

    assert verdict.disposition is Disposition.UNAVAILABLE, verdict.reason


def test_a_submit_timing_out_is_in_doubt() -> None:
    error = SubmitError("Deadline Exceeded", grpc_code=Code.DEADLINE_EXCEEDED)

    assert classify(error).disposition is Disposition.IN_DOUBT


@pytest.mark.parametrize(
    "message",
    [
        # tests/fabric/fabric_3.1.5_answers.json: unknown chaincode, unknown channel
        f"{NO_PLAN}: No metadata was found for chaincode nosuchchaincode in channel energy",
        f"{NO_PLAN}: No metadata was found for chaincode gridledger in channel nosuchchannel",
    ],
)
def test_an_unknown_chaincode_or_channel_stays_a_refusal(message: str) -> None:
    error = EndorseError(message, grpc_code=Code.FAILED_PRECONDITION)

    assert classify(error).disposition is Disposition.REJECTED


def test_a_chaincode_error_from_the_other_org_stays_a_refusal() -> None:
    error = EndorseError(
        COLLECT,
        grpc_code=Code.ABORTED,
        details=[_detail("chaincode response 500, meter m-9 is not registered")],
    )

    assert classify(error).disposition is Disposition.REJECTED
