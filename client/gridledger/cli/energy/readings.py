"""``gridledger energy import-readings FILE.csv``: bulk submission with a progress bar;
``gridledger energy readings METER --from T --to T``: a meter's stored readings, as a table.

The CSV format is in ``reading_csv.FORMAT_HELP`` (the command's ``--help``) and in
docs/meter-readings.md.
"""

from __future__ import annotations

from pathlib import Path

import typer
from gridledger.cli.connection import Connection, connection_options
from gridledger.cli.energy.common import JsonOption, console, energy_client, errors, parse_period
from gridledger.cli.energy.import_report import failure_lines, submission_progress
from gridledger.cli.energy.listing import AllOption, LimitOption, Shown, show_listing
from gridledger.cli.energy.reading_csv import FORMAT_HELP, read_reading_file, write_rejected
from gridledger.cli.render import titled_table
from gridledger.energy import DEFAULT_BATCH_SIZE, HeadEnd
from gridledger_domain import MeterDataError, SignedReading, format_utc


@connection_options
def import_readings(
    connection: Connection,
    csv_file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Readings CSV."),
    keys: Path | None = typer.Option(
        None, help="Folder of meter private keys <meter id>.pem to sign unsigned rows."
    ),
    skip_bad: Path | None = typer.Option(
        None,
        "--skip-bad",
        metavar="FILE",
        dir_okay=False,
        help="Write rows that cannot be read or signed to FILE (CSV: line, the row, reason) "
        "and import the others (default: the first such row stops the import).",
    ),
    batch_size: int = typer.Option(DEFAULT_BATCH_SIZE, help="Readings per transaction."),
    in_flight: int = typer.Option(4, help="Transactions in flight at once."),
) -> None:
    try:
        head_end = HeadEnd.from_key_folder(keys) if keys is not None else None
    except MeterDataError as err:
        raise typer.BadParameter(f"--keys {keys}: {err}") from err
    loaded = read_reading_file(csv_file, head_end, keys, stop_at_bad=skip_bad is None)
    if skip_bad is not None:
        write_rejected(skip_bad, loaded)
        if loaded.rejected:
            errors.print(
                f"{len(loaded.rejected)} rows skipped, written to {skip_bad}", soft_wrap=True
            )
    readings = loaded.readings
    if not readings:
        console.print("no readings in the file")
        return
    with (
        energy_client(connection) as client,
        submission_progress(console, len(readings)) as update,
    ):
        summary = client.submit_readings(
            readings,
            batch_size=batch_size,
            max_in_flight=in_flight,
            on_progress=update,
            raise_on_failure=False,
        )
    console.print(
        f"{summary.stored} stored, {summary.duplicates} already on the ledger, "
        f"{summary.certificates_issued} certificates issued, in {len(summary.batches)} "
        f"transactions ({summary.seconds:.1f}s, {summary.readings_per_second:.0f} readings/s)"
    )
    for line in failure_lines(summary):
        errors.print(line, style="red", markup=False, highlight=False, soft_wrap=True)
    if not summary.ok:
        raise typer.Exit(1)


import_readings.__doc__ = (
    "Submit a CSV of meter readings in batches (the utility, or a meter's owner).\n\n" + FORMAT_HELP
)


@connection_options
def readings(
    connection: Connection,
    meter_id: str = typer.Argument(..., metavar="METER", help="The meter."),
    start: str = typer.Option(
        ..., "--from", help="First instant, YYYY-MM-DD (UTC midnight) or YYYY-MM-DDTHH:MM:SSZ."
    ),
    end: str | None = typer.Option(
        None, "--to", help="Last instant, included (default: one day after --from)."
    ),
    as_json: bool = JsonOption,
    limit: int = LimitOption,
    everything: bool = AllOption,
) -> None:
    """A meter's stored readings from --from to --to, at most 31 days (the utility, the
    meter's owner and auditors)."""
    first, last = parse_period(start, end)

    def render(found: list[SignedReading]) -> None:
        table = titled_table(
            f"Readings of {meter_id}",
            ("instant (UTC)", "import Wh", "export Wh"),
            right=("import Wh", "export Wh"),
        )
        for signed in found:
            r = signed.reading
            table.add_row(format_utc(r.interval_start), str(r.import_wh), str(r.export_wh))
        console.print(table)

    with energy_client(connection) as client:
        show_listing(
            lambda n: client.readings(meter_id, first, last, limit=n),
            render,
            Shown(as_json, limit, everything),
        )
