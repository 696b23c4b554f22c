"""Real Fabric with SmartBFT ordering (Fabric 3): four orderers, each in its own network
namespace, three organisations (one peer each, in theirs); with one orderer stopped the others
keep ordering. A module of its own so that the Raft network of test_hosts.py is down first (one
Fabric network at a time); its own subnet all the same. Needs binaries and root (else skipped).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from gridledger.energy.client import CHAINCODE
from gridledger.profile import ConnectionProfile
from gridledger_network.fabric.nodes import stop_node
from gridledger_network.processes import free_ports
from harness.devnet import THREE_ORGS

from fabric.test_hosts import BRINGUP_TIMEOUT, hosts_config, network_in_namespaces

pytestmark = pytest.mark.fabric


@pytest.mark.timeout(BRINGUP_TIMEOUT)
def test_four_bft_orderers_keep_ordering_with_one_stopped(tmp_path: Path) -> None:
    """SmartBFT (f = 1): four orderers, each in its own namespace; with one stopped, submits
    through every organisation still commit."""
    config = hosts_config(
        free_ports(1)[0], orderers=4, peers=1, consensus="bft", prefix="glb", subnet="10.77.1.0/24"
    )
    with network_in_namespaces(tmp_path, config):
        profile = ConnectionProfile.load(tmp_path / "network.json")
        assert stop_node(tmp_path, "orderer3")
        started = time.monotonic()
        for msp_id in THREE_ORGS:
            with profile.connect(msp_id) as gateway:
                contract = gateway.network(profile.channel).contract(CHAINCODE, "kv")
                contract.submit("Put", f"bft-{msp_id}", "ordered with orderer3 down")
                assert contract.evaluate("Get", f"bft-{msp_id}") == b"ordered with orderer3 down"
        print(f"\n3 submits with one of 4 BFT orderers down: {time.monotonic() - started:.1f}s")
