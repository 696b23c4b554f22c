"""Real Fabric brought up by gridledger_network.fabric: idempotent, profile usable, both orgs
endorse, three Raft orderers, clear messages for a taken port and for missing binaries."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gridledger.gateway import GatewayError
from gridledger_domain.collections import is_meter_data_collection
from gridledger_network.fabric import BinariesNotFound, find_binaries, up
from gridledger_network.fabric.config import load_fabric_config, write_fabric_config
from gridledger_network.fabric.network import down, stop
from gridledger_network.processes import PortTaken, RunFolder, stop_process

from fabric.backend import (
    FabricTestNetwork,
    fabric_binaries_or_skip,
    fabric_test_config,
    start_fabric_test_network,
)
from fabric.committed_collections import committed_definition, expected_meter_data
from fabric.scenarios import OPERATOR, PROSUMER, ScenarioContext, block_event_metadata

ORGS = (OPERATOR, PROSUMER)


def _context(network: FabricTestNetwork, scratch: Path) -> ScenarioContext:
    return ScenarioContext(network.profile, network.channel, network.chaincode, scratch)


@pytest.mark.fabric
def test_up_on_a_running_network_changes_nothing(fabric_network: FabricTestNetwork) -> None:
    before = fabric_network.describe()["processes"]

    again = up(fabric_network.home)

    assert again.already_running
    assert fabric_network.describe()["processes"] == before


@pytest.mark.fabric
def test_reading_put_through_each_org_is_read_back_by_the_other(
    fabric_network: FabricTestNetwork,
) -> None:
    profile = fabric_network.profile
    key = f"bringup-{time.time_ns()}"
    with profile.connect(OPERATOR) as operator, profile.connect(PROSUMER) as prosumer:
        operator_kv = operator.network("energy").contract(fabric_network.chaincode, "kv")
        prosumer_kv = prosumer.network("energy").contract(fabric_network.chaincode, "kv")
        operator_kv.submit("Put", key, "1200")
        prosumer_kv.submit("AddTo", key, "300")
        assert operator_kv.evaluate("Get", key) == b"1500"


@pytest.mark.fabric
def test_committed_block_carries_both_orgs_endorsements_and_peer_metadata(
    fabric_network: FabricTestNetwork, scratch: Path
) -> None:
    observed = block_event_metadata(_context(fabric_network, scratch))

    assert observed["endorsers"] == sorted(ORGS)
    assert observed["transactions_filter"] == [0]  # VALID, filled in by the committing peer
    assert observed["commit_hash_present"]


@pytest.mark.fabric
def test_the_definition_carries_the_meter_data_collections(
    fabric_network: FabricTestNetwork,
) -> None:
    """``querycommitted`` shows ``mdata_<MSP>`` per organisation as derived from fabric.yaml, and
    the test network's own collections with their member-only flags as configured."""
    config = load_fabric_config(fabric_network.home)
    chaincode = config.network.chaincode(fabric_network.chaincode)
    assert chaincode is not None
    derived = [c for c in chaincode.collections if is_meter_data_collection(c.name)]
    assert [c.name for c in derived] == [f"mdata_{OPERATOR}", f"mdata_{PROSUMER}"]

    committed = committed_definition(fabric_network.home, config, chaincode.name)["collections"]

    expected = expected_meter_data(derived)
    assert {name: committed[name] for name in expected} == expected
    assert committed["operatorMemberOnly"]["member_only_read"] is True
    assert committed["operatorMemberOnly"]["member_only_write"] is True
    assert committed["operatorPrivate"]["member_only_read"] is False
    assert committed["operatorPrivate"]["members"] == [f"{OPERATOR}.member"]


@pytest.mark.fabric
def test_network_json_names_package_ids_and_orderers(fabric_network: FabricTestNetwork) -> None:
    document = fabric_network.describe()

    package_id = document["chaincodes"]["gridledger"]["package_id"]
    assert package_id.startswith("gridledger_1.0:") and len(package_id.split(":")[1]) == 64
    assert [o["endpoint"].split(":")[0] for o in document["orderers"]] == ["127.0.0.1"]
    assert set(document["organizations"]) == set(ORGS)


@pytest.fixture(scope="module")
def three_orderers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FabricTestNetwork]:
    fabric_binaries_or_skip()
    network = start_fabric_test_network(
        tmp_path_factory.mktemp("fabric3"), with_node_chaincode=False, orderers=3
    )
    try:
        yield network
    finally:
        network.stop()


def _submit_until_committed(kv: Any, *args: str, attempts: int = 30) -> None:
    """Submit, retrying while Raft elects a new leader (the orderers answer unavailable)."""
    for attempt in range(attempts):
        try:
            kv.submit(*args)
            return
        except GatewayError:
            if attempt == attempts - 1:
                raise
            time.sleep(1.0)


@pytest.mark.fabric
def test_three_raft_orderers_keep_ordering_when_one_stops(
    three_orderers: FabricTestNetwork,
) -> None:
    assert len(three_orderers.describe()["orderers"]) == 3
    key = f"raft-{time.time_ns()}"
    with three_orderers.profile.connect(OPERATOR) as gateway:
        kv = gateway.network("energy").contract(three_orderers.chaincode, "kv")
        kv.submit("Put", key, "1")

        assert stop_process(RunFolder(three_orderers.home), "orderer2")
        _submit_until_committed(kv, "AddTo", key, "1")

        assert kv.evaluate("Get", key) == b"2"


@pytest.mark.fabric
def test_a_taken_port_is_named_before_anything_starts(tmp_path: Path) -> None:
    binaries = fabric_binaries_or_skip()
    config = fabric_test_config(with_node_chaincode=False)
    write_fabric_config(tmp_path / "fabric.yaml", config)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", config.orderers[0].admin_port))
        holder.listen()
        with pytest.raises(PortTaken) as caught:
            up(tmp_path, binaries=binaries)

    assert f"{config.orderers[0].admin_port} (orderer0 admin)" in str(caught.value)
    assert not RunFolder(tmp_path).names()


@pytest.mark.fabric
def test_restart_keeps_the_ledger_and_down_removes_everything(tmp_path: Path) -> None:
    network = start_fabric_test_network(tmp_path, with_node_chaincode=False)
    pids = [p for p in network.describe()["processes"].values() if p]
    with network.profile.connect(OPERATOR) as gateway:
        kv = gateway.network("energy").contract(network.chaincode, "kv")
        kv.submit("Emit", "before-restart", "kept")

    stopped = stop(tmp_path)
    restarted = up(tmp_path)

    assert len(stopped) == len(pids) == 4
    assert not restarted.already_running
    with network.profile.connect(PROSUMER) as gateway:
        events = gateway.network("energy").chaincode_events(network.chaincode, start_block=0)
        try:
            replayed = next(e for e in events if e.event_name == "before-restart")
        finally:
            events.close()
    assert replayed.payload == b"kept"

    down(tmp_path)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["fabric.yaml"]


def test_missing_binaries_say_where_they_were_looked_for_and_how_to_get_them(
    no_fabric_binaries: Path,
) -> None:
    with pytest.raises(BinariesNotFound) as caught:
        find_binaries()

    message = str(caught.value)
    assert "$FABRIC_BIN" in message and "PATH" in message
    assert str(no_fabric_binaries / "fabric" / "3.1.5" / "bin") in message
    assert "make fabric-binaries" in message


def test_network_json_of_a_fabric_home_loads_in_the_client(tmp_path: Path) -> None:
    from gridledger.profile import ConnectionProfile

    document = {
        "backend": "fabric",
        "channel": "energy",
        "pid": None,
        "organizations": {
            OPERATOR: {
                "peer_endpoint": "127.0.0.1:7051",
                "peer_host": "peer0.gridoperator.gridledger.local",
                "tls_ca_cert": "ca.pem",
                "users": {"User1": "users/User1/msp"},
            }
        },
        "orderers": [{"endpoint": "127.0.0.1:7050"}],
        "chaincodes": {"gridledger": {"address": "127.0.0.1:9999", "package_id": "x:y"}},
    }
    (tmp_path / "network.json").write_text(json.dumps(document), encoding="utf-8")

    profile = ConnectionProfile.load(tmp_path)

    assert profile.organization(OPERATOR).peer_endpoint == "127.0.0.1:7051"
    assert profile.chaincodes["gridledger"]["package_id"] == "x:y"
