"""``fabric.yaml``: the devnet.yaml format (docs/devnet.md) plus orderers and per-peer ports.

```yaml
channel: energy
netns: {subnet: 10.77.0.0/24, prefix: gl}   # optional: one network namespace per org/orderer
consensus: raft                # raft (etcdraft: 1, 3 or 5 orderers) or bft (SmartBFT: 4)
orderers:
  - {port: 7050, admin_port: 7053, operations_port: 9443, address: 127.0.0.1}
peers:                         # any number of organisations, `peers` nodes each (peer0, peer1..)
  GridOperatorMSP: {port: 7051, chaincode_port: 7052, operations_port: 9446,
                    address: 127.0.0.1, peers: 1}
  ProsumerMSP: {port: 9051, chaincode_port: 9052, operations_port: 9447, address: 127.0.0.1}
batch: {max_message_count: 500, batch_timeout_ms: 100, preferred_max_bytes: 2097152}
users: [...]                   # as in devnet.yaml
chaincodes:                    # as in devnet.yaml, plus `server`
  - {name: gridledger, address: 127.0.0.1:9999, policy: "AND(...)", server: python}
```

``address`` is the IP address a node (an organisation's peers, an orderer) listens on and is
dialled at; its TLS certificate carries it, with the node's host name (``peerN.<org domain>``,
``ordererN.<orderer domain>``). Peer ``N`` of an organisation listens on its org's ports plus
``10 * N``. ``netns`` makes ``up`` create one Linux network namespace per organisation and per
orderer, each with its address on a bridge (the subnet's first address is the bridge's, where the
chaincode servers listen; organisation ``i`` gets host ``10 + i``, orderer ``i`` host ``100 + i``
unless addresses are given), and ``down``/``stop`` remove them (docs/fabric.md).

``server: python`` (default) makes ``up`` run our Python chaincode at ``address``; ``external``
deploys the definition only, and whoever runs the server reads the package id from network.json.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from gridledger_network.devnet.config import (
    ConfigError,
    DevnetConfig,
    config_to_dict,
    default_config,
    parse_config,
    with_peer_counts,
)

CONFIG_FILE = "fabric.yaml"
SERVER_KINDS = ("python", "external")
LOOPBACK = "127.0.0.1"
PEER_PORT_STEP = 10  # peer N of an organisation listens on its org's ports + N * this
DEFAULT_SUBNET = "10.77.0.0/24"
DEFAULT_PREFIX = "gl"
ORG_HOST_BASE = 10
ORDERER_HOST_BASE = 100
ORDERER_COUNTS = {"raft": (1, 3, 5), "bft": (4,)}


@dataclass(frozen=True, slots=True)
class NodePorts:
    """The TCP ports one node listens on: ``port`` for its clients, then one per other role."""

    port: int

    def all(self) -> dict[str, int]:
        """Each port by role: ``listen`` for ``port``, ``admin`` for ``admin_port``, ..."""
        return {
            "listen" if f.name == "port" else f.name.removesuffix("_port"): getattr(self, f.name)
            for f in fields(self)
        }


@dataclass(frozen=True, slots=True)
class OrdererPorts(NodePorts):
    admin_port: int
    operations_port: int


@dataclass(frozen=True, slots=True)
class PeerPorts(NodePorts):
    chaincode_port: int
    operations_port: int


@dataclass(frozen=True, slots=True)
class NetnsConfig:
    """One network namespace per organisation and orderer, on a bridge in ``subnet``."""

    subnet: str = DEFAULT_SUBNET
    prefix: str = DEFAULT_PREFIX

    @property
    def network(self) -> ipaddress.IPv4Network:
        return ipaddress.IPv4Network(self.subnet)

    @property
    def bridge_address(self) -> str:
        return str(self.network[1])

    def org_address(self, index: int) -> str:
        return str(self.network[ORG_HOST_BASE + index])

    def orderer_address(self, index: int) -> str:
        return str(self.network[ORDERER_HOST_BASE + index])


@dataclass(frozen=True, slots=True)
class FabricConfig:
    """The network: the devnet-shaped part (orgs, users, chaincodes, batch) plus nodes.

    ``orderer_addresses``/``peer_addresses`` default to 127.0.0.1, ``peer_counts`` to one peer.
    """

    network: DevnetConfig
    orderers: tuple[OrdererPorts, ...]
    peer_ports: Mapping[str, PeerPorts]
    chaincode_servers: Mapping[str, str]  # chaincode name -> "python" | "external"
    orderer_addresses: tuple[str, ...] = ()
    peer_addresses: Mapping[str, str] = field(default_factory=dict)
    peer_counts: Mapping[str, int] = field(default_factory=dict)
    netns: NetnsConfig | None = None
    consensus: str = "raft"

    @property
    def channel(self) -> str:
        return self.network.channel

    def orderer_address(self, index: int) -> str:
        addresses = self.orderer_addresses
        return addresses[index] if index < len(addresses) else LOOPBACK

    def peer_address(self, msp_id: str) -> str:
        return self.peer_addresses.get(msp_id, LOOPBACK)

    def peer_count(self, msp_id: str) -> int:
        return self.peer_counts.get(msp_id, 1)

    def peer_indices(self, msp_id: str) -> range:
        return range(self.peer_count(msp_id))

    def node_ports(self, msp_id: str, index: int) -> PeerPorts:
        """The ports of peer ``index`` of ``msp_id`` (its org's, shifted by ``PEER_PORT_STEP``)."""
        base = self.peer_ports[msp_id]
        step = PEER_PORT_STEP * index
        return PeerPorts(base.port + step, base.chaincode_port + step, base.operations_port + step)

    def all_listeners(self) -> dict[tuple[str, int], str]:
        """Every (address, port) the network listens on, with who owns it."""
        owners: dict[tuple[str, int], str] = {}
        for index, orderer in enumerate(self.orderers):
            for role, port in orderer.all().items():
                owners[(self.orderer_address(index), port)] = f"orderer{index} {role}"
        for msp_id in self.peer_ports:
            for peer in self.peer_indices(msp_id):
                for role, port in self.node_ports(msp_id, peer).all().items():
                    owners[(self.peer_address(msp_id), port)] = f"{msp_id} peer{peer} {role}"
        for chaincode in self.network.chaincodes:
            if self.chaincode_servers.get(chaincode.name) == "python":
                host, listen = chaincode.address.rsplit(":", 1)
                owners[(host, int(listen))] = f"chaincode {chaincode.name}"
        return owners

    def all_ports(self) -> dict[int, str]:
        """Every TCP port the network listens on, with who owns it (for the taken-port check)."""
        return {port: owner for (_, port), owner in self.all_listeners().items()}


def with_netns(config: FabricConfig, netns: NetnsConfig | None = None) -> FabricConfig:
    """``config`` with each organisation and orderer in its own namespace on ``netns``'s bridge:
    addresses from the subnet, chaincode servers on the bridge's address."""
    netns = netns or NetnsConfig()
    chaincodes = tuple(
        replace(c, address=f"{netns.bridge_address}:{c.address.rsplit(':', 1)[1]}")
        for c in config.network.chaincodes
    )
    return replace(
        config,
        network=replace(config.network, chaincodes=chaincodes),
        orderer_addresses=tuple(netns.orderer_address(i) for i in range(len(config.orderers))),
        peer_addresses={m: netns.org_address(i) for i, m in enumerate(config.peer_ports)},
        netns=netns,
    )


def default_orderers(count: int) -> tuple[OrdererPorts, ...]:
    return tuple(OrdererPorts(7050 + 1000 * i, 7053 + 1000 * i, 9443 + i) for i in range(count))


def default_fabric_config(orderers: int = 1, consensus: str = "raft") -> FabricConfig:
    network = default_config()
    peer_ports = {
        p.msp_id: PeerPorts(p.port, p.port + 1, 9446 + i) for i, p in enumerate(network.peers)
    }
    servers = {c.name: "python" for c in network.chaincodes}
    return FabricConfig(
        network, default_orderers(orderers), peer_ports, servers, consensus=consensus
    )


def fabric_config_to_dict(config: FabricConfig) -> dict[str, Any]:
    document = config_to_dict(config.network)
    if config.netns is not None:
        document = {"netns": asdict(config.netns), **document}
    document["consensus"] = config.consensus
    document["orderers"] = [
        {**asdict(o), "address": config.orderer_address(i)} for i, o in enumerate(config.orderers)
    ]
    document["peers"] = {
        msp_id: {
            **asdict(p),
            "address": config.peer_address(msp_id),
            "peers": config.peer_count(msp_id),
        }
        for msp_id, p in config.peer_ports.items()
    }
    for chaincode in document["chaincodes"]:
        chaincode["server"] = config.chaincode_servers.get(chaincode["name"], "python")
    return document


def write_fabric_config(path: Path, config: FabricConfig) -> None:
    text = yaml.safe_dump(fabric_config_to_dict(config), sort_keys=False)
    path.write_text(text, encoding="utf-8")


def _port(raw: Mapping[str, Any], key: str, where: str, default: int | None = None) -> int:
    value = raw.get(key, default)
    if not isinstance(value, int) or not 0 < value < 65536:
        raise ConfigError(f"{where}.{key} must be a TCP port number, got {value!r}")
    return value


def _address(raw: Mapping[str, Any], where: str, default: str) -> str:
    value = raw.get("address", default)
    try:
        return str(ipaddress.IPv4Address(str(value)))
    except ValueError as exc:
        raise ConfigError(f"{where}.address must be an IPv4 address, got {value!r}") from exc


def _parse_netns(raw: object, source: str) -> NetnsConfig | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: 'netns' must be a mapping (subnet, prefix)")
    netns = NetnsConfig(
        str(raw.get("subnet", DEFAULT_SUBNET)), str(raw.get("prefix", DEFAULT_PREFIX))
    )
    try:
        size = netns.network.num_addresses
    except ValueError as exc:
        raise ConfigError(f"{source}: netns.subnet: {exc}") from exc
    if size < 256 or not netns.network.is_private:
        raise ConfigError(f"{source}: netns.subnet must be a private /24 or larger")
    if not netns.prefix.isalnum() or len(netns.prefix) > 4:
        raise ConfigError(f"{source}: netns.prefix must be 1-4 letters or digits")
    return netns


def parse_fabric_config(raw: object, source: str = CONFIG_FILE) -> FabricConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level")
    network = parse_config(raw, source)
    netns = _parse_netns(raw.get("netns"), source)
    consensus = str(raw.get("consensus", "raft"))
    if consensus not in ORDERER_COUNTS:
        raise ConfigError(f"{source}: consensus must be one of {list(ORDERER_COUNTS)}")
    raw_orderers = raw.get("orderers") or [{"port": 7050, "admin_port": 7053}]
    counts = ORDERER_COUNTS[consensus]
    if not isinstance(raw_orderers, list) or len(raw_orderers) not in counts:
        raise ConfigError(
            f"{source}: 'orderers' must list {' or '.join(map(str, counts))} "
            f"orderers for {consensus}"
        )
    orderers = []
    orderer_addresses = []
    for index, entry in enumerate(raw_orderers):
        if not isinstance(entry, dict):
            raise ConfigError(f"{source}: orderers[{index}] must be a mapping of ports")
        where = f"{source}: orderers[{index}]"
        default = netns.orderer_address(index) if netns else LOOPBACK
        orderer_addresses.append(_address(entry, where, default))
        orderers.append(
            OrdererPorts(
                _port(entry, "port", where),
                _port(entry, "admin_port", where),
                _port(entry, "operations_port", where, 9443 + index),
            )
        )
    peer_ports = {}
    peer_addresses = {}
    peer_counts = {}
    raw_peers = raw["peers"]
    for index, peer in enumerate(network.peers):
        entry = raw_peers[peer.msp_id]
        where = f"{source}: peers.{peer.msp_id}"
        default = netns.org_address(index) if netns else LOOPBACK
        peer_addresses[peer.msp_id] = _address(entry, where, default)
        count = entry.get("peers", 1)
        if not isinstance(count, int) or not 1 <= count <= 4:
            raise ConfigError(f"{where}.peers must be 1 to 4 peers, got {count!r}")
        peer_counts[peer.msp_id] = count
        peer_ports[peer.msp_id] = PeerPorts(
            peer.port,
            _port(entry, "chaincode_port", where, peer.port + 1),
            _port(entry, "operations_port", where, 9446 + index),
        )
    servers = {}
    for entry in raw.get("chaincodes") or []:
        kind = str(entry.get("server", "python"))
        if kind not in SERVER_KINDS:
            raise ConfigError(
                f"{source}: chaincode {entry['name']!r}: server must be {SERVER_KINDS}"
            )
        servers[str(entry["name"])] = kind
    config = FabricConfig(
        with_peer_counts(network, peer_counts),
        tuple(orderers),
        peer_ports,
        servers,
        tuple(orderer_addresses),
        peer_addresses,
        peer_counts,
        netns,
        consensus,
    )
    owners = config.all_listeners()
    count = sum(len(o.all()) for o in orderers)
    count += sum(len(p.all()) * peer_counts[m] for m, p in peer_ports.items())
    count += sum(1 for kind in servers.values() if kind == "python")
    if len(owners) != count:
        raise ConfigError(f"{source}: two listeners share an address and port; give each its own")
    return config


def load_fabric_config(
    home: Path, orderers: int | None = None, *, netns: bool = False, consensus: str = "raft"
) -> FabricConfig:
    """Read ``home/fabric.yaml``; write the defaults (``orderers`` nodes of ``consensus``, in
    network namespaces with ``netns``) first if missing."""
    path = home / CONFIG_FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        if consensus not in ORDERER_COUNTS:
            raise ConfigError(f"consensus must be one of {list(ORDERER_COUNTS)}")
        config = default_fabric_config(orderers or ORDERER_COUNTS[consensus][0], consensus)
        write_fabric_config(path, with_netns(config) if netns else config)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    config = parse_fabric_config(raw, source=str(path))
    if orderers is not None and orderers != len(config.orderers):
        raise ConfigError(
            f"{path} defines {len(config.orderers)} orderer(s) but {orderers} were asked for; "
            "run `down` first (it removes the state) or edit the file"
        )
    return config
