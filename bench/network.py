"""Bring up the network a benchmark runs on: the devnet, our Python chaincode, the Node one.

Processes, ports and chaincode servers come from ``gridledger_network`` (Hyperledger's Node
chaincode from the repository's Node package, which ``make install`` fills); the devnet
configuration is the benchmark's own, so block cutting is fixed here and printed.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gridledger.gateway import GatewayError
from gridledger.profile import ConnectionProfile
from gridledger_network.chaincode_server import node_chaincode, python_chaincode, spawn_chaincode
from gridledger_network.devnet.crypto.layout import CryptoLayout
from gridledger_network.devnet.launcher import DevnetHandle, start_devnet
from gridledger_network.processes import HOST, ManagedProcess, free_ports, wait_until

REPO_ROOT = Path(__file__).resolve().parents[1]
NODE_PACKAGE = REPO_ROOT / "tests" / "conformance" / "node"  # filled by `make install`

CHANNEL = "energy"
OPERATOR = "GridOperatorMSP"
PROSUMER = "ProsumerMSP"
ORGS = (OPERATOR, PROSUMER)
PYTHON_CHAINCODE = "gridledger"
NODE_CHAINCODE = "kvnode"
BOTH_ORGS = f"AND('{OPERATOR}.peer','{PROSUMER}.peer')"
UTILITY_ONLY_CHAINCODE = "gridledger-utility"
UTILITY_ONLY = f"OR('{OPERATOR}.peer')"
UTILITY_ATTR = "gridledger.role"
SETTLEMENT_CONSUMERS = 12  # P4: devnet users bench-c00.. (bench/settlement_worker.py)
P4SCALE_USERS = ("bench-holder", "bench-seller", "bench-buyer")  # bench/p4_worker.py
BATCH_TIMEOUT_MS = 100
MAX_MESSAGE_COUNT = 500


@dataclass(frozen=True, slots=True)
class BlockCutting:
    batch_timeout_ms: int
    max_message_count: int

    def describe(self) -> str:
        return f"blocks cut at {self.batch_timeout_ms} ms or {self.max_message_count} transactions"


@dataclass
class BenchNetwork:
    """A running network; ``processes`` maps a role ("devnet", "python cc", ...) to its pid."""

    kind: str
    home: Path
    block_cutting: BlockCutting
    chaincodes: dict[str, str]  # "python" / "node" -> chaincode name on the channel
    processes: dict[str, int] = field(default_factory=dict)
    layout: str = f"2 orgs x 1 peer, endorsement {BOTH_ORGS}"
    lanes: str = ""  # P3's readings worker --lanes (bench/fabric_layout.py); "" = the utility's org
    _managed: list[ManagedProcess] = field(default_factory=list)
    _devnet: DevnetHandle | None = None

    @property
    def network_json(self) -> Path:
        return self.home / "network.json"

    def stop(self) -> None:
        for process in reversed(self._managed):
            process.stop()
        self._managed.clear()
        if self._devnet is not None:
            self._devnet.stop()
            self._devnet = None


def _devnet_config(peer_ports: list[int], chaincode_ports: dict[str, int]) -> dict[str, Any]:
    return {
        "channel": CHANNEL,
        "peers": {msp: {"port": port} for msp, port in zip(ORGS, peer_ports, strict=True)},
        "batch": {
            "max_message_count": MAX_MESSAGE_COUNT,
            "batch_timeout_ms": BATCH_TIMEOUT_MS,
            "preferred_max_bytes": 2 * 1024 * 1024,
        },
        "users": [
            {"org": OPERATOR, "name": "utility", "ou": "client", "attrs": {UTILITY_ATTR: "utility"}}
        ]
        + [
            {"org": PROSUMER, "name": f"bench-c{index:02d}", "ou": "client"}
            for index in range(SETTLEMENT_CONSUMERS)
        ]
        + [{"org": PROSUMER, "name": name, "ou": "client"} for name in P4SCALE_USERS],
        "chaincodes": [
            {"name": name, "address": f"127.0.0.1:{port}", "tls": True, "policy": BOTH_ORGS}
            for name, port in chaincode_ports.items()
        ]
        # P3 variant: the same Python chaincode server, defined again with a utility-only policy
        + [
            {
                "name": UTILITY_ONLY_CHAINCODE,
                "address": f"127.0.0.1:{chaincode_ports[PYTHON_CHAINCODE]}",
                "tls": True,
                "policy": UTILITY_ONLY,
            }
        ],
    }


def _answers(network_json: Path, chaincode: str) -> bool:
    profile = ConnectionProfile.load(network_json)
    for msp_id in ORGS:
        try:
            with profile.connect(msp_id, user="User1") as gateway:
                gateway.network(CHANNEL).contract(chaincode, "kv").evaluate("Noop")
        except GatewayError:
            return False
    return True


def _serve(network: BenchNetwork, role: str, process: ManagedProcess, chaincode: str) -> None:
    network._managed.append(process)
    network.processes[role] = process.process.pid
    wait_until(
        lambda: _answers(network.network_json, chaincode),
        owner=process,
        what=f"answer from {chaincode} through both peers",
        interval_seconds=0.2,
    )


def start_devnet_network(home: Path, *, with_node: bool) -> BenchNetwork:
    """The devnet with our chaincode and (``with_node``) Hyperledger's Node kv chaincode."""
    home.mkdir(parents=True, exist_ok=True)
    ports = free_ports(4)
    chaincode_ports = {PYTHON_CHAINCODE: ports[2]}
    if with_node:
        chaincode_ports[NODE_CHAINCODE] = ports[3]
    network = BenchNetwork(
        kind="devnet",
        home=home,
        block_cutting=BlockCutting(BATCH_TIMEOUT_MS, MAX_MESSAGE_COUNT),
        chaincodes={"python": PYTHON_CHAINCODE, "python-utility": UTILITY_ONLY_CHAINCODE}
        | ({"node": NODE_CHAINCODE} if with_node else {}),
    )
    try:
        config = _devnet_config(ports[:2], chaincode_ports)
        network._devnet = start_devnet(home, config, timeout=60.0)
        network.processes["devnet"] = network._devnet.pid
        tls_dir = CryptoLayout(home / "crypto").chaincode_tls_dir
        for kind, chaincode in (("python", PYTHON_CHAINCODE), ("node", NODE_CHAINCODE)):
            if chaincode in chaincode_ports:
                process = start_chaincode_server(
                    kind, f"{chaincode}_1.0:bench", chaincode_ports[chaincode], tls_dir, home
                )
                _serve(network, f"{kind} cc", process, chaincode)
    except BaseException:
        network.stop()
        raise
    return network


def start_chaincode_server(
    kind: str, chaincode_id: str, port: int, tls_dir: Path, home: Path
) -> ManagedProcess:
    """Our Python chaincode (``kind`` "python") or Hyperledger's Node one; log in home/logs."""
    address = f"{HOST}:{port}"
    launch = (
        python_chaincode(chaincode_id, address, tls_dir)
        if kind == "python"
        else node_chaincode(chaincode_id, address, tls_dir, NODE_PACKAGE)
    )
    return spawn_chaincode(f"{kind} chaincode", launch, home / "logs" / f"{kind}-chaincode.log")


def node_available() -> bool:
    """Hyperledger's Node chaincode and the ``node`` runtime are installed."""
    server = NODE_PACKAGE / "node_modules" / ".bin" / "fabric-chaincode-node"
    return server.exists() and shutil.which("node") is not None
