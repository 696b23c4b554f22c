"""Our Python client drives Hyperledger's Node chaincode (fabric-contract-api, CCaaS)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from gridledger.gateway import CommitError, EndorseError, GatewayError
from harness.devnet import ENDORSED_COLLECTION, OPERATOR, TestNetwork
from harness.streams import read_until

pytestmark = pytest.mark.conformance

MVCC_READ_CONFLICT = 11


def test_put_then_get(node_kv: Any, unique_key: str) -> None:
    key = f"{unique_key}k"
    assert node_kv.submit("Put", key, "2300 Wh") == b""
    assert node_kv.evaluate("Get", key) == b"2300 Wh"
    assert node_kv.submit("AddTo", f"{unique_key}n", "7") == b"7"


def test_range_and_pagination(node_kv: Any, unique_key: str) -> None:
    keys = [f"{unique_key}{i}" for i in range(5)]
    for key in keys:
        node_kv.submit("Put", key, key[-1])
    start, end = unique_key, f"{unique_key}~"
    assert [r["key"] for r in json.loads(node_kv.evaluate("Range", start, end))] == keys

    first = json.loads(node_kv.evaluate("RangePage", start, end, "2", ""))
    assert first["fetched"] == 2
    assert [r["key"] for r in first["records"]] == keys[:2]
    second = json.loads(node_kv.evaluate("RangePage", start, end, "2", first["bookmark"]))
    assert [r["key"] for r in second["records"]] == keys[2:4]


def test_history(node_kv: Any, unique_key: str) -> None:
    key = f"{unique_key}h"
    node_kv.submit("Put", key, "old")
    node_kv.submit("Put", key, "new")
    node_kv.submit("Delete", key)
    history = json.loads(node_kv.evaluate("History", key))
    assert [(h["value"], h["isDelete"]) for h in history] == [
        ("", True),
        ("new", False),
        ("old", False),
    ]
    assert all(len(h["txId"]) == 64 for h in history)


def test_chaincode_events(
    node_kv: Any, operator_network: Any, node_chaincode: str, unique_key: str
) -> None:
    marker = node_kv.new_proposal("Noop", args=[]).endorse().submit().status()
    events = operator_network.chaincode_events(node_chaincode, start_block=marker.block_number + 1)
    status = node_kv.new_proposal("Emit", args=["ReadingSubmitted", unique_key]).endorse()
    committed = status.submit().status()
    seen = read_until(events, lambda event: event.transaction_id == committed.transaction_id)
    assert seen[-1].transaction_id == committed.transaction_id
    assert seen[-1].chaincode_name == node_chaincode
    assert (seen[-1].event_name, seen[-1].payload) == ("ReadingSubmitted", unique_key.encode())


def test_chaincode_error_reaches_our_client(node_kv: Any, unique_key: str) -> None:
    with pytest.raises(EndorseError) as caught:
        node_kv.submit("Fail", f"tariff {unique_key} is closed")
    assert caught.value.details
    assert all(f"tariff {unique_key} is closed" in d.message for d in caught.value.details)

    with pytest.raises(GatewayError) as missing:
        node_kv.evaluate("Get", f"{unique_key}absent")
    assert f"key {unique_key}absent does not exist" in str(missing.value)


def test_private_data_and_caller_identity(
    node_kv: Any, test_network: TestNetwork, unique_key: str
) -> None:
    secret = b"contract price 17"
    # the collection's own endorsement policy (its member's peer) replaces the chaincode's
    # (both orgs), so the gateway plans the member alone and the transient data stays there
    node_kv.submit("PutPrivate", ENDORSED_COLLECTION, unique_key, transient={"value": secret})
    assert node_kv.evaluate("GetPrivate", ENDORSED_COLLECTION, unique_key) == secret
    assert (
        node_kv.evaluate("GetPrivateHash", ENDORSED_COLLECTION, unique_key).decode()
        == hashlib.sha256(secret).hexdigest()
    )
    whoami = json.loads(node_kv.evaluate("Whoami"))
    assert whoami["mspId"] == OPERATOR
    assert "User1" in whoami["id"]


def test_mvcc_conflict_and_policy_failure_on_node_chaincode(node_kv: Any, unique_key: str) -> None:
    key = f"{unique_key}c"
    node_kv.submit("AddTo", key, "1")
    first = node_kv.new_proposal("AddTo", args=[key, "1"]).endorse()
    second = node_kv.new_proposal("AddTo", args=[key, "1"]).endorse()
    assert first.submit().status().successful
    assert second.submit().status().code == MVCC_READ_CONFLICT

    with pytest.raises(CommitError) as caught:
        node_kv.submit("Put", f"{unique_key}p", "x", endorsing_orgs=[OPERATOR])
    assert caught.value.code_name == "ENDORSEMENT_POLICY_FAILURE"


def test_key_level_endorsement_policy_set_by_the_node_shim(node_kv: Any, unique_key: str) -> None:
    """The Node shim encodes the policy; our devnet's validator must enforce it."""
    key = f"{unique_key}operator-only"
    node_kv.submit("Put", key, "before")
    node_kv.submit("SetKeyPolicy", key, OPERATOR)
    # The key's own policy (operator's peer) replaces the chaincode's AND policy for this key.
    node_kv.submit("Put", key, "after", endorsing_orgs=[OPERATOR])
    assert node_kv.evaluate("Get", key) == b"after"
    node_kv.submit("SetKeyPolicy", key, f"{OPERATOR},ProsumerMSP")
    with pytest.raises(CommitError) as caught:
        node_kv.submit("Put", key, "lonely", endorsing_orgs=[OPERATOR])
    assert caught.value.code_name == "ENDORSEMENT_POLICY_FAILURE"


def test_chaincode_to_chaincode_calls_both_ways(
    node_kv: Any,
    operator_network: Any,
    test_network: TestNetwork,
    node_chaincode: str,
    unique_key: str,
) -> None:
    python_kv = operator_network.contract(test_network.chaincode, "kv")
    python_kv.submit("Put", f"{unique_key}py", "written by python")
    node_kv.submit("Put", f"{unique_key}js", "written by node")
    assert (
        node_kv.evaluate("InvokeOther", test_network.chaincode, "kv:Get", f"{unique_key}py")
        == b"written by python"
    )
    assert (
        python_kv.evaluate("InvokeOther", node_chaincode, "kv:Get", f"{unique_key}js")
        == b"written by node"
    )
    node_kv.submit("InvokeOther", test_network.chaincode, "kv:Put", f"{unique_key}via", "node")
    assert python_kv.evaluate("Get", f"{unique_key}via") == b"node"


def test_nondeterministic_chaincode_fails_endorsement(node_kv: Any) -> None:
    with pytest.raises(EndorseError) as caught:
        node_kv.submit("Nondeterministic")
    assert "ProposalResponsePayloads do not match" in str(caught.value)
