"""Estimated readings and data custodians on a devnet of their own (it closes a day and
settles): a Green Button file with estimated intervals imported, the day closed, the bill's
lines from those intervals marked estimated; a data custodian registered and allowed for a
meter signs a file's readings (``import-greenbutton --custodian --custodian-key``), the ledger
records it as their signer, and refuses a custodian not allowed for the meter, an unknown one
and a forged signature, each clearly and writing nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from gridledger.cli.main import app
from gridledger.energy import (
    CustodianSigner,
    DayStatus,
    EnergyClient,
    MeterSigner,
    Role,
)
from gridledger.energy.readings import ReadingSubmissionError
from gridledger.greenbutton import Mapping, ledger_lookup, plan_import, read_feed
from gridledger_domain import MeterReading, parse_utc, simulated_meter_key
from gridledger_domain.timeutil import DAY_SECONDS
from gridledger_domain.vocabulary import LineKind
from harness.devnet import OPERATOR, PROSUMER, TestNetwork, running_test_network
from typer.testing import CliRunner

from .conftest import tariff_v1
from .test_greenbutton import _entry

pytestmark = pytest.mark.integration

DAY = parse_utc("2025-09-01T00:00:00Z")
ESTIMATED = {40, 41}  # 10:00-10:30, the custodian's estimates
BASE = "https://utility.example/espi/1_1/resource/Subscription/7"


@dataclass
class Ledger:
    network: TestNetwork
    utility: EnergyClient
    ids: dict[str, str]

    def cli(self, *args: str) -> tuple[int, str]:
        """``gridledger energy ARGS`` as the utility: exit status and output (blanks collapsed)."""
        options = ["--profile", str(self.network.network_json), "--org", OPERATOR]
        result = CliRunner().invoke(app, ["energy", *args, *options, "--user", "utility"])
        return result.exit_code, " ".join(result.output.split())


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    home = tmp_path_factory.mktemp("provenance") / ".devnet"
    with ExitStack() as stack:
        network = stack.enter_context(running_test_network(home, with_node_chaincode=False))
        utility = stack.enter_context(EnergyClient.connect(network.profile, OPERATOR, "utility"))
        utility.set_tariff(tariff_v1())
        ids = {}
        for user in ("alice", "bob"):
            client = stack.enter_context(EnergyClient.connect(network.profile, PROSUMER, user))
            me = client.whoami()
            utility.register_participant(me, Role.CONSUMER, zone="north", display_name=user)
            ids[user] = me.participant_id
        yield Ledger(network, utility, ids)


def green_button(path: Path, values: list[int], estimated: set[int]) -> Path:
    """One usage point, 15-minute import data from DAY, ReadingQuality 8 on ``estimated``."""
    point = f"{BASE}/UsagePoint/1"
    reading = f"{point}/MeterReading/1"
    kind = f"{BASE}/ReadingType/1"
    intervals = "".join(
        "<espi:IntervalReading>"
        + ("<espi:ReadingQuality><espi:quality>8</espi:quality></espi:ReadingQuality>"
           if i in estimated else "")
        + f"<espi:timePeriod><espi:duration>900</espi:duration><espi:start>{DAY + i * 900}"
        f"</espi:start></espi:timePeriod><espi:value>{v}</espi:value></espi:IntervalReading>"
        for i, v in enumerate(values)
    )  # fmt: skip
    body = (
        _entry(
            point,
            "Home",
            "<espi:UsagePoint><espi:ServiceCategory><espi:kind>0</espi:kind>"
            "</espi:ServiceCategory></espi:UsagePoint>",
            f"{point}/MeterReading",
        )
        + _entry(reading, "reading", "<espi:MeterReading/>", f"{reading}/IntervalBlock", kind)
        + _entry(
            kind,
            "Wh",
            "<espi:ReadingType><espi:flowDirection>1</espi:flowDirection><espi:intervalLength>"
            "900</espi:intervalLength><espi:powerOfTenMultiplier>0</espi:powerOfTenMultiplier>"
            "<espi:uom>72</espi:uom></espi:ReadingType>",
        )
        + _entry(
            f"{reading}/IntervalBlock/1",
            "block",
            f"<espi:IntervalBlock>{intervals}</espi:IntervalBlock>",
        )
    )
    path.write_text(
        '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
        f'xmlns:espi="http://naesb.org/espi">\n{body}</feed>\n',
        encoding="utf-8",
    )
    return path


def mapping(path: Path, meter_id: str) -> Path:
    path.write_text(json.dumps({"usage_points": {"Home": meter_id}}), encoding="utf-8")
    return path


def test_estimated_intervals_imported_mark_the_bill_lines(ledger: Ledger, tmp_path: Path) -> None:
    utility, alice = ledger.utility, ledger.ids["alice"]
    home = MeterSigner.simulated("PROV-ALICE", seed="provenance alice")
    utility.register_meter("PROV-ALICE", alice, "consumption", "grid", "north", home.public_key_pem)
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "PROV-ALICE.pem").write_text(home.key.private_key_pem(), "ascii")
    feed = green_button(tmp_path / "usage.xml", [100] * 96, ESTIMATED)
    status, out = ledger.cli(
        "import-greenbutton", str(feed), "--map", str(mapping(tmp_path / "m.json", "PROV-ALICE")),
        "--keys", str(keys), "--outbox", str(tmp_path / "outbox.sqlite"),
    )  # fmt: skip
    assert status == 0, out
    assert "2 intervals marked estimated in the files" in out and "97 stored" in out, out
    stored = utility.readings("PROV-ALICE", DAY, DAY + DAY_SECONDS).all()
    flagged = [s.reading.interval_start for s in stored if s.reading.estimated]
    assert flagged == [DAY + 41 * 900, DAY + 42 * 900]  # the readings closing 10:00 and 10:15

    closing = utility.close_days(DAY, [alice])
    assert [r.status for r in closing.results] == [DayStatus.CLOSED]
    bill = utility.settle(alice, DAY, DAY + DAY_SECONDS)
    energy = [line for line in bill.lines if line.kind is LineKind.UTILITY_ENERGY]
    assert sum(line.quantity for line in energy if line.estimated) == 200
    assert sum(line.quantity for line in energy if not line.estimated) == 94 * 100
    assert any(line.estimated for line in bill.lines if line.kind is LineKind.GRID_FEE)
    assert not bill.estimates  # the custodian estimated, not the ledger
    assert utility.verify_bill(alice, DAY, DAY + DAY_SECONDS).matches

    # "download my data": the readings (estimated flags as ReadingQuality 8) and the bill as a
    # UsageSummary, which an import ignores with a message
    exported = tmp_path / "export.xml"
    status, out = ledger.cli(
        "export-greenbutton", "PROV-ALICE", "--from", "2025-09-01", "--to", "2025-09-02",
        "-o", str(exported),
    )  # fmt: skip
    assert status == 0 and "1 meters, 96 intervals, 1 bill summaries" in out, out
    text = exported.read_text()
    assert text.count("<espi:quality>8</espi:quality>") == 2 * 2  # both directions
    assert "<espi:UsageSummary>" in text and f"<espi:billLastPeriod>{bill.total * 1000}<" in text
    back = plan_import(
        read_feed(exported), Mapping({"PROV-ALICE": "PROV-ALICE"}), ledger_lookup(utility)
    )
    assert back.readings == [s.reading for s in stored]
    assert any("1 UsageSummary entries ignored" in note for note in back.notes)

    # the day is closed: an actual reading no longer replaces the estimate
    actual = home.sign(DAY + 41 * 900, 41 * 100, 0)
    with pytest.raises(ReadingSubmissionError, match="never rewritten"):
        utility.submit_readings([actual])
    again = utility.readings("PROV-ALICE", DAY + 41 * 900, DAY + 41 * 900).all()
    assert [s.reading.estimated for s in again] == [True]


def test_a_data_custodian_vouches_for_the_meters_that_allow_it(
    ledger: Ledger, tmp_path: Path
) -> None:
    utility, bob = ledger.utility, ledger.ids["bob"]
    custodian = CustodianSigner("PROV-MDM", simulated_meter_key("provenance mdm"))
    (tmp_path / "mdm.pem").write_text(custodian.key.private_key_pem(), "ascii")
    (tmp_path / "mdm.pub.pem").write_text(custodian.key.public_key_pem(), "ascii")
    status, out = ledger.cli("register-custodian", "PROV-MDM", str(tmp_path / "mdm.pub.pem"),
                             "--name", "Utility MDM")  # fmt: skip
    assert status == 0 and "registered data custodian PROV-MDM" in out, out
    status, out = ledger.cli("custodians", "--json")
    assert status == 0 and json.loads(out)[0]["custodian_id"] == "PROV-MDM", out
    meter_key = MeterSigner.simulated("PROV-FRANK", seed="provenance bob")
    (tmp_path / "bob.pub.pem").write_text(meter_key.public_key_pem, "ascii")
    status, out = ledger.cli(
        "register-meter", "PROV-FRANK", bob, "consumption", str(tmp_path / "bob.pub.pem"),
        "--zone", "north", "--custodian", "PROV-MDM",
    )  # fmt: skip
    assert status == 0 and "data custodians PROV-MDM" in out, out
    other = MeterSigner.simulated("PROV-FRANK-2", seed="provenance bob 2")
    utility.register_meter("PROV-FRANK-2", bob, "consumption", "grid", "north",
                           other.public_key_pem)  # fmt: skip

    feed = green_button(tmp_path / "usage.xml", [50, 60, 70, 80], set())
    signed_by = ["--custodian", "PROV-MDM", "--custodian-key", str(tmp_path / "mdm.pem")]
    status, out = ledger.cli(
        "import-greenbutton", str(feed), "--map", str(mapping(tmp_path / "m.json", "PROV-FRANK")),
        *signed_by, "--outbox", str(tmp_path / "outbox.sqlite"),
    )  # fmt: skip
    assert status == 0 and "5 stored" in out, out
    stored = utility.readings("PROV-FRANK", DAY, DAY + 3600).all()
    assert [(s.reading.import_wh, s.signer) for s in stored] == [
        (0, "PROV-MDM"), (50, "PROV-MDM"), (110, "PROV-MDM"), (180, "PROV-MDM"), (260, "PROV-MDM"),
    ]  # fmt: skip

    # refused: a meter that does not allow the custodian (the CLI says why, exit status 1)
    status, out = ledger.cli(
        "import-greenbutton", str(feed), "--map",
        str(mapping(tmp_path / "m2.json", "PROV-FRANK-2")), *signed_by,
        "--outbox", str(tmp_path / "outbox2.sqlite"),
    )  # fmt: skip
    assert status == 1 and "Traceback" not in out, out
    assert "data custodian PROV-MDM is not allowed to vouch for meter PROV-FRANK-2" in out, out
    assert utility.readings("PROV-FRANK-2", DAY, DAY + 3600).all() == []

    # refused: an unknown custodian, and a forged signature; nothing of the batch written
    later = DAY + 5 * 900
    reading = MeterReading("PROV-FRANK", later, 300, 0)
    unknown = CustodianSigner("PROV-NOBODY", custodian.key).sign_reading(reading)
    with pytest.raises(ReadingSubmissionError, match="unknown data custodian PROV-NOBODY"):
        utility.submit_readings([custodian.sign_reading(reading), unknown])
    forged = CustodianSigner("PROV-MDM", simulated_meter_key("someone else")).sign_reading(reading)
    with pytest.raises(ReadingSubmissionError, match="with data custodian PROV-MDM's key"):
        utility.submit_readings([forged])
    assert utility.readings("PROV-FRANK", later, later).all() == []
    # allowed later by the utility: then the same meter accepts the custodian's readings
    assert utility.set_meter_custodians("PROV-FRANK-2", ["PROV-MDM"]).custodians == ("PROV-MDM",)
    summary = utility.submit_readings(
        [custodian.sign_reading(MeterReading("PROV-FRANK-2", DAY, 0, 0))]
    )
    assert summary.stored == 1
