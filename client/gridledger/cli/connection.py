"""How a command finds and opens its connection: the devnet's (or a Fabric network's)
connection profile, an organisation and a user."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import typer
from gridledger.gateway import Contract, GatewayError
from gridledger.profile import ConnectionProfile


def default_profile_path() -> Path:
    home = Path(os.environ.get("GRIDLEDGER_HOME", ".devnet"))
    return home / "network.json"


@dataclass(frozen=True)
class Target:
    profile: Path
    org: str
    user: str
    chaincode: str
    contract: str


ProfileOption = typer.Option(
    None, "--profile", help="Connection profile (default: $GRIDLEDGER_HOME/network.json)."
)
OrgOption = typer.Option("GridOperatorMSP", "--org", help="Organisation (MSP id) to act for.")
UserOption = typer.Option("Admin", "--user", help="User whose MSP folder signs.")
ChaincodeOption = typer.Option("gridledger", "--chaincode", help="Chaincode name.")


def target(profile: Path | None, org: str, user: str, chaincode: str, contract: str) -> Target:
    return Target(profile or default_profile_path(), org, user, chaincode, contract)


@contextmanager
def open_contract(t: Target) -> Iterator[Contract]:
    if not t.profile.exists():
        raise typer.BadParameter(
            f"no connection profile at {t.profile}: start the devnet with "
            "`gridledger network up` or pass --profile"
        )
    loaded = ConnectionProfile.load(t.profile)
    try:
        with loaded.connect(t.org, user=t.user) as gateway:
            yield gateway.network(loaded.channel).contract(t.chaincode, t.contract)
    except GatewayError as err:
        typer.secho(str(err), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from err
