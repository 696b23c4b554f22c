"""Bringing up the network the demo runs on, and taking it down again.

- devnet (default): the embedded devnet in the demo home, on free ports (or on ``--port`` and the
  two after it), with our chaincode served beside it (``server: python``, as
  ``gridledger network up`` does) with the devnet's chaincode TLS pair.
- fabric (``--fabric``): real Hyperledger Fabric v3 from its binaries
  (``gridledger_network.fabric``); it brings its own chaincode server.

Both leave a ``network.json`` connection profile in the home folder.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from gridledger.gateway import GatewayError
from gridledger.profile import ConnectionProfile
from gridledger_domain.errors import GridLedgerError
from gridledger_network.chaincode_server import process_name
from gridledger_network.devnet.config import PeerConfig, default_config
from gridledger_network.devnet.launcher import purge_devnet, start_devnet, stop_devnet
from gridledger_network.devnet.served_chaincodes import (
    start_served_chaincodes,
    stop_served_chaincodes,
)
from gridledger_network.processes import HOST, RunFolder, free_ports, wait_recorded

from demo.portals import stop_portals

CHAINCODE = "gridledger"
READY_SECONDS = 30.0


class DemoNetworkError(GridLedgerError):
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
        stop_portals(self.home)
        if self.kind == "fabric":
            from gridledger_network.fabric.network import stop as stop_fabric

            stop_fabric(self.home)
        else:
            stop_served_chaincodes(self.home)
            stop_devnet(self.home)


def _answers(profile: ConnectionProfile) -> bool:
    for msp_id in profile.organizations:
        try:
            with profile.connect(msp_id, user="User1") as gateway:
                contract = gateway.network(profile.channel).contract(CHAINCODE, "energy")
                contract.evaluate("WhoAmI")
        except GatewayError:
            return False
    return True


def start_devnet_network(home: Path, first_port: int | None = None) -> DemoNetwork:
    """A fresh devnet in ``home`` (any earlier demo state there is removed) with our chaincode.

    Its peers and chaincode listen on ``first_port`` and the ports after it, else on free ports.
    """
    network = DemoNetwork("devnet", home)
    home.mkdir(parents=True, exist_ok=True)
    network.stop()
    purge_devnet(home)
    base = default_config()
    count = len(base.peers) + 1
    ports = free_ports(count) if first_port is None else list(range(first_port, first_port + count))
    chaincode_address = f"{HOST}:{ports[-1]}"
    config = replace(
        base,
        peers=tuple(PeerConfig(p.msp_id, port) for p, port in zip(base.peers, ports, strict=False)),
        chaincodes=tuple(
            replace(c, address=chaincode_address, server="python")
            for c in base.chaincodes
            if c.name == CHAINCODE
        ),
    )
    start_devnet(home, config, timeout=60.0)
    try:
        start_served_chaincodes(home)
        profile = network.profile()
        wait_recorded(
            RunFolder(home),
            process_name(CHAINCODE),
            lambda: _answers(profile),
            "answer from the chaincode through both peers",
            READY_SECONDS,
            interval_seconds=0.2,
        )
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
            f"--fabric needs Hyperledger Fabric {fabric.FABRIC_VERSION}'s binaries: {exc} "
            "Or run the demo without --fabric to use the embedded devnet."
        ) from exc
    fabric.down(home)
    fabric.up(home)
    return DemoNetwork("fabric", home)
