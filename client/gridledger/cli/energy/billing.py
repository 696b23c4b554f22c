"""``gridledger energy set-tariff | tariffs | settle | bill | preview-bill | verify-bill |
certificates``."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from gridledger.cli.energy.common import (
    ChaincodeOption,
    Connection,
    OrgOption,
    ProfileOption,
    UserOption,
    console,
    energy_client,
    parse_period,
    resolve_participant,
)
from gridledger.cli.render import bill_panel, certificates_table
from gridledger.energy import Tariff, format_amount, format_price
from gridledger.energy.json_fields import ResponseFormatError
from rich.table import Table

ParticipantOption = typer.Option(
    None,
    "--participant",
    "-p",
    help="Whose bill: '<MSP id>::<subject>' or '<MSP id>/<user>' (default: yours).",
)
EndArgument = typer.Argument(None, help="Period end (default: one day after start).")


def set_tariff(
    tariff_file: Path = typer.Argument(
        ..., exists=True, help="Tariff JSON (docs/energy-contract.md)."
    ),
    profile: Path | None = ProfileOption,
    org: str = OrgOption,
    user: str = UserOption,
    chaincode: str = ChaincodeOption,
) -> None:
    """Add a tariff version (utility only)."""
    try:
        tariff = Tariff.from_json(json.loads(tariff_file.read_text(encoding="utf-8")))
    except (ValueError, ResponseFormatError) as err:
        raise typer.BadParameter(f"{tariff_file}: {err}") from err
    with energy_client(Connection(profile, org, user, chaincode)) as client:
        stored = client.set_tariff(tariff)
    console.print(f"tariff version {stored.version} from {stored.effective_from:%Y-%m-%d}")


def tariffs(
    profile: Path | None = ProfileOption,
    org: str = OrgOption,
    user: str = UserOption,
    chaincode: str = ChaincodeOption,
) -> None:
    """Every tariff version."""
    with energy_client(Connection(profile, org, user, chaincode)) as client:
        found = client.tariffs()
    table = Table(title="Tariffs (prices in minor units per kWh)", header_style="bold")
    for column in (
        "version",
        "from",
        "time-of-use bands (UTC)",
        "feed-in",
        "grid fee",
        "fixed/day",
        "tax",
    ):
        table.add_column(column)
    for t in found:
        bands = ", ".join(
            f"{b.name} {b.start_minute // 60:02d}:{b.start_minute % 60:02d} {format_price(b.price)}"
            for b in t.bands
        )
        table.add_row(
            str(t.version),
            f"{t.effective_from:%Y-%m-%d}",
            bands,
            format_price(t.feed_in_price),
            format_price(t.grid_fee),
            format_amount(t.fixed_fee_per_day),
            f"{t.tax_rate_bp / 100:.2f} %",
        )
    console.print(table)


def settle(
    participant: str = typer.Argument(..., help="'<MSP id>::<subject>' or '<MSP id>/<user>'."),
    start: str = typer.Argument(..., help="Period start, YYYY-MM-DD (UTC midnight)."),
    end: str | None = EndArgument,
    profile: Path | None = ProfileOption,
    org: str = OrgOption,
    user: str = UserOption,
    chaincode: str = ChaincodeOption,
) -> None:
    """Settle a participant's period and print the bill (utility only)."""
    connection = Connection(profile, org, user, chaincode)
    pid = resolve_participant(connection, participant) or participant
    begin, finish = parse_period(start, end)
    with energy_client(connection) as client:
        bill = client.settle(pid, begin, finish)
    console.print(bill_panel(bill))


def bill(
    start: str = typer.Argument(..., help="Period start, YYYY-MM-DD (UTC midnight)."),
    end: str | None = EndArgument,
    participant: str | None = ParticipantOption,
    verify: bool = typer.Option(True, help="Also recompute it from the ledger (VerifyBill)."),
    as_json: bool = typer.Option(False, "--json", help="Print the canonical bill JSON."),
    profile: Path | None = ProfileOption,
    org: str = OrgOption,
    user: str = UserOption,
    chaincode: str = ChaincodeOption,
) -> None:
    """Print a stored bill, itemised, and verify it."""
    connection = Connection(profile, org, user, chaincode)
    pid = resolve_participant(connection, participant)
    begin, finish = parse_period(start, end)
    with energy_client(connection) as client:
        stored = client.bill(pid, begin, finish)
        verification = client.verify_bill(pid, begin, finish) if verify else None
    if as_json:
        typer.echo(stored.canonical)
        return
    console.print(bill_panel(stored, verification=verification))
    if verification is not None and not verification.matches:
        raise typer.Exit(1)


def preview_bill(
    start: str = typer.Argument(..., help="Period start, YYYY-MM-DD (UTC midnight)."),
    end: str | None = EndArgument,
    participant: str | None = ParticipantOption,
    profile: Path | None = ProfileOption,
    org: str = OrgOption,
    user: str = UserOption,
    chaincode: str = ChaincodeOption,
) -> None:
    """What settling would give now (possibly incomplete); nothing is stored."""
    connection = Connection(profile, org, user, chaincode)
    pid = resolve_participant(connection, participant)
    begin, finish = parse_period(start, end)
    with energy_client(connection) as client:
        preview = client.preview_bill(pid, begin, finish)
    console.print(bill_panel(preview, title=f"PREVIEW — {preview.bill_id}"))


def verify_bill(
    start: str = typer.Argument(..., help="Period start, YYYY-MM-DD (UTC midnight)."),
    end: str | None = EndArgument,
    participant: str | None = ParticipantOption,
    profile: Path | None = ProfileOption,
    org: str = OrgOption,
    user: str = UserOption,
    chaincode: str = ChaincodeOption,
) -> None:
    """Recompute a stored bill from the ledger; exit 1 if it does not match."""
    connection = Connection(profile, org, user, chaincode)
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
    if not result.matches:
        raise typer.Exit(1)


def certificates(
    owner: str | None = typer.Argument(None, help="Whose certificates (default: yours)."),
    profile: Path | None = ProfileOption,
    org: str = OrgOption,
    user: str = UserOption,
    chaincode: str = ChaincodeOption,
) -> None:
    """Renewable certificates held (or retired) by a participant."""
    connection = Connection(profile, org, user, chaincode)
    pid = resolve_participant(connection, owner)
    with energy_client(connection) as client:
        found = client.certificates(pid)
    console.print(certificates_table(found))
