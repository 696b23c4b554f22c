"""Network down at submission time: the outbox holds the items, then commits each exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest
from gridledger.outbox import ItemState, Outbox, OutboxDrainer

from faults.fault_network import FaultNetwork
from faults.readings import (
    Reading,
    assert_exactly_once,
    enqueue_readings,
    new_registered_meters,
)

pytestmark = pytest.mark.integration


def test_items_enqueued_while_the_devnet_is_down_commit_once_when_it_is_back(
    fault_network: FaultNetwork, tmp_path: Path
) -> None:
    meters = new_registered_meters(fault_network, "down", 3)
    fault_network.kill_devnet()

    outbox = Outbox.open(tmp_path / "outbox.sqlite")
    readings = [Reading(meter, index) for meter in meters for index in range(8)]
    items = enqueue_readings(outbox, readings)
    assert len(items) == len(readings)
    drainer = OutboxDrainer(outbox, fault_network.connect, workers=4)
    try:
        report = drainer.drain_once()
        assert not report.committed and not report.gave_up
        assert outbox.counts()[ItemState.PENDING] == len(readings)

        # the client process "restarts": same file, nothing lost, nothing duplicated
        outbox.close()
        outbox = Outbox.open(tmp_path / "outbox.sqlite")
        assert enqueue_readings(outbox, readings[:5]) == outbox.items()[:5]
        drainer.close()
        drainer = OutboxDrainer(outbox, fault_network.connect, workers=4)

        fault_network.start_devnet()
        report = drainer.drain(timeout=120)
        assert outbox.failures() == []
        assert len(report.committed) == len(readings)
        with fault_network.connect() as gateway:
            assert assert_exactly_once(gateway, outbox, meters) == len(readings)
    finally:
        drainer.close()
        outbox.close()
