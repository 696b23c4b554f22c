"""Fuzzing every chaincode function's inputs through the in-memory stub: whatever arrives, the
answer is a success or a clear refusal (a ``ContractError`` or an energy-domain error, with a
message), never an unexpected exception, and a refused transaction leaves the ledger untouched
(no partial write)."""

from __future__ import annotations

import copy
import logging
import traceback
from collections.abc import Iterator
from typing import Any

import pytest
from gridledger_chaincode.contract import ContractError
from gridledger_chaincode.contracts import build_chaincode
from gridledger_chaincode.shim.identity import ClientIdentity
from gridledger_chaincode.testing import InMemoryLedger, make_identity
from gridledger_domain.refusals import Refusal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz.chaincode_catalog import ChaincodeFunction, chaincode_functions

CLEAR_REFUSALS = (ContractError, Refusal)
ROUTER_LOGGER = "gridledger_chaincode.contract.router"
CHAINCODE = build_chaincode()
IDENTITIES: list[ClientIdentity] = [
    make_identity("GridOperatorMSP", "utility", attributes={"gridledger.role": "utility"}),
    make_identity("GridOperatorMSP", "User1"),
    make_identity("ProsumerMSP", "alice", attributes={"gridledger.role": "prosumer"}),
    make_identity("AuditorMSP", "eve", attributes={"gridledger.role": "auditor"}),
]


def _seeded_ledger() -> InMemoryLedger:
    """Some state to reach deeper paths: a meter with a reading (what else succeeds is kept)."""
    ledger = InMemoryLedger()
    ledger.default_identity = IDENTITIES[0]
    ledger.invoke(CHAINCODE, "meters:RegisterMeter", "m-1", "alice", "bidirectional")
    ledger.invoke(CHAINCODE, "meters:SubmitReading", "m-1", "2026-11-26T10:15:00Z", "100", "0")
    return ledger


SEEDED = _seeded_ledger()


class _FailureCapture(logging.Handler):
    """The router logs every failed transaction's exception at DEBUG: keep the exception."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.errors: list[BaseException] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.errors.append(record.exc_info[1])


@pytest.fixture(scope="module")
def failures() -> Iterator[_FailureCapture]:
    logger = logging.getLogger(ROUTER_LOGGER)
    capture = _FailureCapture()
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(capture)
    try:
        yield capture
    finally:
        logger.removeHandler(capture)
        logger.setLevel(previous)


def _is_clear(error: BaseException) -> bool:
    """A contract or domain refusal; or the ledger stub's own key validation (a ``ValueError``
    raised inside the stub, e.g. "key must not be an empty string", as Fabric's shim says)."""
    if isinstance(error, CLEAR_REFUSALS):
        return True
    frames = traceback.extract_tb(error.__traceback__)
    origin = frames[-1].filename.replace("\\", "/") if frames else ""
    stub_side = origin.endswith("gridledger_chaincode/testing.py") or "/shim/" in origin
    return isinstance(error, ValueError) and stub_side and bool(str(error))


def _snapshot(ledger: InMemoryLedger) -> tuple[Any, ...]:
    return (
        copy.deepcopy(ledger.state),
        copy.deepcopy(ledger.private),
        copy.deepcopy(ledger.metadata),
        {key: list(entries) for key, entries in ledger.history.items()},
    )


@pytest.mark.parametrize("function", chaincode_functions(), ids=str)
def test_any_input_gets_a_result_or_a_clear_refusal_and_no_partial_write(
    function: ChaincodeFunction, failures: _FailureCapture
) -> None:
    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(args=function.arguments(), identity=st.sampled_from(IDENTITIES))
    def run(args: list[Any], identity: ClientIdentity) -> None:
        ledger = copy.deepcopy(SEEDED)
        before = _snapshot(ledger)
        failures.errors.clear()
        result = ledger.invoke(CHAINCODE, function.qualified, *args, identity=identity)
        if result.ok:
            return
        assert result.message.strip(), f"{function}{tuple(args)!r}: refused without a message"
        for error in failures.errors:
            assert _is_clear(error), (
                f"{function}{tuple(args)!r} raised {type(error).__name__}: {error}"
            )
        assert _snapshot(ledger) == before, f"{function}{tuple(args)!r}: partial write"

    run()
