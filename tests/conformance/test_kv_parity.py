"""Our Python `kv` contract and Hyperledger-shim Node `kv` contract answer the same calls alike."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from gridledger.gateway import GatewayError
from harness.devnet import TestNetwork

pytestmark = pytest.mark.conformance

TX_ID = re.compile(r"\b[0-9a-f]{64}\b")


def _outcome(contract: Any, submit: bool, function: str, *args: str, transient: Any = None) -> Any:
    try:
        call = contract.submit if submit else contract.evaluate
        result = call(function, *args, transient=transient)
    except GatewayError as error:
        messages = sorted({d.message for d in error.details}) or [error.message]
        return ("error", type(error).__name__, messages)
    text = result.decode()
    try:
        return ("ok", json.loads(text)) if text[:1] in "[{" else ("ok", text)
    except ValueError:
        return ("ok", text)


def _script(contract: Any, prefix: str) -> list[Any]:
    """A fixed sequence of calls; keys are relative to ``prefix`` so both runs compare equal."""
    outcomes = [
        _outcome(contract, True, "Put", f"{prefix}a", "1"),
        _outcome(contract, True, "Put", f"{prefix}b", "2"),
        _outcome(contract, True, "AddTo", f"{prefix}b", "40"),
        _outcome(contract, False, "Get", f"{prefix}b"),
        _outcome(contract, False, "Get", f"{prefix}zz"),
        _outcome(contract, True, "PutComposite", f"{prefix}t", "x", "1", "v1"),
        _outcome(contract, True, "PutComposite", f"{prefix}t", "x", "2", "v2"),
        _outcome(contract, True, "Delete", f"{prefix}a"),
        _outcome(contract, False, "Range", prefix, f"{prefix}~"),
        _outcome(contract, False, "RangePage", prefix, f"{prefix}~", "1", ""),
        _outcome(contract, True, "AddTo", f"{prefix}b", "forty"),
        _outcome(contract, True, "SetKeyPolicy", f"{prefix}b", " , "),
        _outcome(contract, True, "Fail", "no such meter"),
        _outcome(contract, True, "Emit", "Settled", "bill-1"),
        _outcome(contract, False, "Noop"),
        _outcome(contract, False, "ListComposite", f"{prefix}t", "x"),
        _outcome(contract, False, "Whoami"),
        _outcome(contract, True, "Nondeterministic"),
        # a chaincode calling itself in one transaction is refused by the peer, as on Fabric
        _outcome(contract, False, "InvokeOther", contract.chaincode_name, "kv:Get", f"{prefix}b"),
    ]
    return [_relative(outcome, prefix) for outcome in outcomes]


def _private_script(contract: Any, collection: str, prefix: str) -> list[Any]:
    key = f"{prefix}secret"
    transient = {"value": b"price 42"}
    outcomes = [
        _outcome(contract, True, "PutPrivate", collection, key, transient=transient),
        _outcome(contract, False, "GetPrivate", collection, key),
        _outcome(contract, False, "GetPrivateHash", collection, key),
        _outcome(contract, True, "DeletePrivate", collection, key),
        _outcome(contract, False, "GetPrivate", collection, key),
        _outcome(contract, True, "PutPrivate", collection, key),  # no transient value
        _outcome(contract, True, "PutPrivate", collection, key, transient=transient),
        _outcome(contract, True, "PurgePrivate", collection, key),
        _outcome(contract, False, "GetPrivate", collection, key),
    ]
    return [_relative(outcome, prefix) for outcome in outcomes]


def _relative(value: Any, prefix: str) -> Any:
    """Keys relative to ``prefix`` and transaction ids elided, so both runs compare equal."""
    if isinstance(value, str):
        return TX_ID.sub("<txid>", value.replace(prefix, "<p>"))
    if isinstance(value, list | tuple):
        return [_relative(v, prefix) for v in value]
    if isinstance(value, dict):
        return {k: _relative(v, prefix) for k, v in value.items()}
    return value


def test_python_and_node_kv_contracts_agree(
    operator_network: Any, test_network: TestNetwork, node_chaincode: str, unique_key: str
) -> None:
    python_kv = operator_network.contract(test_network.chaincode, "kv")
    node_kv = operator_network.contract(node_chaincode, "kv")
    python_outcomes = _script(python_kv, f"{unique_key}py-")
    node_outcomes = _script(node_kv, f"{unique_key}js-")
    for index, (ours, theirs) in enumerate(zip(python_outcomes, node_outcomes, strict=True)):
        assert ours == theirs, f"call {index} differs: python={ours!r} node={theirs!r}"


def test_private_data_functions_agree(
    operator_network: Any, test_network: TestNetwork, node_chaincode: str, unique_key: str
) -> None:
    python_kv = operator_network.contract(test_network.chaincode, "kv")
    node_kv = operator_network.contract(node_chaincode, "kv")
    collection = test_network.collection
    python_outcomes = _private_script(python_kv, collection, f"{unique_key}py-")
    node_outcomes = _private_script(node_kv, collection, f"{unique_key}js-")
    for index, (ours, theirs) in enumerate(zip(python_outcomes, node_outcomes, strict=True)):
        assert ours == theirs, f"call {index} differs: python={ours!r} node={theirs!r}"
