"""``--limit`` and ``--all`` for the list commands: a table shows the first ``--limit`` records
(default 50) and says when there are more; ``--all`` fetches every record page by page (with
``--json`` each record is printed as it arrives)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

import typer
from gridledger.cli.connection import Connection
from gridledger.cli.energy.common import (
    JsonRecord,
    console,
    energy_client,
    print_json,
    resolve_participant,
)
from gridledger.cli.energy.names import display_names
from gridledger.cli.render import print_table
from gridledger.energy import EnergyClient
from rich.table import Table

R = TypeVar("R", bound=JsonRecord)

DEFAULT_LIMIT = 50
LimitOption = typer.Option(
    DEFAULT_LIMIT, "--limit", min=1, help="Show at most N records (--all: every one)."
)
AllOption = typer.Option(
    False, "--all", help="Every record, fetched page by page (with --json, streamed)."
)


def show_listing(
    fetch: Callable[[int | None], Iterable[R]],
    render: Callable[[list[R]], None],
    as_json: bool,
    limit: int,
    everything: bool,
) -> None:
    """``fetch(at most n)`` (None: all) printed as JSON, or as ``render`` draws the records
    followed by a note when ``--limit`` left some out."""
    if as_json:
        print_json(fetch(None if everything else limit))
        return
    rows = list(fetch(None if everything else limit + 1))
    more = not everything and len(rows) > limit
    render(rows[:limit] if more else rows)
    if more:
        console.print(f"the first {limit} shown; --limit N for more, --all for every one")


def print_listing(
    connection: Connection,
    reference: str | None,
    call: Callable[[EnergyClient, str | None, int | None], Iterable[R]],
    table: Callable[[Sequence[R], dict[str, str]], Table],
    as_json: bool,
    limit: int,
    everything: bool,
) -> None:
    """``call(client, participant id, at most n)`` for the participant ``reference`` names
    (None: the caller) as ``table`` with display names, or as JSON (``--json``)."""
    participant_id = resolve_participant(connection, reference)
    with energy_client(connection) as client:
        show_listing(
            lambda n: call(client, participant_id, n),
            lambda rows: print_table(console, table(rows, display_names(client))),
            as_json,
            limit,
            everything,
        )
