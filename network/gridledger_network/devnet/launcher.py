"""Start, stop and inspect a devnet running as a detached background process.

Used by ``gridledger network up|down|status`` and by test fixtures::

    handle = start_devnet(tmp_path / "devnet", config)   # config: DevnetConfig or devnet.yaml dict
    profile = handle.network                              # network.json content
    handle.stop()
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from gridledger_network.devnet.config import CONFIG_FILE, DevnetConfig, write_config
from gridledger_network.devnet.server import NETWORK_FILE, PID_FILE, pid_running, read_pid

LOG_FILE = "devnet.log"
STATE_ENTRIES = ("ledger", "crypto", NETWORK_FILE, PID_FILE, LOG_FILE)


class DevnetStartError(RuntimeError):
    """The devnet process did not come up; the message carries the end of its log."""


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
class DevnetHandle:
    home: Path
    pid: int
    already_running: bool = False

    @property
    def network_json(self) -> Path:
        return self.home / NETWORK_FILE

    @property
    def network(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.network_json.read_text(encoding="utf-8"))
        return data

    def stop(self, timeout: float = 15.0) -> None:
        stop_devnet(self.home, timeout)

    def __enter__(self) -> DevnetHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def resolve_home(home: Path | str | None) -> Path:
    if home is None:
        home = os.environ.get("GRIDLEDGER_HOME", ".devnet")
    return Path(home).expanduser().resolve()


def _read_network(home: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads((home / NETWORK_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return data


def devnet_status(home: Path | str | None = None) -> DevnetStatus:
    path = resolve_home(home)
    pid = read_pid(path)
    running = pid is not None and pid_running(pid)
    return DevnetStatus(
        path, running, pid if running else None, _read_network(path) if running else None
    )


def _port_accepts(endpoint: str) -> bool:
    host, _, port = endpoint.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=0.5):
            return True
    except OSError:
        return False


def _log_tail(home: Path, lines: int = 20) -> str:
    try:
        text = (home / LOG_FILE).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _write_config(home: Path, config: DevnetConfig | Mapping[str, Any]) -> None:
    path = home / CONFIG_FILE
    if isinstance(config, DevnetConfig):
        write_config(path, config)
    else:
        path.write_text(yaml.safe_dump(dict(config), sort_keys=False), encoding="utf-8")


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
    for stale in (NETWORK_FILE, PID_FILE):
        with contextlib.suppress(FileNotFoundError):
            (path / stale).unlink()
    argv = [sys.executable, "-m", "gridledger_network.devnet", "--home", str(path)]
    argv += ["--log-level", log_level]
    with open(path / LOG_FILE, "ab") as log:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
            close_fds=True,
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        code = process.poll()
        if code is not None:
            raise DevnetStartError(
                f"devnet exited with code {code} while starting:\n{_log_tail(path)}"
            )
        network = _read_network(path)
        if network is not None and network.get("pid") == process.pid:
            endpoints = [org["peer_endpoint"] for org in network["organizations"].values()]
            if all(_port_accepts(e) for e in endpoints):
                return DevnetHandle(path, process.pid)
        time.sleep(0.05)
    process.terminate()
    raise DevnetStartError(f"devnet did not start within {timeout:.0f}s:\n{_log_tail(path)}")


def stop_devnet(home: Path | str | None = None, timeout: float = 15.0) -> bool:
    """SIGTERM the running devnet and wait for it to exit. False if none was running."""
    path = resolve_home(home)
    pid = read_pid(path)
    if pid is None or not pid_running(pid):
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            finished, _ = os.waitpid(pid, os.WNOHANG)
            if finished == pid:
                break
        if not pid_running(pid):
            break
        time.sleep(0.05)
    else:
        os.kill(pid, signal.SIGKILL)
    for stale in (NETWORK_FILE, PID_FILE):
        with contextlib.suppress(FileNotFoundError):
            (path / stale).unlink()
    return True


def purge_devnet(home: Path | str | None = None) -> None:
    """Remove the ledger, crypto material, logs and run files; keep ``devnet.yaml``."""
    path = resolve_home(home)
    for entry in STATE_ENTRIES:
        target = path / entry
        if target.is_dir():
            shutil.rmtree(target)
        else:
            with contextlib.suppress(FileNotFoundError):
                target.unlink()
