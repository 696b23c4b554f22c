"""Chaincode-as-a-service servers the devnet dials: our Python chaincode and the Node yardstick.

Thin: ``gridledger_network.chaincode_server`` knows how to run both; this names the repository's
Node package and gives each test's server its log file.
"""

from __future__ import annotations

from pathlib import Path

from gridledger_network.chaincode_server import node_chaincode, python_chaincode, spawn_chaincode
from gridledger_network.processes import HOST, ManagedProcess

from harness.layout import NODE_DIR, ChaincodeTls


def start_python_chaincode(
    chaincode_id: str, port: int, tls: ChaincodeTls, log_path: Path
) -> ManagedProcess:
    """``python -m gridledger_chaincode`` configured by the usual CCaaS environment variables."""
    launch = python_chaincode(chaincode_id, f"{HOST}:{port}", tls.directory)
    return spawn_chaincode(f"python chaincode {chaincode_id}", launch, log_path)


def start_node_chaincode(
    chaincode_id: str, port: int, tls: ChaincodeTls, log_path: Path
) -> ManagedProcess:
    """Hyperledger's ``fabric-chaincode-node server`` serving the ``kv`` contract over TLS."""
    launch = node_chaincode(chaincode_id, f"{HOST}:{port}", tls.directory, NODE_DIR)
    return spawn_chaincode(f"node chaincode {chaincode_id}", launch, log_path)
