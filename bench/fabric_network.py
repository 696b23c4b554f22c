"""Real Hyperledger Fabric for the benchmark: ``gridledger_network.fabric.up`` on free ports.

One etcdraft orderer, one peer per org, TLS, our Python chaincode as CCaaS, the same endorsement
policy and block cutting as the devnet run. Binaries come from where
``gridledger_network.fabric.find_binaries`` looks: ``$FABRIC_BIN``, the PATH or the project's
cache (``make fabric-binaries``).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from gridledger_network.processes import free_ports

from bench.network import (
    BATCH_TIMEOUT_MS,
    BOTH_ORGS,
    MAX_MESSAGE_COUNT,
    PYTHON_CHAINCODE,
    BenchNetwork,
    BlockCutting,
)


class _FabricBench(BenchNetwork):
    def stop(self) -> None:
        from gridledger_network.fabric import down

        down(self.home)


def start_fabric_network(home: Path) -> BenchNetwork:
    """Bring real Fabric up in ``home``; raises if the binaries or the bring-up fail."""
    from gridledger_network.devnet.config import BatchConfig, ChaincodeConfig, default_config
    from gridledger_network.fabric import find_binaries, up
    from gridledger_network.fabric.config import (
        CONFIG_FILE,
        FabricConfig,
        OrdererPorts,
        PeerPorts,
        write_fabric_config,
    )

    binaries = find_binaries()
    home.mkdir(parents=True, exist_ok=True)
    ports = free_ports(10)
    base = default_config()
    peers = tuple(
        dataclasses.replace(peer, port=ports[3 + 3 * i]) for i, peer in enumerate(base.peers)
    )
    network = dataclasses.replace(
        base,
        peers=peers,
        batch=BatchConfig(max_message_count=MAX_MESSAGE_COUNT, batch_timeout_ms=BATCH_TIMEOUT_MS),
        chaincodes=(
            ChaincodeConfig(
                name=PYTHON_CHAINCODE, address=f"127.0.0.1:{ports[9]}", policy=BOTH_ORGS
            ),
        ),
    )
    config = FabricConfig(
        network=network,
        orderers=(OrdererPorts(ports[0], ports[1], ports[2]),),
        peer_ports={
            peer.msp_id: PeerPorts(peer.port, ports[4 + 3 * i], ports[5 + 3 * i])
            for i, peer in enumerate(peers)
        },
        chaincode_servers={PYTHON_CHAINCODE: "python"},
    )
    write_fabric_config(home / CONFIG_FILE, config)
    bench = _FabricBench(
        kind=f"fabric {binaries.version()}",
        home=home,
        block_cutting=BlockCutting(BATCH_TIMEOUT_MS, MAX_MESSAGE_COUNT),
        chaincodes={"python": PYTHON_CHAINCODE},
    )
    try:
        fabric = up(home, binaries=binaries, ready_timeout=180.0)
        for name, pid in fabric.profile.get("processes", {}).items():
            if pid:
                role = "python cc" if name.startswith("chaincode") else name
                bench.processes[role] = int(pid)
    except BaseException:
        bench.stop()
        raise
    return bench
