"""Three organisations on the devnet (GridOperatorMSP, ProsumerMSP, RetailerMSP): a market day with
a RetailerMSP consumer buying from a ProsumerMSP producer, and who endorses what
(docs/endorsement.md): the chaincode's "the utility's AND any one other", the key-level policy the
chaincode sets on another organisation's participant record, and a profile whose first endpoint
for an organisation is dead."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fabric.backend import selected_backend
from gridledger.energy import Bill, EnergyClient, MeterSigner, Role, price_from_minor_per_kwh
from gridledger.energy.client import CHAINCODE
from gridledger.energy.collections import meter_data_collection
from gridledger.gateway import CommitError, Contract, EvaluateError, Gateway, GatewayError
from gridledger.profile import ConnectionProfile
from gridledger_domain.meter_data import registration_transient
from gridledger_network.devnet.config import load_config
from gridledger_network.processes import free_ports
from harness.devnet import OPERATOR, PROSUMER, RETAILER, THREE_ORGS, TestNetwork, start_test_network
from harness.streams import read_until

from .conftest import tariff_v1

pytestmark = pytest.mark.integration

DAY = datetime(2025, 3, 10, tzinfo=UTC)
NEXT = DAY + timedelta(days=1)
Q = timedelta(minutes=15)
PARTICIPANT = "energy.participant"


@dataclass
class ThreeOrgs:
    network: TestNetwork
    profile: ConnectionProfile
    utility: EnergyClient
    erin: EnergyClient  # RetailerMSP consumer
    solar: EnergyClient  # ProsumerMSP producer
    gateways: dict[str, Gateway]
    ids: dict[str, str]  # "erin", "solar" -> participant id

    def kv(self, msp_id: str) -> Contract:
        return self.gateways[msp_id].network(self.profile.channel).contract(CHAINCODE, "kv")


def three_org_devnet(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, name: str
) -> TestNetwork:
    """A devnet of the three organisations in a new temporary home (skips on real Fabric)."""
    if selected_backend(request.config) == "fabric":
        pytest.skip("three organisations on real Fabric are tests/fabric's")
    home = tmp_path_factory.mktemp(name) / ".devnet"
    return start_test_network(home, with_node_chaincode=False, orgs=THREE_ORGS)


@pytest.fixture(scope="module")
def three(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ThreeOrgs]:
    network = three_org_devnet(request, tmp_path_factory, "three-orgs")
    opened: list[Any] = []
    try:
        profile = network.profile
        utility = EnergyClient.connect(profile, OPERATOR, "utility")
        erin = EnergyClient.connect(profile, RETAILER, "erin")
        solar = EnergyClient.connect(profile, PROSUMER, "solar-farm")
        opened += [utility, erin, solar]
        gateways = {msp: profile.connect(msp) for msp in THREE_ORGS}
        opened += gateways.values()
        utility.set_tariff(tariff_v1())
        for client, role in ((erin, Role.CONSUMER), (solar, Role.PRODUCER)):
            utility.register_participant(client.whoami(), role, zone="north", display_name="x")
            client.refresh_whoami()
        ids = {"erin": erin.whoami().participant_id, "solar": solar.whoami().participant_id}
        yield ThreeOrgs(network, profile, utility, erin, solar, gateways, ids)
    finally:
        for item in opened:
            item.close()
        network.stop()


def _key(participant_id: str) -> str:
    return f"\x00{PARTICIPANT}\x00{participant_id}\x00"


def _endorsers(three: ThreeOrgs, transaction_id: str) -> list[str]:
    network = three.gateways[OPERATOR].network(three.profile.channel)
    return sorted(network.transaction(transaction_id).endorsers)


def test_a_retail_consumer_buys_from_a_prosumer_and_verifies_its_bill(three: ThreeOrgs) -> None:
    retail_market_day(three.utility, three.erin, three.solar)


def retail_market_day(utility: EnergyClient, erin: EnergyClient, solar: EnergyClient) -> str:
    """``erin`` (RetailerMSP) buys from ``solar`` (ProsumerMSP) on DAY; readings, settlement,
    both verify their bills. Returns the solar meter's id (shared with tests/fabric)."""
    erin_id, solar_id = erin.whoami().participant_id, solar.whoami().participant_id
    solar_meter = MeterPair.register(utility, solar_id, "production", "solar")
    erin_meter = MeterPair.register(utility, erin_id, "consumption", "grid")
    offer = solar.post_offer(
        solar_meter.meter_id, DAY + 40 * Q, 8, 2000, price_from_minor_per_kwh("9.5")
    )
    assert len(erin.buy(offer.offer_id, 500)) == 8
    readings = [
        *solar_meter.signer.sign_series(DAY, _registers(lambda i: (0, 3000 if i >= 40 else 0))),
        *erin_meter.signer.sign_series(DAY, _registers(lambda i: (700, 0))),
    ]
    summary = utility.submit_readings(readings, batch_size=100)
    assert summary.ok and summary.stored == 2 * 97
    bills: dict[str, Bill] = {pid: utility.settle(pid, DAY, NEXT) for pid in (erin_id, solar_id)}
    bill = erin.bill(None, DAY, NEXT)
    assert bill.complete and bill.intervals_settled == 96
    assert bill.to_json() == bills[erin_id].to_json()
    assert erin.verify_bill(None, DAY, NEXT).matches
    assert solar.verify_bill(None, DAY, NEXT).matches
    bought = sum(x.quantity for x in bill.lines if x.counterparty == solar_id)
    assert bought == 8 * 500
    return solar_meter.meter_id


def test_the_chaincode_policy_takes_the_utility_and_the_callers_org(three: ThreeOrgs) -> None:
    for msp_id, others in ((RETAILER, [OPERATOR, RETAILER]), (OPERATOR, None)):
        submitted = three.kv(msp_id).submit_async("Put", f"three-orgs-{msp_id}", "v")
        assert submitted.status().successful
        endorsers = _endorsers(three, submitted.transaction_id)
        assert OPERATOR in endorsers and len(endorsers) == 2
        if others is not None:
            assert endorsers == others


def test_meter_data_collections_pair_each_org_with_the_utility(three: ThreeOrgs) -> None:
    """The devnet's definition has ``mdata_<MSP>`` per organisation (docs/private-data.md); a
    registration writing a RetailerMSP household's salt to ``mdata_RetailerMSP`` with default
    endorsers is endorsed by its two members only; the kv contract refuses the collection to
    everyone (reads go through the energy contract's rules), while any peer gives its hashes."""
    config = load_config(three.network.home)
    chaincode = config.chaincode(CHAINCODE)
    assert chaincode is not None
    derived = {c.name: c.members for c in chaincode.collections if c.name.startswith("mdata_")}
    assert derived == {
        f"mdata_{OPERATOR}": (OPERATOR, PROSUMER),
        f"mdata_{PROSUMER}": (OPERATOR, PROSUMER),
        f"mdata_{RETAILER}": (OPERATOR, RETAILER),
    }
    collection, members = meter_data_collection(RETAILER)
    assert members == derived[collection]
    transient = registration_transient()
    subject = "CN=three-orgs-salted-household"
    submitted = three.utility.contract.submit_async(
        "RegisterParticipant", RETAILER, subject, "consumer", "north", "s", transient=transient
    )
    assert submitted.status().successful
    assert _endorsers(three, submitted.transaction_id) == sorted(members)
    key = f"energy.salt/{RETAILER}::{subject}"
    for msp_id in (RETAILER, PROSUMER):
        with pytest.raises(EvaluateError, match="holds households' meter data"):
            three.kv(msp_id).evaluate("GetPrivate", collection, key)
        digest = three.kv(msp_id).evaluate("GetPrivateHash", collection, key).decode()
        assert digest == hashlib.sha256(transient["salt"]).hexdigest()
    with pytest.raises(GatewayError, match="holds households' meter data"):
        three.kv(RETAILER).submit("PutPrivate", collection, key, transient={"value": b"1 Wh"})


def test_a_participant_record_needs_the_utility_and_its_own_org(three: ThreeOrgs) -> None:
    key = _key(three.ids["erin"])
    record = three.kv(PROSUMER).evaluate("Get", key).decode()
    assert json.loads(record)["msp_id"] == RETAILER
    # through ProsumerMSP's gateway, the plan follows the key's policy to RetailerMSP's peer
    submitted = three.kv(PROSUMER).submit_async("Put", key, record)
    assert submitted.status().successful
    assert _endorsers(three, submitted.transaction_id) == sorted([OPERATOR, RETAILER])
    # the chaincode's policy alone does not do for that key: the validator refuses it
    with pytest.raises(CommitError) as refused:
        three.kv(PROSUMER).submit("Put", key, record, endorsing_orgs=[OPERATOR, PROSUMER])
    assert refused.value.code_name == "ENDORSEMENT_POLICY_FAILURE"
    # a ProsumerMSP participant's record: the utility's and ProsumerMSP's peers
    key = _key(three.ids["solar"])
    record = three.kv(RETAILER).evaluate("Get", key).decode()
    submitted = three.kv(RETAILER).submit_async("Put", key, record)
    assert submitted.status().successful
    assert _endorsers(three, submitted.transaction_id) == sorted([OPERATOR, PROSUMER])


def test_a_dead_first_endpoint_fails_over_to_the_next(three: ThreeOrgs, tmp_path: Path) -> None:
    document = three.network.describe()
    retailer = document["organizations"][RETAILER]
    dead = f"127.0.0.1:{free_ports(1)[0]}"
    retailer["peer_endpoints"] = [dead, retailer["peer_endpoint"]]
    path = tmp_path / "network.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    profile = ConnectionProfile.load(path)
    with EnergyClient.connect(profile, RETAILER, "erin") as erin:
        assert erin.whoami().participant_id == three.ids["erin"]
    with profile.connect(RETAILER) as gateway:
        contract = gateway.network(profile.channel).contract(CHAINCODE, "kv")
        submitted = contract.submit_async("Put", "three-orgs-failover", "v")
        assert submitted.status().successful


def _registers(flows: Any) -> list[tuple[int, int]]:
    registers = [(10_000, 20_000)]
    for i in range(96):
        imported, exported = flows(i)
        registers.append((registers[-1][0] + imported, registers[-1][1] + exported))
    return registers


@dataclass
class MeterPair:
    meter_id: str
    signer: MeterSigner

    @classmethod
    def register(cls, utility: EnergyClient, owner: str, kind: str, source: str) -> MeterPair:
        meter_id = f"3O-{owner.split('::')[0]}-{kind}"
        signer = MeterSigner.simulated(meter_id, seed=f"three orgs {meter_id}")
        utility.register_meter(meter_id, owner, kind, source, "north", signer.public_key_pem)
        return cls(meter_id, signer)


def test_a_households_meter_data_stays_with_its_collection_members(three: ThreeOrgs) -> None:
    """A RetailerMSP household's readings and bill (issue 20): its collection mdata_RetailerMSP
    has the utility and RetailerMSP as members. ProsumerMSP's peer, though on the channel,
    gives no private write of it with its blocks, and no block holds a reading's signature, the
    readings batch or the bill; the members' peers do hold them, under salted keys."""
    household = f"{RETAILER}::CN=private-household"
    three.utility.register_participant(household, Role.CONSUMER, zone="north", display_name="p")
    meter_id = "3O-PRIVATE-HOUSEHOLD"
    signer = MeterSigner.simulated(meter_id, seed="three orgs private household")
    three.utility.register_meter(
        meter_id, household, "consumption", "grid", "north", signer.public_key_pem
    )
    readings = list(signer.sign_series(DAY, _registers(lambda i: (300 + i, 0))))
    assert three.utility.submit_readings(readings).stored == 97
    bill = three.utility.settle(household, DAY, NEXT)
    assert three.utility.readings(meter_id, DAY, NEXT).all() == readings
    channel = three.profile.channel
    height = three.kv(OPERATOR).new_proposal("Noop").endorse().submit().status().block_number
    secrets = [base64.b64encode(r.signature) for r in readings[:3]] + [bill.to_json()]

    def blocks_through(msp_id: str) -> list[Any]:
        stream = three.gateways[msp_id].network(channel).private_data_blocks(start_block=0)
        seen = read_until(stream, lambda b: b.number >= height)
        assert seen and seen[-1].number >= height
        return seen

    outsider = blocks_through(PROSUMER)
    assert not [w for b in outsider for w in b.private_writes if w.collection.endswith(RETAILER)]
    raw = three.gateways[PROSUMER].network(channel).block_events(start_block=0)
    blocks = b"".join(
        b.SerializeToString() for b in read_until(raw, lambda b: b.header.number >= height)
    )
    assert not [secret for secret in secrets if secret in blocks]
    member = [w for b in blocks_through(RETAILER) for w in b.private_writes]
    mine = [w for w in member if w.collection == f"mdata_{RETAILER}"]
    assert any(secrets[0] in w.value for w in mine) and any(w.value == bill.to_json() for w in mine)
    assert all(meter_id not in w.key for w in mine)
