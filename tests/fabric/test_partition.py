"""One organisation cut off from the others: 3 organisations x 2 peers x 3 Raft orderers, each in
its own network namespace; RetailerMSP's namespace loses its link to the bridge for 30 s while
ProsumerMSP keeps submitting (the utility and ProsumerMSP endorse), then gets it back. Both of
RetailerMSP's peers catch up to the utility's height with the same block hashes within a
deadline, read the same values, and every acknowledged transaction is on the ledger exactly once.

Needs Fabric's binaries and root (skipped otherwise); its own subnet and namespace prefix.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from gridledger.energy.client import CHAINCODE
from gridledger.profile import ConnectionProfile
from gridledger_network.fabric import netns
from gridledger_network.fabric.admin import run_command
from gridledger_network.fabric.binaries import find_binaries
from gridledger_network.fabric.crypto import ensure_fabric_crypto
from gridledger_network.fabric.network import _Bringup
from gridledger_network.processes import free_ports
from harness.devnet import OPERATOR, RETAILER

from fabric.test_add_org import Traffic, _ledger_transaction_ids
from fabric.test_hosts import BRINGUP_TIMEOUT, PEERS_PER_ORG, hosts_config, network_in_namespaces

pytestmark = pytest.mark.fabric

SUBNET = "10.77.3.0/24"
PREFIX = "glp"
CUT_SECONDS = 30.0
CATCH_UP_SECONDS = 120.0


def _set_link(namespace: str, device: str, state: str) -> None:
    argv = [netns.ip_command(), "-n", namespace, "link", "set", device, state]
    subprocess.run(argv, check=True, capture_output=True, timeout=30)


def _chain_info(bringup: _Bringup, msp_id: str, index: int) -> tuple[int, str] | None:
    """(height, current block hash) as peer ``index`` of ``msp_id`` has it; None if it does not
    answer (``peer channel getinfo`` as the organisation's Admin)."""
    argv = [bringup.binaries.peer, "channel", "getinfo", "-c", bringup.config.channel]
    result = run_command(argv, bringup._peer_env(msp_id, index), timeout=20)
    if not result.ok or "Blockchain info:" not in result.output:
        return None
    info = json.loads(result.output.split("Blockchain info:", 1)[1])
    return int(info["height"]), str(info["currentBlockHash"])


@pytest.mark.timeout(BRINGUP_TIMEOUT)
def test_an_organisation_cut_off_for_30_s_catches_up(tmp_path: Path) -> None:
    config = hosts_config(free_ports(1)[0], prefix=PREFIX, subnet=SUBNET)
    with network_in_namespaces(tmp_path, config):
        profile = ConnectionProfile.load(tmp_path / "network.json")
        bringup = _Bringup(tmp_path, config, find_binaries())
        bringup.crypto = ensure_fabric_crypto(tmp_path / "crypto", config)
        layout = netns.plan(config)
        assert layout is not None
        host = layout.hosts[netns.org_host_key(config.network.org_msp_ids.index(RETAILER))]
        before = _chain_info(bringup, RETAILER, 0)
        assert before is not None
        traffic = Traffic(profile)
        traffic.start()
        _set_link(host.namespace, host.veth_inside, "down")
        try:
            cut_at = time.monotonic()
            while time.monotonic() - cut_at < CUT_SECONDS:  # the others trade meanwhile
                traffic.join(1.0)
            during = len(traffic.acknowledged)
        finally:
            _set_link(host.namespace, host.veth_inside, "up")
        reconnected = time.monotonic()
        traffic.halt.set()
        traffic.join(120)
        print(
            f"\n{RETAILER} cut off {CUT_SECONDS:.0f}s: {during} transactions acknowledged "
            f"meanwhile, {len(traffic.failures)} failed {traffic.failures[:2]}"
        )
        assert during > 0, "nobody traded while RetailerMSP was cut off"
        deadline = reconnected + CATCH_UP_SECONDS
        while True:
            utility = _chain_info(bringup, OPERATOR, 0)
            retail = [_chain_info(bringup, RETAILER, i) for i in range(PEERS_PER_ORG)]
            if utility is not None and all(r == utility for r in retail):
                break
            assert time.monotonic() < deadline, f"not caught up: {utility} vs {retail}"
            time.sleep(0.5)
        assert utility[0] > before[0] + during // 10
        print(
            f"{RETAILER}'s {PEERS_PER_ORG} peers at height {utility[0]}, same hash, "
            f"{time.monotonic() - reconnected:.1f}s after reconnecting"
        )
        seen, hashes = _ledger_transaction_ids(profile, OPERATOR)
        assert all(seen[tx] == 1 for tx in traffic.acknowledged)
        assert max(seen.values()) == 1
        retail_seen, retail_hashes = _ledger_transaction_ids(profile, RETAILER)
        assert (retail_seen, retail_hashes) == (seen, hashes)
        with profile.connect(RETAILER) as gateway:
            contract = gateway.network(profile.channel).contract(CHAINCODE, "kv")
            for key in list(traffic.acknowledged.values())[-5:]:
                assert contract.evaluate("Get", key) == key.rsplit("-", 1)[1].encode()
