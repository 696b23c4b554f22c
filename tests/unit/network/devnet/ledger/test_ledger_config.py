"""devnet.yaml: defaults written on first start, read back typed; clear errors for bad entries."""

from __future__ import annotations

from pathlib import Path

import pytest
from gridledger_network.devnet.config import (
    CONFIG_FILE,
    ConfigError,
    default_config,
    load_config,
    org_domain,
    parse_config,
)
from gridledger_network.devnet.policy import parse_policy


def test_defaults_written_on_first_start_and_read_back(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert (tmp_path / CONFIG_FILE).is_file()
    assert config == default_config()
    assert load_config(tmp_path) == config
    chaincode = config.chaincode("gridledger")
    assert chaincode is not None and chaincode.tls and chaincode.address == "127.0.0.1:9999"
    assert chaincode.collection("operatorPrivate") is not None
    assert config.peer("ProsumerMSP").port == 9051
    assert org_domain("GridOperatorMSP") == "gridoperator.gridledger.local"
    assert config.users[0].attrs == {"gridledger.role": "utility"}


def test_documented_example_parses(tmp_path: Path) -> None:
    (tmp_path / CONFIG_FILE).write_text(
        """
channel: energy
peers:
  GridOperatorMSP: {port: 7051}
  ProsumerMSP: {port: 9051}
batch: {max_message_count: 10, batch_timeout_ms: 50, preferred_max_bytes: 2097152}
users:
  - {org: GridOperatorMSP, name: utility, ou: client, attrs: {gridledger.role: utility}}
chaincodes:
  - name: gridledger
    address: 127.0.0.1:9999
    tls: false
    policy: "OR('GridOperatorMSP.peer','ProsumerMSP.peer')"
    collections:
      - {name: operatorPrivate, members: [GridOperatorMSP], block_to_live: 3}
"""
    )
    config = load_config(tmp_path)
    assert config.batch.max_message_count == 10 and config.batch.batch_timeout_ms == 50
    chaincode = config.chaincodes[0]
    assert not chaincode.tls and chaincode.policy.startswith("OR(")
    assert chaincode.collections[0].block_to_live == 3
    assert chaincode.collections[0].members == ("GridOperatorMSP",)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"peers": {}}, "peers"),
        ({"peers": {"AMSP": {"port": "x"}}}, "port"),
        ({"peers": {"AMSP": {"port": 1}}, "users": [{"org": "BMSP", "name": "u"}]}, "unknown org"),
        (
            {"peers": {"AMSP": {"port": 1}}, "users": [{"org": "AMSP", "name": "u", "ou": "boss"}]},
            "ou",
        ),
        (
            {
                "peers": {"AMSP": {"port": 1}},
                "chaincodes": [
                    {
                        "name": "c",
                        "address": "a:1",
                        "collections": [{"name": "x", "members": ["Z"]}],
                    }
                ],
            },
            "member orgs",
        ),
        ({"peers": {"AMSP": {"port": 1}}, "batch": {"max_message_count": 0}}, "max_message_count"),
    ],
)
def test_bad_entries_name_the_problem(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(raw)


def test_default_policy_all_of_two_orgs_the_utility_and_one_other_of_more() -> None:
    def policy(*orgs: str) -> str:
        raw = {
            "peers": {org: {"port": 7051 + i} for i, org in enumerate(orgs)},
            "chaincodes": [{"name": "cc", "address": "127.0.0.1:9999"}],
        }
        return parse_config(raw).chaincodes[0].policy

    assert policy("ProsumerMSP", "GridOperatorMSP") == (
        "AND('GridOperatorMSP.peer','ProsumerMSP.peer')"
    )
    three = policy("GridOperatorMSP", "ProsumerMSP", "RetailerMSP")
    assert three == "AND('GridOperatorMSP.peer',OR('ProsumerMSP.peer','RetailerMSP.peer'))"
    parse_policy(three)  # the devnet's parser takes it
