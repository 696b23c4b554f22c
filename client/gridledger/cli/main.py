"""The `gridledger` command: operations on the ledger, plus command groups that other
distributions plug in through the `gridledger.cli` entry-point group (`network` comes from
gridledger-network)."""

from __future__ import annotations

import logging
from importlib.metadata import entry_points

import typer
from gridledger.cli import billing as billing_cmd
from gridledger.cli import bridge as bridge_cmd
from gridledger.cli import chaincode as chaincode_cmd
from gridledger.cli import energy as energy_cmd
from gridledger.cli import meters as meters_cmd
from gridledger.cli.failures import OneLineErrors

app = typer.Typer(
    name="gridledger",
    help="GridLedger: electricity trading and billing on Hyperledger Fabric.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=OneLineErrors,
)
app.add_typer(chaincode_cmd.app, name="chaincode")
app.add_typer(energy_cmd.app, name="energy")
app.add_typer(billing_cmd.app, name="billing")
app.add_typer(bridge_cmd.app, name="bridge")
app.add_typer(meters_cmd.app, name="meters")


@app.callback()
def _options(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Detailed logs on stderr."),
) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING)


def _plug_in_groups() -> None:
    for entry in entry_points(group="gridledger.cli"):
        app.add_typer(entry.load(), name=entry.name)


def main() -> None:
    _plug_in_groups()
    app()


if __name__ == "__main__":
    main()
