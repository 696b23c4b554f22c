"""How a command finds and opens its connection: the devnet's (or a Fabric network's)
connection profile, an organisation and a user, given as the options every ledger command
shares (``--profile``, ``--org``, ``--user``, ``--chaincode``, ``--timeout``)."""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from gridledger.gateway import Contract, GatewayError
from gridledger.profile import ConnectionProfile


def default_profile_path() -> Path:
    home = Path(os.environ.get("GRIDLEDGER_HOME", ".devnet"))
    return home / "network.json"


@dataclass(frozen=True)
class Connection:
    profile: Path | None
    org: str
    user: str
    chaincode: str
    timeout: float | None = None

    def load_profile(self) -> ConnectionProfile:
        """The connection profile (default: the devnet's); a usage error if there is none."""
        path = self.profile or default_profile_path()
        if not path.exists():
            raise typer.BadParameter(
                f"no connection profile at {path}: start the devnet with "
                "`gridledger network up` or pass --profile"
            )
        return ConnectionProfile.load(path)


ProfileOption = typer.Option(
    None, "--profile", help="Connection profile (default: $GRIDLEDGER_HOME/network.json)."
)
OrgOption = typer.Option("GridOperatorMSP", "--org", help="Organisation (MSP id) to act for.")
UserOption = typer.Option("Admin", "--user", help="User whose MSP folder signs.")
ChaincodeOption = typer.Option("gridledger", "--chaincode", help="Chaincode name.")
TimeoutOption = typer.Option(
    None,
    "--timeout",
    min=0.001,
    metavar="SECONDS",
    help="Deadline of each ledger call, retries included (default: the gateway's per-step "
    "deadlines: 5 s for a query, 15 s to endorse, ...).",
)

_CONNECTION_OPTIONS = [
    inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=option, annotation=kind)
    for name, option, kind in (
        ("profile", ProfileOption, Path | None),
        ("org", OrgOption, str),
        ("user", UserOption, str),
        ("chaincode", ChaincodeOption, str),
        ("timeout", TimeoutOption, float | None),
    )
]


def connection_options(command: Callable[..., None]) -> Callable[..., None]:
    """``command`` with ``--profile``, ``--org``, ``--user``, ``--chaincode`` and ``--timeout``
    after its own parameters; it receives them as its ``connection: Connection`` parameter.
    Typer reads the options from the signature this gives the command."""
    own = inspect.signature(command, eval_str=True).parameters
    parameters = [p for name, p in own.items() if name != "connection"] + _CONNECTION_OPTIONS

    @functools.wraps(command)
    def run(**params: Any) -> None:
        options = {option.name: params.pop(option.name) for option in _CONNECTION_OPTIONS}
        command(connection=Connection(**options), **params)

    signature = inspect.Signature(parameters, return_annotation=None)
    run.__signature__ = signature  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in parameters}
    return run


@contextmanager
def open_contract(connection: Connection, contract: str = "") -> Iterator[Contract]:
    """The chaincode's ``contract`` (default: its default contract) as ``--org``/``--user``;
    Gateway errors end the command with a red message and exit code 1. (Its calls take
    ``timeout=connection.timeout``.)"""
    loaded = connection.load_profile()
    try:
        with loaded.connect(connection.org, user=connection.user) as gateway:
            yield gateway.network(loaded.channel).contract(connection.chaincode, contract)
    except GatewayError as err:
        typer.secho(str(err), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from err
