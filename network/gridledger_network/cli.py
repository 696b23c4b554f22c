"""``gridledger network up|down|status``: the devnet as a background process under one folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from gridledger.cli.failures import OneLineErrors

from gridledger_network.devnet.launcher import (
    devnet_status,
    purge_devnet,
    resolve_home,
    start_devnet,
    stop_devnet,
)
from gridledger_network.devnet.served_chaincodes import (
    running_served_chaincodes,
    start_served_chaincodes,
    stop_served_chaincodes,
)
from gridledger_network.fabric.cli import app as fabric_app

app = typer.Typer(
    help="Run the embedded devnet (one Fabric peer endpoint per organisation), or real Fabric.",
    cls=OneLineErrors,
)
app.add_typer(
    fabric_app, name="fabric", help="A real Hyperledger Fabric v3 network from its binaries."
)

HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home",
        envvar="GRIDLEDGER_HOME",
        help="devnet folder (default ./.devnet)",
        show_default=False,
    ),
]


def _print_endpoints(endpoints: dict[str, str]) -> None:
    for msp_id, endpoint in endpoints.items():
        typer.echo(f"  {msp_id}: {endpoint}")


@app.command()
def up(
    home: HomeOption = None,
    timeout: Annotated[float, typer.Option(help="seconds to wait for start-up")] = 30.0,
    log_level: Annotated[str, typer.Option(help="devnet log level")] = "WARNING",
) -> None:
    """Start the devnet in the background (nothing happens if it is already running)."""
    path = resolve_home(home)
    handle = start_devnet(path, timeout=timeout, log_level=log_level)
    status = devnet_status(path)
    verb = "already running" if handle.already_running else "started"
    typer.echo(f"devnet {verb} (pid {handle.pid}), home {path}")
    _print_endpoints(status.endpoints)
    typer.echo(f"  connection profile: {handle.network_json}")
    for name in start_served_chaincodes(path):
        typer.echo(f"  chaincode {name}: served (log {path / 'logs'}/chaincode-{name}.log)")


@app.command()
def down(
    home: HomeOption = None,
    purge: Annotated[bool, typer.Option("--purge", help="also remove ledger and crypto")] = False,
) -> None:
    """Stop the devnet; with --purge remove its state (devnet.yaml is kept)."""
    path = resolve_home(home)
    for name in stop_served_chaincodes(path):
        typer.echo(f"{name} stopped")
    stopped = stop_devnet(path)
    typer.echo("devnet stopped" if stopped else "devnet is not running")
    if purge:
        purge_devnet(path)
        typer.echo(f"state removed from {path}")


@app.command()
def status(home: HomeOption = None) -> None:
    """Say whether the devnet runs, with its pid and endpoints."""
    current = devnet_status(home)
    if not current.running:
        typer.echo(f"devnet is not running (home {current.home})")
        raise typer.Exit(1)
    typer.echo(f"devnet running (pid {current.pid}), home {current.home}")
    _print_endpoints(current.endpoints)
    for name in running_served_chaincodes(current.home):
        typer.echo(f"  {name}: running")
