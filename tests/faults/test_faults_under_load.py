"""Under a steady load of readings: chaincode server killed and restarted, devnet SIGKILLed and
restarted. Afterwards every acknowledged (committed) reading is on the ledger exactly once, and
every item the client could not commit was reported with its reason (the target: none)."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from faults.fault_network import FaultNetwork
from faults.load import assert_load_committed_exactly_once, steady_load, wait_for_progress
from faults.readings import new_registered_meters

pytestmark = pytest.mark.integration

OUTAGE_SECONDS = 0.7


def test_readings_survive_chaincode_and_devnet_crashes_under_load(
    fault_network: FaultNetwork, tmp_path: Path
) -> None:
    meters = new_registered_meters(fault_network, "load", 4)
    outages = (
        # 1. the chaincode server dies (SIGKILL) and comes back on the same address
        (lambda: fault_network.kill_chaincode(signal.SIGKILL), fault_network.start_chaincode),
        # 2. the devnet dies (SIGKILL) mid-load and restarts from its files
        (fault_network.kill_devnet, fault_network.start_devnet),
        # 3. the chaincode server is stopped politely (SIGTERM) and restarted
        (lambda: fault_network.kill_chaincode(signal.SIGTERM), fault_network.start_chaincode),
    )
    path = tmp_path / "outbox.sqlite"
    with steady_load(fault_network, path, meters) as (load, _):
        committed = 20
        wait_for_progress(load.outbox, committed)
        for fail, recover in outages:
            fail()
            time.sleep(OUTAGE_SECONDS)
            recover()
            committed += 20
            wait_for_progress(load.outbox, committed)

    statistics = assert_load_committed_exactly_once(fault_network, path, load, meters)
    print(f"\nfaults under load: {statistics}")
    # the faults were felt: some transactions failed or were in doubt, and were absorbed
    assert statistics["transactions"] > statistics["items"]
