"""``gridledger energy import-readings`` against the devnet: a bad row stops the import before
anything is sent, ``--skip-bad`` imports the rest, a conflicting duplicate names what the ledger
holds, and an unreachable ledger ends with one summary line."""

from __future__ import annotations

import csv
import json
import socket
import uuid
from pathlib import Path

import pytest
from gridledger.cli.main import app
from gridledger.energy import MeterSigner
from harness.devnet import OPERATOR, TestNetwork
from typer.testing import CliRunner

from .conftest import Market, register_meter

pytestmark = pytest.mark.integration

DAY = "2025-11-0{}T{:02d}:{:02d}:00Z"
HEADER = ("meter_id", "interval_start", "import_wh", "export_wh")


def _instant(index: int) -> str:
    day, minutes = divmod(index * 15, 24 * 60)
    return DAY.format(day + 1, minutes // 60, minutes % 60)


def _meter(market: Market, keys: Path) -> MeterSigner:
    signer = register_meter(market, "carol", f"CLI-{uuid.uuid4().hex[:8]}", "consumption")
    keys.mkdir(exist_ok=True)
    (keys / f"{signer.meter_id}.pem").write_text(signer.key.private_key_pem(), encoding="ascii")
    return signer


def _write(path: Path, rows: list[tuple[str, ...]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def _rows(meter_id: str, count: int, step: int = 10) -> list[tuple[str, ...]]:
    return [(meter_id, _instant(i), str(i * step), "0") for i in range(count)]


def _import(profile: Path, csv_file: Path, keys: Path, *options: str) -> tuple[int, str, str]:
    arguments = ["energy", "import-readings", str(csv_file), "--keys", str(keys), *options]
    connection = ["--profile", str(profile), "--org", OPERATOR, "--user", "utility"]
    result = CliRunner().invoke(app, arguments + connection)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def _stored(market: Market, meter_id: str) -> int:
    return len(market.utility.readings(meter_id, _instant(0), _instant(2 * 96)).all())


def test_a_bad_row_stops_the_import_and_skip_bad_imports_the_rest(
    market: Market, test_network: TestNetwork, tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    meter = _meter(market, keys)
    rows = _rows(meter.meter_id, 20)
    rows[12] = rows[12][:3]  # a short row
    rows[15] = (meter.meter_id, _instant(15), "lots", "0")
    path = _write(tmp_path / "readings.csv", rows)

    code, _, err = _import(test_network.network_json, path, keys)
    assert (code, err) == (1, f"gridledger: {path}:14: short row: 3 of 4 fields (no export_wh)\n")
    assert _stored(market, meter.meter_id) == 0

    rejected = tmp_path / "rejected.csv"
    code, out, err = _import(test_network.network_json, path, keys, "--skip-bad", str(rejected))
    assert code == 0, out + err
    assert "18 stored" in out and "2 rows skipped" in err
    assert _stored(market, meter.meter_id) == 18
    with rejected.open(newline="", encoding="utf-8") as handle:
        reasons = [(row["line"], row["reason"]) for row in csv.DictReader(handle)]
    assert reasons == [
        ("14", "short row: 3 of 4 fields (no export_wh)"),
        ("17", "import_wh 'lots' is not a whole number of Wh"),
    ]


def test_a_conflicting_duplicate_names_what_the_ledger_holds(
    market: Market, test_network: TestNetwork, tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    meter = _meter(market, keys)
    path = _write(tmp_path / "readings.csv", _rows(meter.meter_id, 4))
    assert _import(test_network.network_json, path, keys)[0] == 0
    changed = _rows(meter.meter_id, 4)
    changed[2] = (meter.meter_id, _instant(2), "25", "0")
    code, _, err = _import(test_network.network_json, _write(path, changed), keys)
    assert code == 1
    assert (
        f"conflicting duplicate reading for {meter.meter_id} at {_instant(2)}: the ledger holds "
        "import=20 Wh export=0 Wh for that meter and interval, the batch submits "
        "import=25 Wh export=0 Wh" in " ".join(err.split())
    )


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_ledger_ends_with_one_summary_line(
    market: Market, test_network: TestNetwork, tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    meters = [_meter(market, keys) for _ in range(3)]
    rows = [row for meter in meters for row in _rows(meter.meter_id, 8)]
    path = _write(tmp_path / "readings.csv", rows)
    described = test_network.describe()
    for org in described["organizations"].values():
        org["peer_endpoint"] = f"127.0.0.1:{_closed_port()}"
    unreachable = test_network.home / f"unreachable-{uuid.uuid4().hex[:6]}.json"
    unreachable.write_text(json.dumps(described), encoding="utf-8")
    try:
        code, out, err = _import(unreachable, path, keys, "--batch-size", "4")
    finally:
        unreachable.unlink()
    assert code == 1
    assert err == (
        "ledger unreachable: 0 of 6 batches sent; re-running is safe "
        "(already stored readings are skipped)\n"
    ), out + err
    assert all(_stored(market, meter.meter_id) == 0 for meter in meters)
    code, out, _ = _import(test_network.network_json, path, keys, "--batch-size", "4")
    assert code == 0 and "24 stored" in out
