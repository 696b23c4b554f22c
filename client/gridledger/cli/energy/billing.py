"""``gridledger energy set-tariff | tariffs | settle | bill | preview-bill | verify-bill |
certificates``."""

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from pathlib import Path

import typer
from gridledger.cli.bill_export import bill_csv
from gridledger.cli.connection import Connection, connection_options
from gridledger.cli.energy.common import console, energy_client, parse_period, resolve_participant
from gridledger.cli.energy.listing import listing_command, participant_listing_command
from gridledger.cli.energy.names import display_names
from gridledger.cli.render import bill_panel, certificates_table, titled_table
from gridledger.energy import EnergyClient, Tariff, format_amount, format_price
from gridledger.energy.answers import ResponseFormatError, read
from gridledger_domain import format_utc
from rich.table import Table

ParticipantOption = typer.Option(
    None,
    "--participant",
    "-p",
    help="Whose bill: '<MSP id>::<subject>' or '<MSP id>/<user>' (default: yours).",
)
StartArgument = typer.Argument(..., help="Period start, YYYY-MM-DD (UTC midnight).")
EndArgument = typer.Argument(None, help="Period end (default: one day after start).")


class BillFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"
    CSV = "csv"


@connection_options
def set_tariff(
    connection: Connection,
    tariff_file: Path = typer.Argument(
        ..., exists=True, help="Tariff JSON (docs/energy-contract.md)."
    ),
) -> None:
    """Add a tariff version (utility only)."""
    try:
        tariff = read(
            Tariff.from_json_dict, json.loads(tariff_file.read_text(encoding="utf-8")), "tariff"
        )
    except (ValueError, ResponseFormatError) as err:
        raise typer.BadParameter(f"{tariff_file}: {err}") from err
    with energy_client(connection) as client:
        stored = client.set_tariff(tariff)
    console.print(f"tariff version {stored.version} from {format_utc(stored.effective_from)}")


def tariffs_table(found: Sequence[Tariff], names: dict[str, str]) -> Table:
    table = titled_table(
        "Tariffs (prices in minor units per kWh)",
        ("version", "from", "time-of-use bands (UTC)", "feed-in", "grid fee", "fixed/day", "tax"),
    )
    for t in found:
        bands = ", ".join(
            f"{b.name} {b.start_minute // 60:02d}:{b.start_minute % 60:02d} {format_price(b.price)}"
            for b in t.bands
        )
        table.add_row(
            str(t.version),
            format_utc(t.effective_from)[:10],
            bands,
            format_price(t.feed_in_price),
            format_price(t.grid_fee),
            format_amount(t.fixed_fee_per_day),
            f"{t.tax_rate_bp / 100:.2f} %",
        )
    return table


tariffs = listing_command(EnergyClient.tariffs, tariffs_table, "Tariff versions, oldest first.")


@connection_options
def settle(
    connection: Connection,
    participant: str = typer.Argument(..., help="'<MSP id>::<subject>' or '<MSP id>/<user>'."),
    start: str = StartArgument,
    end: str | None = EndArgument,
) -> None:
    """Settle a participant's period and print the bill (utility only); a period settled
    before is not settled again: its stored bill is printed, marked "already settled"."""
    pid = resolve_participant(connection, participant) or participant
    begin, finish = parse_period(start, end)
    with energy_client(connection) as client:
        settled = client.settle_period(pid, begin, finish)
        names = display_names(client)
    bill = settled.bill
    if settled.already_settled:
        console.print(
            f"already settled: {bill.bill_id}, total {format_amount(bill.total)} "
            f"{bill.currency} (stored bill, nothing new settled)",
            markup=False,
            soft_wrap=True,
        )
    else:
        console.print(f"settled: {bill.bill_id}", markup=False, soft_wrap=True)
    console.print(bill_panel(bill, names))


@connection_options
def bill(
    connection: Connection,
    start: str = StartArgument,
    end: str | None = EndArgument,
    participant: str | None = ParticipantOption,
    verify: bool = typer.Option(True, help="Also recompute it from the ledger (VerifyBill)."),
    output: BillFormat = typer.Option(
        BillFormat.TEXT,
        "--format",
        help="text: itemised and verified; json: the canonical bill (the ledger's bytes); "
        "csv: one row per line item (kind, label, quantity, unit, unit_price, amount) and "
        "the subtotal, tax and total rows, in integer Wh and minor units.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Same as --format json."),
) -> None:
    """Print a stored bill, itemised, and verify it; or export it (--format json|csv)."""
    if as_json:
        output = BillFormat.JSON
    pid = resolve_participant(connection, participant)
    begin, finish = parse_period(start, end)
    with energy_client(connection) as client:
        stored = client.bill(pid, begin, finish)
        if output is BillFormat.JSON:
            typer.echo(stored.to_json().decode("ascii"))
            return
        names = display_names(client)
        if output is BillFormat.CSV:
            typer.echo(bill_csv(stored, names), nl=False)
            return
        verification = client.verify_bill(pid, begin, finish) if verify else None
    console.print(bill_panel(stored, names, verification=verification))
    if verification is not None and not verification.matches:
        raise typer.Exit(1)


@connection_options
def preview_bill(
    connection: Connection,
    start: str = StartArgument,
    end: str | None = EndArgument,
    participant: str | None = ParticipantOption,
) -> None:
    """What settling would give now (possibly incomplete); nothing is stored."""
    pid = resolve_participant(connection, participant)
    begin, finish = parse_period(start, end)
    with energy_client(connection) as client:
        preview = client.preview_bill(pid, begin, finish)
        names = display_names(client)
    console.print(bill_panel(preview, names, title=f"PREVIEW — {preview.bill_id}"))


@connection_options
def verify_bill(
    connection: Connection,
    start: str = StartArgument,
    end: str | None = EndArgument,
    participant: str | None = ParticipantOption,
) -> None:
    """Recompute a stored bill from the ledger; exit 1 if it does not match."""
    pid = resolve_participant(connection, participant)
    begin, finish = parse_period(start, end)
    with energy_client(connection) as client:
        result = client.verify_bill(pid, begin, finish)
    verdict = "[green]matches[/green]" if result.matches else "[bold red]DOES NOT MATCH[/bold red]"
    console.print(f"bill {result.bill_id}: {verdict}")
    console.print(
        f"  stored total {format_amount(result.stored_total)}, recomputed "
        f"{format_amount(result.recomputed_total)}"
    )
    console.print(f"  inputs hash {result.stored_inputs_hash}")
    if result.days:
        wrong = result.mismatched_days
        console.print(
            f"  day statements: {len(result.days) - len(wrong)} of {len(result.days)} match"
        )
        for day in wrong:
            console.print(
                f"  [bold red]day {format_utc(day.day)[:10]} does not match[/bold red]: "
                f"{day.statement_id}, stored total {format_amount(day.stored_total)}, "
                f"recomputed {format_amount(day.recomputed_total)}",
                soft_wrap=True,
            )
    if not result.matches:
        raise typer.Exit(1)


certificates = participant_listing_command(
    EnergyClient.certificates, certificates_table, "certificates", "held or retired, by day"
)
