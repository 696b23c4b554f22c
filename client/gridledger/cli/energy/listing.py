"""``--limit`` and ``--all`` for the list commands: a table shows the first ``--limit`` records
(default 50) and says when there are more; ``--all`` fetches every record page by page (with
``--json`` each record is printed as it arrives)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

import typer
from gridledger.cli.connection import Connection, connection_options
from gridledger.cli.energy.common import (
    JsonOption,
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
R_co = TypeVar("R_co", bound=JsonRecord, covariant=True)

DEFAULT_LIMIT = 50
LimitOption = typer.Option(
    DEFAULT_LIMIT, "--limit", min=1, help="Show at most N records (--all: every one)."
)
AllOption = typer.Option(
    False, "--all", help="Every record, fetched page by page (with --json, streamed)."
)
TableOf = Callable[[Sequence[R], dict[str, str]], Table]


@dataclass(frozen=True)
class Shown:
    """How a list command prints: ``--json``, ``--limit``, ``--all``."""

    as_json: bool
    limit: int
    everything: bool

    @property
    def most(self) -> int | None:
        """At most this many records are printed (None: all)."""
        return None if self.everything else self.limit


def show_listing(
    fetch: Callable[[int | None], Iterable[R]], render: Callable[[list[R]], None], shown: Shown
) -> None:
    """``fetch(at most n)`` (None: all) printed as JSON, or as ``render`` draws the records
    followed by a note when ``--limit`` left some out."""
    if shown.as_json:
        print_json(fetch(shown.most))
        return
    rows = list(fetch(None if shown.most is None else shown.most + 1))
    more = shown.most is not None and len(rows) > shown.most
    render(rows[: shown.most] if more else rows)
    if more:
        console.print(f"the first {shown.limit} shown; --limit N for more, --all for every one")


def print_listing(
    connection: Connection,
    fetch: Callable[[EnergyClient, int | None], Iterable[R]],
    table: TableOf[R],
    shown: Shown,
) -> None:
    """``fetch(client, at most n)`` as ``table`` with display names, or as JSON."""
    with energy_client(connection) as client:
        show_listing(
            lambda n: fetch(client, n),
            lambda rows: print_table(console, table(rows, display_names(client))),
            shown,
        )


class Fetch(Protocol[R_co]):
    """A client's listing call, e.g. ``EnergyClient.tariffs``."""

    def __call__(self, client: EnergyClient, /, *, limit: int | None) -> Iterable[R_co]: ...


class FetchOf(Protocol[R_co]):
    """A client's listing of one participant's records, e.g. ``EnergyClient.trades``."""

    def __call__(
        self, client: EnergyClient, participant: str | None, /, *, limit: int | None
    ) -> Iterable[R_co]: ...


def listing_command(fetch: Fetch[R], table: TableOf[R], doc: str) -> Callable[..., None]:
    """A list command of records that belong to no one in particular."""

    def command(
        connection: Connection,
        as_json: bool = JsonOption,
        limit: int = LimitOption,
        everything: bool = AllOption,
    ) -> None:
        shown = Shown(as_json, limit, everything)
        print_listing(connection, lambda client, n: fetch(client, limit=n), table, shown)

    command.__doc__ = doc
    return connection_options(command)


def participant_listing_command(
    fetch: FetchOf[R], table: TableOf[R], noun: str, order: str
) -> Callable[..., None]:
    """The list command of one participant's ``noun`` (e.g. ``trades``), listed in ``order``."""

    def command(
        connection: Connection,
        participant: str | None = typer.Argument(None, help=f"Whose {noun} (default: yours)."),
        as_json: bool = JsonOption,
        limit: int = LimitOption,
        everything: bool = AllOption,
    ) -> None:
        pid = resolve_participant(connection, participant)
        shown = Shown(as_json, limit, everything)
        print_listing(connection, lambda client, n: fetch(client, pid, limit=n), table, shown)

    command.__doc__ = f"A participant's {noun}, {order}."
    return connection_options(command)
