"""``gridledger energy import-greenbutton FILE... --map MAPPING`` and
``gridledger energy export-greenbutton METER... --from --to -o FILE`` (docs/greenbutton.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import typer
from gridledger.cli.connection import Connection, connection_options
from gridledger.cli.energy.common import console, energy_client, errors, parse_moment
from gridledger.cli.energy.import_report import submission_progress
from gridledger.energy import CustodianSigner, HeadEnd
from gridledger.greenbutton import (
    DEFAULT_MAX_BYTES,
    Mapping,
    accumulate,
    check_files,
    interval_seconds,
    ledger_lookup,
    meter_lengths,
    read_feed,
    submit_through_outbox,
    write_feed,
)
from gridledger.outbox import Outbox, OutboxDrainer, default_outbox_path
from gridledger_domain import MeterDataError, MeterReading, SignedReading, format_utc
from gridledger_domain.records import Bill

WINDOW = timedelta(days=31)


def _note(line: str) -> None:
    errors.print(line, markup=False, highlight=False, soft_wrap=True)


def _signer(
    keys: Path | None, custodian: str | None, custodian_key: Path | None
) -> Callable[[MeterReading], SignedReading]:
    """How the import signs: the meters' own keys (--keys) or one data custodian's key."""
    if (custodian is None) != (custodian_key is None):
        raise typer.BadParameter("--custodian and --custodian-key go together")
    if (keys is None) == (custodian is None):
        raise typer.BadParameter(
            "sign with the meters' keys (--keys DIR) or as a data custodian (--custodian ID "
            "--custodian-key PEM), one of the two"
        )
    if custodian is not None and custodian_key is not None:
        try:
            pem = custodian_key.read_bytes()
            return CustodianSigner.from_private_key_pem(custodian, pem).sign_reading
        except OSError as err:
            raise typer.BadParameter(f"--custodian-key {custodian_key}: {err}") from err
        except MeterDataError as err:
            raise typer.BadParameter(f"--custodian-key {custodian_key}: {err}") from err
    assert keys is not None
    try:
        return HeadEnd.from_key_folder(keys).sign_reading
    except MeterDataError as err:
        raise typer.BadParameter(f"--keys {keys}: {err}") from err


@connection_options
def import_greenbutton(
    connection: Connection,
    files: list[Path] = typer.Argument(
        ..., metavar="FILE", exists=True, dir_okay=False, help="Green Button (ESPI) files."
    ),
    mapping: Path = typer.Option(
        ..., "--map", exists=True, dir_okay=False, help="Mapping JSON: usage point → meter id."
    ),
    keys: Path | None = typer.Option(
        None, help="The head-end's folder of meter private keys <meter id>.pem (signs readings)."
    ),
    custodian: str | None = typer.Option(
        None, "--custodian", help="Sign as this data custodian instead (with --custodian-key)."
    ),
    custodian_key: Path | None = typer.Option(
        None, "--custodian-key", dir_okay=False, help="The data custodian's PEM private key."
    ),
    outbox_path: Path | None = typer.Option(
        None, "--outbox", help="The durable outbox (default: the client's data folder)."
    ),
    # measured in bench/RESULTS.md ("ingest: Green Button import"): 8 in flight, 1000 a batch
    batch_size: int = typer.Option(1000, help="Readings per transaction."),
    in_flight: int = typer.Option(8, help="Transactions in flight at once."),
    max_bytes: int = typer.Option(DEFAULT_MAX_BYTES, help="Largest file accepted, in bytes."),
) -> None:
    """Import Green Button (ESPI) interval data: each usage point's intervals become its
    meter's cumulative readings, signed with the meter's key from --keys, or by the data
    custodian --custodian with --custodian-key (the meters must allow it), and submitted through
    the durable outbox. Re-importing changes nothing."""
    sign_reading = _signer(keys, custodian, custodian_key)
    table = Mapping.load(mapping)
    points = [point for path in files for point in read_feed(path, max_bytes)]
    gathered, plan = check_files(points, table)  # the files' problems, before any connection
    with energy_client(connection) as client:
        accumulate(gathered, ledger_lookup(client), plan, meter_lengths(client))
    for note in plan.notes:
        _note(note)
    if plan.estimated:
        _note(
            f"{len(plan.estimated)} intervals marked estimated in the files: their closing "
            f"readings are flagged estimated on the ledger, the first: {plan.estimated[0]}"
        )
    signed = [sign_reading(r) for r in plan.readings]
    if not signed:
        console.print("no readings in the files")
        return
    profile = connection.load_profile()
    with (
        Outbox.open(outbox_path or default_outbox_path()) as outbox,
        OutboxDrainer(
            outbox, lambda: profile.connect(connection.org, user=connection.user), workers=in_flight
        ) as drainer,
        submission_progress(console, len(signed)) as update,
    ):
        summary = submit_through_outbox(
            signed,
            outbox,
            drainer,
            channel=profile.channel,
            chaincode=connection.chaincode,
            batch_size=batch_size,
            on_progress=update,
            timeout=connection.timeout,
        )
    unknown = f", {summary.unknown} committed (found in doubt)" if summary.unknown else ""
    if summary.earlier:
        unknown += f", {summary.earlier} imported earlier through this outbox"
    console.print(
        f"{plan.usage_points} usage points, {plan.intervals} interval values: "
        f"{len(signed)} readings, "
        f"{summary.stored} stored, {summary.duplicates} already on the ledger{unknown}, in "
        f"{summary.batches} transactions",
        soft_wrap=True,
    )
    for failure in summary.failures:
        errors.print(failure, style="red", markup=False, highlight=False, soft_wrap=True)
    if not summary.ok:
        raise typer.Exit(1)


@connection_options
def export_greenbutton(
    connection: Connection,
    meters: list[str] = typer.Argument(..., metavar="METER...", help="The meters."),
    start: str = typer.Option(..., "--from", help="First instant, YYYY-MM-DD or ...THH:MM:SSZ."),
    end: str = typer.Option(..., "--to", help="Last instant (included)."),
    output: Path = typer.Option(..., "-o", "--output", dir_okay=False, help="The ESPI file."),
    with_bills: bool = typer.Option(
        True,
        "--bills/--no-bills",
        help="Also write the meters' owners' bills in the period as ESPI UsageSummary entries.",
    ),
) -> None:
    """Write meters' readings from --from to --to as a Green Button (ESPI) feed (the utility,
    the meters' owner and auditors), with the owners' bills overlapping that period as
    UsageSummary entries of each meter's usage point."""
    first, last = parse_moment(start), parse_moment(end)
    series: list[tuple[str, list[MeterReading]]] = []
    bills: dict[str, list[Bill]] = {}
    with energy_client(connection) as client:
        records = {meter_id: client.meter(meter_id) for meter_id in meters}
        lengths = {meter_id: interval_seconds(meter) for meter_id, meter in records.items()}
        if with_bills:
            owned: dict[str, list[Bill]] = {}
            for meter_id, meter in records.items():
                if meter.owner not in owned:
                    owned[meter.owner] = [
                        bill
                        for bill in client.bills(meter.owner)
                        if bill.period_start <= last.timestamp()
                        and bill.period_end > first.timestamp()
                    ]
                bills[meter_id] = owned[meter.owner]
        for meter_id in meters:
            readings: list[MeterReading] = []
            window = first
            while window <= last:
                until = min(window + WINDOW, last)
                readings += [s.reading for s in client.readings(meter_id, window, until)]
                window = until + timedelta(seconds=1)
            series.append(
                (
                    meter_id,
                    sorted(
                        {r.interval_start: r for r in readings}.values(),
                        key=lambda r: r.interval_start,
                    ),
                )
            )
    summary = write_feed(
        output,
        series,
        format_utc(int(last.timestamp()) // 900 * 900),
        lengths.__getitem__,
        bills,
    )
    console.print(
        f"{output}: {summary.meters} meters, {summary.intervals} intervals"
        + (f", {summary.bills} bill summaries" if summary.bills else "")
        + (
            f" ({summary.unbounded} readings bound no interval: not in the file)"
            if summary.unbounded
            else ""
        ),
        soft_wrap=True,
        markup=False,
        highlight=False,
    )
