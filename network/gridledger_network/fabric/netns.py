"""One machine as several hosts: a Linux network namespace per organisation and per orderer.

``create`` makes a bridge holding the subnet's first address (the root namespace's, where the
chaincode servers listen and whence the clients dial), then for each host a namespace with
loopback up and one end of a veth pair carrying its address; the other end is on the bridge.
What was made is written to ``HOME/netns.json`` before it is made, so ``remove`` (``down``,
``stop``, or a failed ``up``'s clean-up) takes away exactly that, even after a half-done
``create``. Needs root and ``ip`` (iproute2). Nodes start inside with ``ip netns exec NAME``.

Names: namespace ``<prefix>-<host>`` (``gl-org0``, ``gl-ord1``), veth ``<prefix>-<host>-h`` (bridge
side) and ``<prefix>-<host>-n`` (namespace side), bridge ``<prefix>br0``; all within Linux's 15
characters.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
import os
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from gridledger_domain.errors import GridLedgerError

from gridledger_network.fabric.config import FabricConfig, NetnsConfig

log = logging.getLogger(__name__)

STATE_FILE = "netns.json"


class NetnsError(GridLedgerError):
    """A namespace, veth or bridge could not be made; the message has the command's output."""


@dataclass(frozen=True, slots=True)
class NetnsHost:
    """One emulated host: its namespace, its address, its veth pair."""

    namespace: str
    address: str
    veth_bridge: str
    veth_inside: str


@dataclass(frozen=True, slots=True)
class NetnsPlan:
    bridge: str
    bridge_address: str
    prefix_length: int
    hosts: dict[str, NetnsHost]  # "org0".., "ord0".. -> host


def org_host_key(index: int) -> str:
    return f"org{index}"


def orderer_host_key(index: int) -> str:
    return f"ord{index}"


def plan(config: FabricConfig) -> NetnsPlan | None:
    """The namespaces ``config`` asks for (None without ``netns``)."""
    netns = config.netns
    if netns is None:
        return None
    hosts: dict[str, NetnsHost] = {}
    for index, msp_id in enumerate(config.network.org_msp_ids):
        hosts[org_host_key(index)] = _host(netns, org_host_key(index), config.peer_address(msp_id))
    for index in range(len(config.orderers)):
        key = orderer_host_key(index)
        hosts[key] = _host(netns, key, config.orderer_address(index))
    return NetnsPlan(f"{netns.prefix}br0", netns.bridge_address, netns.network.prefixlen, hosts)


def _host(netns: NetnsConfig, key: str, address: str) -> NetnsHost:
    name = f"{netns.prefix}-{key}"
    return NetnsHost(name, address, f"{name}-h", f"{name}-n")


def namespace_of(config: FabricConfig, node: str) -> str | None:
    """The namespace process ``node`` runs in (``orderer1``, ``peer0-<msp>``); None for the root
    namespace (no ``netns``, or a chaincode server)."""
    layout = plan(config)
    if layout is None:
        return None
    if node.startswith("orderer"):
        return layout.hosts[orderer_host_key(int(node.removeprefix("orderer")))].namespace
    if node.startswith("peer"):
        msp_lower = node.split("-", 1)[1]
        for index, msp_id in enumerate(config.network.org_msp_ids):
            if msp_id.lower() == msp_lower:
                return layout.hosts[org_host_key(index)].namespace
    return None


def ip_command() -> str:
    found = shutil.which("ip") or next(
        (p for p in ("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip") if os.access(p, os.X_OK)), None
    )
    if found is None:
        raise NetnsError("network namespaces need iproute2's `ip` (apt-get install iproute2)")
    return found


def in_namespace(namespace: str | None, argv: list[str]) -> list[str]:
    """``argv`` run inside ``namespace`` (``ip netns exec`` execs it: the pid is the node's)."""
    return argv if namespace is None else [ip_command(), "netns", "exec", namespace, *argv]


def available() -> str | None:
    """None if namespaces can be made here, else why not."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    try:
        ip_command()
    except NetnsError as err:
        return str(err)
    return None


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    argv = [ip_command(), *args]
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=30)
    if check and done.returncode != 0:
        raise NetnsError(f"{' '.join(argv)} failed: {done.stderr.strip()}")
    return done


def _exists(kind: str, name: str) -> bool:
    if kind == "netns":
        return name in _ip("netns", "list").stdout.split()
    return _ip("link", "show", name, check=False).returncode == 0


def create(home: Path, config: FabricConfig) -> NetnsPlan | None:
    """Make the bridge and every namespace of ``config`` that is missing; return the plan."""
    layout = plan(config)
    if layout is None:
        return None
    reason = available()
    if reason is not None:
        raise NetnsError(f"fabric.yaml asks for network namespaces, but {reason}")
    taken = _subnet_users(config, layout.bridge)
    if taken:
        raise NetnsError(
            f"netns.subnet {config.netns.subnet if config.netns else ''} is already in use on "
            f"{', '.join(taken)}: run that network's `down`, or choose another subnet"
        )
    (home / STATE_FILE).write_text(json.dumps(_state(layout), indent=2), encoding="utf-8")
    if not _exists("link", layout.bridge):
        _ip("link", "add", layout.bridge, "type", "bridge")
        _ip("addr", "add", f"{layout.bridge_address}/{layout.prefix_length}", "dev", layout.bridge)
    _ip("link", "set", layout.bridge, "up")
    for host in layout.hosts.values():
        if _exists("netns", host.namespace):
            continue
        _ip("netns", "add", host.namespace)
        _ip("-n", host.namespace, "link", "set", "lo", "up")
        _ip("link", "add", host.veth_bridge, "type", "veth", "peer", "name", host.veth_inside)
        _ip("link", "set", host.veth_inside, "netns", host.namespace)
        _ip("link", "set", host.veth_bridge, "master", layout.bridge, "up")
        address = f"{host.address}/{layout.prefix_length}"
        _ip("-n", host.namespace, "addr", "add", address, "dev", host.veth_inside)
        _ip("-n", host.namespace, "link", "set", host.veth_inside, "up")
    log.info("network namespaces up: %s", ", ".join(h.namespace for h in layout.hosts.values()))
    return layout


def _subnet_users(config: FabricConfig, bridge: str) -> list[str]:
    """Devices of the root namespace other than ``bridge`` with an address in the subnet."""
    assert config.netns is not None
    subnet = config.netns.network
    users = []
    for line in _ip("-4", "-o", "addr", "show").stdout.splitlines():
        fields = line.split()
        device, address = fields[1], fields[3].split("/")[0]
        if device != bridge and ipaddress.IPv4Address(address) in subnet:
            users.append(device)
    return users


def _state(layout: NetnsPlan) -> dict[str, object]:
    return {
        "bridge": layout.bridge,
        "bridge_address": layout.bridge_address,
        "hosts": {key: asdict(host) for key, host in layout.hosts.items()},
    }


def remove(home: Path) -> list[str]:
    """Remove what ``create`` recorded in ``home`` (namespaces, their veths, the bridge);
    return the names removed. Nothing recorded: nothing done."""
    path = home / STATE_FILE
    if not path.exists():
        return []
    state = json.loads(path.read_text(encoding="utf-8"))
    removed: list[str] = []
    for host in state["hosts"].values():
        if _exists("netns", host["namespace"]):
            _ip("netns", "delete", host["namespace"], check=False)
            removed.append(host["namespace"])
        if _exists("link", host["veth_bridge"]):  # gone with the namespace, normally
            _ip("link", "delete", host["veth_bridge"], check=False)
    if _exists("link", state["bridge"]):
        _ip("link", "delete", state["bridge"], check=False)
        removed.append(state["bridge"])
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    return removed


def leftovers(config: FabricConfig) -> list[str]:
    """Namespaces and links of ``config`` that exist now (for tests: none after ``down``)."""
    layout = plan(config)
    if layout is None:
        return []
    names = [h.namespace for h in layout.hosts.values() if _exists("netns", h.namespace)]
    links = [layout.bridge, *(h.veth_bridge for h in layout.hosts.values())]
    return names + [name for name in links if _exists("link", name)]
