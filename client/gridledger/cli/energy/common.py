"""What every ``gridledger energy`` command shares: opening an ``EnergyClient``, naming
participants, parsing periods, printing refusals, and ``--json`` for list commands."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol, TypeVar

import typer
from gridledger.cli.connection import Connection
from gridledger.energy import EnergyClient, EnergyError
from gridledger.gateway import GatewayError
from gridledger.profile import ProfileError
from rich.console import Console

console = Console()
errors = Console(stderr=True)

T = TypeVar("T")
R = TypeVar("R", bound="JsonRecord")
JsonOption = typer.Option(
    False, "--json", help="Print one JSON array of the records (as the ledger holds them)."
)


class JsonRecord(Protocol):
    def to_json_dict(self) -> dict[str, Any]: ...


def print_json(records: Iterable[JsonRecord]) -> None:
    """``records`` as one JSON array of their ``to_json_dict()``, on stdout (for scripts),
    written record by record as ``records`` yields them (never all held in memory); the text is
    what ``json.dumps(array, indent=2)`` gives."""
    opened = False
    for record in records:
        text = json.dumps(record.to_json_dict(), indent=2).replace("\n", "\n  ")
        typer.echo(("," if opened else "[") + "\n  " + text, nl=False)
        opened = True
    typer.echo("\n]" if opened else "[]")


@contextmanager
def energy_client(connection: Connection) -> Iterator[EnergyClient]:
    """An ``EnergyClient`` as ``--org``/``--user``; refusals and Gateway errors end the command
    with a red message and exit code 1."""
    profile = connection.load_profile()
    try:
        with EnergyClient.connect(
            profile,
            connection.org,
            connection.user,
            chaincode=connection.chaincode,
            timeout=connection.timeout,
        ) as client:
            yield client
    except ProfileError as err:
        raise typer.BadParameter(str(err)) from err
    except EnergyError as err:
        errors.print(f"[bold red]{err.kind}:[/bold red] {err.reason}")
        raise typer.Exit(1) from err
    except GatewayError as err:
        errors.print(f"[red]{err}[/red]")
        if err.failure is not None:
            errors.print(f"cause: {err.failure} ({err.failure.description})")
        raise typer.Exit(1) from err


def resolve_participant(connection: Connection, reference: str | None) -> str | None:
    """A participant id from ``<MSP id>::<subject>`` as is, or ``<MSP id>/<user>`` (a user of
    the connection profile, asked for its id with WhoAmI); None stays None (the caller)."""
    if reference is None or "::" in reference:
        return reference
    msp_id, separator, user = reference.partition("/")
    if not separator:
        raise typer.BadParameter(
            f"participant {reference!r}: give '<MSP id>::<subject>' or '<MSP id>/<user>'"
        )
    other = replace(connection, org=msp_id, user=user)
    with energy_client(other) as client:
        return client.whoami().participant_id


def parse_moment(text: str) -> datetime:
    """``YYYY-MM-DD`` (midnight UTC) or ``YYYY-MM-DDTHH:MM:SSZ``."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError as err:
        raise typer.BadParameter(f"{text!r}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ") from err


def parse_period(start: str, end: str | None) -> tuple[datetime, datetime]:
    """A billing period: ``start`` to ``end`` (default: one day)."""
    begin = parse_moment(start)
    return begin, parse_moment(end) if end else begin + timedelta(days=1)
