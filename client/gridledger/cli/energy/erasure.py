"""``gridledger energy erase-household``: purge a household's private meter data and print
the receipt (docs/private-data.md, "Erasure")."""

from __future__ import annotations

import json

import typer
from gridledger.cli.connection import Connection, connection_options
from gridledger.cli.energy.common import console, energy_client, errors, resolve_participant
from gridledger.energy import ErasureReceipt


def receipt_lines(receipt: ErasureReceipt) -> list[str]:
    """The receipt as text lines (the keys themselves only with --json)."""
    what = "readings, statements, revisions, true-ups" + (
        ", bills and salt" if receipt.include_bills else " (bills kept)"
    )
    lines = [
        f"erased {receipt.erased} private values of {receipt.participant} "
        f"from {receipt.collection}: {what}",
    ]
    for t in receipt.transactions:
        lines.append(f"  transaction {t.transaction_id} in block {t.block_number}: {t.erased}")
    for m in receipt.members:
        verdict = "all hashes empty" if m.all_empty else f"{m.checked - m.empty} hashes remain"
        lines.append(f"  {m.msp_id}'s peer: {m.empty} of {m.checked} keys without hash: {verdict}")
    return lines


@connection_options
def erase_household(
    connection: Connection,
    participant: str = typer.Argument(
        ..., help="The household: '<MSP id>::<subject>' or '<MSP id>/<user>'."
    ),
    include_bills: bool = typer.Option(
        False,
        "--include-bills",
        help="Erase its bills too (kept for legal retention otherwise), and last its salt.",
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print the receipt as JSON (with every purged key)."
    ),
) -> None:
    """Purge a household's private meter data (utility only) and print the receipt; exit 1
    if a member's peer still holds a hash of a purged key."""
    pid = resolve_participant(connection, participant) or participant
    with energy_client(connection) as client:
        receipt = client.erase_household(pid, include_bills)
    if as_json:
        typer.echo(json.dumps(receipt.to_json_dict(), indent=2))
    else:
        for line in receipt_lines(receipt):
            console.print(line, soft_wrap=True, markup=False, highlight=False)
    if not receipt.verified:
        errors.print("[bold red]erasure not verified on every member's peer[/bold red]")
        raise typer.Exit(1)
