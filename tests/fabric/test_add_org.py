"""A fourth organisation joins a running channel (``gridledger network fabric add-org``): three
organisations (one peer each) and a Raft orderer, each in its own network namespace; while
ProsumerMSP keeps submitting, CommunityMSP is added (its material, the channel configuration update
signed by a majority of the organisations' admins, its two peers joined, the chaincode redefined
at sequence 2 with the new member); its user registers, buys, gets a bill that verifies. Every
acknowledged transaction is on the ledger exactly once, and the new peers hold the same blocks
(hashes) as the old ones: history untouched.

Needs Fabric's binaries and root (skipped otherwise); its own subnet and namespace prefix.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from gridledger.energy import EnergyClient, Role
from gridledger.energy.client import CHAINCODE
from gridledger.energy.collections import meter_data_collection
from gridledger.gateway import GatewayError
from gridledger.profile import ConnectionProfile
from gridledger_domain.collections import is_meter_data_collection
from gridledger_domain.meter_data import registration_transient
from gridledger_network.fabric import netns
from gridledger_network.fabric.addorg import AddOrgError, add_org
from gridledger_network.fabric.config import load_fabric_config
from gridledger_network.fabric.network import stop, up
from gridledger_network.fabric.nodes import node_pid
from gridledger_network.processes import free_ports
from harness.devnet import OPERATOR, PROSUMER
from integration.energy.conftest import tariff_v1
from integration.energy.test_three_orgs import DAY, NEXT, retail_market_day

from fabric.backend import fabric_binaries_or_skip
from fabric.committed_collections import committed_definition, expected_meter_data
from fabric.test_hosts import BRINGUP_TIMEOUT, hosts_config, network_in_namespaces

pytestmark = pytest.mark.fabric

NEW_ORG = "CommunityMSP"
NEW_USER = "gina"
SUBNET = "10.77.2.0/24"
PREFIX = "gla"
CATCH_UP_SECONDS = 120.0


class Traffic(threading.Thread):
    """ProsumerMSP's User1 submitting ``kv:Put`` one after another until stopped; records the
    transaction id of each acknowledged (committed VALID) submit."""

    def __init__(self, profile: ConnectionProfile) -> None:
        super().__init__(daemon=True)
        self.profile = profile
        self.acknowledged: dict[str, str] = {}  # transaction id -> key
        self.failures: list[str] = []
        self.halt = threading.Event()

    def run(self) -> None:
        with self.profile.connect(PROSUMER) as gateway:
            contract = gateway.network(self.profile.channel).contract(CHAINCODE, "kv")
            number = 0
            while not self.halt.is_set():
                key = f"add-org-traffic-{number}"
                value = str(number)
                number += 1
                try:
                    submitted = contract.submit_async("Put", key, value)
                    if submitted.status(timeout=60).successful:
                        self.acknowledged[submitted.transaction_id] = key
                except GatewayError as err:  # not acknowledged: may or may not be on the ledger
                    self.failures.append(str(err)[:200])


def _ledger_transaction_ids(
    profile: ConnectionProfile, msp_id: str
) -> tuple[Counter[str], list[bytes]]:
    """Every transaction id on the ledger as ``msp_id``'s peer has it (counted), and each block's
    data hash."""
    with profile.connect(msp_id) as gateway:
        network = gateway.network(profile.channel)
        height = network.chain_info().height
        seen: Counter[str] = Counter()
        hashes = []
        for number in range(height):
            block = network.block(number)
            hashes.append(block.data_hash)
            seen.update(t.transaction_id for t in block.transactions if t.transaction_id)
    return seen, hashes


def _wait_same_height(profile: ConnectionProfile, orgs: list[str]) -> int:
    deadline = time.monotonic() + CATCH_UP_SECONDS
    while True:
        heights = {}
        for msp_id in orgs:
            with profile.connect(msp_id) as gateway:
                heights[msp_id] = gateway.network(profile.channel).chain_info().height
        if len(set(heights.values())) == 1:
            return next(iter(heights.values()))
        if time.monotonic() > deadline:
            raise AssertionError(
                f"peers not at the same height after {CATCH_UP_SECONDS}s: {heights}"
            )
        time.sleep(0.5)


def _meter_data_definition(home: Path) -> dict[str, Any]:
    """The committed sequence and collections; its meter-data collections (``querycommitted``)
    are those derived from fabric.yaml's organisations, one ``mdata_<MSP>`` each."""
    config = load_fabric_config(home)
    chaincode = config.network.chaincode(CHAINCODE)
    assert chaincode is not None
    expected = expected_meter_data(
        c for c in chaincode.collections if is_meter_data_collection(c.name)
    )
    assert list(expected) == [f"mdata_{m}" for m in config.network.org_msp_ids]
    committed = committed_definition(home, config, CHAINCODE)
    assert {n: committed["collections"][n] for n in expected} == expected
    return committed


def _meter_data_write(profile: ConnectionProfile, msp_id: str) -> None:
    """A write to ``mdata_<msp_id>`` through default endorsers (the utility registering a
    household of ``msp_id``, whose salt goes there; the kv contract refuses ``mdata_*``):
    VALID, endorsed by the utility and ``msp_id``."""
    collection, members = meter_data_collection(msp_id)
    assert collection == f"mdata_{msp_id}"
    with profile.connect(OPERATOR, "utility") as gateway:
        network = gateway.network(profile.channel)
        submitted = network.contract(CHAINCODE, "energy").submit_async(
            "RegisterParticipant",
            msp_id,
            "CN=add-org-household",
            "consumer",
            "north",
            "h",
            transient=registration_transient(),
        )
        assert submitted.status(timeout=60).successful
        assert sorted(network.transaction(submitted.transaction_id).endorsers) == sorted(members)


@pytest.mark.timeout(BRINGUP_TIMEOUT)
def test_a_fourth_organisation_joins_mid_run_and_trades(tmp_path: Path) -> None:
    config = hosts_config(free_ports(1)[0], orderers=1, peers=1, prefix=PREFIX, subnet=SUBNET)
    with network_in_namespaces(tmp_path, config):
        profile = ConnectionProfile.load(tmp_path / "network.json")
        with (
            EnergyClient.connect(profile, OPERATOR, "utility") as utility,
            EnergyClient.connect(profile, PROSUMER, "solar-farm") as solar,
        ):
            utility.set_tariff(tariff_v1())
            utility.register_participant(
                solar.whoami(), Role.PRODUCER, zone="north", display_name="x"
            )
            solar.refresh_whoami()
            with pytest.raises(AddOrgError, match="already an organisation"):
                add_org(tmp_path, PROSUMER)
            with pytest.raises(AddOrgError, match="ending in MSP"):
                add_org(tmp_path, "community")
            before = _meter_data_definition(tmp_path)
            traffic = Traffic(profile)
            traffic.start()
            try:
                started = time.monotonic()
                added = add_org(tmp_path, NEW_ORG, [NEW_USER])
                seconds = time.monotonic() - started
            finally:
                traffic.halt.set()
                traffic.join(120)
            print(f"\nadd-org {NEW_ORG}: {seconds:.1f}s, laps {added.timings}")
            print(
                f"traffic during add-org: {len(traffic.acknowledged)} acknowledged, "
                f"{len(traffic.failures)} failed {traffic.failures[:3]}"
            )
            assert added.sequences == {CHAINCODE: 2}
            with pytest.raises(AddOrgError, match="already an organisation"):
                add_org(tmp_path, NEW_ORG, [NEW_USER])  # done: not added twice
            assert traffic.acknowledged, "no transaction was acknowledged during add-org"
            new_config = load_fabric_config(tmp_path)
            assert new_config.network.org_msp_ids[-1] == NEW_ORG
            for index in range(2):
                pid = node_pid(tmp_path, f"peer{index}-{NEW_ORG.lower()}")
                assert pid is not None
            assert netns.namespace_of(new_config, f"peer0-{NEW_ORG.lower()}") == f"{PREFIX}-org3"

            after = _meter_data_definition(tmp_path)
            assert after["sequence"] == 2
            assert set(after["collections"]) == {*before["collections"], f"mdata_{NEW_ORG}"}
            assert {n: after["collections"][n] for n in before["collections"]} == before[
                "collections"
            ]

            profile = ConnectionProfile.load(tmp_path / "network.json")
            _meter_data_write(profile, NEW_ORG)
            started = time.monotonic()
            with EnergyClient.connect(profile, NEW_ORG, NEW_USER) as gina:
                utility.register_participant(
                    gina.whoami(), Role.CONSUMER, zone="north", display_name="gina"
                )
                gina.refresh_whoami()
                retail_market_day(utility, gina, solar)
            print(
                f"{NEW_ORG}'s user registered, bought, billed, verified in "
                f"{time.monotonic() - started:.1f}s"
            )

        orgs = new_config.network.org_msp_ids
        _wait_same_height(profile, orgs)
        seen, hashes = _ledger_transaction_ids(profile, OPERATOR)
        assert all(seen[tx] == 1 for tx in traffic.acknowledged), "an acknowledged tx not once"
        assert max(seen.values()) == 1
        new_seen, new_hashes = _ledger_transaction_ids(profile, NEW_ORG)
        assert new_hashes == hashes  # the same blocks: history untouched
        assert new_seen == seen

        # stopped and brought up again, the network comes back with the organisation
        stop(tmp_path)
        started = time.monotonic()
        up(tmp_path, binaries=fabric_binaries_or_skip(), ready_timeout=300)
        profile = ConnectionProfile.load(tmp_path / "network.json")
        with EnergyClient.connect(profile, NEW_ORG, NEW_USER) as gina:
            assert gina.whoami().participant_id
            assert gina.verify_bill(None, DAY, NEXT).matches
        print(f"stop and up with {NEW_ORG}: {time.monotonic() - started:.1f}s")
