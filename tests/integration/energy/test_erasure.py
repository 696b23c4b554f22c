"""Erasing a household's private meter data on a devnet of its own (issue 20): readings, day
statements and index records purged from both members' peers, the bill kept (legal retention)
until it is erased too, with the salt; the receipt checks every purged key on each member's
peer (``PrivateDataHashes``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import pytest
from click.testing import Result
from fabric.backend import start_backend_network
from gridledger.cli.main import app
from gridledger.energy import EnergyClient, MeterSigner, NotFound, Role
from gridledger_domain import parse_utc
from gridledger_domain.collections import meter_data_collection_name
from gridledger_domain.timeutil import DAY_SECONDS, INTERVAL_SECONDS
from harness.devnet import OPERATOR, PROSUMER
from typer.testing import CliRunner

from .conftest import tariff_v1

pytestmark = pytest.mark.integration

DAY_E = parse_utc("2025-05-05T00:00:00Z")
STEPS = DAY_SECONDS // INTERVAL_SECONDS
METER = "M-ERASE-CAROL"


@dataclass
class Ledger:
    utility: EnergyClient
    carol: str
    profile_path: str

    def run(self, *args: str, user: str = "utility", org: str = OPERATOR) -> Result:
        """``gridledger energy ARGS`` as ``org``/``user``."""
        options = ["--profile", self.profile_path, "--org", org, "--user", user]
        return CliRunner().invoke(app, ["energy", *args, *options])


@pytest.fixture(scope="module")
def ledger(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Ledger]:
    """A network of its own: erasure purges for good."""
    home = tmp_path_factory.mktemp("erasure") / ".devnet"
    network = start_backend_network(home, request.config, with_node_chaincode=False)
    with ExitStack() as stack:
        stack.callback(network.stop)
        utility = stack.enter_context(EnergyClient.connect(network.profile, OPERATOR, "utility"))
        utility.set_tariff(tariff_v1())
        with EnergyClient.connect(network.profile, PROSUMER, "carol") as client:
            me = client.whoami()
        utility.register_participant(me, Role.CONSUMER, zone="north", display_name="carol")
        yield Ledger(utility, me.participant_id, str(network.network_json))


def hashes_on(ledger: Ledger, msp_id: str, keys: list[str]) -> list[str]:
    """The hashes ``msp_id``'s peer holds for ``keys`` of carol's collection."""
    raw = ledger.utility.contract.evaluate(
        "PrivateDataHashes",
        meter_data_collection_name(PROSUMER),
        json.dumps(keys),
        endorsing_orgs=[msp_id],
    )
    return [h["sha256"] for h in json.loads(raw)["hashes"]]


def test_a_households_data_is_erased_and_its_bill_kept_until_asked(ledger: Ledger) -> None:
    utility, carol = ledger.utility, ledger.carol
    signer = MeterSigner.simulated(METER, seed="erasure carol")
    utility.register_meter(METER, carol, "consumption", "grid", "north", signer.public_key_pem)
    utility.submit_readings(
        [
            signer.sign(DAY_E + step * INTERVAL_SECONDS, 50 * step, 0)
            for step in range(3 * STEPS + 1)
        ]
    )
    period = (DAY_E, DAY_E + 2 * DAY_SECONDS)
    bill = utility.settle(carol, *period)
    assert utility.day_statement(carol, DAY_E).participant == carol
    seen: list[tuple[int, int]] = []

    receipt = utility.erase_household(carol, progress=lambda k, t: seen.append((k, t)))
    collection = meter_data_collection_name(PROSUMER)
    assert (receipt.participant, receipt.collection) == (carol, collection)
    # 4 day records (3 days and the next midnight), 1 index block, the span, 2 statements
    assert receipt.erased == 8 and len(set(receipt.keys)) == 8
    assert seen and seen[-1] == (8, len(receipt.transactions))
    assert all(t.transaction_id and t.block_number > 0 for t in receipt.transactions)
    assert sum(t.erased for t in receipt.transactions) == 8
    assert {m.msp_id for m in receipt.members} == {OPERATOR, PROSUMER}
    assert receipt.verified and all(m.checked == m.empty == 8 for m in receipt.members)
    assert f"energy.salt/{carol}" not in receipt.keys
    document = receipt.to_json_dict()
    assert document["erased"] == 8 and document["verified"] and len(document["keys"]) == 8

    # the readings and the statements are gone; the bill stays, checked by the contract
    # against its public commitment, byte for byte the one issued
    assert utility.readings(METER, DAY_E, DAY_E + DAY_SECONDS).all() == []
    with pytest.raises(NotFound):
        utility.day_statement(carol, DAY_E)
    kept = utility.bill(carol, *period)
    assert kept.to_json() == bill.to_json()
    for msp_id in (OPERATOR, PROSUMER):
        assert hashes_on(ledger, msp_id, list(receipt.keys)) == [""] * 8

    # nothing left to erase without bills
    again = ledger.run("erase-household", carol)
    assert again.exit_code == 0, again.output
    assert again.output.startswith(f"erased 0 private values of {carol}")
    # only the utility erases: one line, no traceback
    refused = ledger.run("erase-household", carol, user="carol", org=PROSUMER)
    assert refused.exit_code == 1
    assert "access denied" in refused.output and "Traceback" not in refused.output

    # with bills: the bill, then the salt, last
    done = ledger.run("erase-household", carol, "--include-bills", "--json")
    assert done.exit_code == 0, done.output
    final = json.loads(done.output)
    assert final["erased"] == 2 and final["keys"][-1] == f"energy.salt/{carol}"
    assert final["verified"] and all(m["empty"] == 2 for m in final["members"])
    with pytest.raises(NotFound):
        utility.bill(carol, *period)
    for msp_id in (OPERATOR, PROSUMER):
        assert hashes_on(ledger, msp_id, final["keys"]) == ["", ""]
