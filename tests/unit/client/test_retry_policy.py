"""Which failures are retried: classification of Gateway errors, and backoff with jitter."""

from __future__ import annotations

import random

import grpc
import pytest
from fabric_protos.peer import transaction_pb2
from gridledger.gateway import (
    CommitError,
    CommitStatusError,
    EndorseError,
    ErrorDetail,
    EvaluateError,
    SubmitError,
)
from gridledger.retry import Disposition, RetryPolicy, classify

Code = grpc.StatusCode
TX = transaction_pb2.TxValidationCode


def detail(message: str) -> ErrorDetail:
    return ErrorDetail("peer0.gridoperator.gridledger.local:7051", "GridOperatorMSP", message)


def endorse_aborted(message: str, peer_message: str) -> EndorseError:
    """Endorsement aborted by the Gateway, with one peer's detail."""
    return EndorseError(message, grpc_code=Code.ABORTED, details=[detail(peer_message)])


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (CommitError("t", TX.MVCC_READ_CONFLICT), Disposition.CONFLICT),
        (CommitError("t", TX.PHANTOM_READ_CONFLICT), Disposition.CONFLICT),
        (CommitError("t", TX.ENDORSEMENT_POLICY_FAILURE), Disposition.REJECTED),
        (CommitError("t", TX.DUPLICATE_TXID), Disposition.REJECTED),
        (
            endorse_aborted(
                "failed to endorse transaction, see attached details for more info",
                "chaincode response 500, meter m-9 is not registered",
            ),
            Disposition.REJECTED,
        ),
        (
            endorse_aborted(
                "failed to endorse transaction",
                "error in simulation: failed to execute transaction t: chaincode "
                "gridledger at 127.0.0.1:9999 is not reachable (connection refused)",
            ),
            Disposition.UNAVAILABLE,
        ),
        (
            endorse_aborted(
                "failed to endorse transaction",
                "error in simulation: failed to execute transaction t: error "
                "sending: timeout expired while executing transaction",
            ),
            Disposition.TRANSIENT,
        ),
        (
            endorse_aborted(
                "failed to collect enough transaction endorsements",
                "ProposalResponsePayloads do not match",
            ),
            Disposition.TRANSIENT,
        ),
        (
            endorse_aborted(
                "failed to endorse transaction",
                "error validating proposal: access denied: channel [energy]",
            ),
            Disposition.REJECTED,
        ),
        (
            EndorseError("failed to connect to all addresses", grpc_code=Code.UNAVAILABLE),
            Disposition.UNAVAILABLE,
        ),
        (
            EndorseError("Deadline Exceeded", grpc_code=Code.DEADLINE_EXCEEDED),
            Disposition.TRANSIENT,
        ),
        (EndorseError("bad proposal", grpc_code=Code.INVALID_ARGUMENT), Disposition.REJECTED),
        (EvaluateError("no peers", grpc_code=Code.FAILED_PRECONDITION), Disposition.REJECTED),
        (
            SubmitError(
                "no orderers could successfully process transaction",
                grpc_code=Code.UNAVAILABLE,
                details=[
                    detail(
                        "received unsuccessful response from orderer: "
                        "status=SERVICE_UNAVAILABLE, info=orderer is not running"
                    )
                ],
            ),
            Disposition.UNAVAILABLE,
        ),
        (SubmitError("connection reset", grpc_code=Code.UNAVAILABLE), Disposition.IN_DOUBT),
        (SubmitError("Deadline Exceeded", grpc_code=Code.DEADLINE_EXCEEDED), Disposition.IN_DOUBT),
        (
            SubmitError(
                "received unsuccessful response from orderer: status=FORBIDDEN",
                grpc_code=Code.ABORTED,
            ),
            Disposition.REJECTED,
        ),
        (CommitStatusError("Socket closed", grpc_code=Code.UNAVAILABLE), Disposition.IN_DOUBT),
        (CommitStatusError("denied", grpc_code=Code.PERMISSION_DENIED), Disposition.REJECTED),
        (ValueError("not a gateway error"), Disposition.REJECTED),
    ],
)
def test_classify(error: BaseException, expected: Disposition) -> None:
    verdict = classify(error)
    assert verdict.disposition is expected
    assert verdict.reason
    assert verdict.retryable is (expected is not Disposition.REJECTED)


def test_backoff_grows_exponentially_within_its_jitter_and_is_capped() -> None:
    policy = RetryPolicy(initial_delay=0.1, max_delay=2.0, multiplier=2.0, jitter=0.5)
    rng = random.Random(3)
    for retry in range(1, 12):
        base = min(2.0, 0.1 * 2 ** (retry - 1))
        for _ in range(50):
            assert base / 2 <= policy.delay(retry, rng) <= base
    no_jitter = RetryPolicy(initial_delay=0.1, max_delay=2.0, jitter=0.0)
    assert [no_jitter.delay(n) for n in (1, 2, 3)] == [0.1, 0.2, 0.4]


def test_max_attempts_bounds_retries_and_none_means_unbounded() -> None:
    assert RetryPolicy(max_attempts=3).allows(2) and not RetryPolicy(max_attempts=3).allows(3)
    assert RetryPolicy(max_attempts=None).allows(10**6)
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
