"""Meter-data collections derived from the organisations (docs/private-data.md): the list, its
place in devnet.yaml / fabric.yaml / add-org, Fabric's collections config, the client helper."""

from __future__ import annotations

import pytest
from gridledger.energy.collections import meter_data_collection
from gridledger_domain.refusals import InvalidRequest
from gridledger_network.devnet.config import (
    CollectionConfig,
    ConfigError,
    config_to_dict,
    default_config,
    meter_data_collections,
    parse_config,
)
from gridledger_network.fabric.addorg import _without_org, config_with_org
from gridledger_network.fabric.config import (
    default_fabric_config,
    fabric_config_to_dict,
    parse_fabric_config,
)
from gridledger_network.fabric.lifecycle import collections_config

UTILITY, PROSUMER, RETAILER = "GridOperatorMSP", "ProsumerMSP", "RetailerMSP"


def _by_name(collections: object) -> dict[str, CollectionConfig]:
    return {c.name: c for c in collections}  # type: ignore[attr-defined]


def test_two_organisations_give_the_utility_and_one_pair() -> None:
    derived = _by_name(meter_data_collections([UTILITY, PROSUMER]))
    assert {n: (c.members, c.endorsement_policy, c.max_peer_count) for n, c in derived.items()} == {
        # the utility's own households: with the second organisation (docs/private-data.md)
        f"mdata_{UTILITY}": ((UTILITY, PROSUMER), f"AND('{UTILITY}.peer','{PROSUMER}.peer')", 2),
        f"mdata_{PROSUMER}": (
            (UTILITY, PROSUMER),
            f"AND('{UTILITY}.peer','{PROSUMER}.peer')",
            2,
        ),
    }
    for collection in derived.values():  # member-only, kept until purged, nobody waited for
        assert collection.member_only_read and collection.member_only_write
        assert (collection.block_to_live, collection.required_peer_count) == (0, 0)


def test_three_organisations_pair_each_with_the_utility_and_count_their_peers() -> None:
    derived = _by_name(
        meter_data_collections([UTILITY, PROSUMER, RETAILER], {UTILITY: 2, RETAILER: 3})
    )
    assert {n: c.members for n, c in derived.items()} == {
        f"mdata_{UTILITY}": (UTILITY, PROSUMER),
        f"mdata_{PROSUMER}": (UTILITY, PROSUMER),
        f"mdata_{RETAILER}": (UTILITY, RETAILER),
    }
    assert {n: c.max_peer_count for n, c in derived.items()} == {
        f"mdata_{UTILITY}": 3,
        f"mdata_{PROSUMER}": 3,
        f"mdata_{RETAILER}": 5,
    }
    assert derived[f"mdata_{RETAILER}"].endorsement_policy == (
        f"AND('{UTILITY}.peer','{RETAILER}.peer')"
    )


def test_devnet_yaml_derives_them_and_does_not_write_them_back() -> None:
    document = config_to_dict(default_config())
    written = [c["name"] for c in document["chaincodes"][0]["collections"]]
    assert written == ["operatorPrivate"]
    config = parse_config(document)
    names = [c.name for c in config.chaincodes[0].collections]
    assert names == ["operatorPrivate", f"mdata_{UTILITY}", f"mdata_{PROSUMER}"]
    assert config == default_config()


def test_devnet_yaml_can_leave_them_out_and_refuses_a_clash() -> None:
    document = config_to_dict(default_config())
    chaincode = document["chaincodes"][0]
    chaincode["meter_data_collections"] = False
    assert [c.name for c in parse_config(document).chaincodes[0].collections] == ["operatorPrivate"]
    chaincode["meter_data_collections"] = True
    chaincode["collections"].append({"name": f"mdata_{PROSUMER}", "members": [PROSUMER]})
    with pytest.raises(ConfigError, match="derived from the organisations"):
        parse_config(document)
    chaincode["meter_data_collections"] = "yes"
    with pytest.raises(ConfigError, match="meter_data_collections must be a boolean"):
        parse_config(document)


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("member_only_read", "true", "member_only_read must be true or false"),
        ("member_only_write", 1, "member_only_write must be true or false"),
        ("max_peer_count", -1, "max_peer_count must be >= 0"),
        ("required_peer_count", 2, r"required_peer_count \(2\) must not exceed max_peer_count"),
    ],
)
def test_collection_settings_are_checked(setting: str, value: object, message: str) -> None:
    document = config_to_dict(default_config())
    document["chaincodes"][0]["collections"][0][setting] = value
    with pytest.raises(ConfigError, match=message):
        parse_config(document)


def test_member_only_flags_round_trip_and_reach_fabrics_collections_config() -> None:
    document = config_to_dict(default_config())
    document["chaincodes"][0]["collections"].append(
        {
            "name": "membersOnly",
            "members": [UTILITY],
            "member_only_read": True,
            "member_only_write": True,
            "max_peer_count": 3,
        }
    )
    config = parse_config(document)
    assert parse_config(config_to_dict(config)) == config
    entries = {e["name"]: e for e in collections_config(config.chaincodes[0])}
    assert entries["membersOnly"]["memberOnlyRead"] is True
    assert entries["membersOnly"]["memberOnlyWrite"] is True
    assert entries["membersOnly"]["maxPeerCount"] == 3
    assert entries["operatorPrivate"]["memberOnlyRead"] is False
    assert entries["operatorPrivate"]["maxPeerCount"] == 1
    assert entries[f"mdata_{PROSUMER}"] == {
        "name": f"mdata_{PROSUMER}",
        "policy": f"OR('{UTILITY}.member','{PROSUMER}.member')",
        "requiredPeerCount": 0,
        "maxPeerCount": 2,
        "blockToLive": 0,
        "memberOnlyRead": True,
        "memberOnlyWrite": True,
        "endorsementPolicy": {"signaturePolicy": f"AND('{UTILITY}.peer','{PROSUMER}.peer')"},
    }


def test_fabric_yaml_counts_every_peer_of_the_members() -> None:
    document = fabric_config_to_dict(default_fabric_config())
    document["peers"][UTILITY]["peers"] = 2
    config = parse_fabric_config(document)
    derived = _by_name(config.network.chaincodes[0].collections)
    assert derived[f"mdata_{UTILITY}"].max_peer_count == 3  # its two peers and ProsumerMSP's
    assert derived[f"mdata_{PROSUMER}"].max_peer_count == 3
    assert parse_fabric_config(fabric_config_to_dict(config)) == config


def test_add_org_adds_its_collection_and_keeps_the_others() -> None:
    config = default_fabric_config()
    added = config_with_org(config, RETAILER, peers=2)
    before = _by_name(config.network.chaincodes[0].collections)
    after = _by_name(added.network.chaincodes[0].collections)
    assert set(after) == {*before, f"mdata_{RETAILER}"}
    assert all(after[name] == before[name] for name in before)
    assert after[f"mdata_{RETAILER}"].members == (UTILITY, RETAILER)
    assert after[f"mdata_{RETAILER}"].max_peer_count == 3
    # resuming an add-org: the collections as they were before
    resumed = _without_org(added, RETAILER).network.chaincodes[0].collections
    assert resumed == config.network.chaincodes[0].collections


def test_client_helper_names_the_collection_and_its_members() -> None:
    assert meter_data_collection(PROSUMER) == (f"mdata_{PROSUMER}", (UTILITY, PROSUMER))
    assert meter_data_collection(UTILITY) == (f"mdata_{UTILITY}", (UTILITY,))
    assert meter_data_collection("RetailerMSP", utility="UtilityMSP") == (
        "mdata_RetailerMSP",
        ("UtilityMSP", "RetailerMSP"),
    )
    with pytest.raises(InvalidRequest, match="invalid organisation MSP id"):
        meter_data_collection("no spaces please")
