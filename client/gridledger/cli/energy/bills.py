"""``gridledger energy bills``: a participant's stored bills, by period."""

from __future__ import annotations

from collections.abc import Sequence

from gridledger.cli.energy.listing import participant_listing_command
from gridledger.cli.render import titled_table
from gridledger.energy import Bill, EnergyClient, format_amount
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


bills = participant_listing_command(
    EnergyClient.bills, bills_table, "bills", "by period, oldest first"
)
