"""``gridledger energy audit``: read a household's private meter data through a member's peer
and verify every record against the hashes on the caller's own peer (docs/private-data.md,
"Auditors")."""

from __future__ import annotations

from collections.abc import Sequence

import typer
from gridledger.cli.connection import Connection, connection_options
from gridledger.cli.energy.common import (
    JsonOption,
    console,
    energy_client,
    parse_moment,
    print_json,
    resolve_participant,
)
from gridledger.cli.render import print_table, titled_table
from gridledger.energy import AuditCheck
from rich.table import Table


def audit_table(checks: Sequence[AuditCheck]) -> Table:
    table = titled_table(
        "Private records checked against this organisation's peer",
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
    member_org: str | None = typer.Option(
        None,
        "--member-org",
        help="Ask a peer of this organisation (a member of the household's collection: the "
        "utility's or the household's own; default: the Gateway's choice).",
    ),
    as_json: bool = JsonOption,
) -> None:
    """Read a household's private records (day records, day statements, bills) through a
    member's peer (the household, the utility and auditors may) and check each against the
    hash on your own organisation's peer; exit code 1 unless every record matches."""
    pid = resolve_participant(connection, participant) or participant
    first, last = parse_moment(first_day), parse_moment(last_day)
    with energy_client(connection) as client:
        records = client.audit_meter_data(pid, first, last, member_org=member_org)
        checks = client.verify_audit(records)
    if as_json:
        print_json(checks)
    else:
        print_table(console, audit_table(checks))
        bad = [c for c in checks if not c.matches]
        console.print(
            f"{len(checks)} records read through "
            f"{member_org or 'the gateway'}'s peer, checked on {connection.org}'s: "
            f"{len(checks) - len(bad)} match, {len(bad)} do not",
            markup=False,
            soft_wrap=True,
        )
    if any(not c.matches for c in checks):
        raise typer.Exit(1)
