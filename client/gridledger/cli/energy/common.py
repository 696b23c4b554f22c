"""What every ``gridledger energy`` command shares: opening an ``EnergyClient``, naming
participants, parsing periods, printing refusals, and ``--json`` for list commands."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol, TypeVar

import typer
from gridledger.cli.connection import Connection
from gridledger.cli.energy.names import display_names
from gridledger.cli.render import print_table
from gridledger.energy import EnergyClient, EnergyError
from gridledger.gateway import GatewayError
from gridledger.profile import ProfileError
from rich.console import Console
from rich.table import Table

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
    """``records`` as one JSON array of their ``to_json_dict()``, on stdout (for scripts)."""
    typer.echo(json.dumps([record.to_json_dict() for record in records], indent=2))


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


def for_participant(
    connection: Connection,
    reference: str | None,
    call: Callable[[EnergyClient, str | None], T],
    *,
    with_names: bool = True,
) -> tuple[T, dict[str, str]]:
    """``call(client, participant id)`` for the participant ``reference`` names (None: the
    caller), e.g. ``for_participant(connection, owner, EnergyClient.meters)``, and the display
    names the caller may see (``names.display_names``; none without ``with_names``)."""
    participant_id = resolve_participant(connection, reference)
    with energy_client(connection) as client:
        found = call(client, participant_id)
        return found, display_names(client) if with_names else {}


def print_listing(
    connection: Connection,
    reference: str | None,
    call: Callable[[EnergyClient, str | None], Sequence[R]],
    table: Callable[[Sequence[R], dict[str, str]], Table],
    as_json: bool,
) -> None:
    """A participant's records (``for_participant``) as ``table`` with display names, or as
    JSON (``--json``)."""
    found, names = for_participant(connection, reference, call, with_names=not as_json)
    if as_json:
        print_json(found)
        return
    print_table(console, table(found, names))


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
