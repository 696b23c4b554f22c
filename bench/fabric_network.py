"""Real Hyperledger Fabric for the benchmark: ``gridledger_network.fabric.up`` on free ports.

One etcdraft orderer, the organisations and peers of a ``FabricLayout`` (default two orgs, one
peer each; ``--fabric-orgs``/``--fabric-peers``), TLS, our Python chaincode as CCaaS under the
bring-up's default policy for that many organisations (with two the same AND of both as the
devnet run), the devnet run's block cutting. Binaries come from where
``gridledger_network.fabric.find_binaries`` looks: ``$FABRIC_BIN``, the PATH or the project's
cache (``make fabric-binaries``).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from gridledger_network.processes import free_ports, port_free

from bench.fabric_layout import FabricLayout, format_lanes
from bench.network import (
    BATCH_TIMEOUT_MS,
    MAX_MESSAGE_COUNT,
    PYTHON_CHAINCODE,
    BenchNetwork,
    BlockCutting,
)

PEER_PORT_STEP = 10  # fabric.yaml: peer N of an organisation uses its org's ports + 10 * N
PORT_TRIES = 50


class _FabricBench(BenchNetwork):
    def stop(self) -> None:
        from gridledger_network.fabric import down

        down(self.home)


def peer_base_ports(count: int, peers: int, avoid: list[int]) -> list[int]:
    """``count`` free ports, none in ``avoid``, each with its ``+ PEER_PORT_STEP * k``
    (k < ``peers``) free and distinct from every other's."""
    chosen: list[int] = []
    taken = set(avoid)
    for _ in range(PORT_TRIES):
        for port in free_ports(count):
            shifted = [port + PEER_PORT_STEP * k for k in range(peers)]
            usable = all(p < 65536 and p not in taken and port_free(p) for p in shifted)
            if len(chosen) < count and usable:
                chosen.append(port)
                taken.update(shifted)
        if len(chosen) == count:
            return chosen
    raise RuntimeError(
        f"no {count} free ports with their +{PEER_PORT_STEP}s free for {peers} peers"
    )


def start_fabric_network(home: Path, layout: FabricLayout | None = None) -> BenchNetwork:
    """Bring real Fabric up in ``home``; raises if the binaries or the bring-up fail."""
    from gridledger_network.devnet.config import (
        BatchConfig,
        ChaincodeConfig,
        PeerConfig,
        default_config,
    )
    from gridledger_network.fabric import find_binaries, up
    from gridledger_network.fabric.config import (
        CONFIG_FILE,
        FabricConfig,
        OrdererPorts,
        PeerPorts,
        write_fabric_config,
    )

    layout = layout or FabricLayout()
    binaries = find_binaries()
    home.mkdir(parents=True, exist_ok=True)
    ports = free_ports(4)  # orderer: listen, admin, operations; the chaincode server
    org_ports = peer_base_ports(3 * layout.orgs, layout.peers, ports)
    base = default_config()
    peers = tuple(PeerConfig(msp_id, org_ports[3 * i]) for i, msp_id in enumerate(layout.msp_ids))
    network = dataclasses.replace(
        base,
        peers=peers,
        batch=BatchConfig(max_message_count=MAX_MESSAGE_COUNT, batch_timeout_ms=BATCH_TIMEOUT_MS),
        chaincodes=(
            ChaincodeConfig(
                name=PYTHON_CHAINCODE, address=f"127.0.0.1:{ports[3]}", policy=layout.policy
            ),
        ),
    )
    config = FabricConfig(
        network=network,
        orderers=(OrdererPorts(ports[0], ports[1], ports[2]),),
        peer_ports={
            peer.msp_id: PeerPorts(peer.port, org_ports[3 * i + 1], org_ports[3 * i + 2])
            for i, peer in enumerate(peers)
        },
        chaincode_servers={PYTHON_CHAINCODE: "python"},
        peer_counts=dict.fromkeys(layout.msp_ids, layout.peers),
    )
    write_fabric_config(home / CONFIG_FILE, config)
    bench = _FabricBench(
        kind=f"fabric {binaries.version()}",
        home=home,
        block_cutting=BlockCutting(BATCH_TIMEOUT_MS, MAX_MESSAGE_COUNT),
        chaincodes={"python": PYTHON_CHAINCODE},
        layout=layout.describe(),
        lanes=format_lanes(layout.lanes),
    )
    try:
        fabric = up(home, binaries=binaries, ready_timeout=300.0)
        for name, pid in fabric.profile.get("processes", {}).items():
            if pid:
                role = "python cc" if name.startswith("chaincode") else name
                bench.processes[role] = int(pid)
    except BaseException:
        bench.stop()
        raise
    return bench
