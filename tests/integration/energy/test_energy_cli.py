"""``gridledger energy ...`` as a user runs it (typer's CliRunner), on a devnet of its own (it
settles): list commands print whole ids and take ``--json``, ``settle`` says when a period was
already settled, bills export as JSON and CSV, tables and bills show registered display names,
and ``--timeout`` bounds every ledger call."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from gridledger.cli.main import app
from gridledger.energy import Bill, EnergyClient, MeterSigner, Offer, Role
from gridledger_domain import parse_utc
from harness.devnet import OPERATOR, PROSUMER, TestNetwork, running_test_network
from typer.testing import CliRunner

from .conftest import tariff_v1

pytestmark = pytest.mark.integration

DAY = "2025-07-01"
NOON = "2025-07-01T12:00:00Z"


@dataclass
class Ledger:
    network: TestNetwork
    bob: str  # participant ids
    farm: str
    offer: Offer

    def run(self, *args: str, org: str = OPERATOR, user: str = "utility") -> str:
        """``gridledger energy ARGS`` as ``org``/``user``; its output (exit status 0)."""
        options = ["--profile", str(self.network.network_json), "--org", org, "--user", user]
        result = CliRunner().invoke(app, ["energy", *args, *options])
        assert result.exit_code == 0, result.output
        return result.output


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    home = tmp_path_factory.mktemp("cli") / ".devnet"
    with (
        running_test_network(home, with_node_chaincode=False) as network,
        EnergyClient.connect(network.profile, OPERATOR, "utility") as utility,
        EnergyClient.connect(network.profile, PROSUMER, "bob") as bob,
        EnergyClient.connect(network.profile, PROSUMER, "solar-farm") as farm,
    ):
        utility.set_tariff(tariff_v1())
        bob_id = utility.register_participant(
            bob.whoami(), Role.CONSUMER, zone="north", display_name="Bob Builder"
        ).participant_id
        farm_id = utility.register_participant(
            farm.whoami(), Role.PRODUCER, zone="north", display_name="Sunny Acres"
        ).participant_id
        bob.refresh_whoami()
        farm.refresh_whoami()
        home_meter = MeterSigner.simulated("CLI-HOME", seed="cli home")
        panel = MeterSigner.simulated("CLI-PV", seed="cli pv")
        utility.register_meter(
            "CLI-HOME", bob_id, "consumption", "grid", "north", home_meter.public_key_pem
        )
        utility.register_meter(
            "CLI-PV", farm_id, "production", "solar", "north", panel.public_key_pem
        )
        offer = farm.post_offer("CLI-PV", parse_utc(NOON), 4, 200, 95_000)
        bob.buy(offer.offer_id, 100)
        registers = [(100 * i, 0) for i in range(97)]
        utility.submit_readings(home_meter.sign_series(f"{DAY}T00:00:00Z", registers))
        yield Ledger(network, bob_id, farm_id, offer)


def test_offers_print_whole_ids_and_as_json_the_records(ledger: Ledger) -> None:
    table = ledger.run("offers", NOON)
    assert ledger.offer.offer_id in table and "…" not in table
    assert "Sunny Acres" in table  # the seller's registered name, not its CN

    listed = json.loads(ledger.run("offers", NOON, "--json"))
    assert [o["offer_id"] for o in listed] == [ledger.offer.offer_id]
    assert Offer.from_json_dict(listed[0]).seller == ledger.farm


def test_trades_show_whole_ids_and_names_the_caller_may_see(ledger: Ledger) -> None:
    trades = json.loads(ledger.run("trades", ledger.bob, "--json"))
    assert len(trades) == 4 and {t["offer_id"] for t in trades} == {ledger.offer.offer_id}

    as_utility = ledger.run("trades", ledger.bob)  # the utility may list every participant
    assert all(t["trade_id"] in as_utility for t in trades)
    assert "Sunny Acres" in as_utility and "Bob Builder" in as_utility

    as_bob = ledger.run("trades", org=PROSUMER, user="bob")  # bob may not: his own name only
    assert "Bob Builder" in as_bob and "Sunny Acres" not in as_bob and "solar-farm" in as_bob


def test_every_other_list_command_has_json(ledger: Ledger) -> None:
    participants = json.loads(ledger.run("participants", "--json"))
    assert {p["participant_id"] for p in participants} == {ledger.bob, ledger.farm}
    meters = json.loads(ledger.run("meters", ledger.bob, "--json"))
    assert [m["meter_id"] for m in meters] == ["CLI-HOME"]
    assert [t["version"] for t in json.loads(ledger.run("tariffs", "--json"))] == [1]
    assert json.loads(ledger.run("certificates", ledger.bob, "--json")) == []
    readings = json.loads(
        ledger.run("readings", "CLI-HOME", "--from", DAY, "--to", f"{DAY}T01:00:00Z", "--json")
    )
    assert [r["import_wh"] for r in readings] == [0, 100, 200, 300, 400]


def test_settling_twice_says_the_period_was_already_settled(ledger: Ledger) -> None:
    first = ledger.run("settle", ledger.bob, DAY, "--timeout", "60")
    assert "already settled" not in first and "Bob Builder" in first
    assert "Energy bought from Sunny Acres" in first

    again = ledger.run("settle", ledger.bob, DAY)
    bill = Bill.from_json_dict(
        json.loads(ledger.run("bill", DAY, "-p", ledger.bob, "--format", "json"))
    )
    assert again.startswith(f"already settled: {bill.bill_id}, total ")
    assert f"settled: {bill.bill_id}" in first


def test_a_bill_exports_as_json_and_csv(ledger: Ledger) -> None:
    ledger.run("settle", ledger.bob, DAY)
    canonical = ledger.run("bill", DAY, "--format", "json", org=PROSUMER, user="bob")
    bill = Bill.from_json_dict(json.loads(canonical))
    assert canonical.strip().encode() == bill.to_json()

    rows = list(
        csv.DictReader(
            io.StringIO(ledger.run("bill", DAY, "--format", "csv", org=PROSUMER, user="bob"))
        )
    )
    assert list(rows[0]) == ["kind", "label", "quantity", "unit", "unit_price", "amount"]
    lines, totals = rows[: len(bill.lines)], rows[len(bill.lines) :]
    assert [int(r["amount"]) for r in lines] == [line.amount for line in bill.lines]
    assert [r["kind"] for r in lines] == [line.kind.value for line in bill.lines]
    assert [(r["kind"], int(r["amount"])) for r in totals] == [
        ("subtotal", bill.subtotal),
        ("tax", bill.tax),
        ("total", bill.total),
    ]


def test_timeout_is_an_option_of_ledger_commands_and_too_short_a_one_fails_in_one_message(
    ledger: Ledger,
) -> None:
    assert json.loads(ledger.run("tariffs", "--json", "--timeout", "30"))
    options = ["--profile", str(ledger.network.network_json), "--user", "utility"]
    result = CliRunner().invoke(app, ["energy", "participants", "--timeout", "0.001", *options])
    assert result.exit_code == 1
    assert "cause: DEADLINE_EXCEEDED" in result.output
    assert isinstance(result.exception, SystemExit)
