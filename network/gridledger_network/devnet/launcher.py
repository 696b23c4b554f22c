"""Start, stop and inspect a devnet running as a detached background process.

Used by ``gridledger network up|down|status`` and by test fixtures::

    handle = start_devnet(tmp_path / "devnet", config)   # config: DevnetConfig or devnet.yaml dict
    profile = handle.network                              # network.json content
    handle.stop()
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from gridledger_network.chaincode_server import chaincode_port, process_name
from gridledger_network.devnet.config import CONFIG_FILE, DevnetConfig, load_config, write_config
from gridledger_network.devnet.server import NETWORK_FILE, PID_FILE
from gridledger_network.home import NetworkHome, home_folder, remove_entries
from gridledger_network.processes import (
    NodeStartError,
    RunFolder,
    check_ports_free,
    pid_alive,
    port_accepts,
    read_pid,
    spawn,
    stop_pid,
    wait_until,
)

LOG_FILE = "devnet.log"
STATE_ENTRIES = ("ledger", "crypto", NETWORK_FILE, PID_FILE, LOG_FILE)


@dataclass(frozen=True, slots=True)
class DevnetStatus:
    home: Path
    running: bool
    pid: int | None
    network: Mapping[str, Any] | None

    @property
    def endpoints(self) -> dict[str, str]:
        if not self.network:
            return {}
        orgs = self.network.get("organizations", {})
        return {msp: str(org.get("peer_endpoint", "")) for msp, org in orgs.items()}


@dataclass
class DevnetHandle(NetworkHome):
    pid: int
    already_running: bool = False

    @property
    def network(self) -> dict[str, Any]:
        return self.read_network_json()

    def stop(self, timeout: float = 15.0) -> None:
        stop_devnet(self.home, timeout)

    def __enter__(self) -> DevnetHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def resolve_home(home: Path | str | None) -> Path:
    return home_folder(home, "GRIDLEDGER_HOME", ".devnet")


def _read_network(home: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads((home / NETWORK_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return data


def devnet_status(home: Path | str | None = None) -> DevnetStatus:
    path = resolve_home(home)
    pid = read_pid(path / PID_FILE)
    running = pid is not None and pid_alive(pid)
    return DevnetStatus(
        path, running, pid if running else None, _read_network(path) if running else None
    )


def _write_config(home: Path, config: DevnetConfig | Mapping[str, Any]) -> None:
    path = home / CONFIG_FILE
    if isinstance(config, DevnetConfig):
        write_config(path, config)
    else:
        path.write_text(yaml.safe_dump(dict(config), sort_keys=False), encoding="utf-8")


def _ports_needed(home: Path, config: DevnetConfig) -> dict[int, str]:
    """The peers' ports and those of the chaincodes ``up`` serves that do not run yet."""
    owners = {p.port: f"{p.msp_id} peer" for p in config.peers}
    run = RunFolder(home)
    for chaincode in config.chaincodes:
        if chaincode.server == "python" and not run.running(process_name(chaincode.name)):
            owners[chaincode_port(chaincode)] = f"chaincode {chaincode.name}"
    return owners


def start_devnet(
    home: Path | str | None = None,
    config: DevnetConfig | Mapping[str, Any] | None = None,
    timeout: float = 30.0,
    log_level: str = "WARNING",
) -> DevnetHandle:
    """Start the devnet in the background (or find it running) and wait until its ports accept.

    ``config`` (if given) is written to ``home/devnet.yaml`` first; choose free ports in it.
    """
    path = resolve_home(home)
    status = devnet_status(path)
    if status.running and status.pid is not None:
        return DevnetHandle(path, status.pid, already_running=True)
    path.mkdir(parents=True, exist_ok=True)
    if config is not None:
        _write_config(path, config)
    devnet_config = load_config(path)
    peers = devnet_config.peers
    check_ports_free(_ports_needed(path, devnet_config), CONFIG_FILE)
    for stale in (NETWORK_FILE, PID_FILE):
        with contextlib.suppress(FileNotFoundError):
            (path / stale).unlink()
    argv = [sys.executable, "-m", "gridledger_network.devnet", "--home", str(path)]
    devnet = spawn("devnet", [*argv, "--log-level", log_level], path / LOG_FILE)

    def listening() -> bool:
        network = _read_network(path)
        return (
            network is not None
            and network.get("pid") == devnet.pid
            and all(port_accepts(p.port) for p in peers)
        )

    try:
        wait_until(
            listening,
            owner=devnet,
            what="listening",
            deadline_seconds=timeout,
            interval_seconds=0.05,
        )
    except NodeStartError:
        devnet.stop()
        raise
    return DevnetHandle(path, devnet.pid)


def stop_devnet(home: Path | str | None = None, timeout: float = 15.0) -> bool:
    """SIGTERM the running devnet and wait for it to exit. False if none was running."""
    path = resolve_home(home)
    pid = read_pid(path / PID_FILE)
    if pid is None or not stop_pid(pid, timeout):
        return False
    for stale in (NETWORK_FILE, PID_FILE):
        with contextlib.suppress(FileNotFoundError):
            (path / stale).unlink()
    return True


def purge_devnet(home: Path | str | None = None) -> None:
    """Remove the ledger, crypto material, logs and run files; keep ``devnet.yaml``."""
    path = resolve_home(home)
    remove_entries(path, STATE_ENTRIES)
