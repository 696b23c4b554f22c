"""Our Python chaincode served as CCaaS (devnet and Fabric): TLS on, peers' client certs verified.

The server's ``CHAINCODE_ID`` must be the package id the peers installed (a peer refuses a
chaincode registering under any other name).
"""

from __future__ import annotations

import os
import sys

from gridledger_network.devnet.config import ChaincodeConfig
from gridledger_network.devnet.crypto.layout import CryptoLayout
from gridledger_network.processes import RunFolder, start_process, wait_listening


def process_name(chaincode: str) -> str:
    return f"chaincode-{chaincode}"


def chaincode_port(chaincode: ChaincodeConfig) -> int:
    return int(chaincode.address.rsplit(":", 1)[1])


def server_environment(
    chaincode: ChaincodeConfig, package_id: str, layout: CryptoLayout
) -> dict[str, str]:
    tls = layout.chaincode_tls_dir
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CORE_", "CHAINCODE_"))}
    env.update(
        {
            "CHAINCODE_SERVER_ADDRESS": chaincode.address,
            "CHAINCODE_ID": package_id,
            "CHAINCODE_TLS_DISABLED": "false" if chaincode.tls else "true",
            "CHAINCODE_TLS_KEY": str(tls / "server.key"),
            "CHAINCODE_TLS_CERT": str(tls / "server.crt"),
            "CHAINCODE_CLIENT_CA_CERT": str(tls / "ca.crt"),
        }
    )
    return env


def start_python_chaincode(
    run: RunFolder, chaincode: ChaincodeConfig, package_id: str, layout: CryptoLayout
) -> int:
    """Start ``python -m gridledger_chaincode`` for ``chaincode``; wait until it listens."""
    name = process_name(chaincode.name)
    env = server_environment(chaincode, package_id, layout)
    pid = start_process(run, name, [sys.executable, "-m", "gridledger_chaincode"], env)
    wait_listening(run, name, [chaincode_port(chaincode)], timeout=30)
    return pid
