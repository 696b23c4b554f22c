"""`gridledger meter ...`: register meters, submit and read interval readings."""

from __future__ import annotations

import json

import typer
from gridledger.cli.connection import Connection, connection_options, open_contract

app = typer.Typer(help="Meters and their 15-minute readings.", no_args_is_help=True)


@app.command()
@connection_options
def register(
    connection: Connection,
    meter_id: str,
    owner: str,
    kind: str = typer.Option("consumption", help="production, consumption or bidirectional."),
) -> None:
    """Register a meter (utility only)."""
    with open_contract(connection) as c:
        typer.echo(c.submit("RegisterMeter", meter_id, owner, kind).decode())


@app.command()
@connection_options
def reading(
    connection: Connection,
    meter_id: str,
    interval_start: str = typer.Argument(..., help="UTC start, e.g. 2026-11-26T10:15:00Z."),
    import_wh: int = typer.Argument(..., help="Cumulative import register, Wh."),
    export_wh: int = typer.Argument(0, help="Cumulative export register, Wh."),
) -> None:
    """Submit one interval reading and wait until it is committed."""
    with open_contract(connection) as c:
        args = (meter_id, interval_start, str(import_wh), str(export_wh))
        typer.echo(c.submit("SubmitReading", *args).decode())


@app.command()
@connection_options
def show(connection: Connection, meter_id: str, interval_start: str) -> None:
    """Read one committed interval reading."""
    with open_contract(connection) as c:
        typer.echo(
            json.dumps(json.loads(c.evaluate("GetReading", meter_id, interval_start)), indent=2)
        )
