"""``gridledger energy register-custodian | custodians | set-meter-custodians``: data custodians
that vouch for meter readings they hold (docs/meter-readings.md, "Provenance")."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import typer
from gridledger.cli.connection import Connection, connection_options
from gridledger.cli.energy.common import console, energy_client
from gridledger.cli.energy.listing import listing_command
from gridledger.cli.render import titled_table
from gridledger.energy import CustodianSigner, DataCustodian, EnergyClient
from rich.table import Table


def public_key_of(custodian_id: str, path: Path, option: str) -> str:
    """The PEM public key in ``path`` (a private key file gives its public key)."""
    try:
        pem = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise typer.BadParameter(f"{path}: cannot read the key ({exc})", param_hint=option) from exc
    if "PRIVATE KEY" in pem:
        return CustodianSigner.from_private_key_pem(custodian_id, pem).key.public_key_pem()
    return pem


@connection_options
def register_custodian(
    connection: Connection,
    custodian_id: str = typer.Argument(..., help="The data custodian's id."),
    public_key: Path = typer.Argument(..., help="Its PEM public key (P-256)."),
    name: str = typer.Option(..., "--name", help="Its display name."),
) -> None:
    """Register a data custodian with its public key (utility only); meters that name it
    (register-meter --custodian, set-meter-custodians) accept readings it signs."""
    pem = public_key_of(custodian_id, public_key, "PUBLIC_KEY")
    with energy_client(connection) as client:
        custodian = client.register_data_custodian(custodian_id, pem, name)
    console.print(f"registered data custodian {custodian.custodian_id} ({custodian.display_name})")


@connection_options
def set_meter_custodians(
    connection: Connection,
    meter_id: str = typer.Argument(..., help="The meter."),
    custodians: list[str] = typer.Argument(
        None, help="The data custodians allowed to vouch for it (none: only its own key)."
    ),
) -> None:
    """Name the data custodians allowed to sign a meter's readings (utility only), replacing
    its list."""
    with energy_client(connection) as client:
        meter = client.set_meter_custodians(meter_id, custodians or [])
    allowed = ", ".join(meter.custodians) or "none (only its own key)"
    console.print(f"meter {meter.meter_id}: data custodians {allowed}")


def custodians_table(found: Sequence[DataCustodian], names: dict[str, str]) -> Table:
    table = titled_table("Data custodians", ("custodian", "name"), whole=("custodian",))
    for custodian in found:
        table.add_row(custodian.custodian_id, custodian.display_name)
    return table


custodians = listing_command(
    EnergyClient.data_custodians, custodians_table, "Registered data custodians, by id."
)
