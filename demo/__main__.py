"""``python -m demo [--fabric] [--keep] [--home DIR] [--port N]``: the market day (``make demo``).

A GridLedger error (a taken port, a network that does not start, a refused transaction) ends it
with one line on stderr and status 1; the network is stopped unless ``--keep`` was given.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from gridledger_domain.command import run_command
from rich.console import Console

from demo.market_day import run_market_day, summary_table
from demo.network import DemoNetwork, start_devnet_network, start_fabric_network

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@app.command()
def main(
    fabric: Annotated[
        bool,
        typer.Option(
            "--fabric",
            help="Run on real Hyperledger Fabric v3 (needs its binaries: $FABRIC_BIN, the PATH "
            "or .cache/fabric, filled by `make fabric-binaries`) instead of the devnet.",
        ),
    ] = False,
    keep: Annotated[
        bool, typer.Option("--keep", help="Leave the network running afterwards.")
    ] = False,
    stop: Annotated[
        bool, typer.Option("--stop", help="Only stop a network an earlier --keep left running.")
    ] = False,
    home: Annotated[
        Path | None,
        typer.Option(
            help="Demo home (default .cache/demo, or .cache/demo-fabric with --fabric). "
            "Earlier demo state there is removed."
        ),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            help="Devnet only: the two peers listen on PORT and PORT+1, the chaincode on PORT+2 "
            "(default: free ports)."
        ),
    ] = None,
) -> None:
    """Play one day of an electricity market on GridLedger and print the itemised bills."""
    console = Console()
    folder = (home or Path(".cache/demo-fabric" if fabric else ".cache/demo")).resolve()
    if stop:
        DemoNetwork("fabric" if fabric else "devnet", folder).stop()
        console.print(f"stopped the demo network in {folder}")
        return
    began = time.monotonic()
    kind = "real Fabric" if fabric else "the devnet"
    console.rule(f"[bold]GridLedger demo market day on {kind}")
    network: DemoNetwork | None = None
    try:
        with console.status(f"starting {kind} in {folder} ..."):
            network = start_fabric_network(folder) if fabric else start_devnet_network(folder, port)
        console.print(f"  {kind} up in {time.monotonic() - began:.1f}s, home {folder}")
        day = run_market_day(network.profile(), console, folder / "billing")
    except BaseException:
        if network is not None and not keep:
            network.stop()
        raise
    console.print(summary_table(day))
    all_match = all(item.verification.matches for item in day.bills)
    console.print(
        f"{len(day.bills)} bills, {day.trades} trades, {day.readings.stored} readings; "
        f"verify_bill: {sum(i.verification.matches for i in day.bills)}/{len(day.bills)} by "
        f"their owners, {day.auditor_verified}/{len(day.bills)} by the auditor; "
        f"{time.monotonic() - began:.1f}s in all"
    )
    if keep:
        console.print(
            f"The network keeps running. Reach it with GRIDLEDGER_HOME={folder}, e.g.\n"
            f"  GRIDLEDGER_HOME={folder} .venv/bin/gridledger energy offers 2025-06-21T12:00:00Z\n"
            f"  GRIDLEDGER_HOME={folder} .venv/bin/gridledger energy bill --user bob "
            "--org ProsumerMSP 2025-06-21\n"
            f"Stop it with: .venv/bin/python -m demo --stop --home {folder}"
        )
    else:
        network.stop()
        console.print(f"network stopped (state left in {folder})")
    if not all_match:
        raise typer.Exit(1)


if __name__ == "__main__":
    sys.exit(run_command("demo", app))
