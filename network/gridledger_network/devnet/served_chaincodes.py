"""Chaincodes the devnet's `up` serves itself (``server: python`` in devnet.yaml), as a peer
once launched its chaincodes: our Python chaincode, TLS on, started after the devnet and stopped
with it. Pid files in ``home/run``, logs in ``home/logs``."""

from __future__ import annotations

from pathlib import Path

from gridledger_network.chaincode_server import process_name, serve_python_chaincode
from gridledger_network.devnet.config import load_config
from gridledger_network.devnet.crypto import ensure_crypto_material
from gridledger_network.processes import RunFolder, stop_process


def start_served_chaincodes(home: Path) -> list[str]:
    """Start every ``server: python`` chaincode not already running; return the started names."""
    config = load_config(home)
    layout = ensure_crypto_material(home / "crypto", config)
    run = RunFolder(home)
    started = []
    for chaincode in config.chaincodes:
        if chaincode.server != "python" or run.running(process_name(chaincode.name)):
            continue
        serve_python_chaincode(run, chaincode, f"{chaincode.name}_{chaincode.version}", layout)
        started.append(chaincode.name)
    return started


def stop_served_chaincodes(home: Path) -> list[str]:
    run = RunFolder(home)
    return [
        name for name in run.names() if name.startswith("chaincode-") and stop_process(run, name)
    ]


def running_served_chaincodes(home: Path) -> list[str]:
    run = RunFolder(home)
    return [name for name in run.names() if name.startswith("chaincode-") and run.running(name)]
