"""``gridledger energy bills``: a participant's stored bills, by period."""

from __future__ import annotations

from collections.abc import Sequence

import typer
from gridledger.cli.connection import Connection, connection_options
from gridledger.cli.energy.common import JsonOption
from gridledger.cli.energy.listing import AllOption, LimitOption, print_listing
from gridledger.cli.render import titled_table
from gridledger.energy import Bill, format_amount
from gridledger_domain import format_utc
from rich.table import Table


def bills_table(found: Sequence[Bill], names: dict[str, str]) -> Table:
    columns = ("from", "to", "total", "currency", "bill id")
    table = titled_table("Bills", columns, right=("total",), whole=("bill id",))
    for b in found:
        table.add_row(
            format_utc(b.period_start),
            format_utc(b.period_end),
            format_amount(b.total),
            b.currency,
            b.bill_id,
        )
    return table


@connection_options
def bills(
    connection: Connection,
    participant: str | None = typer.Argument(None, help="Whose bills (default: yours)."),
    as_json: bool = JsonOption,
    limit: int = LimitOption,
    everything: bool = AllOption,
) -> None:
    """A participant's stored bills, by period (oldest first); --json prints whole bills."""
    print_listing(
        connection,
        participant,
        lambda client, pid, n: client.bills(pid, limit=n),
        bills_table,
        as_json,
        limit,
        everything,
    )
