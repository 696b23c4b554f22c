"""A steady load of meter readings into an outbox, drained in the background, while faults hit."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gridledger.outbox import GiveUp, ItemState, Outbox, OutboxDrainer

from faults.fault_network import FaultNetwork
from faults.ledger_checks import read_chain
from faults.readings import Reading, assert_exactly_once, attempt_statistics, enqueue_readings

ENQUEUE_INTERVAL_SECONDS = 0.2


class ReadingLoad:
    """Enqueues one reading per meter every tick (a head-end flushing its meters) until stopped."""

    def __init__(self, outbox: Outbox, meters: list[str]) -> None:
        self.outbox = outbox
        self.meters = meters
        self.enqueued = 0
        self.give_ups: list[GiveUp] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="reading-load", daemon=True)

    def _run(self) -> None:
        index = 0
        while not self._stop.is_set():
            enqueue_readings(self.outbox, [Reading(meter, index) for meter in self.meters])
            self.enqueued += len(self.meters)
            index += 1
            self._stop.wait(ENQUEUE_INTERVAL_SECONDS)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def steady_load(
    network: FaultNetwork, outbox_path: Path, meters: list[str]
) -> Iterator[tuple[ReadingLoad, OutboxDrainer]]:
    """Producer and background drainer running; on exit the producer stops and everything left
    is drained (the network must be up again by then)."""
    outbox = Outbox.open(outbox_path)
    load = ReadingLoad(outbox, meters)
    drainer = OutboxDrainer(outbox, network.connect, workers=16, on_give_up=load.give_ups.append)
    drainer.start(poll=0.05)
    load.start()
    try:
        yield load, drainer
    finally:
        load.stop()
        drainer.stop()
        drainer.drain(timeout=120)
        drainer.close()


def wait_for_progress(outbox: Outbox, committed_at_least: int, deadline: float = 60.0) -> None:
    """Let the load run until that many items committed (a hang guard, not a timing claim)."""
    give_up_at = time.monotonic() + deadline
    while outbox.counts()[ItemState.COMMITTED] < committed_at_least:
        if time.monotonic() > give_up_at:
            raise AssertionError(f"no progress: {outbox.counts()}")
        time.sleep(0.05)


def assert_load_committed_exactly_once(
    network: FaultNetwork, outbox_path: Path, load: ReadingLoad, meters: list[str]
) -> dict[str, int]:
    """After a load: nothing given up or failed, every enqueued reading committed and on the
    ledger exactly once, each in the block the outbox recorded. Returns ``attempt_statistics``."""
    with Outbox.open(outbox_path) as outbox:
        assert load.give_ups == [] and outbox.failures() == []
        assert outbox.counts()[ItemState.COMMITTED] == load.enqueued
        with network.connect() as gateway:
            assert assert_exactly_once(gateway, outbox, meters) == load.enqueued
            chain = read_chain(gateway)
        for item in outbox.items(ItemState.COMMITTED):
            assert chain.valid_transactions.get(item.transaction_id) == item.block_number
        return attempt_statistics(outbox)
