"""``gridledger energy whoami | register-participant | participants``."""

from __future__ import annotations

from collections.abc import Sequence

import typer
from gridledger.cli.connection import Connection, connection_options
from gridledger.cli.energy.common import console, energy_client, resolve_participant
from gridledger.cli.energy.listing import listing_command
from gridledger.cli.render import titled_table
from gridledger.energy import EnergyClient, Participant, Role
from rich.table import Table


@connection_options
def whoami(connection: Connection) -> None:
    """Who the contract takes you for: participant id, role, registered or not."""
    with energy_client(connection) as client:
        me = client.whoami()
    role = me.role.value if me.role else "none"
    console.print(f"participant id: {me.participant_id}")
    console.print(f"role: {role}, registered: {'yes' if me.registered else 'no'}")


@connection_options
def register_participant(
    connection: Connection,
    participant: str = typer.Argument(
        ..., help="'<MSP id>::<subject>' or a profile user as '<MSP id>/<user>'."
    ),
    role: Role = typer.Argument(..., help="producer, consumer, prosumer or auditor."),
    zone: str = typer.Option(..., help="Grid zone."),
    name: str = typer.Option(..., "--name", help="Display name."),
) -> None:
    """Register a participant with a role (utility only)."""
    pid = resolve_participant(connection, participant) or participant
    with energy_client(connection) as client:
        registered = client.register_participant(pid, role, zone=zone, display_name=name)
    console.print(f"registered {registered.display_name} as {registered.role.value}")
    console.print(f"  {registered.participant_id}")


def participants_table(found: Sequence[Participant], names: dict[str, str]) -> Table:
    table = titled_table(
        "Participants", ("name", "role", "zone", "participant id"), whole=("participant id",)
    )
    for p in found:
        table.add_row(p.display_name, p.role.value, p.zone, p.participant_id)
    return table


participants = listing_command(
    EnergyClient.participants, participants_table, "Registered participants (utility, auditors)."
)
