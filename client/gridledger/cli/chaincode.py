"""`gridledger chaincode evaluate|submit`: call any chaincode function, print its result."""

from __future__ import annotations

from pathlib import Path

import typer
from gridledger.cli.connection import (
    ChaincodeOption,
    OrgOption,
    ProfileOption,
    UserOption,
    open_contract,
    target,
)

app = typer.Typer(help="Call any chaincode function.", no_args_is_help=True)


@app.command()
def evaluate(
    function: str = typer.Argument(..., help="Function, e.g. GetReading or kv:Get."),
    args: list[str] = typer.Argument(None),
    profile: Path | None = ProfileOption,
    org: str = OrgOption,
    user: str = UserOption,
    chaincode: str = ChaincodeOption,
) -> None:
    """Evaluate a function on the gateway's own peer (no ledger update)."""
    contract, _, name = function.rpartition(":")
    with open_contract(target(profile, org, user, chaincode, contract)) as c:
        typer.echo(c.evaluate(name, *(args or [])).decode("utf-8", "replace"))


@app.command()
def submit(
    function: str = typer.Argument(..., help="Function, e.g. SubmitReading or kv:Put."),
    args: list[str] = typer.Argument(None),
    profile: Path | None = ProfileOption,
    org: str = OrgOption,
    user: str = UserOption,
    chaincode: str = ChaincodeOption,
) -> None:
    """Endorse, order and wait for the commit of a transaction; print its result."""
    contract, _, name = function.rpartition(":")
    with open_contract(target(profile, org, user, chaincode, contract)) as c:
        typer.echo(c.submit(name, *(args or [])).decode("utf-8", "replace"))
