"""Chaincode servers as processes (CCaaS, TLS on, peers' client certificates verified).

Our Python chaincode (``python -m gridledger_chaincode``) is what the devnet's ``up`` and the
Fabric bring-up serve; Hyperledger's Node ``fabric-chaincode-node server`` is the yardstick the
conformance tests and the benchmark run next to it, from a Node package folder they name. Both
take the CCaaS TLS pair a devnet or Fabric home generates (``CryptoLayout.chaincode_tls_dir``).

On real Fabric a server's ``CHAINCODE_ID`` must be the package id the peers installed (a peer
refuses a chaincode registering under any other name).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from gridledger_network.devnet.config import ChaincodeConfig
from gridledger_network.devnet.crypto.layout import CryptoLayout
from gridledger_network.processes import (
    ManagedProcess,
    RunFolder,
    clean_environment,
    spawn,
    start_process,
    wait_listening,
)

PYTHON_CHAINCODE_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Launch:
    """A chaincode server's command line, environment and working folder."""

    argv: tuple[str, ...]
    env: dict[str, str]
    cwd: Path | None = None


def process_name(chaincode: str) -> str:
    return f"chaincode-{chaincode}"


def chaincode_port(chaincode: ChaincodeConfig) -> int:
    return int(chaincode.address.rsplit(":", 1)[1])


def python_chaincode(chaincode_id: str, address: str, tls_dir: Path | None) -> Launch:
    """Our chaincode, set by the usual CCaaS variables; ``tls_dir`` None serves without TLS."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CORE_", "CHAINCODE_"))}
    env.update({"CHAINCODE_SERVER_ADDRESS": address, "CHAINCODE_ID": chaincode_id})
    env["CHAINCODE_TLS_DISABLED"] = "true" if tls_dir is None else "false"
    if tls_dir is not None:
        env["CHAINCODE_TLS_KEY"] = str(tls_dir / "server.key")
        env["CHAINCODE_TLS_CERT"] = str(tls_dir / "server.crt")
        env["CHAINCODE_CLIENT_CA_CERT"] = str(tls_dir / "ca.crt")
    return Launch((sys.executable, "-m", "gridledger_chaincode"), env)


def node_chaincode(chaincode_id: str, address: str, tls_dir: Path, package_dir: Path) -> Launch:
    """Hyperledger's Node chaincode server over TLS, serving the contract in ``package_dir``.

    ``package_dir`` holds ``node_modules`` (with ``fabric-chaincode-node``) and ``chaincode/``.
    The server reads every ``CORE_*`` variable as an option, so it gets a clean environment.
    """
    argv = (
        str(package_dir / "node_modules" / ".bin" / "fabric-chaincode-node"),
        "server",
        "--chaincode-address",
        address,
        "--chaincode-id",
        chaincode_id,
        "--chaincode-tls-cert-file",
        str(tls_dir / "server.crt"),
        "--chaincode-tls-key-file",
        str(tls_dir / "server.key"),
        "--chaincode-tls-client-cacert-file",
        str(tls_dir / "ca.crt"),
        "--module-path",
        str(package_dir / "chaincode"),
    )
    return Launch(argv, clean_environment({"NODE_ENV": "production"}), package_dir)


def spawn_chaincode(name: str, launch: Launch, log_path: Path) -> ManagedProcess:
    """Start a chaincode server the caller owns (and stops), logging to ``log_path``."""
    return spawn(name, launch.argv, log_path, env=launch.env, cwd=launch.cwd)


def serve_python_chaincode(
    run: RunFolder, chaincode: ChaincodeConfig, package_id: str, layout: CryptoLayout
) -> int:
    """Serve ``chaincode`` with our Python chaincode; wait until it listens; return its pid."""
    name = process_name(chaincode.name)
    tls_dir = layout.chaincode_tls_dir if chaincode.tls else None
    launch = python_chaincode(package_id, chaincode.address, tls_dir)
    server = start_process(run, name, launch.argv, launch.env, launch.cwd)
    host = chaincode.address.rsplit(":", 1)[0]
    wait_listening(run, name, [chaincode_port(chaincode)], PYTHON_CHAINCODE_SECONDS, host)
    return server.pid
