"""Real Fabric across emulated hosts: three organisations (GridOperatorMSP, ProsumerMSP,
RetailerMSP) with two peers each and three Raft orderers, each organisation and each orderer in
its own Linux network namespace on a bridge (``fabric.yaml``'s ``netns``). The tests dial the nodes
from the root namespace through the bridge: a market day across the three organisations, then
RetailerMSP's peer0 stopped and its users trading on through peer1.

Needs Fabric's binaries and root (skipped otherwise). Traffic goes only to the bridge's subnet,
which the bring-up made, and to loopback; ``down`` removes every namespace, veth and the bridge.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from gridledger.energy import EnergyClient, Role, Trade, price_from_minor_per_kwh
from gridledger.energy.client import CHAINCODE
from gridledger.energy.errors import NotFound
from gridledger.profile import ConnectionProfile
from gridledger_network.devnet.config import parse_config
from gridledger_network.fabric import netns
from gridledger_network.fabric.config import (
    FabricConfig,
    NetnsConfig,
    OrdererPorts,
    PeerPorts,
    with_netns,
    write_fabric_config,
)
from gridledger_network.fabric.network import FabricNetwork, down, up
from gridledger_network.fabric.nodes import node_pid, start_node, stop_node
from gridledger_network.processes import free_ports
from harness.devnet import OPERATOR, PROSUMER, PYTHON_CHAINCODE, RETAILER, THREE_ORGS, devnet_config
from integration.energy.conftest import tariff_v1
from integration.energy.test_three_orgs import NEXT, Q, retail_market_day

from fabric.backend import fabric_binaries_or_skip

pytestmark = pytest.mark.fabric

SUBNET = "10.77.0.0/24"
PREFIX = "glt"
PEERS_PER_ORG = 2
ORDERERS = 3
BRINGUP_TIMEOUT = 900
AFTER = NEXT + timedelta(days=1)  # a day after the market day, for trading with a peer down


@dataclass
class Hosts:
    home: Path
    config: FabricConfig
    profile: ConnectionProfile
    document: dict[str, Any]
    clients: dict[str, EnergyClient] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)


def hosts_config(
    chaincode_port: int,
    *,
    orderers: int = ORDERERS,
    peers: int = PEERS_PER_ORG,
    consensus: str = "raft",
    prefix: str = PREFIX,
    subnet: str = SUBNET,
) -> FabricConfig:
    """Three organisations of ``peers`` peers, ``orderers`` orderers; every organisation and
    orderer in its own namespace, so all may use the same ports (peer1 on peer0's ports + 10)."""
    raw = devnet_config(dict.fromkeys(THREE_ORGS, 7051), {PYTHON_CHAINCODE: chaincode_port})
    network = parse_config(raw)
    config = FabricConfig(
        network,
        tuple(OrdererPorts(7050, 7053, 9443) for _ in range(orderers)),
        {m: PeerPorts(7051, 7052, 9446) for m in THREE_ORGS},
        {PYTHON_CHAINCODE: "python"},
        peer_counts=dict.fromkeys(THREE_ORGS, peers),
        consensus=consensus,
    )
    return with_netns(config, NetnsConfig(subnet, prefix))


@contextmanager
def network_in_namespaces(home: Path, config: FabricConfig) -> Iterator[FabricNetwork]:
    """``config`` brought up in ``home`` (skips without binaries or root); ``down`` afterwards,
    and no namespace, veth or bridge left."""
    binaries = fabric_binaries_or_skip()
    reason = netns.available()
    if reason is not None:
        pytest.skip(f"Fabric across namespaces: {reason}")
    if netns.leftovers(config):
        pytest.skip(f"namespaces of another run are still there: {netns.leftovers(config)}")
    write_fabric_config(home / "fabric.yaml", config)
    try:
        started = time.monotonic()
        fabric = up(home, binaries=binaries, ready_timeout=300)
        print(f"\nbring-up in namespaces: {time.monotonic() - started:.1f}s, laps {fabric.timings}")
        yield fabric
    finally:
        down(home)
        left = netns.leftovers(config)
        assert not left, f"left behind after down: {left}"


@pytest.fixture(scope="module")
def hosts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hosts]:
    home = tmp_path_factory.mktemp("fabric-hosts")
    config = hosts_config(free_ports(1)[0])
    with network_in_namespaces(home, config), contextlib.ExitStack() as opened:
        profile = ConnectionProfile.load(home / "network.json")
        document = json.loads((home / "network.json").read_text(encoding="utf-8"))
        state = Hosts(home, config, profile, document)
        for name, msp_id in (("utility", OPERATOR), ("erin", RETAILER), ("solar-farm", PROSUMER)):
            state.clients[name] = opened.enter_context(EnergyClient.connect(profile, msp_id, name))
        yield state


def _namespace_of(pid: int) -> str:
    done = subprocess.run(
        [netns.ip_command(), "netns", "identify", str(pid)],
        capture_output=True,
        text=True,
        check=True,
        timeout=10,
    )
    return done.stdout.strip()


def _san_addresses(cert_path: Path) -> list[str]:
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return [str(ip) for ip in sans.get_values_for_type(x509.IPAddress)]


@pytest.mark.timeout(BRINGUP_TIMEOUT)
def test_every_node_runs_in_its_namespace_at_its_address(hosts: Hosts) -> None:
    document = hosts.document
    assert [o["endpoint"] for o in document["orderers"]] == [
        f"10.77.0.{100 + i}:7050" for i in range(ORDERERS)
    ]
    for index, msp_id in enumerate(THREE_ORGS):
        org = document["organizations"][msp_id]
        assert [p["endpoint"] for p in org["peer_endpoints"]] == [
            f"10.77.0.{10 + index}:7051",
            f"10.77.0.{10 + index}:7061",
        ]
        for peer in range(PEERS_PER_ORG):
            pid = node_pid(hosts.home, f"peer{peer}-{msp_id.lower()}")
            assert pid is not None and _namespace_of(pid) == f"{PREFIX}-org{index}"
            domain = org["peer_host"].split(".", 1)[1]
            tls = hosts.home / "crypto" / "peerOrganizations" / domain / "peers"
            assert f"10.77.0.{10 + index}" in _san_addresses(
                tls / f"peer{peer}.{domain}" / "tls" / "server.crt"
            )
    for index in range(ORDERERS):
        pid = node_pid(hosts.home, f"orderer{index}")
        assert pid is not None and _namespace_of(pid) == f"{PREFIX}-ord{index}"
    chaincode = document["chaincodes"][CHAINCODE]["address"]
    assert chaincode.startswith("10.77.0.1:")  # the bridge: the root namespace's address


@pytest.mark.timeout(BRINGUP_TIMEOUT)
def test_a_market_day_across_three_organisations(hosts: Hosts) -> None:
    utility, erin, solar = (hosts.clients[n] for n in ("utility", "erin", "solar-farm"))
    utility.set_tariff(tariff_v1())
    for client, role in ((erin, Role.CONSUMER), (solar, Role.PRODUCER)):
        utility.register_participant(client.whoami(), role, zone="north", display_name="x")
        client.refresh_whoami()
    solar_meter = retail_market_day(utility, erin, solar)
    hosts.ids.update(erin=erin.whoami().participant_id, solar_meter=solar_meter)


@pytest.mark.timeout(BRINGUP_TIMEOUT)
def test_with_its_peer0_stopped_an_organisations_users_trade_through_peer1(hosts: Hosts) -> None:
    if "solar_meter" not in hosts.ids:
        pytest.skip("needs the market day's participants and meters")
    solar = hosts.clients["solar-farm"]
    peer0 = f"peer0-{RETAILER.lower()}"
    assert stop_node(hosts.home, peer0)
    try:
        started = time.monotonic()
        with EnergyClient.connect(hosts.profile, RETAILER, "erin") as erin:
            assert erin.whoami().participant_id == hosts.ids["erin"]
            offer = solar.post_offer(
                hosts.ids["solar_meter"], AFTER + 40 * Q, 4, 1000, price_from_minor_per_kwh("9")
            )
            # erin's records: RetailerMSP's peer1 endorses (once it has the offer's block)
            bought = _buy_once_seen(erin, offer.offer_id, 250)
            seconds = time.monotonic() - started
        assert len(bought) == 4
        print(f"\nRetailerMSP's peer0 down: connect, offer and buy through peer1 in {seconds:.1f}s")
    finally:
        start_node(hosts.home, peer0)


def _buy_once_seen(buyer: EnergyClient, offer_id: str, quantity_wh: int) -> list[Trade]:
    """Buy an offer just posted through another organisation: its block reaches the endorsing
    peers a moment after the poster's peer committed it (NotFound until then)."""
    for _ in range(40):
        try:
            return buyer.buy(offer_id, quantity_wh)
        except NotFound:
            time.sleep(0.25)
    return buyer.buy(offer_id, quantity_wh)
