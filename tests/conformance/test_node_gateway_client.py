"""Hyperledger's own Node Gateway client against the devnet running our Python chaincode."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from harness.devnet import OPERATOR, PROSUMER, TestNetwork
from harness.node_client import run_node_client

pytestmark = pytest.mark.conformance

VALID = 0
ENDORSEMENT_POLICY_FAILURE = 10


@pytest.fixture(scope="module")
def node_report(test_network: TestNetwork, node_packages: None) -> dict[str, Any]:
    """One run of the conformance scenario (kv contract of our chaincode, as ProsumerMSP User1)."""
    prefix = f"node-gw-{uuid.uuid4().hex[:10]}-"
    report = run_node_client(
        test_network.network_json,
        PROSUMER,
        test_network.chaincode,
        contract="kv",
        extra=["--scenario", "conformance", "--prefix", prefix],
    )
    report["prefix"] = prefix
    return report


def test_submit_and_evaluate(node_report: dict[str, Any]) -> None:
    assert node_report["submit"] == {"result": ""}
    assert node_report["evaluate"] == {"result": "alpha"}


def test_submit_async_and_commit_status(node_report: dict[str, Any]) -> None:
    submitted = node_report["submitAsync"]
    assert submitted["result"] == ""
    assert submitted["status"]["successful"] is True
    assert submitted["status"]["code"] == VALID
    assert submitted["status"]["transactionId"] == submitted["transactionId"]
    assert submitted["status"]["blockNumber"] > node_report["noop"]["status"]["blockNumber"]


def test_offline_style_split_flow_returns_the_chaincode_result(node_report: dict[str, Any]) -> None:
    split = node_report["splitFlow"]
    assert split["result"] == "5"
    assert split["status"]["successful"] is True
    assert split["status"]["transactionId"] == split["transactionId"]


def test_chaincode_events_live_and_replayed(
    node_report: dict[str, Any], test_network: TestNetwork
) -> None:
    prefix = node_report["prefix"]
    submitted = node_report["submitAsync"]
    live = [e for e in node_report["liveEvents"] if e["payload"].startswith(prefix)]
    assert [(e["eventName"], e["payload"]) for e in live] == [
        ("Put", f"{prefix}a"),
        ("Put", f"{prefix}b"),
    ]
    assert live[-1]["transactionId"] == submitted["transactionId"]
    assert live[-1]["blockNumber"] == submitted["status"]["blockNumber"]
    assert {e["chaincodeName"] for e in live} == {test_network.chaincode}

    replayed = node_report["replayedEvents"]
    assert replayed[-1]["transactionId"] == submitted["transactionId"]
    assert replayed[-1]["payload"] == f"{prefix}b"
    assert all(e["blockNumber"] >= submitted["status"]["blockNumber"] for e in replayed)


def test_block_and_filtered_block_events_parse(node_report: dict[str, Any]) -> None:
    submitted = node_report["submitAsync"]
    block = node_report["block"]
    assert block["number"] == submitted["status"]["blockNumber"]
    assert block["transactions"] >= 1
    assert len(block["previousHashHex"]) == 64
    filtered = node_report["filteredBlock"]
    assert filtered["number"] == submitted["status"]["blockNumber"]
    assert filtered["channel"] == "energy"
    assert {
        "transactionId": submitted["transactionId"],
        "validationCode": VALID,
    } in filtered["transactions"]


def test_errors_are_typed_with_peer_details(node_report: dict[str, Any]) -> None:
    prefix = node_report["prefix"]
    missing = node_report["evaluateMissing"]
    assert missing["raised"] is True
    assert f"key {prefix}missing does not exist" in " ".join(
        [missing["message"], *(d["message"] for d in missing.get("details", []))]
    )

    failure = node_report["submitFailure"]
    assert failure["raised"] is True
    assert failure["type"] == "EndorseError"
    assert failure["transactionId"]
    assert failure["details"], "each endorsing peer's answer is reported"
    assert all(f"refused by {prefix}" in d["message"] for d in failure["details"])
    assert {d["mspId"] for d in failure["details"]} <= {OPERATOR, PROSUMER}

    unknown = node_report["unknownFunction"]
    assert unknown["raised"] is True
    assert "NoSuchFunction" in " ".join(
        [unknown["message"], *(d["message"] for d in unknown.get("details", []))]
    )


def test_single_org_endorsement_is_a_commit_error(node_report: dict[str, Any]) -> None:
    single = node_report["singleOrgEndorsement"]
    assert single["raised"] is True
    assert single["type"] == "CommitError"
    assert single["code"] == ENDORSEMENT_POLICY_FAILURE
