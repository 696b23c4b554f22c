"""One process of a running Fabric network: kill or stop it, start it again on its state.

Process names are those of ``run/<name>.pid`` (``status()`` lists them): ``orderer0``..
``orderer2``, ``peer0-<mspid lowercased>`` (``peer1-``.. when an org has more),
``chaincode-<name>``.
A node of a network in namespaces restarts in its namespace. A restarted node keeps its
ledger, Raft WAL, configuration and ports, as after a crash or an operator's restart; nothing is
re-joined, re-installed or re-approved.

    from gridledger_network.fabric.nodes import kill_node, start_node, stop_node
    kill_node(home, "orderer1")            # SIGKILL: no flush, no goodbye to the Raft cluster
    start_node(home, "orderer1")           # back on its WAL; returns the new pid
    stop_node(home, "peer0-prosumermsp")   # SIGTERM (SIGKILL after a grace period)
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

from gridledger_domain.errors import GridLedgerError

from gridledger_network.chaincode_server import process_name, serve_python_chaincode
from gridledger_network.fabric.binaries import FabricBinaries, find_binaries
from gridledger_network.fabric.config import load_fabric_config
from gridledger_network.fabric.crypto import ensure_fabric_crypto
from gridledger_network.fabric.network import (
    _Bringup,
    all_peers,
    expected_processes,
    orderer_name,
    peer_name,
    resolve_home,
)
from gridledger_network.processes import RunFolder, pid_alive, stop_process

KILL_WAIT_SECONDS = 10.0


class UnknownNode(GridLedgerError, ValueError):
    """The network has no process of that name; the message lists those it has."""


def _check_name(home: Path, name: str) -> None:
    known = expected_processes(load_fabric_config(home))
    if name not in known:
        raise UnknownNode(f"no process {name!r} in the network at {home}; it runs {known}")


def node_pid(home: Path | str | None, name: str) -> int | None:
    """The pid of process ``name`` if it runs, else None."""
    run = RunFolder(resolve_home(home))
    return run.pid(name) if run.running(name) else None


def kill_node(home: Path | str | None, name: str, signum: int = signal.SIGKILL) -> bool:
    """Send ``signum`` (default SIGKILL) to process ``name`` and wait until it is gone.

    Returns False if it was not running. The pid file is removed, so ``start_node`` (or ``up``)
    starts it again.
    """
    path = resolve_home(home)
    _check_name(path, name)
    run = RunFolder(path)
    pid = run.pid(name)
    if pid is None or not pid_alive(pid):
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)
    deadline = time.monotonic() + KILL_WAIT_SECONDS
    while pid_alive(pid):
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"{name} (pid {pid}) still runs {KILL_WAIT_SECONDS:.0f}s after {signum}"
            )
        time.sleep(0.02)
    with contextlib.suppress(FileNotFoundError):
        run.pid_file(name).unlink()
    return True


def stop_node(home: Path | str | None, name: str) -> bool:
    """SIGTERM process ``name`` (SIGKILL after a grace period); False if it was not running."""
    path = resolve_home(home)
    _check_name(path, name)
    return stop_process(RunFolder(path), name)


def start_node(
    home: Path | str | None, name: str, *, binaries: FabricBinaries | None = None
) -> int:
    """Start process ``name`` again on its state (unless it runs); wait until it listens.

    Returns its pid. Raises ``UnknownNode``, ``NodeStartError``, ``BinariesNotFound``.
    """
    path = resolve_home(home)
    config = load_fabric_config(path)
    _check_name(path, name)
    bringup = _Bringup(path, config, binaries or find_binaries())
    bringup.crypto = ensure_fabric_crypto(path / "crypto", config)
    orderers = {orderer_name(i): i for i in range(len(config.orderers))}
    peers = {peer_name(m, i): (m, i) for m, i in all_peers(config)}
    if name in orderers:
        bringup.start_orderer(orderers[name])
    elif name in peers:
        bringup.start_peer(*peers[name])
    else:
        chaincode = next(c for c in config.network.chaincodes if process_name(c.name) == name)
        if not bringup.run.running(name):
            bringup.write_packages()  # the existing package: its id is what the peers installed
            package_id = bringup.packages[chaincode.name].package_id
            serve_python_chaincode(bringup.run, chaincode, package_id, bringup.crypto.layout)
    pid = bringup.run.pid(name)
    assert pid is not None
    return pid


__all__ = ["UnknownNode", "kill_node", "node_pid", "start_node", "stop_node"]
