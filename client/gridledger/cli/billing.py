"""``gridledger billing run``: the billing runner as a service (or one pass with ``--once``).

See docs/billing-runner.md: what it does, how it resumes, how to run it as a service.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from gridledger.billing import RunnerOptions, open_runner, parse_day, parse_duration
from gridledger.cli.connection import Connection
from gridledger.cli.failures import OneLineErrors

app = typer.Typer(
    help="Automatic billing: close participants' days as their readings complete and issue "
    "bills on the tariff's cycle.",
    no_args_is_help=True,
    cls=OneLineErrors,
)

BILLING_FOLDER = "billing"
NETWORK_FILE = "network.json"


@app.command()
def run(
    home: Annotated[
        Path,
        typer.Option(
            "--home",
            envvar="GRIDLEDGER_HOME",
            help="Network folder holding network.json (the devnet's home); the runner keeps "
            "its outbox and state in its billing/ folder.",
        ),
    ] = Path(".devnet"),
    org: Annotated[
        str, typer.Option("--org", help="The utility's organisation (MSP id).")
    ] = "GridOperatorMSP",
    user: Annotated[
        str, typer.Option("--user", help="The utility's user (its MSP folder signs).")
    ] = "utility",
    once: Annotated[
        bool, typer.Option("--once", help="One pass, then exit (e.g. from cron or a test).")
    ] = False,
    grace: Annotated[
        str,
        typer.Option(
            "--grace",
            help="How long after a day's end to wait for missing readings before closing it "
            "with estimates (e.g. 48h, 90m, 2d).",
        ),
    ] = "48h",
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="YYYY-MM-DD",
            help="First day to bill for participants with no closed day (default: the first "
            "whole UTC day their meters reported, looking back a year).",
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until",
            metavar="YYYY-MM-DD",
            help="Close only the days before this one (default: every day that has ended).",
        ),
    ] = None,
    interval: Annotated[
        float,
        typer.Option("--interval", min=1.0, metavar="SECONDS", help="Pause between passes."),
    ] = 300.0,
    chaincode: Annotated[str, typer.Option("--chaincode", help="Chaincode name.")] = "gridledger",
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout", min=0.001, metavar="SECONDS", help="Deadline of each ledger query."
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Per participant details and bill ids.")
    ] = False,
) -> None:
    """Close every billed participant's ended UTC days in order as their readings complete
    (estimating what is still missing once --grace has passed), revise days whose estimates
    got actual readings, and issue period bills on the tariff's cycle (daily or calendar
    monthly) once all their days are closed. Prints a line per day and batch (closed, waiting,
    bills issued) and what it waits for. Safe to stop and start at any time: what it does is
    derived from the ledger, so no bill is issued twice and none is skipped."""
    options = RunnerOptions(
        grace=parse_duration(grace),
        since=parse_day(since) if since else None,
        until=parse_day(until) if until else None,
    )
    if not (home / NETWORK_FILE).exists():
        raise typer.BadParameter(
            f"no connection profile at {home / NETWORK_FILE}: give --home the folder of a "
            "running network (`gridledger network up` starts the devnet in .devnet)"
        )
    profile = Connection(home / NETWORK_FILE, org, user, chaincode, timeout).load_profile()
    stop = threading.Event()
    _stop_on_signals(stop)
    failed = False
    with open_runner(
        profile,
        home / BILLING_FOLDER,
        org,
        typer.echo,
        user=user,
        chaincode=chaincode,
        options=options,
        verbose=verbose,
        timeout=timeout,
    ) as runner:
        while True:
            summary = runner.run_pass()
            failed = bool(summary.failures)
            if verbose or once or summary.closed or summary.bills_issued or summary.failures:
                typer.echo(summary.line())
            if once or stop.wait(interval):
                break
    if failed and once:
        raise typer.Exit(1)


def _stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM/SIGINT end the service after the current step (a pass's transactions are
    idempotent, so a harder stop is safe too)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, handler)
