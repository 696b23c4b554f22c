"""Under a steady load of readings: chaincode server killed and restarted, devnet SIGKILLed and
restarted. Afterwards every acknowledged (committed) reading is on the ledger exactly once, and
every item the client could not commit was reported with its reason (the target: none)."""

from __future__ import annotations

import signal
import time
import uuid
from pathlib import Path

import pytest
from gridledger.outbox import ItemState, Outbox

from faults.fault_network import FaultNetwork
from faults.ledger_checks import read_chain
from faults.load import steady_load, wait_for_progress
from faults.readings import assert_exactly_once, attempt_statistics, register_meters

pytestmark = pytest.mark.integration

OUTAGE_SECONDS = 0.7


def test_readings_survive_chaincode_and_devnet_crashes_under_load(
    fault_network: FaultNetwork, tmp_path: Path
) -> None:
    meters = [f"load-{uuid.uuid4().hex[:8]}-{n}" for n in range(4)]
    with fault_network.connect() as gateway:
        register_meters(gateway, meters)
    path = tmp_path / "outbox.sqlite"
    with steady_load(fault_network, path, meters) as (load, _):
        committed = 20
        wait_for_progress(load.outbox, committed)

        # 1. the chaincode server dies (SIGKILL) and comes back on the same address
        fault_network.kill_chaincode(signal.SIGKILL)
        time.sleep(OUTAGE_SECONDS)
        fault_network.start_chaincode()
        committed += 20
        wait_for_progress(load.outbox, committed)

        # 2. the devnet dies (SIGKILL) mid-load and restarts from its files
        fault_network.kill_devnet()
        time.sleep(OUTAGE_SECONDS)
        fault_network.start_devnet()
        committed += 20
        wait_for_progress(load.outbox, committed)

        # 3. the chaincode server is stopped politely (SIGTERM) and restarted
        fault_network.kill_chaincode(signal.SIGTERM)
        time.sleep(OUTAGE_SECONDS)
        fault_network.start_chaincode()
        committed += 20
        wait_for_progress(load.outbox, committed)

    with Outbox.open(path) as outbox:
        assert load.give_ups == [] and outbox.failures() == []
        counts = outbox.counts()
        assert counts[ItemState.COMMITTED] == load.enqueued
        with fault_network.connect() as gateway:
            assert assert_exactly_once(gateway, outbox, meters) == load.enqueued
            chain = read_chain(gateway)
        for item in outbox.items(ItemState.COMMITTED):
            assert chain.valid_transactions.get(item.transaction_id) == item.block_number
        statistics = attempt_statistics(outbox)
    print(f"\nfaults under load: {statistics}")
    # the faults were felt: some transactions failed or were in doubt, and were absorbed
    assert statistics["transactions"] > statistics["items"]
