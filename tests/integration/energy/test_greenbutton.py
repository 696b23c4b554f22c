"""Green Button on the devnet: ``gridledger energy import-greenbutton`` stores the registers a
file's intervals add up to, a re-import changes nothing, and an export imported back gives
exactly the same readings."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from gridledger.cli.main import app
from gridledger.greenbutton import Mapping, ledger_lookup, plan_import, read_feed
from gridledger_domain import MeterReading, parse_utc
from harness.devnet import OPERATOR, PROSUMER, TestNetwork
from typer.testing import CliRunner

from .conftest import Market, register_meter

pytestmark = pytest.mark.integration

START = parse_utc("2033-03-01T00:00:00Z")  # after any day other modules close or bill
END = "2033-03-01T06:00:00Z"
BASE = "https://utility.example/espi/1_1/resource/Subscription/9"
HOME = [120, 80, 0, 310, 45, 45, 60, 9]
ROOF_IN = [5, 5, 5, 0, 0, 0, 1, 2]
ROOF_OUT = [0, 0, 300, 410, 520, 380, 90, 0]


def _entry(self_link: str, title: str, content: str, *related: str) -> str:
    links = "".join(f'<link rel="related" href="{r}"/>' for r in related)
    up = self_link.rsplit("/", 1)[0]
    return (
        f'<entry><link rel="self" href="{self_link}"/><link rel="up" href="{up}"/>{links}'
        f"<title>{title}</title><content>{content}</content></entry>\n"
    )


def _series(point: int, number: int, flow: int, values: list[int]) -> str:
    reading = f"{BASE}/UsagePoint/{point}/MeterReading/{number}"
    kind = f"{BASE}/ReadingType/{point}{number}"
    readings = "".join(
        f"<espi:IntervalReading><espi:timePeriod><espi:duration>900</espi:duration>"
        f"<espi:start>{START + i * 900}</espi:start></espi:timePeriod>"
        f"<espi:value>{v}</espi:value></espi:IntervalReading>"
        for i, v in enumerate(values)
    )
    return (
        _entry(
            reading, f"reading {number}", "<espi:MeterReading/>", f"{reading}/IntervalBlock", kind
        )
        + _entry(
            kind,
            "Wh",
            f"<espi:ReadingType><espi:flowDirection>{flow}</espi:flowDirection>"
            "<espi:intervalLength>900</espi:intervalLength><espi:powerOfTenMultiplier>0"
            "</espi:powerOfTenMultiplier><espi:uom>72</espi:uom></espi:ReadingType>",
        )
        + _entry(
            f"{reading}/IntervalBlock/1",
            "block",
            f"<espi:IntervalBlock>{readings}</espi:IntervalBlock>",
        )
    )


def _feed(path: Path) -> Path:
    points = "".join(
        _entry(
            f"{BASE}/UsagePoint/{n}",
            title,
            "<espi:UsagePoint><espi:ServiceCategory><espi:kind>0</espi:kind>"
            "</espi:ServiceCategory></espi:UsagePoint>",
            f"{BASE}/UsagePoint/{n}/MeterReading",
        )
        for n, title in ((1, "Home"), (2, "Rooftop"))
    )
    body = points + _series(1, 1, 1, HOME) + _series(2, 1, 1, ROOF_IN) + _series(2, 2, 19, ROOF_OUT)
    path.write_text(
        '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
        f'xmlns:espi="http://naesb.org/espi">\n{body}</feed>\n',
        encoding="utf-8",
    )
    return path


def _run(profile: Path, *arguments: str, org: str = OPERATOR, user: str = "utility") -> str:
    connection = ["--profile", str(profile), "--org", org, "--user", user]
    result = CliRunner().invoke(app, [*arguments, *connection])
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


def _stored(market: Market, meter_id: str) -> list[MeterReading]:
    return [s.reading for s in market.utility.readings(meter_id, START, parse_utc(END)).all()]


def _registers(values: list[int]) -> list[int]:
    return [sum(values[:i]) for i in range(len(values) + 1)]


def test_import_reimport_and_export_round_trip(
    market: Market, test_network: TestNetwork, tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:8]
    home = register_meter(market, "carol", f"GB-HOME-{suffix}", "consumption")
    roof = register_meter(market, "alice", f"GB-ROOF-{suffix}", "bidirectional", "solar")
    keys = tmp_path / "keys"
    keys.mkdir()
    for signer in (home, roof):
        (keys / f"{signer.meter_id}.pem").write_text(signer.key.private_key_pem(), "ascii")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps(
            {"usage_points": {f"{BASE}/UsagePoint/1": home.meter_id, "Rooftop": roof.meter_id}}
        )
    )
    feed = _feed(tmp_path / "usage.xml")
    profile = test_network.network_json
    imported = [
        "energy", "import-greenbutton", str(feed), "--map", str(mapping), "--keys", str(keys),
    ]  # fmt: skip

    out = _run(profile, *imported, "--outbox", str(tmp_path / "outbox.sqlite"))
    summary = "2 usage points, 24 interval values: 18 readings, 18 stored, 0 already on the ledger"
    assert summary in out
    stored_home, stored_roof = _stored(market, home.meter_id), _stored(market, roof.meter_id)
    assert [r.import_wh for r in stored_home] == _registers(HOME)
    assert [r.export_wh for r in stored_home] == [0] * 9
    assert [(r.import_wh, r.export_wh) for r in stored_roof] == list(
        zip(_registers(ROOF_IN), _registers(ROOF_OUT), strict=True)
    )

    # re-import: through the same outbox (nothing sent) and through a fresh one (all duplicates)
    out = _run(profile, *imported, "--outbox", str(tmp_path / "outbox.sqlite"))
    assert "0 stored, 0 already on the ledger, 18 imported earlier through this outbox" in out
    out = _run(profile, *imported, "--outbox", str(tmp_path / "second.sqlite"))
    assert "18 readings, 0 stored, 18 already on the ledger" in out
    assert (_stored(market, home.meter_id), _stored(market, roof.meter_id)) == (
        stored_home,
        stored_roof,
    )

    # export (as the consumer herself) and import back: exactly the same readings
    exported = tmp_path / "export.xml"
    out = _run(
        profile, "energy", "export-greenbutton", home.meter_id, "--from", "2033-03-01",
        "--to", END, "-o", str(exported), org=PROSUMER, user="carol",
    )  # fmt: skip
    assert "1 meters, 8 intervals" in out
    back = plan_import(
        read_feed(exported), Mapping({home.meter_id: home.meter_id}), ledger_lookup(market.utility)
    )
    assert back.readings == stored_home
    mapping.write_text(json.dumps({"usage_points": {home.meter_id: home.meter_id}}))
    again = ["energy", "import-greenbutton", str(exported), "--map", str(mapping)]
    out = _run(profile, *again, "--keys", str(keys), "--outbox", str(tmp_path / "third.sqlite"))
    assert "9 readings, 0 stored, 9 already on the ledger" in out
    assert _stored(market, home.meter_id) == stored_home
