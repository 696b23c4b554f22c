"""SIGKILL the devnet at random moments, in a loop, under load: after every restart the whole
chain is intact (numbering, hash chain, data hashes: no half-written block), and at the end
every acknowledged reading is on the ledger exactly once."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from faults.fault_network import FaultNetwork
from faults.ledger_checks import read_chain
from faults.load import assert_load_committed_exactly_once, steady_load, wait_for_progress
from faults.readings import new_registered_meters

pytestmark = pytest.mark.integration

KILLS = 5


def test_devnet_killed_in_a_loop_under_load_keeps_every_committed_block(
    fault_network: FaultNetwork, tmp_path: Path
) -> None:
    rng = random.Random(11)
    meters = new_registered_meters(fault_network, "crash", 4)
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

    statistics = assert_load_committed_exactly_once(fault_network, path, load, meters)
    print(f"\ndevnet crash loop: {KILLS} kills, heights {heights}, {statistics}")
