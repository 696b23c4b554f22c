"""Chaincode-as-a-service servers the devnet dials: our Python chaincode and the Node yardstick."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from harness.layout import FABRIC_CHAINCODE_NODE, NODE_CHAINCODE_DIR, NODE_DIR, ChaincodeTls
from harness.processes import ManagedProcess, clean_environment, spawn


def start_python_chaincode(
    chaincode_id: str, port: int, tls: ChaincodeTls, log_path: Path
) -> ManagedProcess:
    """``python -m gridledger_chaincode`` configured by the usual CCaaS environment variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CORE_", "CHAINCODE_"))}
    env.update(
        {
            "CHAINCODE_SERVER_ADDRESS": f"127.0.0.1:{port}",
            "CHAINCODE_ID": chaincode_id,
            "CHAINCODE_TLS_DISABLED": "false",
            "CHAINCODE_TLS_KEY": str(tls.server_key),
            "CHAINCODE_TLS_CERT": str(tls.server_cert),
            "CHAINCODE_CLIENT_CA_CERT": str(tls.ca_cert),
        }
    )
    argv = [sys.executable, "-m", "gridledger_chaincode"]
    return spawn(f"python chaincode {chaincode_id}", argv, log_path, env=env)


def start_node_chaincode(
    chaincode_id: str, port: int, tls: ChaincodeTls, log_path: Path
) -> ManagedProcess:
    """Hyperledger's ``fabric-chaincode-node server`` serving the ``kv`` contract over TLS.

    It reads every ``CORE_*`` variable as an option, so it gets a clean environment.
    """
    argv = [
        str(FABRIC_CHAINCODE_NODE),
        "server",
        "--chaincode-address",
        f"127.0.0.1:{port}",
        "--chaincode-id",
        chaincode_id,
        "--chaincode-tls-cert-file",
        str(tls.server_cert),
        "--chaincode-tls-key-file",
        str(tls.server_key),
        "--chaincode-tls-client-cacert-file",
        str(tls.ca_cert),
        "--module-path",
        str(NODE_CHAINCODE_DIR),
    ]
    env = clean_environment({"NODE_ENV": "production"})
    return spawn(f"node chaincode {chaincode_id}", argv, log_path, env=env, cwd=NODE_DIR)
