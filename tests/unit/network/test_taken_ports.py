"""A taken port ends every command that would start a network with one line and status 1.

``gridledger network up``, ``python -m demo`` and the devnet process itself check their ports
before anything starts; the user sees which port, for what, and what to do, never a traceback.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from gridledger_network.devnet.config import CONFIG_FILE, PeerConfig, default_config, write_config
from gridledger_network.processes import HOST, free_ports

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind((HOST, 0))
        holder.listen()
        yield int(holder.getsockname()[1])


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "GRIDLEDGER_HOME"}
    return subprocess.run(
        [sys.executable, *argv],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _devnet_home(home: Path, operator_port: int) -> Path:
    """A devnet home whose operator peer is to listen on ``operator_port``."""
    base = default_config()
    ports = [operator_port, *free_ports(len(base.peers) - 1)]
    peers = tuple(PeerConfig(p.msp_id, port) for p, port in zip(base.peers, ports, strict=True))
    home.mkdir(parents=True)
    write_config(home / CONFIG_FILE, replace(base, peers=peers, chaincodes=()))
    return home


def _assert_one_line_naming(done: subprocess.CompletedProcess[str], port: int, prog: str) -> None:
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"{prog}: port(s) already in use on {HOST}: ")
    assert f"{port} (" in lines[0]


def test_network_up_on_a_taken_port_says_so_in_one_line(tmp_path: Path, taken_port: int) -> None:
    home = _devnet_home(tmp_path / "devnet", taken_port)

    done = _run("-m", "gridledger.cli.main", "network", "up", "--home", str(home))

    _assert_one_line_naming(done, taken_port, "gridledger network")
    assert f"{taken_port} (GridOperatorMSP peer)" in done.stderr
    assert "devnet.yaml" in done.stderr
    assert not (home / "devnet.pid").exists()


def test_the_demo_on_a_taken_port_says_so_in_one_line(tmp_path: Path, taken_port: int) -> None:
    home = tmp_path / "demo"

    done = _run("-m", "demo", "--home", str(home), "--port", str(taken_port))

    _assert_one_line_naming(done, taken_port, "demo")
    assert f"{taken_port} (GridOperatorMSP peer)" in done.stderr
    assert not (home / "devnet.pid").exists()


def test_the_devnet_process_on_a_taken_port_says_so_in_one_line(
    tmp_path: Path, taken_port: int
) -> None:
    home = _devnet_home(tmp_path / "devnet", taken_port)

    done = _run("-m", "gridledger_network.devnet", "--home", str(home))

    _assert_one_line_naming(done, taken_port, "devnet")
    assert not (home / "devnet.pid").exists()
