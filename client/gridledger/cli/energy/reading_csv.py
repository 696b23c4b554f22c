"""The readings CSV that ``gridledger energy import-readings`` reads, row by row, and the CSV of
the rows it rejects (``--skip-bad``).

Each data row becomes a ``SignedReading`` (signed in the file, or signed here with the meter's
key from a ``HeadEnd``) or a ``RejectedRow`` naming its line and why it cannot be read or signed.
The format is described once, in ``FORMAT_HELP`` (the command's ``--help``) and in
docs/meter-readings.md.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gridledger.energy import HeadEnd, SignedReading, UnknownMeterKey
from gridledger.errors import GridLedgerError
from gridledger_domain import MeterDataError, MeterReading, parse_utc

COLUMNS = ("meter_id", "interval_start", "import_wh", "export_wh")
SIGNATURE = "signature"
REASON = "reason"
LINE = "line"

FORMAT_HELP = (
    "The CSV file: a header row, then one reading per row. Columns, named in the header, in any "
    "order: meter_id (the registered meter); interval_start (UTC, YYYY-MM-DDTHH:MM:SSZ, a "
    "multiple of 15 minutes); import_wh and export_wh (the meter's cumulative registers at that "
    "instant, in whole watt-hours, 0 or more); optionally signature (the meter's own signature: "
    "base64 of the DER ECDSA P-256 signature, docs/meter-readings.md). A row whose signature is "
    "empty or absent is signed with its meter's private key DIR/<meter id>.pem from --keys DIR."
    "\n\nExample:\n\n"
    "meter_id,interval_start,import_wh,export_wh,signature\n"
    "EVE-01,2025-06-21T00:00:00Z,1000,0,\n"
    "EVE-01,2025-06-21T00:15:00Z,1120,0,\n\n"
    "A row that cannot be read or signed stops the import before anything is sent, with "
    "FILE:LINE and the reason; with --skip-bad REJECTED.csv such rows go to REJECTED.csv (their "
    "line, their fields and a reason column) and the other rows are imported."
)


class ReadingFileError(GridLedgerError):
    """A readings CSV cannot be read at ``line``: ``FILE:LINE: reason``."""

    def __init__(self, path: Path, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A data row that cannot be read or signed: its line in the file, its fields, why."""

    line: int
    fields: tuple[str, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class ReadingFile:
    """A CSV's header and each data row, read (a ``SignedReading``) or rejected."""

    header: tuple[str, ...]
    rows: tuple[SignedReading | RejectedRow, ...]

    @property
    def readings(self) -> list[SignedReading]:
        return [row for row in self.rows if isinstance(row, SignedReading)]

    @property
    def rejected(self) -> list[RejectedRow]:
        return [row for row in self.rows if isinstance(row, RejectedRow)]


def _whole_wh(name: str, text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError(f"{name} {text!r} is not a whole number of Wh") from None


def _fields_error(header: Sequence[str], row: Sequence[str]) -> str | None:
    """Why ``row`` does not fit ``header`` (an unsigned row may end before ``signature``)."""
    if len(row) < len(header) and set(header[len(row) :]) - {SIGNATURE}:
        missing = ", ".join(header[len(row) :])
        return f"short row: {len(row)} of {len(header)} fields (no {missing})"
    if len(row) > len(header):
        extra = ", ".join(repr(field) for field in row[len(header) :])
        return f"long row: {len(row)} fields, the header has {len(header)} (extra: {extra})"
    return None


def _signed(values: dict[str, str], head_end: HeadEnd | None, keys: Path | None) -> SignedReading:
    """The row's reading, signed in the file or with its meter's key; raises ValueError,
    MeterDataError or UnknownMeterKey with the reason."""
    meter_id = values["meter_id"].strip()
    start_text = values["interval_start"].strip()
    reading = MeterReading(
        meter_id,
        parse_utc(start_text),
        _whole_wh("import_wh", values["import_wh"]),
        _whole_wh("export_wh", values["export_wh"]),
    )
    signature = values.get(SIGNATURE, "").strip()
    if signature:
        return SignedReading.from_json_dict(
            {
                "meter_id": meter_id,
                "interval_start": start_text,
                "import_wh": reading.import_wh,
                "export_wh": reading.export_wh,
                "signature": signature,
            }
        )
    if head_end is None:
        raise ValueError("unsigned reading: pass --keys DIR (with DIR/<meter id>.pem) to sign it")
    try:
        return head_end.sign(meter_id, reading.interval_start, reading.import_wh, reading.export_wh)
    except UnknownMeterKey:
        raise ValueError(f"unsigned reading and no key {meter_id}.pem in {keys}") from None


def _reason(error: Exception) -> str:
    return str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)


def read_reading_file(
    path: Path, head_end: HeadEnd | None, keys: Path | None = None, *, stop_at_bad: bool = True
) -> ReadingFile:
    """Every row of the CSV at ``path``; with ``stop_at_bad`` the first row that cannot be read
    or signed raises ``ReadingFileError`` instead. A header without the required columns, or a
    file that is not UTF-8 text or not CSV, always raises."""
    line = 1
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            rows: list[SignedReading | RejectedRow] = []
            header = _header(path, next(reader, []))
            for row in reader:
                line = reader.line_num
                if any(field.strip() for field in row):  # blank lines are skipped
                    rows.append(_row(path, line, header, row, head_end, keys, stop_at_bad))
            return ReadingFile(header, tuple(rows))
    except UnicodeDecodeError as err:
        raise ReadingFileError(path, line, f"not UTF-8 text ({err.reason})") from err
    except csv.Error as err:
        raise ReadingFileError(path, line, f"not CSV: {err}") from err


def _header(path: Path, names: Sequence[str]) -> tuple[str, ...]:
    header = tuple(name.strip() for name in names)
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise ReadingFileError(
            path,
            1,
            f"the header lacks column(s) {', '.join(missing)} (it has: {', '.join(header)})",
        )
    return header


def _row(
    path: Path,
    line: int,
    header: tuple[str, ...],
    row: Sequence[str],
    head_end: HeadEnd | None,
    keys: Path | None,
    stop_at_bad: bool,
) -> SignedReading | RejectedRow:
    reason = _fields_error(header, row)
    if reason is None:
        try:
            return _signed(dict(zip(header, row, strict=False)), head_end, keys)
        except (ValueError, MeterDataError, UnknownMeterKey) as err:
            reason = _reason(err)
    if stop_at_bad:
        raise ReadingFileError(path, line, reason)
    return RejectedRow(line, tuple(row), reason)


def write_rejected(path: Path, reading_file: ReadingFile) -> None:
    """The rejected rows as a CSV: ``line``, the input's columns, then ``reason``."""
    width = len(reading_file.header)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow((LINE, *reading_file.header, REASON))
        for rejected in reading_file.rejected:
            fields = (*rejected.fields, *[""] * width)[:width]  # (a long row's extra: in reason)
            writer.writerow((rejected.line, *fields, rejected.reason))
