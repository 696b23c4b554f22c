"""Which network the integration and conformance suites run on: the devnet or real Fabric.

The devnet is the default. ``GRIDLEDGER_BACKEND=fabric`` (or a ``-m`` expression naming
``fabric``) selects real Fabric, brought up by ``gridledger_network.fabric`` on free ports with
the binaries from ``$FABRIC_BIN``, the ``PATH`` or the project's cache; where none are found the
tests that need the network are skipped with one line saying why.

``start_backend_network(home, config, with_node_chaincode=...)`` returns a network with the
attributes of ``harness.devnet.TestNetwork`` (``home``, ``channel``, ``chaincode``,
``node_chaincode``, ``collection``, ``orgs``, ``profile``, ``describe()``, ``stop()``) plus
``backend`` and ``start_node_chaincode()``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from gridledger_network.fabric.binaries import BinariesNotFound, FabricBinaries, find_binaries
from gridledger_network.fabric.config import (
    FabricConfig,
    OrdererPorts,
    PeerPorts,
    write_fabric_config,
)
from gridledger_network.fabric.network import FabricNetwork, stop, up
from gridledger_network.processes import ManagedProcess, free_ports
from harness.devnet import (
    BOTH_ORGS_POLICY,
    CHANNEL,
    NODE_CHAINCODE,
    ORGS,
    PRIVATE_COLLECTION,
    PYTHON_CHAINCODE,
    NetworkFolder,
    devnet_config,
    serve_node_chaincode,
    start_test_network,
)

BACKEND_ENV = "GRIDLEDGER_BACKEND"
BACKENDS = ("devnet", "fabric")


def selected_backend(config: pytest.Config) -> str:
    """``fabric`` when ``$GRIDLEDGER_BACKEND`` says so or ``-m`` names the fabric marker."""
    chosen = os.environ.get(BACKEND_ENV, "").strip().lower()
    if chosen:
        if chosen not in BACKENDS:
            raise pytest.UsageError(f"{BACKEND_ENV}={chosen!r}: expected one of {BACKENDS}")
        return chosen
    markexpr = str(getattr(config.option, "markexpr", "") or "")
    if "fabric" in markexpr.replace("not fabric", ""):
        return "fabric"
    return "devnet"


def fabric_binaries_or_skip() -> FabricBinaries:
    """The binaries, or skip the test with one line saying where they were looked for."""
    try:
        return find_binaries()
    except BinariesNotFound as err:
        pytest.skip(f"real Fabric not available: {err}")


def fabric_test_config(orderers: int = 1, *, with_node_chaincode: bool) -> FabricConfig:
    """The session devnet's configuration (same orgs, users, chaincodes) on free ports."""
    ports = iter(free_ports(3 * orderers + 3 * len(ORGS) + 2))
    chaincode_ports = {PYTHON_CHAINCODE: next(ports)}
    node_port = next(ports)
    if with_node_chaincode:
        chaincode_ports[NODE_CHAINCODE] = node_port
    raw = devnet_config({org: next(ports) for org in ORGS}, chaincode_ports)
    from gridledger_network.devnet.config import parse_config

    network = parse_config(raw)
    peer_ports = {p.msp_id: PeerPorts(p.port, next(ports), next(ports)) for p in network.peers}
    orderer_ports = tuple(
        OrdererPorts(next(ports), next(ports), next(ports)) for _ in range(orderers)
    )
    servers = {PYTHON_CHAINCODE: "python", NODE_CHAINCODE: "external"}
    return FabricConfig(network, orderer_ports, peer_ports, servers)


@dataclass
class FabricTestNetwork(NetworkFolder):
    """A real Fabric network with our Python chaincode, shaped like ``harness.TestNetwork``."""

    __test__ = False

    home: Path
    fabric: FabricNetwork
    channel: str = CHANNEL
    chaincode: str = PYTHON_CHAINCODE
    node_chaincode: str | None = None
    collection: str = PRIVATE_COLLECTION
    orgs: tuple[str, ...] = ORGS
    backend: str = "fabric"
    processes: list[ManagedProcess] = field(default_factory=list)
    policy: str = BOTH_ORGS_POLICY

    def start_node_chaincode(self) -> ManagedProcess:
        """Hyperledger's Node chaincode under the package id the peers installed."""
        if self.node_chaincode is None:
            raise RuntimeError("this network was brought up without the Node chaincode")
        package_id = self.describe()["chaincodes"][self.node_chaincode]["package_id"]
        return serve_node_chaincode(self, self.node_chaincode, package_id)

    def stop(self) -> None:
        """Stop every process, keep the state (as the devnet's ``TestNetwork.stop`` does)."""
        self.stop_servers()
        stop(self.home)


def start_fabric_test_network(
    home: Path, *, with_node_chaincode: bool, orderers: int = 1
) -> FabricTestNetwork:
    """Bring real Fabric up in ``home`` on free ports (skips the test when no binaries).

    A home that already holds a network (stopped by ``stop()``) restarts on its ledgers and ports.
    """
    binaries = fabric_binaries_or_skip()
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "fabric.yaml").exists():
        config = fabric_test_config(orderers, with_node_chaincode=with_node_chaincode)
        write_fabric_config(home / "fabric.yaml", config)
    try:
        fabric = up(home, binaries=binaries, ready_timeout=120)
    except BaseException:
        stop(home)  # keep logs and state for inspection
        raise
    return FabricTestNetwork(
        home, fabric, node_chaincode=NODE_CHAINCODE if with_node_chaincode else None
    )


def start_backend_network(home: Path, config: pytest.Config, *, with_node_chaincode: bool) -> Any:
    """The session's network on the selected backend (devnet by default)."""
    if selected_backend(config) == "fabric":
        return start_fabric_test_network(home, with_node_chaincode=with_node_chaincode)
    return start_test_network(home, with_node_chaincode=with_node_chaincode)
