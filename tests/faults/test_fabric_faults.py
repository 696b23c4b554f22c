"""On real Fabric (3 Raft orderers, one peer per org, our CCaaS chaincode), under a steady load of
readings through the durable outbox and through ``submit_with_retry``: a peer stopped and
restarted, orderers SIGKILLed and restarted, the chaincode server killed and restarted.
Afterwards every reading the client acknowledged is on the ledger exactly once, and every
failure the client could not absorb was reported (the target: none).

Each test brings up a network of its own under ``tmp_path`` and takes it down at the end.
Skipped with one line where no Fabric binaries are found (``FABRIC_BIN``, PATH, project cache).
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from gridledger_network.fabric.network import orderer_name, peer_name
from harness.devnet import OPERATOR, PROSUMER

from faults.fabric_faults import (
    FabricFaultNetwork,
    FabricLoad,
    check_nothing_lost,
    fabric_fault_network,
    fabric_load,
    report,
)

pytestmark = pytest.mark.fabric

STEADY = 30  # readings acknowledged between faults
PEER_OUTAGE_SECONDS = 3.0
ORDERER_OUTAGE_SECONDS = 6.0  # longer than a Raft election (10 ticks of 500 ms)
CHAINCODE_OUTAGE_SECONDS = 2.0


@pytest.fixture
def network(tmp_path: Path) -> Iterator[FabricFaultNetwork]:
    with fabric_fault_network(tmp_path / "fabric") as running:
        yield running


def _assert_nothing_lost(network: FabricFaultNetwork, running: FabricLoad, title: str) -> None:
    result = check_nothing_lost(network, running)
    report(title, result)
    assert result["gave_up"] == [], "the client gave up on readings (target: nothing lost)"
    # the faults were felt (some attempts failed or were in doubt) and were absorbed
    transactions = result["transactions"]
    assert transactions["transactions"] > transactions["items"]


def test_peer_stopped_and_restarted_under_load(network: FabricFaultNetwork, tmp_path: Path) -> None:
    with fabric_load(network, tmp_path) as running:
        running.wait_for_progress(STEADY, "warm-up")
        # the other org's peer: endorsements from it fail until it is back and caught up
        for msp_id in (PROSUMER, OPERATOR):  # then the peer whose gateway the client uses
            name = peer_name(msp_id)
            network.stop(name)
            time.sleep(PEER_OUTAGE_SECONDS)
            network.start(name)
            running.wait_for_progress(STEADY, f"{name} restarted -> {STEADY} more acks")
    _assert_nothing_lost(network, running, "peer stop/restart")


def test_orderers_killed_and_restarted_under_load(
    network: FabricFaultNetwork, tmp_path: Path
) -> None:
    with fabric_load(network, tmp_path) as running:
        running.wait_for_progress(STEADY, "warm-up")
        leader = network.raft_leader() or orderer_name(0)
        network.kill(leader)  # SIGKILL the Raft leader: a new election under load
        time.sleep(ORDERER_OUTAGE_SECONDS)
        running.wait_for_progress(STEADY, f"{leader} (leader) killed -> {STEADY} more acks")
        network.start(leader)
        running.wait_for_progress(STEADY, f"{leader} restarted -> {STEADY} more acks")
        # the restarted orderer must now be part of the quorum: kill another one (the new
        # leader when the logs tell which)
        current = network.raft_leader()
        others = [orderer_name(i) for i in range(3) if orderer_name(i) != leader]
        other = current if current in others else others[0]
        role = "leader" if other == current else "follower"
        network.kill(other)
        time.sleep(ORDERER_OUTAGE_SECONDS)
        running.wait_for_progress(STEADY, f"{other} ({role}) killed too -> {STEADY} more acks")
        network.start(other)
        running.wait_for_progress(STEADY, f"{other} restarted -> {STEADY} more acks")
    _assert_nothing_lost(
        network, running, f"orderers killed: {leader} (leader), then {other} ({role})"
    )


def test_chaincode_server_killed_and_restarted_under_load(
    network: FabricFaultNetwork, tmp_path: Path
) -> None:
    name = "chaincode-gridledger"
    with fabric_load(network, tmp_path) as running:
        running.wait_for_progress(STEADY, "warm-up")
        for signum in (signal.SIGKILL, signal.SIGTERM):
            if signum == signal.SIGKILL:
                network.kill(name)
            else:
                network.stop(name)
            time.sleep(CHAINCODE_OUTAGE_SECONDS)
            network.start(name)
            label = f"chaincode {signal.Signals(signum).name} + restart -> {STEADY} more acks"
            running.wait_for_progress(STEADY, label)
    _assert_nothing_lost(network, running, "chaincode server killed/stopped and restarted")
