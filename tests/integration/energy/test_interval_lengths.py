"""Meters of other interval lengths on a devnet of their own (it closes days and settles): an
hourly consumer (registered with ``gridledger energy register-meter --interval-minutes 60``)
buys from a 30-minute producer; the days close on 25 and 49 readings, the bills follow the
rule of docs/settlement.md ("Interval lengths") and verify."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from gridledger.cli.main import app
from gridledger.energy import DayStatus, EnergyClient, MeterSigner, Role
from gridledger.energy.readings import ReadingSubmissionError
from gridledger_domain import parse_utc
from gridledger_domain.timeutil import DAY_SECONDS
from gridledger_domain.vocabulary import LineKind
from harness.devnet import OPERATOR, PROSUMER, TestNetwork, running_test_network
from typer.testing import CliRunner

from .conftest import tariff_v1

pytestmark = pytest.mark.integration

DAY = parse_utc("2025-08-01T00:00:00Z")
TEN = DAY + 10 * 3600


@dataclass
class Ledger:
    network: TestNetwork
    clients: dict[str, EnergyClient]
    ids: dict[str, str]

    def cli(self, *args: str) -> tuple[int, str]:
        """``gridledger energy ARGS`` as the utility: exit status, output and errors (one
        string: the runner mixes them), blanks collapsed (the console wraps at 80 columns)."""
        options = ["--profile", str(self.network.network_json), "--org", OPERATOR]
        result = CliRunner().invoke(app, ["energy", *args, *options, "--user", "utility"])
        return result.exit_code, " ".join(result.output.split())


PARTIES = {"bob": Role.CONSUMER, "solar-farm": Role.PRODUCER}


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    home = tmp_path_factory.mktemp("lengths") / ".devnet"
    with ExitStack() as stack:
        network = stack.enter_context(running_test_network(home, with_node_chaincode=False))
        clients = {
            user: stack.enter_context(EnergyClient.connect(network.profile, org, user))
            for user, org in (("utility", OPERATOR), ("bob", PROSUMER), ("solar-farm", PROSUMER))
        }
        clients["utility"].set_tariff(tariff_v1())
        ids = {}
        for user, role in PARTIES.items():
            me = clients[user].whoami()
            clients["utility"].register_participant(me, role, zone="north", display_name=user)
            clients[user].refresh_whoami()
            ids[user] = me.participant_id
        yield Ledger(network, clients, ids)


def test_an_hourly_consumer_buys_from_a_thirty_minute_producer(
    ledger: Ledger, tmp_path: Path
) -> None:
    utility, bob, farm = (ledger.clients[user] for user in ("utility", "bob", "solar-farm"))
    home = MeterSigner.simulated("LEN-HOME", seed="lengths home")
    key = tmp_path / "LEN-HOME.pub.pem"
    key.write_text(home.public_key_pem, encoding="ascii")
    status, out = ledger.cli(
        "register-meter", "LEN-HOME", ledger.ids["bob"], "consumption", str(key),
        "--zone", "north", "--interval-minutes", "60",
    )  # fmt: skip
    assert status == 0 and "every 60 minutes" in out, out
    status, out = ledger.cli(
        "register-meter", "LEN-DAILY", ledger.ids["bob"], "consumption", str(key),
        "--zone", "north", "--interval-minutes", "1440",
    )  # fmt: skip
    assert status == 1 and "Traceback" not in out, out
    assert out.startswith("invalid: meter LEN-DAILY: interval length 1440 minutes: daily or")
    panel = MeterSigner.simulated("LEN-PV", seed="lengths pv")
    utility.register_meter(
        "LEN-PV", ledger.ids["solar-farm"], "production", "solar", "north", panel.public_key_pem,
        interval_minutes=30,
    )  # fmt: skip
    assert utility.meter("LEN-HOME").interval_minutes == 60
    assert utility.meter("LEN-PV").interval_minutes == 30

    offer = farm.post_offer("LEN-PV", TEN, 8, 2000, 120_000)  # 10:00-12:00
    trades = bob.buy(offer.offer_id, 1500)
    assert len(trades) == 8

    # a reading off the meter's grid is refused, never split
    with pytest.raises(ReadingSubmissionError, match="not on the meter's 60-minute interval grid"):
        utility.submit_readings([home.sign(DAY + 900, 0, 0)])
    # 30-minute production: 2000 Wh per half-hour 10:00-12:00, 5 Wh imported otherwise
    pv: list[tuple[int, int]] = []
    imported = exported = 0
    for index in range(49):
        pv.append((imported, exported))
        if 20 <= index < 24:
            exported += 2000
        else:
            imported += 5
    summary = utility.submit_readings(list(panel.sign_series(DAY, pv, interval_minutes=30)))
    assert (summary.stored, summary.certificates_issued) == (49, 4)
    use = [(1600 * hour, 0) for hour in range(25)]
    summary = utility.submit_readings(list(home.sign_series(DAY, use, interval_minutes=60)))
    assert summary.stored == 25

    closing = utility.close_days(DAY, [ledger.ids["bob"], ledger.ids["solar-farm"]])
    assert [r.status for r in closing.results] == [DayStatus.CLOSED, DayStatus.CLOSED]

    bill = utility.settle(ledger.ids["bob"], DAY, DAY + DAY_SECONDS)
    assert bill.complete and bill.intervals_settled == 96

    def quantity(kind: LineKind) -> int:
        return sum(line.quantity for line in bill_lines if line.kind is kind)

    bill_lines = bill.lines
    purchases = [line for line in bill.lines if line.kind is LineKind.TRADE_PURCHASE]
    # each hour's 1600 Wh against the 4 x 1500 Wh bought in its quarter-hours
    assert sum(line.quantity for line in purchases) == 12_000
    assert sum(line.covered_wh for line in purchases) == 2 * 1600
    assert quantity(LineKind.IMBALANCE_CREDIT) == 12_000 - 2 * 1600
    assert quantity(LineKind.UTILITY_ENERGY) == 22 * 1600
    assert (bill.matched_total.consumed_wh, bill.matched_total.matched_wh) == (24 * 1600, 3200)
    assert len(bill.matched_intervals) == 24
    assert bob.verify_bill(ledger.ids["bob"], DAY, DAY + DAY_SECONDS).matches

    farm_bill = utility.settle(ledger.ids["solar-farm"], DAY, DAY + DAY_SECONDS)
    bill_lines = farm_bill.lines
    assert quantity(LineKind.TRADE_SALE) == 12_000
    assert quantity(LineKind.UNDER_DELIVERY) == 2 * 2000  # 4000 Wh per hour against 6000 sold
    # settled per half-hour: the 44 half-hours with consumption (none while exporting)
    assert farm_bill.complete and len(farm_bill.matched_intervals) == 44
    assert utility.verify_bill(ledger.ids["solar-farm"], DAY, DAY + DAY_SECONDS).matches
    held = bob.certificates(ledger.ids["bob"]).all()
    assert sorted(c.wh for c in held) == [500] * 4 + [1500] * 4
    assert {c.interval_minutes for c in held} == {30}
