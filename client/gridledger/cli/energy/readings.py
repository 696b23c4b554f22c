"""``gridledger energy import-readings FILE.csv``: bulk submission with a progress bar;
``gridledger energy readings METER --from T --to T``: a meter's stored readings, as a table.

The CSV has a header with ``meter_id, interval_start, import_wh, export_wh`` and optionally
``signature`` (base64 DER, as signed by the meter). Rows without a signature are signed with the
meter's key from ``--keys DIR`` (``DIR/<meter id>.pem``), as a head-end holding the keys would.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import typer
from gridledger.cli.connection import Connection, connection_options
from gridledger.cli.energy.common import (
    console,
    energy_client,
    parse_period,
)
from gridledger.cli.render import titled_table
from gridledger.energy import (
    DEFAULT_BATCH_SIZE,
    HeadEnd,
    Progress,
    SignedReading,
    UnknownMeterKey,
)
from gridledger_domain import MeterDataError, format_utc
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
from rich.progress import Progress as ProgressBar

COLUMNS = ("meter_id", "interval_start", "import_wh", "export_wh")


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise typer.BadParameter(f"{path}: missing column(s) {', '.join(missing)}")
        yield from enumerate(reader, start=2)


def load_readings(path: Path, head_end: HeadEnd | None) -> list[SignedReading]:
    readings = []
    for number, row in _rows(path):
        try:
            if row.get("signature"):
                readings.append(
                    SignedReading.from_json_dict(
                        {
                            "meter_id": row["meter_id"],
                            "interval_start": row["interval_start"],
                            "import_wh": int(row["import_wh"]),
                            "export_wh": int(row["export_wh"]),
                            "signature": row["signature"],
                        }
                    )
                )
            elif head_end is not None:
                readings.append(
                    head_end.sign(
                        row["meter_id"],
                        row["interval_start"],
                        int(row["import_wh"]),
                        int(row["export_wh"]),
                    )
                )
            else:
                raise typer.BadParameter(
                    f"{path}:{number}: unsigned reading; pass --keys DIR to sign it"
                )
        except (ValueError, MeterDataError, UnknownMeterKey) as err:
            raise typer.BadParameter(f"{path}:{number}: {err}") from err
    return readings


@connection_options
def import_readings(
    connection: Connection,
    csv_file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Readings CSV."),
    keys: Path | None = typer.Option(
        None, help="Folder of meter private keys <meter id>.pem to sign unsigned rows."
    ),
    batch_size: int = typer.Option(DEFAULT_BATCH_SIZE, help="Readings per transaction."),
    in_flight: int = typer.Option(4, help="Transactions in flight at once."),
) -> None:
    """Submit a CSV of meter readings in batches (the utility, or a meter's owner)."""
    try:
        head_end = HeadEnd.from_key_folder(keys) if keys is not None else None
    except MeterDataError as err:
        raise typer.BadParameter(f"--keys {keys}: {err}") from err
    readings = load_readings(csv_file, head_end)
    if not readings:
        console.print("no readings in the file")
        return
    columns = (
        TextColumn("[bold]submitting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("readings, {task.fields[batches]}"),
        TimeRemainingColumn(),
    )
    with energy_client(connection) as client, ProgressBar(*columns, console=console) as bar:
        task = bar.add_task("readings", total=len(readings), batches="")

        def update(progress: Progress) -> None:
            failed = f", {progress.failed_batches} failed" if progress.failed_batches else ""
            batches = f"batch {progress.batches_done}/{progress.batches_total}{failed}"
            bar.update(task, completed=progress.readings_done, batches=batches)

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
    for failure in summary.failures:
        what = "skipped (an earlier batch of its meters failed)" if failure.skipped else "refused"
        console.print(
            f"[red]batch {failure.index}: {failure.readings} readings {what}: {failure.error}[/red]"
        )
    if not summary.ok:
        raise typer.Exit(1)


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
) -> None:
    """A meter's stored readings from --from to --to, at most 31 days (the utility, the
    meter's owner and auditors)."""
    first, last = parse_period(start, end)
    with energy_client(connection) as client:
        found = client.readings(meter_id, first, last)
    table = titled_table(
        f"Readings of {meter_id}",
        ("instant (UTC)", "import Wh", "export Wh"),
        right=("import Wh", "export Wh"),
    )
    for signed in found:
        r = signed.reading
        table.add_row(format_utc(r.interval_start), str(r.import_wh), str(r.export_wh))
    console.print(table)
