"""A devnet in a temporary home, with our Python chaincode and (optionally) the Node one behind it.

``start_test_network(home, with_node_chaincode=...)`` starts the devnet with free ports through
``gridledger_network.devnet.launcher.start_devnet``, then our chaincode server with the devnet's
chaincode TLS pair, waits until both orgs' peers answer a ``kv:Noop`` evaluate, and returns a
``TestNetwork``; ``start_node_chaincode_server(network)`` adds Hyperledger's Node chaincode.
``TestNetwork.stop()`` ends every process it started. Logs: ``home/devnet.log``, ``home/logs/``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gridledger_network.devnet.config import MARKET_USERS, default_endorsement_policy
from gridledger_network.devnet.launcher import DevnetHandle, start_devnet
from gridledger_network.processes import ManagedProcess, NodeStartError, free_ports, wait_until

from harness.chaincode_servers import start_node_chaincode, start_python_chaincode
from harness.layout import ChaincodeTls

CHANNEL = "energy"
OPERATOR = "GridOperatorMSP"
PROSUMER = "ProsumerMSP"
RETAILER = "RetailerMSP"
ORGS = (OPERATOR, PROSUMER)
THREE_ORGS = (OPERATOR, PROSUMER, RETAILER)
# RetailerMSP's market people, in a three-organisation devnet only
RETAIL_USERS = {"erin": RETAILER, "frank": RETAILER}
PYTHON_CHAINCODE = "gridledger"
NODE_CHAINCODE = "kvnode"
PRIVATE_COLLECTION = "operatorPrivate"
BOTH_ORGS_POLICY = f"AND('{OPERATOR}.peer','{PROSUMER}.peer')"
# a collection with its own endorsement policy (the operator's peer alone), which replaces the
# chaincode's for writes to it
ENDORSED_COLLECTION = "operatorEndorsed"
ENDORSED_COLLECTION_POLICY = f"OR('{OPERATOR}.peer')"
# the operator's collection with member-only reads and writes (Fabric's memberOnlyRead and
# memberOnlyWrite): another organisation's client gets nothing through the operator's peer
MEMBER_ONLY_COLLECTION = "operatorMemberOnly"


def devnet_config(peer_ports: dict[str, int], chaincode_ports: dict[str, int]) -> dict[str, Any]:
    """The ``devnet.yaml`` content (format in docs/devnet.md); with more than two organisations
    the chaincode's policy is the devnet's default (the utility's AND any one other) and
    RetailerMSP's people (``RETAIL_USERS``) have certificates too."""
    orgs = list(peer_ports)
    people = {**MARKET_USERS, **{u: o for u, o in RETAIL_USERS.items() if o in peer_ports}}
    policy = BOTH_ORGS_POLICY if len(orgs) <= 2 else default_endorsement_policy(orgs)
    return {
        "channel": CHANNEL,
        "peers": {msp_id: {"port": port} for msp_id, port in peer_ports.items()},
        "batch": {"max_message_count": 500, "batch_timeout_ms": 50, "preferred_max_bytes": 2097152},
        "users": [
            {
                "org": OPERATOR,
                "name": "utility",
                "ou": "client",
                "attrs": {"gridledger.role": "utility"},
            },
            *({"org": org, "name": name, "ou": "client"} for name, org in people.items()),
        ],
        "chaincodes": [
            {
                "name": name,
                "address": f"127.0.0.1:{port}",
                "tls": True,
                "policy": policy,
                "collections": [
                    {"name": PRIVATE_COLLECTION, "members": [OPERATOR], "block_to_live": 0},
                    {
                        "name": ENDORSED_COLLECTION,
                        "members": [OPERATOR],
                        "block_to_live": 0,
                        "endorsement_policy": ENDORSED_COLLECTION_POLICY,
                    },
                    {
                        "name": MEMBER_ONLY_COLLECTION,
                        "members": [OPERATOR],
                        "block_to_live": 0,
                        "endorsement_policy": ENDORSED_COLLECTION_POLICY,
                        "member_only_read": True,
                        "member_only_write": True,
                    },
                ],
            }
            for name, port in chaincode_ports.items()
        ],
    }


class NetworkFolder:
    """What a test network offers from its home (``network.json``), and the servers it started.

    Base of ``TestNetwork`` and of the real-Fabric ``FabricTestNetwork`` (tests/fabric/backend.py).
    """

    home: Path
    channel: str
    orgs: tuple[str, ...]
    processes: list[ManagedProcess]

    @property
    def network_json(self) -> Path:
        return self.home / "network.json"

    @property
    def profile(self) -> Any:
        from gridledger.profile import ConnectionProfile

        return ConnectionProfile.load(self.network_json)

    def describe(self) -> dict[str, Any]:
        return json.loads(self.network_json.read_text(encoding="utf-8"))  # type: ignore[no-any-return]

    def stop_servers(self) -> None:
        """Stop the chaincode servers started for this network, last started first."""
        for process in reversed(self.processes):
            process.stop()
        self.processes.clear()


@dataclass
class TestNetwork(NetworkFolder):
    """A running devnet and the chaincode servers behind it."""

    __test__ = False  # not a pytest test class

    home: Path
    channel: str
    chaincode: str
    node_chaincode: str | None
    collection: str
    orgs: tuple[str, ...]
    processes: list[ManagedProcess] = field(default_factory=list)
    devnet: DevnetHandle | None = None

    def stop(self) -> None:
        self.stop_servers()
        if self.devnet is not None:
            self.devnet.stop()
            self.devnet = None


def _chaincode_answers(network: NetworkFolder, chaincode: str) -> bool:
    from gridledger.gateway import GatewayError

    profile = network.profile
    for msp_id in network.orgs:
        try:
            with profile.connect(msp_id, user="User1") as gateway:
                gateway.network(network.channel).contract(chaincode, "kv").evaluate("Noop")
        except GatewayError:
            return False
    return True


def _wait_until_served(
    network: NetworkFolder, chaincode: str, server: ManagedProcess, language: str
) -> None:
    wait_until(
        lambda: _chaincode_answers(network, chaincode),
        owner=server,
        what=f"answer from the {language} chaincode through every organisation's peer",
        interval_seconds=0.3,
    )


def start_test_network(
    home: Path, *, with_node_chaincode: bool, orgs: tuple[str, ...] = ORGS
) -> TestNetwork:
    """Start the devnet and our chaincode; on failure stop what was started, raise NodeStartError.

    With ``with_node_chaincode`` the devnet also knows the Node chaincode's address; its server is
    started later, by ``start_node_chaincode_server``, only when a conformance test needs it.
    """
    home.mkdir(parents=True, exist_ok=True)
    ports = free_ports(len(orgs) + 2)
    peer_ports = dict(zip(orgs, ports, strict=False))
    chaincode_ports = {PYTHON_CHAINCODE: ports[-2]}
    if with_node_chaincode:
        chaincode_ports[NODE_CHAINCODE] = ports[-1]
    config = devnet_config(peer_ports, chaincode_ports)

    network = TestNetwork(
        home=home,
        channel=CHANNEL,
        chaincode=PYTHON_CHAINCODE,
        node_chaincode=NODE_CHAINCODE if with_node_chaincode else None,
        collection=PRIVATE_COLLECTION,
        orgs=orgs,
    )
    try:
        network.devnet = start_devnet(home, config, timeout=60.0, log_level="INFO")
        tls = ChaincodeTls.of_home(home)
        if not tls.exists():
            raise NodeStartError(f"devnet wrote no chaincode TLS pair in {tls.directory}")
        python_cc = start_python_chaincode(
            f"{PYTHON_CHAINCODE}_1.0:test",
            chaincode_ports[PYTHON_CHAINCODE],
            tls,
            home / "logs" / "python-chaincode.log",
        )
        network.processes.append(python_cc)
        _wait_until_served(network, PYTHON_CHAINCODE, python_cc, "Python")
    except BaseException:
        network.stop()
        raise
    return network


def serve_node_chaincode(network: NetworkFolder, chaincode: str, package_id: str) -> ManagedProcess:
    """Hyperledger's Node chaincode under ``package_id`` at the address ``network.json`` gives
    ``chaincode``; returns once both orgs' peers reach it."""
    address = network.describe()["chaincodes"][chaincode]["address"]
    port = int(str(address).rsplit(":", 1)[1])
    node_cc = start_node_chaincode(
        package_id,
        port,
        ChaincodeTls.of_home(network.home),
        network.home / "logs" / "node-chaincode.log",
    )
    network.processes.append(node_cc)
    _wait_until_served(network, chaincode, node_cc, "Node")
    return node_cc


def start_node_chaincode_server(network: TestNetwork) -> ManagedProcess:
    """Start Hyperledger's Node chaincode at the address the devnet was configured with."""
    starter = getattr(network, "start_node_chaincode", None)
    if starter is not None:  # real Fabric: the server must register under the package id
        return starter()  # type: ignore[no-any-return]
    if network.node_chaincode is None:
        raise NodeStartError("this devnet was started without the Node chaincode configured")
    return serve_node_chaincode(
        network, network.node_chaincode, f"{network.node_chaincode}_1.0:test"
    )


@contextmanager
def running_test_network(home: Path, *, with_node_chaincode: bool) -> Iterator[TestNetwork]:
    network = start_test_network(home, with_node_chaincode=with_node_chaincode)
    try:
        yield network
    finally:
        network.stop()
