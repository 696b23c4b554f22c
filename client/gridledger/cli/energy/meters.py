"""``gridledger energy meter-key | register-meter | deactivate-meter | meters``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import typer
from gridledger.cli.connection import Connection, connection_options
from gridledger.cli.energy.common import console, energy_client, resolve_participant
from gridledger.cli.energy.key_folder import write_owner_only
from gridledger.cli.energy.listing import participant_listing_command
from gridledger.cli.render import titled_table
from gridledger.energy import EnergyClient, EnergySource, Meter, MeterKind, MeterSigner
from gridledger_domain import generate_meter_key
from rich.table import Table


def meter_key(
    meter_id: str = typer.Argument(..., help="The meter the key belongs to."),
    out: Path = typer.Option(
        Path("meter-keys"), help="Folder for <meter id>.pem (private), created owner-only (0700)."
    ),
) -> None:
    """Generate a meter key pair (simulators, head-end tests): the private key goes to
    OUT/<meter id>.pem, the public key (to register) to OUT/<meter id>.pub.pem, both readable by
    you only (0600)."""
    key = generate_meter_key()
    private = write_owner_only(out, f"{meter_id}.pem", key.private_key_pem())
    public = write_owner_only(out, f"{meter_id}.pub.pem", key.public_key_pem())
    console.print(f"private key {private}\npublic key  {public}")


@connection_options
def register_meter(
    connection: Connection,
    meter_id: str,
    owner: str = typer.Argument(..., help="'<MSP id>::<subject>' or '<MSP id>/<user>'."),
    kind: MeterKind = typer.Argument(..., help="production, consumption or bidirectional."),
    public_key: Path = typer.Argument(..., help="The meter's PEM public key."),
    source: EnergySource = typer.Option(EnergySource.GRID, help="Energy source."),
    zone: str = typer.Option(..., help="Grid zone."),
    interval_minutes: int = typer.Option(
        15, help="The meter's interval length: 15, 30 or 60 minutes."
    ),
    custodian: list[str] = typer.Option(
        [], "--custodian", help="A data custodian allowed to vouch for its readings (repeat)."
    ),
) -> None:
    """Register a meter with its device key (utility only)."""
    owner_id = resolve_participant(connection, owner) or owner
    pem = public_key.read_text(encoding="ascii")
    if "PRIVATE KEY" in pem:
        pem = MeterSigner.from_private_key_pem(meter_id, pem).public_key_pem
    with energy_client(connection) as client:
        meter = client.register_meter(
            meter_id,
            owner_id,
            kind,
            source,
            zone,
            pem,
            interval_minutes=interval_minutes,
            custodians=custodian,
        )
    console.print(
        f"registered meter {meter.meter_id} ({meter.kind.value}, {meter.source.value}, "
        f"every {meter.interval_minutes} minutes"
        + (f", data custodians {', '.join(meter.custodians)}" if meter.custodians else "")
        + ")"
    )


@connection_options
def deactivate_meter(connection: Connection, meter_id: str) -> None:
    """Deactivate a meter (utility only): it accepts no more readings."""
    with energy_client(connection) as client:
        meter = client.deactivate_meter(meter_id)
    console.print(f"meter {meter.meter_id} is {meter.status.value}")


def meters_table(found: Sequence[Meter], names: dict[str, str]) -> Table:
    table = titled_table("Meters", ("meter", "kind", "source", "zone", "status"), whole=("meter",))
    for m in found:
        table.add_row(m.meter_id, m.kind.value, m.source.value, m.zone, m.status.value)
    return table


meters = participant_listing_command(EnergyClient.meters, meters_table, "meters", "by meter id")
