"""``gridledger energy audit`` and ``verify-audit`` (docs/private-data.md, "Auditors"): a member
of a household's collection exports its private records from its own organisation's peer; an
auditor checks the export against the hashes on its own peer."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import typer
from gridledger.cli.connection import Connection, connection_options
from gridledger.cli.energy.common import (
    JsonOption,
    console,
    energy_client,
    errors,
    parse_moment,
    print_json,
    resolve_participant,
)
from gridledger.cli.render import print_table, titled_table
from gridledger.energy import AuditCheck, AuditRecord, read_audit_records
from gridledger_domain.refusals import InvalidRequest
from rich.markup import escape
from rich.table import Table


def records_table(records: Sequence[AuditRecord]) -> Table:
    table = titled_table(
        "Private records on this organisation's peer",
        ("kind", "subject", "at", "bytes", "sha256", "key"),
        right=("bytes",),
        whole=("sha256", "key"),
    )
    for r in records:
        table.add_row(r.kind, r.subject, r.at, str(len(r.value)), r.sha256, r.key)
    return table


def checks_table(checks: Sequence[AuditCheck]) -> Table:
    table = titled_table(
        "Records checked against this organisation's peer",
        ("kind", "subject", "at", "bytes", "verdict", "key"),
        right=("bytes",),
        whole=("key",),
    )
    for check in checks:
        r = check.record
        table.add_row(r.kind, r.subject, r.at, str(len(r.value)), check.verdict.value, r.key)
    return table


@connection_options
def audit(
    connection: Connection,
    participant: str = typer.Argument(
        ..., help="The household: '<MSP id>::<subject>' or '<MSP id>/<user>'."
    ),
    first_day: str = typer.Argument(..., help="First UTC day, YYYY-MM-DD."),
    last_day: str = typer.Argument(..., help="Last UTC day, YYYY-MM-DD (at most 30 days on)."),
    as_json: bool = JsonOption,
) -> None:
    """Export a household's private records (day records, day statements, bills) from your own
    organisation's peer, which must be a member of the household's collection (the utility,
    the household itself); ``--json`` gives the file an auditor checks with verify-audit."""
    pid = resolve_participant(connection, participant) or participant
    first, last = parse_moment(first_day), parse_moment(last_day)
    with energy_client(connection) as client:
        records = client.audit_meter_data(pid, first, last)
    if as_json:
        print_json(records)
    else:
        print_table(console, records_table(records))


@connection_options
def verify_audit(
    connection: Connection,
    records_file: Path = typer.Argument(
        ..., help="Records exported with 'gridledger energy audit ... --json'."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Check every exported record against the hash your own organisation's peer holds (every
    peer holds every collection's hashes); exit code 1 unless every record matches."""
    try:
        records = read_audit_records(records_file.read_bytes())
    except OSError as err:
        errors.print(
            f"[bold red]cannot read {escape(str(records_file))}:[/bold red] "
            f"{escape(str(err.strerror or err))}",
            soft_wrap=True,
        )
        raise typer.Exit(1) from err
    except InvalidRequest as err:
        errors.print(
            f"[bold red]{escape(str(records_file))}:[/bold red] {escape(err.reason)}",
            soft_wrap=True,
        )
        raise typer.Exit(1) from err
    with energy_client(connection) as client:
        checks = client.verify_audit(records)
    if as_json:
        print_json(checks)
    else:
        print_table(console, checks_table(checks))
        bad = sum(not c.matches for c in checks)
        console.print(
            f"{len(checks)} records checked on {connection.org}'s peer: "
            f"{len(checks) - bad} match, {bad} do not",
            markup=False,
            soft_wrap=True,
        )
    if any(not c.matches for c in checks):
        raise typer.Exit(1)
