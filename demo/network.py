"""Bringing up the network the demo runs on, and taking it down again.

- devnet (default): the embedded devnet on free ports in the demo home, plus our chaincode
  served as CCaaS (``python -m gridledger_chaincode``) with the devnet's chaincode TLS pair.
- fabric (``--fabric``): real Hyperledger Fabric v3 from its binaries
  (``gridledger_network.fabric``); it brings its own chaincode server.

Both leave a ``network.json`` connection profile in the home folder.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from gridledger.gateway import GatewayError
from gridledger.profile import ConnectionProfile
from gridledger_network.devnet.config import ChaincodeConfig, PeerConfig, default_config
from gridledger_network.devnet.launcher import purge_devnet, start_devnet, stop_devnet

CHAINCODE = "gridledger"
CHAINCODE_PID = "chaincode.pid"
CHAINCODE_LOG = "chaincode.log"
READY_SECONDS = 30.0


class DemoNetworkError(RuntimeError):
    """The network could not be started; the message says why and what to do."""


@dataclass
class DemoNetwork:
    kind: str
    home: Path

    @property
    def profile_path(self) -> Path:
        return self.home / "network.json"

    def profile(self) -> ConnectionProfile:
        return ConnectionProfile.load(self.profile_path)

    def stop(self) -> None:
        if self.kind == "fabric":
            from gridledger_network.fabric.network import stop as stop_fabric

            stop_fabric(self.home)
        else:
            stop_chaincode(self.home)
            stop_devnet(self.home)


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_chaincode(home: Path) -> None:
    """Stop the chaincode server this demo started in ``home`` (its pid is in a file there)."""
    pid_file = home / CHAINCODE_PID
    try:
        pid = int(pid_file.read_text(encoding="ascii").strip())
    except (FileNotFoundError, ValueError):
        return
    if _pid_alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            if not _pid_alive(pid):
                break
            time.sleep(0.05)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    pid_file.unlink(missing_ok=True)


def _start_chaincode(home: Path, address: str) -> subprocess.Popen[bytes]:
    tls = home / "crypto" / "chaincode" / "tls"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CORE_", "CHAINCODE_"))}
    env.update(
        {
            "CHAINCODE_SERVER_ADDRESS": address,
            "CHAINCODE_ID": f"{CHAINCODE}_1.0:demo",
            "CHAINCODE_TLS_DISABLED": "false",
            "CHAINCODE_TLS_KEY": str(tls / "server.key"),
            "CHAINCODE_TLS_CERT": str(tls / "server.crt"),
            "CHAINCODE_CLIENT_CA_CERT": str(tls / "ca.crt"),
        }
    )
    with open(home / CHAINCODE_LOG, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gridledger_chaincode"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    (home / CHAINCODE_PID).write_text(str(process.pid), encoding="ascii")
    return process


def _answers(profile: ConnectionProfile) -> bool:
    for msp_id in profile.organizations:
        try:
            with profile.connect(msp_id, user="User1") as gateway:
                contract = gateway.network(profile.channel).contract(CHAINCODE, "energy")
                contract.evaluate("WhoAmI")
        except GatewayError:
            return False
    return True


def start_devnet_network(home: Path) -> DemoNetwork:
    """A fresh devnet in ``home`` (any earlier demo state there is removed) with our chaincode."""
    home.mkdir(parents=True, exist_ok=True)
    stop_chaincode(home)
    stop_devnet(home)
    purge_devnet(home)
    base = default_config()
    peer_ports = _free_ports(len(base.peers) + 1)
    chaincode_address = f"127.0.0.1:{peer_ports[-1]}"
    config = replace(
        base,
        peers=tuple(
            PeerConfig(p.msp_id, port) for p, port in zip(base.peers, peer_ports, strict=False)
        ),
        chaincodes=tuple(
            ChaincodeConfig(c.name, chaincode_address, c.tls, c.policy, c.collections, c.version)
            for c in base.chaincodes
            if c.name == CHAINCODE
        ),
    )
    network = DemoNetwork("devnet", home)
    start_devnet(home, config, timeout=60.0)
    try:
        process = _start_chaincode(home, chaincode_address)
        deadline = time.monotonic() + READY_SECONDS
        profile = network.profile()
        while not _answers(profile):
            if process.poll() is not None:
                log = (home / CHAINCODE_LOG).read_text(errors="replace")[-2000:]
                raise DemoNetworkError(f"the chaincode server exited:\n{log}")
            if time.monotonic() > deadline:
                raise DemoNetworkError("the chaincode did not answer through both peers in time")
            time.sleep(0.2)
    except BaseException:
        network.stop()
        raise
    return network


def start_fabric_network(home: Path) -> DemoNetwork:
    """Real Fabric in ``home``, from its binaries ($FABRIC_BIN, PATH or .cache/fabric)."""
    from gridledger_network import fabric

    try:
        fabric.find_binaries()
    except fabric.BinariesNotFound as exc:
        raise DemoNetworkError(
            "--fabric needs Hyperledger Fabric's binaries (peer, orderer, configtxgen, osnadmin "
            f"v{fabric.FABRIC_VERSION}), and none were found:\n{exc}\n"
            "Run the demo without --fabric to use the embedded devnet."
        ) from exc
    fabric.down(home)
    fabric.up(home)
    return DemoNetwork("fabric", home)
