"""`gridledger chaincode evaluate|submit`: call any chaincode function, print its result."""

from __future__ import annotations

import typer
from gridledger.cli.connection import Connection, connection_options, open_contract

app = typer.Typer(help="Call any chaincode function.", no_args_is_help=True)


def _call(connection: Connection, function: str, args: list[str] | None, submit: bool) -> None:
    """Submit or evaluate ``[contract:]function`` with ``args``; echo its result as text."""
    contract, _, name = function.rpartition(":")
    with open_contract(connection, contract) as c:
        call = c.submit if submit else c.evaluate
        result = call(name, *(args or []), timeout=connection.timeout)
        typer.echo(result.decode("utf-8", "replace"))


@app.command()
@connection_options
def evaluate(
    connection: Connection,
    function: str = typer.Argument(..., help="Function, e.g. GetReadings or kv:Get."),
    args: list[str] = typer.Argument(None),
) -> None:
    """Evaluate a function on the gateway's own peer (no ledger update)."""
    _call(connection, function, args, submit=False)


@app.command()
@connection_options
def submit(
    connection: Connection,
    function: str = typer.Argument(..., help="Function, e.g. SubmitReadings or kv:Put."),
    args: list[str] = typer.Argument(None),
) -> None:
    """Endorse, order and wait for the commit of a transaction; print its result."""
    _call(connection, function, args, submit=True)
