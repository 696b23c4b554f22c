"""Typed errors carry the failing step, the gRPC code and each peer's message."""

from __future__ import annotations

from typing import Any

import pytest
from gridledger.gateway import EndorseError, GatewayError
from harness.devnet import TestNetwork

pytestmark = pytest.mark.integration


def test_chaincode_error_at_submit_is_an_endorse_error_with_its_message(
    kv: Any, unique_key: str
) -> None:
    message = f"meter {unique_key} is not registered"
    with pytest.raises(EndorseError) as caught:
        kv.submit("Fail", message)
    error = caught.value
    assert error.transaction_id
    assert error.details, "each endorsing peer's answer is reported"
    assert all(message in detail.message for detail in error.details)
    assert {detail.msp_id for detail in error.details} <= {"GridOperatorMSP", "ProsumerMSP"}
    assert message in str(error)


def test_chaincode_error_at_evaluate_carries_the_message(kv: Any, unique_key: str) -> None:
    key = f"{unique_key}missing"
    with pytest.raises(GatewayError) as caught:
        kv.evaluate("Get", key)
    assert type(caught.value).__name__ == "EvaluateError"
    assert f"key {key} does not exist" in str(caught.value)


def test_unknown_function_is_named_in_the_error(kv: Any) -> None:
    with pytest.raises(GatewayError) as caught:
        kv.evaluate("NoSuchTransaction")
    assert "NoSuchTransaction" in str(caught.value)


def test_unknown_chaincode_is_refused(operator_network: Any) -> None:
    contract = operator_network.contract("nosuchchaincode")
    with pytest.raises(GatewayError) as caught:
        contract.evaluate("Noop")
    assert "nosuchchaincode" in str(caught.value)


def test_unknown_channel_is_refused(operator_gateway: Any, test_network: TestNetwork) -> None:
    contract = operator_gateway.network("nosuchchannel").contract(test_network.chaincode, "kv")
    with pytest.raises(GatewayError) as caught:
        contract.evaluate("Noop")
    assert caught.value.grpc_code is not None
    assert "nosuchchannel" in str(caught.value)
