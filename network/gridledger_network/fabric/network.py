"""Bring a real Fabric network up and down under one home folder (default ``./.fabric``).

```
HOME/
  fabric.yaml       configuration (defaults written on first ``up``; see config.py)
  network.json      connection profile in the devnet's format, plus orderers and package ids
  netns.json        the network namespaces, veths and bridge made for ``netns`` (netns.py)
  crypto/           the devnet's cryptogen layout (+ orderer1/2, peer1.., orderer admin TLS)
  channel/          configtx.yaml, <channel>.block (genesis, made by configtxgen)
  nodes/<node>/     orderer.yaml or core.yaml (FABRIC_CFG_PATH) and data/ (ledger, Raft WAL)
  builder/bin/      the CCaaS external builder (detect, build, release)
  chaincode/        CCaaS packages and collection configs
  run/*.pid  logs/*.log  done/<step>   (pids, logs, completed bring-up steps)
```

``up`` is idempotent: a running network is left alone; a stopped one restarts from its state;
steps already done (channel joins, installs, approvals, commit) are not repeated.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gridledger_network.chaincode_server import process_name, serve_python_chaincode
from gridledger_network.devnet.config import ORDERER_MSP_ID, ChaincodeConfig, ConfigError
from gridledger_network.fabric import netns
from gridledger_network.fabric.admin import (
    peer_admin_env,
    run_until_ok,
)
from gridledger_network.fabric.binaries import FabricBinaries, find_binaries
from gridledger_network.fabric.config import CONFIG_FILE, FabricConfig, load_fabric_config
from gridledger_network.fabric.configtx import write_genesis_block
from gridledger_network.fabric.crypto import FabricCrypto, ensure_fabric_crypto
from gridledger_network.fabric.lifecycle import (
    SEQUENCE,
    ChaincodePackage,
    ServerTls,
    approve,
    commit,
    install,
    write_package,
)
from gridledger_network.fabric.node_config import write_core_yaml, write_orderer_yaml
from gridledger_network.fabric.readiness import wait_until_submits_commit
from gridledger_network.home import NETWORK_FILE, NetworkHome, home_folder, remove_entries
from gridledger_network.processes import (
    RunFolder,
    check_ports_free,
    clean_environment,
    start_process,
    stop_process,
    wait_listening,
)

log = logging.getLogger(__name__)

BUILDER_SOURCE = Path(__file__).resolve().parent / "builder"
STATE_ENTRIES = (
    "network.json",
    "crypto",
    "channel",
    "nodes",
    "builder",
    "chaincode",
    "netns.json",
    "run",
    "done",
    "logs",
)
NODE_START_SECONDS = 60.0


def resolve_home(home: Path | str | None) -> Path:
    return home_folder(home, "GRIDLEDGER_FABRIC_HOME", ".fabric")


def orderer_name(index: int) -> str:
    return f"orderer{index}"


def peer_name(msp_id: str, index: int = 0) -> str:
    return f"peer{index}-{msp_id.lower()}"


def all_peers(config: FabricConfig) -> list[tuple[str, int]]:
    """Every peer of the network: (organisation, index)."""
    return [(m, i) for m in config.network.org_msp_ids for i in config.peer_indices(m)]


@dataclass
class FabricNetwork(NetworkHome):
    """A network brought up by ``up``: where it lives and what it runs."""

    config: FabricConfig
    already_running: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def profile(self) -> dict[str, Any]:
        return self.read_network_json()

    def package_id(self, chaincode: str) -> str:
        return str(self.profile["chaincodes"][chaincode]["package_id"])

    def down(self) -> None:
        down(self.home)


@dataclass(frozen=True, slots=True)
class FabricStatus:
    home: Path
    processes: dict[str, int | None]  # name -> pid if running, None if not

    @property
    def running(self) -> bool:
        return bool(self.processes) and all(pid is not None for pid in self.processes.values())


def expected_processes(config: FabricConfig) -> list[str]:
    """Names of the processes a network of ``config`` runs (pid and log file names)."""
    names = [orderer_name(i) for i in range(len(config.orderers))]
    names += [peer_name(m, i) for m, i in all_peers(config)]
    names += [
        process_name(c.name)
        for c in config.network.chaincodes
        if config.chaincode_servers.get(c.name) == "python"
    ]
    return names


class _Bringup:
    """One ``up`` run: the steps in order, each skipped when already done."""

    def __init__(self, home: Path, config: FabricConfig, binaries: FabricBinaries) -> None:
        self.home = home
        self.config = config
        self.binaries = binaries
        self.run = RunFolder(home)
        self.crypto: FabricCrypto | None = None
        self.packages: dict[str, ChaincodePackage] = {}

    # -- helpers ---------------------------------------------------------------------------
    def _done(self, step: str) -> bool:
        return (self.home / "done" / step).exists()

    def _mark(self, step: str) -> None:
        path = self.home / "done" / step
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()

    def _node_dir(self, name: str) -> Path:
        return self.home / "nodes" / name

    def _start(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        """Start node ``name`` in its namespace (when ``netns``) through the process manager."""
        start_process(
            self.run, name, netns.in_namespace(netns.namespace_of(self.config, name), argv), env
        )

    @property
    def _crypto(self) -> FabricCrypto:
        assert self.crypto is not None
        return self.crypto

    def _orderer_address(self) -> str:
        return f"{self.config.orderer_address(0)}:{self.config.orderers[0].port}"

    def _peer_endpoint(self, msp_id: str, index: int = 0) -> str:
        return f"{self.config.peer_address(msp_id)}:{self.config.node_ports(msp_id, index).port}"

    def _peer_env(self, msp_id: str, index: int = 0) -> dict[str, str]:
        crypto = self._crypto
        return peer_admin_env(
            self._node_dir(peer_name(msp_id, index)),
            msp_id,
            crypto.admin_msp(msp_id),
            self._peer_endpoint(msp_id, index),
            crypto.peer_dir(msp_id, index) / "tls" / "ca.crt",
        )

    def expected_processes(self) -> list[str]:
        return expected_processes(self.config)

    # -- steps -----------------------------------------------------------------------------
    def check_ports(self) -> None:
        """Ports this machine's loopback must have free (in namespaces, nodes have their own)."""
        owners = self.config.all_ports()
        mine: dict[int, str] = {}
        if self.config.netns is None:
            for index, orderer in enumerate(self.config.orderers):
                if not self.run.running(orderer_name(index)):
                    mine.update({p: owners[p] for p in orderer.all().values()})
            for msp_id, index in all_peers(self.config):
                if not self.run.running(peer_name(msp_id, index)):
                    ports = self.config.node_ports(msp_id, index)
                    mine.update({p: owners[p] for p in ports.all().values()})
        for chaincode in self.config.network.chaincodes:
            port = int(chaincode.address.rsplit(":", 1)[1])
            if port in owners and not self.run.running(process_name(chaincode.name)):
                mine[port] = owners[port]
        check_ports_free(mine, CONFIG_FILE)

    def prepare(self) -> Path:
        self.crypto = ensure_fabric_crypto(self.home / "crypto", self.config)
        builder = self.home / "builder"
        shutil.copytree(BUILDER_SOURCE, builder, dirs_exist_ok=True)
        for script in (builder / "bin").iterdir():
            script.chmod(0o755)
        return write_genesis_block(self.binaries, self.config, self.crypto, self.home / "channel")

    def start_orderers(self) -> None:
        for index in range(len(self.config.orderers)):
            self.start_orderer(index, wait=False)
        for index in range(len(self.config.orderers)):
            self.wait_orderer(index)

    def start_orderer(self, index: int, *, wait: bool = True) -> None:
        """Start orderer ``index`` on its ledger and Raft WAL, unless it runs."""
        name = orderer_name(index)
        if not self.run.running(name):
            folder = self._node_dir(name)
            write_orderer_yaml(
                self.binaries.config_dir,
                folder,
                index=index,
                host=self.config.orderer_address(index),
                ports=self.config.orderers[index],
                crypto=self._crypto,
            )
            env = clean_environment(
                {"FABRIC_CFG_PATH": str(folder), "FABRIC_LOGGING_SPEC": _logging_spec()}
            )
            self._start(name, [self.binaries.orderer], env)
        if wait:
            self.wait_orderer(index)

    def wait_orderer(self, index: int) -> None:
        ports = self.config.orderers[index]
        host = self.config.orderer_address(index)
        wait_listening(
            self.run, orderer_name(index), [ports.port, ports.admin_port], NODE_START_SECONDS, host
        )

    def join_orderers(self, block: Path) -> None:
        crypto = self._crypto
        admin_tls = crypto.orderer_admin_tls
        for index, ports in enumerate(self.config.orderers):
            step = f"{orderer_name(index)}-joined"
            if self._done(step):
                continue
            argv = [self.binaries.osnadmin, "channel", "join", "--channelID", self.config.channel]
            admin = f"{self.config.orderer_address(index)}:{ports.admin_port}"
            argv += ["--config-block", str(block), "-o", admin]
            argv += ["--ca-file", str(crypto.orderer_tlsca)]
            argv += ["--client-cert", str(admin_tls / "client.crt")]
            argv += ["--client-key", str(admin_tls / "client.key")]
            run_until_ok(
                argv,
                clean_environment({}),
                what=f"osnadmin channel join on {orderer_name(index)}",
                accept=("channel already exists",),
            )
            self._mark(step)

    def start_peers(self) -> None:
        for msp_id, index in all_peers(self.config):
            self.start_peer(msp_id, index, wait=False)
        for msp_id, index in all_peers(self.config):
            self.wait_peer(msp_id, index)

    def start_peer(self, msp_id: str, index: int = 0, *, wait: bool = True) -> None:
        """Start peer ``index`` of ``msp_id`` on its ledger, unless it runs."""
        name = peer_name(msp_id, index)
        if not self.run.running(name):
            folder = self._node_dir(name)
            neighbour = (index + 1) % self.config.peer_count(msp_id)  # gossip bootstrap
            write_core_yaml(
                self.binaries.config_dir,
                folder,
                msp_id=msp_id,
                index=index,
                host=self.config.peer_address(msp_id),
                ports=self.config.node_ports(msp_id, index),
                crypto=self._crypto,
                builder_dir=self.home / "builder",
                bootstrap=self._peer_endpoint(msp_id, neighbour),
            )
            env = clean_environment(
                {
                    "FABRIC_CFG_PATH": str(folder),
                    "FABRIC_LOGGING_SPEC": _logging_spec(),
                    "CORE_VM_ENDPOINT": "",
                }
            )
            self._start(name, [self.binaries.peer, "node", "start"], env)
        if wait:
            self.wait_peer(msp_id, index)

    def wait_peer(self, msp_id: str, index: int = 0) -> None:
        ports = self.config.node_ports(msp_id, index)
        host = self.config.peer_address(msp_id)
        wait_listening(self.run, peer_name(msp_id, index), [ports.port], NODE_START_SECONDS, host)

    def join_peers(self, block: Path) -> None:
        for msp_id, index in all_peers(self.config):
            step = f"{peer_name(msp_id, index)}-joined"
            if self._done(step):
                continue
            run_until_ok(
                [self.binaries.peer, "channel", "join", "-b", str(block)],
                self._peer_env(msp_id, index),
                what=f"peer channel join for {peer_name(msp_id, index)}",
                accept=("already exists",),
            )
            self._mark(step)

    def write_packages(self) -> None:
        """CCaaS packages (kept once written: their ids are what the peers installed)."""
        tls_dir = self._crypto.layout.chaincode_tls_dir
        for chaincode in self.config.network.chaincodes:
            tls = (
                ServerTls(tls_dir / "ca.crt", tls_dir / "client.crt", tls_dir / "client.key")
                if chaincode.tls
                else None
            )
            self.packages[chaincode.name] = write_package(chaincode, tls, self.home / "chaincode")

    def deploy_chaincodes(self) -> None:
        for chaincode in self.config.network.chaincodes:
            self.install_chaincode(chaincode, all_peers(self.config))
            self.define_chaincode(chaincode, SEQUENCE)

    def install_chaincode(self, chaincode: ChaincodeConfig, peers: list[tuple[str, int]]) -> None:
        """Install ``chaincode``'s package on ``peers`` (organisation, index) not done yet."""
        package = self.packages[chaincode.name]
        for msp_id, index in peers:
            where = msp_id if index == 0 else f"{msp_id}-peer{index}"
            step = f"{chaincode.name}-installed-{where}"
            if not self._done(step):
                install(self.binaries.peer, self._peer_env(msp_id, index), package)
                self._mark(step)

    def define_chaincode(self, chaincode: ChaincodeConfig, sequence: int) -> None:
        """Every organisation approves ``chaincode``'s definition at ``sequence``; commit it."""
        crypto = self._crypto
        orgs = self.config.network.org_msp_ids
        peers = [(self._peer_endpoint(m), crypto.peer_dir(m) / "tls" / "ca.crt") for m in orgs]
        at = "" if sequence == SEQUENCE else f"-seq{sequence}"
        common: dict[str, Any] = {
            "channel": self.config.channel,
            "chaincode": chaincode,
            "orderer": self._orderer_address(),
            "orderer_tls_ca": crypto.orderer_tlsca,
            "folder": self.home / "chaincode",
            "sequence": sequence,
        }
        for msp_id in orgs:
            step = f"{chaincode.name}{at}-approved-{msp_id}"
            if not self._done(step):
                package = self.packages[chaincode.name]
                approve(self.binaries.peer, self._peer_env(msp_id), package=package, **common)
                self._mark(step)
        step = f"{chaincode.name}{at}-committed"
        if not self._done(step):
            commit(self.binaries.peer, self._peer_env(orgs[0]), peers=peers, **common)
            self._mark(step)

    def start_chaincode_servers(self) -> None:
        for chaincode in self.config.network.chaincodes:
            if self.config.chaincode_servers.get(chaincode.name) != "python":
                continue
            if self.run.running(process_name(chaincode.name)):
                continue
            package_id = self.packages[chaincode.name].package_id
            serve_python_chaincode(self.run, chaincode, package_id, self._crypto.layout)

    def write_network_json(self) -> Path:
        crypto = self._crypto
        layout = crypto.layout
        organizations: dict[str, Any] = {}
        for msp_id in self.config.network.org_msp_ids:
            users = ["Admin", "User1"] + [
                u.name for u in self.config.network.users if u.org == msp_id
            ]
            organizations[msp_id] = {
                "peer_endpoint": self._peer_endpoint(msp_id),
                "peer_host": layout.node_host(msp_id),
                "tls_ca_cert": str(layout.tlsca_cert(msp_id)),
                "users": {name: str(layout.user_msp_dir(msp_id, name)) for name in users},
            }
            if self.config.peer_count(msp_id) > 1:
                organizations[msp_id]["peer_endpoints"] = [
                    {
                        "endpoint": self._peer_endpoint(msp_id, i),
                        "host": crypto.peer_host(msp_id, i),
                    }
                    for i in self.config.peer_indices(msp_id)
                ]
        document = {
            "backend": "fabric",
            "fabric_version": self.binaries.version(),
            "channel": self.config.channel,
            "pid": self.run.pid(peer_name(self.config.network.org_msp_ids[0])),
            "organizations": organizations,
            "orderers": [
                {
                    "endpoint": f"{self.config.orderer_address(i)}:{o.port}",
                    "admin_endpoint": f"{self.config.orderer_address(i)}:{o.admin_port}",
                    "host": crypto.orderer_host(i),
                    "pid": self.run.pid(orderer_name(i)),
                }
                for i, o in enumerate(self.config.orderers)
            ],
            "orderer_tls_ca_cert": str(crypto.orderer_tlsca),
            "orderer_admin": {
                "msp": str(layout.user_msp_dir(ORDERER_MSP_ID, "Admin")),
                "tls_client_cert": str(crypto.orderer_admin_tls / "client.crt"),
                "tls_client_key": str(crypto.orderer_admin_tls / "client.key"),
            },
            "chaincodes": {
                c.name: {
                    "address": c.address,
                    "policy": c.policy,
                    "package_id": self.packages[c.name].package_id,
                    "server": self.config.chaincode_servers.get(c.name, "python"),
                }
                for c in self.config.network.chaincodes
            },
            "processes": {name: self.run.pid(name) for name in self.expected_processes()},
        }
        path = self.home / NETWORK_FILE
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(document, indent=2), encoding="utf-8")
        tmp.replace(path)
        return path


def _logging_spec() -> str:
    return os.environ.get("GRIDLEDGER_FABRIC_LOGGING", "info")


def up(
    home: Path | str | None = None,
    *,
    orderers: int | None = None,
    use_netns: bool = False,
    consensus: str = "raft",
    ready_timeout: float = 120.0,
    binaries: FabricBinaries | None = None,
) -> FabricNetwork:
    """Bring the network up (or find it running); return when each org's gateway commits.

    ``orderers`` (1, 3 or 5 for raft, 4 for bft), ``consensus`` (``raft``, ``bft``) and
    ``use_netns`` (a network namespace per organisation and orderer) apply when ``fabric.yaml``
    is first written. Raises ``BinariesNotFound``, ``PortTaken``,
    ``NodeStartError``, ``AdminCommandError``, ``NotReady``, ``NetnsError``.
    """
    path = resolve_home(home)
    binaries = binaries or find_binaries()
    config = load_fabric_config(path, orderers, netns=use_netns, consensus=consensus)
    bringup = _Bringup(path, config, binaries)
    expected = bringup.expected_processes()
    if (path / NETWORK_FILE).exists() and all(bringup.run.running(n) for n in expected):
        return FabricNetwork(path, config, already_running=True)
    timings: dict[str, float] = {}
    started = time.monotonic()

    def lap(name: str) -> None:
        timings[name] = round(time.monotonic() - started, 2)

    bringup.check_ports()
    with contextlib.suppress(FileNotFoundError):
        (path / NETWORK_FILE).unlink()
    try:
        netns.create(path, config)
        lap("namespaces")
        block = bringup.prepare()
        bringup.write_packages()
        lap("crypto_and_genesis")
        # Chaincode servers first: peers launch installed chaincodes as soon as they start.
        bringup.start_chaincode_servers()
        lap("chaincode_servers")
        bringup.start_orderers()
        bringup.join_orderers(block)
        lap("orderers")
        bringup.start_peers()
        bringup.join_peers(block)
        lap("peers")
        bringup.deploy_chaincodes()
        lap("lifecycle")
        network_json = bringup.write_network_json()
        probe = [
            c.name
            for c in config.network.chaincodes
            if config.chaincode_servers.get(c.name) == "python"
        ]
        for chaincode in probe[:1]:
            wait_until_submits_commit(
                network_json, config.network.org_msp_ids, config.channel, chaincode, ready_timeout
            )
        lap("ready")
    except BaseException:
        log.warning("bring-up failed; processes left running for inspection (run `down`)")
        raise
    return FabricNetwork(path, config, timings=timings)


def stop(home: Path | str | None = None) -> list[str]:
    """Stop every process the network runs (chaincode servers, peers, orderers); keep state."""
    path = resolve_home(home)
    run = RunFolder(path)
    order = sorted(
        run.names(), key=lambda n: (not n.startswith("chaincode"), n.startswith("orderer"))
    )
    stopped = [name for name in order if stop_process(run, name)]
    with contextlib.suppress(FileNotFoundError):
        (path / NETWORK_FILE).unlink()
    stopped += netns.remove(path)
    return stopped


def down(home: Path | str | None = None) -> list[str]:
    """Stop everything and remove the state (``fabric.yaml`` is kept); return what was stopped."""
    path = resolve_home(home)
    stopped = stop(path)
    remove_entries(path, STATE_ENTRIES)
    return stopped


def status(home: Path | str | None = None) -> FabricStatus:
    """Each process of the network (from fabric.yaml and the pid files): pid if it runs."""
    path = resolve_home(home)
    run = RunFolder(path)
    names = set(run.names())
    if (path / CONFIG_FILE).exists():
        with contextlib.suppress(ConfigError):
            names |= set(expected_processes(load_fabric_config(path)))
    return FabricStatus(path, {n: (run.pid(n) if run.running(n) else None) for n in sorted(names)})
