"""``gridledger energy import-readings`` before it reaches the ledger: the format in ``--help``,
bad rows as ``FILE:LINE: reason`` (status 1, no traceback) or into the ``--skip-bad`` file; the
lines it prints for batches that did not commit; ``meter-key``'s owner-only key folder."""

from __future__ import annotations

import csv
import stat
from pathlib import Path

import grpc
import pytest
from gridledger.cli.energy.import_report import failure_lines
from gridledger.cli.energy.reading_csv import read_reading_file
from gridledger.cli.main import app
from gridledger.energy import BatchFailure, BatchResult, Conflict, MeterSigner, SubmissionSummary
from gridledger.gateway import EndorseError
from typer.testing import CliRunner

HEADER = "meter_id,interval_start,import_wh,export_wh"
NO_PROFILE = ["--profile", "/nonexistent/network.json"]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["energy", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def csv_file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "readings.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    folder = tmp_path / "keys"
    folder.mkdir()
    signer = MeterSigner.simulated("M-1")
    (folder / "M-1.pem").write_bytes(signer.key.private_key_pem().encode())
    return folder


def test_help_describes_the_csv_format() -> None:
    code, out, _ = run("import-readings", "--help")
    assert code == 0
    text = " ".join(out.split())
    for needle in (
        "meter_id",
        "interval_start (UTC, YYYY-MM-DDTHH:MM:SSZ, a multiple of 15 minutes)",
        "cumulative registers",
        "whole watt-hours",
        "signature",
        "base64 of the DER ECDSA P-256 signature",
        "DIR/<meter id>.pem",
        "EVE-01,2025-06-21T00:15:00Z,1120,0,",
        "--skip-bad",
    ):
        assert needle in text, needle


def test_a_short_row_is_one_line_with_file_and_line(tmp_path: Path, keys: Path) -> None:
    path = csv_file(
        tmp_path, HEADER, "M-1,2025-06-01T00:00:00Z,10,0", "M-1,2025-06-01T00:15:00Z,20"
    )
    code, out, err = run("import-readings", str(path), "--keys", str(keys), *NO_PROFILE)
    assert code == 1
    assert err == f"gridledger: {path}:3: short row: 3 of 4 fields (no export_wh)\n"
    assert "Traceback" not in out + err


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("M-1,2025-06-01T00:15:00Z,1.5,0", "import_wh '1.5' is not a whole number of Wh"),
        ("M-1,2025-06-01 00:15,1,0", "not a UTC instant of the form YYYY-MM-DDTHH:MM:SSZ"),
        ("M-1,2025-06-01T00:10:00Z,1,0", "interval_start must be aligned to 15 minutes"),
        ("M-1,2025-06-01T00:15:00Z,-1,0", "import_wh must be between 0 and"),
        ("M-2,2025-06-01T00:15:00Z,1,0", "unsigned reading and no key M-2.pem in"),
        ("M-1,2025-06-01T00:15:00Z,1,0,x", "long row: 5 fields, the header has 4 (extra: 'x')"),
    ],
)
def test_a_malformed_row_stops_the_import_before_the_ledger(
    tmp_path: Path, keys: Path, row: str, reason: str
) -> None:
    path = csv_file(tmp_path, HEADER, row)
    code, _, err = run("import-readings", str(path), "--keys", str(keys), *NO_PROFILE)
    assert code == 1  # (it never got to the missing connection profile: status 2)
    assert err.startswith(f"gridledger: {path}:2: {reason}") and err.count("\n") == 1


def test_unsigned_rows_need_keys_and_a_header_needs_the_columns(tmp_path: Path) -> None:
    path = csv_file(tmp_path, HEADER, "M-1,2025-06-01T00:15:00Z,1,0")
    code, _, err = run("import-readings", str(path), *NO_PROFILE)
    assert (code, err) == (
        1,
        f"gridledger: {path}:2: unsigned reading: pass --keys DIR (with DIR/<meter id>.pem) "
        "to sign it\n",
    )
    path = csv_file(tmp_path, "meter,when,import_wh,export_wh")
    code, _, err = run("import-readings", str(path), *NO_PROFILE)
    assert code == 1 and err.startswith(f"gridledger: {path}:1: the header lacks column(s) ")


def test_skip_bad_writes_the_rejected_rows_with_reasons(tmp_path: Path, keys: Path) -> None:
    signed = MeterSigner.simulated("M-9").sign("2025-06-01T00:00:00Z", 5, 0).to_json_dict()
    path = csv_file(
        tmp_path,
        f"{HEADER},signature",
        "M-1,2025-06-01T00:00:00Z,10,0",
        "",
        "M-1,2025-06-01T00:15:00Z,20",
        f"M-9,2025-06-01T00:00:00Z,5,0,{signed['signature']}",
        "M-1,2025-06-01T00:30:00Z,x,0,",
        "M-1,2025-06-01T00:45:00Z,40,0,not base64!",
    )
    rejected = tmp_path / "rejected.csv"
    loaded = read_reading_file(path, None, stop_at_bad=False)
    assert len(loaded.readings) == 1 and len(loaded.rejected) == 4  # (no keys: M-1 unsigned)
    code, _, err = run(
        "import-readings", str(path), "--keys", str(keys), "--skip-bad", str(rejected), *NO_PROFILE
    )
    assert code == 2 and "no connection profile" in err  # the good rows went on to the ledger
    assert "3 rows skipped, written to" in err
    with rejected.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["line"], row["interval_start"], row["reason"]) for row in rows] == [
        ("4", "2025-06-01T00:15:00Z", "short row: 3 of 5 fields (no export_wh, signature)"),
        ("6", "2025-06-01T00:30:00Z", "import_wh 'x' is not a whole number of Wh"),
        ("7", "2025-06-01T00:45:00Z", "signature is not valid base64"),
    ]
    assert rows[0]["import_wh"] == "20" and rows[0]["export_wh"] == ""


def _endorse_error(code: grpc.StatusCode, message: str) -> EndorseError:
    return EndorseError(message, grpc_code=code)


def test_an_outage_is_one_summary_line_and_refusals_one_line_each() -> None:
    done = BatchResult(0, "tx0", 500, 500, 0, 0)
    unreachable = _endorse_error(grpc.StatusCode.UNAVAILABLE, "failed to connect to all addresses")
    refused = Conflict("conflicting duplicate reading for M-1 at ...", unreachable)
    failures = [BatchFailure(i, 500, unreachable) for i in range(1, 200)]
    failures.append(BatchFailure(200, 500, unreachable, skipped=True))
    summary = SubmissionSummary(100_500, (done,), tuple(failures))
    assert failure_lines(summary) == [
        "ledger unreachable: 1 of 201 batches sent; re-running is safe "
        "(already stored readings are skipped)"
    ]
    summary = SubmissionSummary(1500, (done,), (BatchFailure(1, 500, refused), failures[0]))
    assert failure_lines(summary) == [
        "batch 1: 500 readings refused: conflict: conflicting duplicate reading for M-1 at ...",
        "ledger unreachable: 1 of 3 batches sent; re-running is safe "
        "(already stored readings are skipped)",
    ]
    assert failure_lines(SubmissionSummary(500, (done,))) == []


def test_meter_key_folder_and_files_are_owner_only(tmp_path: Path) -> None:
    out = tmp_path / "keys" / "meters"
    code, _, _ = run("meter-key", "M-1", "--out", str(out))
    assert code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    for name in ("M-1.pem", "M-1.pub.pem"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600
    assert "PRIVATE KEY" in (out / "M-1.pem").read_text(encoding="ascii")
    (out / "M-1.pem").chmod(0o644)
    assert run("meter-key", "M-1", "--out", str(out))[0] == 0
    assert stat.S_IMODE((out / "M-1.pem").stat().st_mode) == 0o600


def test_keys_folders_are_ignored_by_git() -> None:
    ignored = (Path(__file__).resolve().parents[3] / ".gitignore").read_text(encoding="utf-8")
    assert {"keys/", "meter-keys/"} <= set(ignored.splitlines())
