"""``add-org``'s new fabric.yaml without running Fabric: the organisation's ports, address,
namespace, users, the chaincode policy and collections; bad names refused before anything is
written. (The real add-org on a running channel: tests/fabric/test_add_org.py.)"""

from __future__ import annotations

import pytest
from gridledger_network.devnet.config import default_endorsement_policy
from gridledger_network.fabric import netns
from gridledger_network.fabric.addorg import AddOrgError, config_with_org
from gridledger_network.fabric.config import (
    NetnsConfig,
    default_fabric_config,
    fabric_config_to_dict,
    parse_fabric_config,
    with_netns,
)

OPERATOR, PROSUMER, NEW = "GridOperatorMSP", "ProsumerMSP", "CommunityMSP"


def test_in_namespaces_the_new_org_takes_the_next_address_and_the_first_orgs_ports() -> None:
    config = with_netns(default_fabric_config(), NetnsConfig("10.77.9.0/24", "gx"))
    added = config_with_org(config, NEW, ["gina"])

    assert added.network.org_msp_ids == [OPERATOR, PROSUMER, NEW]
    assert added.peer_address(NEW) == "10.77.9.12"
    assert added.peer_ports[NEW] == config.peer_ports[OPERATOR]
    assert added.peer_count(NEW) == 2
    assert [(u.org, u.name) for u in added.network.users if u.org == NEW] == [(NEW, "gina")]
    layout = netns.plan(added)
    assert layout is not None and layout.hosts["org2"].namespace == "gx-org2"
    assert parse_fabric_config(fabric_config_to_dict(added)) == added


def test_on_loopback_the_new_org_gets_ports_nobody_uses() -> None:
    config = default_fabric_config()
    added = config_with_org(config, NEW, peers=1)

    used = set(config.all_ports())
    assert not set(added.node_ports(NEW, 0).all().values()) & used
    assert len(added.all_ports()) == len(used) + 3


def test_the_default_policy_takes_the_new_org_and_an_all_orgs_collection_too() -> None:
    document = fabric_config_to_dict(default_fabric_config())
    chaincode = document["chaincodes"][0]
    chaincode["collections"] = [
        {"name": "everyone", "members": [OPERATOR, PROSUMER], "block_to_live": 0},
        {"name": "operatorOnly", "members": [OPERATOR], "block_to_live": 0},
    ]
    config = parse_fabric_config(document)
    added = config_with_org(config, NEW)

    new_chaincode = added.network.chaincodes[0]
    assert new_chaincode.policy == default_endorsement_policy([OPERATOR, PROSUMER, NEW])
    members = {c.name: c.members for c in new_chaincode.collections}
    assert members == {
        "everyone": (OPERATOR, PROSUMER, NEW),
        "operatorOnly": (OPERATOR,),
        # derived from the organisations (docs/private-data.md), the new one's included
        f"mdata_{OPERATOR}": (OPERATOR, PROSUMER),
        f"mdata_{PROSUMER}": (OPERATOR, PROSUMER),
        f"mdata_{NEW}": (OPERATOR, NEW),
    }
    explicit = config_with_org(config, NEW, policy=f"AND('{OPERATOR}.peer','{NEW}.peer')")
    assert explicit.network.chaincodes[0].policy == f"AND('{OPERATOR}.peer','{NEW}.peer')"


@pytest.mark.parametrize(
    ("name", "users", "message"),
    [
        ("community", (), "ending in MSP"),
        ("Community-MSP", (), "ending in MSP"),
        (PROSUMER, (), "already an organisation"),
        ("prosumerMSP", (), "ending in MSP"),
        (NEW, ("alice",), "taken or repeated"),
        (NEW, ("gina", "gina"), "taken or repeated"),
        (NEW, ("Gina!",), "lower-case"),
    ],
)
def test_bad_names_are_refused(name: str, users: tuple[str, ...], message: str) -> None:
    with pytest.raises(AddOrgError, match=message):
        config_with_org(default_fabric_config(), name, users)
