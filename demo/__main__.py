"""``python -m demo [--fabric] [--keep] [--home DIR] [--port N]``: the market day (``make demo``).

A GridLedger error (a taken port, a network that does not start, a refused transaction) ends it
with one line on stderr and status 1; the network is stopped unless ``--keep`` was given.
"""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from gridledger_domain.command import run_command
from rich.console import Console

from demo.market_day import run_market_day, summary_table
from demo.network import DemoNetwork, start_devnet_network, start_fabric_network
from demo.portals import (
    SignIn,
    add_accounts,
    portal_people,
    portals_running,
    start_portals,
)

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
        bool,
        typer.Option(
            "--keep",
            help="Afterwards, keep the network running and serve both organisations' market "
            "portals, with an account for each person (printed); Ctrl-C stops everything.",
        ),
    ] = False,
    stop: Annotated[
        bool,
        typer.Option(
            "--stop", help="Only stop a network (and portals) an earlier --keep left running."
        ),
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
        try:
            serve_market(network, console)
        finally:
            network.stop()
            console.print(f"network and portals stopped (state left in {folder})")
    else:
        network.stop()
        console.print(f"network stopped (state left in {folder})")
        console.print(
            "Open the market in a browser: .venv/bin/python -m demo --keep "
            "(leaves the network and both organisations' portals running, and prints "
            "everyone's sign-in)"
        )
    if not all_match:
        raise typer.Exit(1)


def serve_market(network: DemoNetwork, console: Console, ports: list[int] | None = None) -> None:
    """Both organisations' portals on the demo's network and an account for each person, shown
    with how to sign in; then wait for Ctrl-C (or SIGTERM, or a portal that ends)."""
    with console.status("starting both organisations' portals ..."):
        portals = start_portals(network.home, ports)
    console.print(f"  portals up: {', '.join(p.url for p in portals)}")
    sign_ins = add_accounts(network.home, portal_people(), portals)
    console.print("[bold]The market portals[/bold] (one per organisation):")
    for portal in portals:
        console.print(f"  {portal.org}: market {portal.market_url}", soft_wrap=True)
    console.print("Sign in as any of the demo's people (one-time passwords, shown only now):")
    for item in sign_ins:
        console.print(sign_in_line(item), soft_wrap=True, markup=False, highlight=False)
    console.print("The network and the portals keep running: Ctrl-C stops them all.")
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with it ignored
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        while portals_running(network.home):
            time.sleep(0.5)
        console.print("a portal ended (its log is in the demo home's logs/): stopping")
    except KeyboardInterrupt:
        console.print("stopping ...")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def sign_in_line(item: SignIn) -> str:
    return (
        f"  {item.name:10} password {item.password}  at {item.portal.sign_in_url}"
        f"  ({item.display_name}, {item.portal.org})"
    )


if __name__ == "__main__":
    sys.exit(run_command("demo", app))
