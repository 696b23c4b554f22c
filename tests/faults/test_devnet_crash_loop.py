"""SIGKILL the devnet at random moments, in a loop, under load: after every restart the whole
chain is intact (numbering, hash chain, data hashes: no half-written block), and at the end
every acknowledged reading is on the ledger exactly once."""

from __future__ import annotations

import random
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

KILLS = 5


def test_devnet_killed_in_a_loop_under_load_keeps_every_committed_block(
    fault_network: FaultNetwork, tmp_path: Path
) -> None:
    rng = random.Random(11)
    meters = [f"crash-{uuid.uuid4().hex[:8]}-{n}" for n in range(4)]
    with fault_network.connect() as gateway:
        register_meters(gateway, meters)
    path = tmp_path / "outbox.sqlite"
    heights: list[int] = []
    with steady_load(fault_network, path, meters) as (load, _):
        committed = 10
        wait_for_progress(load.outbox, committed)
        for _ in range(KILLS):
            time.sleep(rng.uniform(0.05, 0.6))  # a random moment: mid-endorsement, mid-commit...
            fault_network.kill_devnet()
            fault_network.start_devnet()
            with fault_network.connect() as gateway:
                chain = read_chain(gateway)
            assert not heights or chain.height > heights[-1], "committed blocks were lost"
            heights.append(chain.height)
            committed += 10
            wait_for_progress(load.outbox, committed)

    with Outbox.open(path) as outbox:
        assert load.give_ups == [] and outbox.failures() == []
        assert outbox.counts()[ItemState.COMMITTED] == load.enqueued
        with fault_network.connect() as gateway:
            assert assert_exactly_once(gateway, outbox, meters) == load.enqueued
            chain = read_chain(gateway)
        for item in outbox.items(ItemState.COMMITTED):
            assert chain.valid_transactions.get(item.transaction_id) == item.block_number
        statistics = attempt_statistics(outbox)
    print(f"\ndevnet crash loop: {KILLS} kills, heights {heights}, {statistics}")
