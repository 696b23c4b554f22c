"""``fabric.yaml``: the devnet.yaml format (docs/devnet.md) plus orderers and per-peer ports.

```yaml
channel: energy
orderers:                      # one or three etcdraft orderers
  - {port: 7050, admin_port: 7053, operations_port: 9443}
peers:
  GridOperatorMSP: {port: 7051, chaincode_port: 7052, operations_port: 9446}
  ProsumerMSP: {port: 9051, chaincode_port: 9052, operations_port: 9447}
batch: {max_message_count: 500, batch_timeout_ms: 100, preferred_max_bytes: 2097152}
users: [...]                   # as in devnet.yaml
chaincodes:                    # as in devnet.yaml, plus `server`
  - {name: gridledger, address: 127.0.0.1:9999, policy: "AND(...)", server: python}
```

``server: python`` (default) makes ``up`` run our Python chaincode at ``address``; ``external``
deploys the definition only, and whoever runs the server reads the package id from network.json.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from gridledger_network.devnet.config import (
    ConfigError,
    DevnetConfig,
    config_to_dict,
    default_config,
    parse_config,
)

CONFIG_FILE = "fabric.yaml"
SERVER_KINDS = ("python", "external")


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
class FabricConfig:
    """The network: the devnet-shaped part (orgs, users, chaincodes, batch) plus node ports."""

    network: DevnetConfig
    orderers: tuple[OrdererPorts, ...]
    peer_ports: Mapping[str, PeerPorts]
    chaincode_servers: Mapping[str, str]  # chaincode name -> "python" | "external"

    @property
    def channel(self) -> str:
        return self.network.channel

    def all_ports(self) -> dict[int, str]:
        """Every TCP port the network listens on, with who owns it (for the taken-port check)."""
        owners: dict[int, str] = {}
        for index, orderer in enumerate(self.orderers):
            for role, port in orderer.all().items():
                owners[port] = f"orderer{index} {role}"
        for msp_id, peer in self.peer_ports.items():
            for role, port in peer.all().items():
                owners[port] = f"{msp_id} peer {role}"
        for chaincode in self.network.chaincodes:
            if self.chaincode_servers.get(chaincode.name) == "python":
                owners[int(chaincode.address.rsplit(":", 1)[1])] = f"chaincode {chaincode.name}"
        return owners


def default_orderers(count: int) -> tuple[OrdererPorts, ...]:
    return tuple(OrdererPorts(7050 + 1000 * i, 7053 + 1000 * i, 9443 + i) for i in range(count))


def default_fabric_config(orderers: int = 1) -> FabricConfig:
    network = default_config()
    peer_ports = {
        p.msp_id: PeerPorts(p.port, p.port + 1, 9446 + i) for i, p in enumerate(network.peers)
    }
    servers = {c.name: "python" for c in network.chaincodes}
    return FabricConfig(network, default_orderers(orderers), peer_ports, servers)


def fabric_config_to_dict(config: FabricConfig) -> dict[str, Any]:
    document = config_to_dict(config.network)
    document["orderers"] = [asdict(o) for o in config.orderers]
    document["peers"] = {msp_id: asdict(p) for msp_id, p in config.peer_ports.items()}
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


def parse_fabric_config(raw: object, source: str = CONFIG_FILE) -> FabricConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level")
    network = parse_config(raw, source)
    raw_orderers = raw.get("orderers") or [{"port": 7050, "admin_port": 7053}]
    if not isinstance(raw_orderers, list) or len(raw_orderers) not in (1, 3):
        raise ConfigError(f"{source}: 'orderers' must list one or three orderers")
    orderers = []
    for index, entry in enumerate(raw_orderers):
        if not isinstance(entry, dict):
            raise ConfigError(f"{source}: orderers[{index}] must be a mapping of ports")
        where = f"{source}: orderers[{index}]"
        orderers.append(
            OrdererPorts(
                _port(entry, "port", where),
                _port(entry, "admin_port", where),
                _port(entry, "operations_port", where, 9443 + index),
            )
        )
    peer_ports = {}
    raw_peers = raw["peers"]
    for index, peer in enumerate(network.peers):
        entry = raw_peers[peer.msp_id]
        where = f"{source}: peers.{peer.msp_id}"
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
    config = FabricConfig(network, tuple(orderers), peer_ports, servers)
    owners = config.all_ports()
    count = sum(len(o.all()) for o in orderers) + sum(len(p.all()) for p in peer_ports.values())
    count += sum(1 for kind in servers.values() if kind == "python")
    if len(owners) != count:
        raise ConfigError(f"{source}: two listeners share a port; give each its own")
    return config


def load_fabric_config(home: Path, orderers: int | None = None) -> FabricConfig:
    """Read ``home/fabric.yaml``; write the defaults (``orderers`` nodes) first if missing."""
    path = home / CONFIG_FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        write_fabric_config(path, default_fabric_config(orderers or 1))
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
