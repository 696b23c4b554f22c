"""What every ``gridledger energy`` command shares: opening an ``EnergyClient``, naming
participants, parsing periods, and printing refusals."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

import typer
from gridledger.cli.connection import Connection
from gridledger.energy import EnergyClient, EnergyError
from gridledger.gateway import GatewayError
from gridledger.profile import ProfileError
from rich.console import Console

console = Console()
errors = Console(stderr=True)

T = TypeVar("T")


@contextmanager
def energy_client(connection: Connection) -> Iterator[EnergyClient]:
    """An ``EnergyClient`` as ``--org``/``--user``; refusals and Gateway errors end the command
    with a red message and exit code 1."""
    profile = connection.load_profile()
    try:
        with EnergyClient.connect(
            profile, connection.org, connection.user, chaincode=connection.chaincode
        ) as client:
            yield client
    except ProfileError as err:
        raise typer.BadParameter(str(err)) from err
    except EnergyError as err:
        errors.print(f"[bold red]{err.kind}:[/bold red] {err.reason}")
        raise typer.Exit(1) from err
    except GatewayError as err:
        errors.print(f"[red]{err}[/red]")
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
    other = Connection(connection.profile, msp_id, user, connection.chaincode)
    with energy_client(other) as client:
        return client.whoami().participant_id


def for_participant(
    connection: Connection,
    reference: str | None,
    call: Callable[[EnergyClient, str | None], T],
) -> T:
    """``call(client, participant id)`` for the participant ``reference`` names (None: the
    caller), e.g. ``for_participant(connection, owner, EnergyClient.meters)``."""
    participant_id = resolve_participant(connection, reference)
    with energy_client(connection) as client:
        return call(client, participant_id)


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
