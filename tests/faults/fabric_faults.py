"""Fault tests on real Fabric: a network of one's own (3 Raft orderers), a steady reading load
through the durable outbox and through ``submit_with_retry``, and the checks afterwards.

``fabric_fault_network(home)`` brings real Fabric up in ``home`` (skipping the test with one line
when no binaries are found) and always runs ``down`` at the end, after copying the nodes' logs
to ``home/../fabric-logs``. ``FabricLoad`` runs the load; ``check_nothing_lost``
compares what the client acknowledged with what the ledger holds.
"""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fabric.backend import fabric_binaries_or_skip, fabric_test_config
from gridledger.gateway import GatewayError
from gridledger.outbox import ItemState, Outbox, OutboxDrainer
from gridledger.retry import RetryPolicy, submit_with_retry
from gridledger_network.fabric.config import write_fabric_config
from gridledger_network.fabric.network import down, orderer_name, up
from gridledger_network.fabric.nodes import kill_node, start_node, stop_node
from gridledger_network.processes import RunFolder
from harness.devnet import OPERATOR

from faults.fault_network import CHANNEL, FAST_TIMEOUTS, PYTHON_CHAINCODE
from faults.ledger_checks import read_chain, readings_on_ledger
from faults.load import ReadingLoad
from faults.readings import (
    LEDGER_WINDOW,
    Reading,
    attempt_statistics,
    register_meters,
    registers_of,
)

ORDERERS = 3
DRAIN_WORKERS = 8
# submit_with_retry for the direct submitter: enough attempts to ride out a restart.
DIRECT_POLICY = RetryPolicy(max_attempts=40, initial_delay=0.2, max_delay=2.0)
PROGRESS_DEADLINE_SECONDS = 90.0
LEADER_LINE = re.compile(r"Raft leader changed: (\d+) -> (\d+) channel=\S+ node=(\d+)")


@dataclass
class FabricFaultNetwork:
    """Real Fabric in ``home``; nodes named as in ``run/`` (orderer0, peer0-prosumermsp, ...)."""

    home: Path
    profile: Any  # ConnectionProfile, loaded once before any fault

    def connect(self, msp_id: str = OPERATOR, user: str = "utility") -> Any:
        return self.profile.connect(msp_id, user=user, timeouts=FAST_TIMEOUTS)

    def kill(self, name: str) -> None:
        assert kill_node(self.home, name), f"{name} was not running"

    def stop(self, name: str) -> None:
        assert stop_node(self.home, name), f"{name} was not running"

    def start(self, name: str) -> None:
        start_node(self.home, name)

    def raft_leader(self) -> str | None:
        """The orderer the others last named Raft leader (from their logs), if they agree."""
        run = RunFolder(self.home)
        own_ids: dict[int, str] = {}
        views: list[int] = []
        for index in range(ORDERERS):
            name = orderer_name(index)
            with contextlib.suppress(FileNotFoundError):
                text = run.log_file(name).read_text(encoding="utf-8", errors="replace")
                matches = LEADER_LINE.findall(text)
                if matches:
                    _, leader, own = matches[-1]
                    own_ids[int(own)] = name
                    if run.running(name):
                        views.append(int(leader))
        if not views or len(set(views)) != 1:
            return None
        return own_ids.get(views[0])


@contextlib.contextmanager
def fabric_fault_network(home: Path) -> Iterator[FabricFaultNetwork]:
    """3-orderer Fabric in ``home`` on free ports; ``down`` at the end, even on failure."""
    binaries = fabric_binaries_or_skip()
    home.mkdir(parents=True, exist_ok=True)
    write_fabric_config(
        home / "fabric.yaml", fabric_test_config(ORDERERS, with_node_chaincode=False)
    )
    from gridledger.profile import ConnectionProfile

    try:
        started = time.monotonic()
        up(home, binaries=binaries, ready_timeout=120)
        print(f"\nfabric up ({ORDERERS} orderers) in {time.monotonic() - started:.1f}s")
        yield FabricFaultNetwork(home, ConnectionProfile.load(home / "network.json"))
    finally:
        # the nodes' logs outlive the network, for a failure's post-mortem
        with contextlib.suppress(OSError):
            shutil.copytree(home / "logs", home.parent / "fabric-logs", dirs_exist_ok=True)
        down(home)


class DirectSubmitter:
    """One meter's readings through ``submit_with_retry``, one after the other: what returned
    is acknowledged, what raised is a failure the client reported."""

    def __init__(self, network: FabricFaultNetwork, meter_id: str) -> None:
        self.network = network
        self.meter_id = meter_id
        self.acknowledged: list[Reading] = []
        self.failures: list[tuple[Reading, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="direct-submitter", daemon=True)

    def _run(self) -> None:
        with self.network.connect() as gateway:
            energy = gateway.network(CHANNEL).contract(PYTHON_CHAINCODE, "energy")
            index = 0
            while not self._stop.is_set():
                reading = Reading(self.meter_id, index)
                request = reading.request()
                try:
                    submit_with_retry(
                        energy,
                        "SubmitReadings",
                        *request.args,
                        transient=request.transient,
                        policy=DIRECT_POLICY,
                    )
                    self.acknowledged.append(reading)
                except GatewayError as error:
                    self.failures.append((reading, str(error)))
                index += 1
                self._stop.wait(0.1)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=180)
        assert not self._thread.is_alive(), "direct submitter hung"


class _RetryReasons(logging.Handler):
    """Counts why the drainer rescheduled items (its DEBUG 'retry in' lines)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.reasons: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        if record.args and isinstance(record.args, tuple) and len(record.args) == 3:
            reason = str(record.args[2])
            self.reasons[_shorten(reason)] += 1


def _shorten(reason: str) -> str:
    reason = re.sub(r"[0-9a-f]{64}", "<hash>", reason)
    reason = re.sub(r"\b[0-9a-f]{8,}\b", "<id>", reason)
    return reason[:220]


@dataclass
class FabricLoad:
    """The outbox load (several meters) and a direct submitter (one meter), running."""

    network: FabricFaultNetwork
    outbox_path: Path
    meters: list[str]
    direct_meter: str
    outbox: Outbox = field(init=False)
    load: ReadingLoad = field(init=False)
    drainer: OutboxDrainer = field(init=False)
    direct: DirectSubmitter = field(init=False)
    retry_reasons: _RetryReasons = field(default_factory=_RetryReasons)
    timings: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.outbox = Outbox.open(self.outbox_path)
        self.load = ReadingLoad(self.outbox, self.meters)
        self.drainer = OutboxDrainer(
            self.outbox,
            self.network.connect,
            workers=DRAIN_WORKERS,
            on_give_up=self.load.give_ups.append,
        )
        self.direct = DirectSubmitter(self.network, self.direct_meter)

    def committed(self) -> int:
        return self.outbox.counts()[ItemState.COMMITTED] + len(self.direct.acknowledged)

    def wait_for_progress(self, more: int, label: str) -> float:
        """Wait until ``more`` further readings are acknowledged; record and return the seconds
        it took (a hang guard with a generous deadline, not a timing claim)."""
        target = self.committed() + more
        started = time.monotonic()
        while self.committed() < target:
            if time.monotonic() - started > PROGRESS_DEADLINE_SECONDS:
                raise AssertionError(
                    f"{label}: no progress in {PROGRESS_DEADLINE_SECONDS:.0f}s: "
                    f"{self.outbox.counts()}, retry reasons {dict(self.retry_reasons.reasons)}"
                )
            time.sleep(0.05)
        self.timings[label] = round(time.monotonic() - started, 2)
        return self.timings[label]


@contextlib.contextmanager
def fabric_load(
    network: FabricFaultNetwork, tmp_path: Path, meters: int = 3
) -> Iterator[FabricLoad]:
    """Registers the meters, runs the load; on exit stops producing and drains what is left."""
    tag = f"{int(time.time() * 1000) % 10**8:08d}"
    meter_ids = [f"fab-{tag}-{n}" for n in range(meters)]
    direct_meter = f"fab-{tag}-direct"
    with network.connect() as gateway:
        register_meters(gateway, [*meter_ids, direct_meter])
    running = FabricLoad(network, tmp_path / "outbox.sqlite", meter_ids, direct_meter)
    drainer_log = logging.getLogger("gridledger.outbox.drainer")
    previous = drainer_log.level, drainer_log.propagate
    drainer_log.setLevel(logging.DEBUG)  # its 'retry in' lines, counted, not printed
    drainer_log.propagate = False
    drainer_log.addHandler(running.retry_reasons)
    running.drainer.start(poll=0.05)
    running.load.start()
    running.direct.start()
    try:
        yield running
    finally:
        running.load.stop()
        running.direct.stop()
        running.drainer.stop()
        started = time.monotonic()
        running.drainer.drain(timeout=120)
        running.timings["final_drain"] = round(time.monotonic() - started, 2)
        running.drainer.close()
        drainer_log.removeHandler(running.retry_reasons)
        drainer_log.setLevel(previous[0])
        drainer_log.propagate = previous[1]


def check_nothing_lost(network: FabricFaultNetwork, running: FabricLoad) -> dict[str, Any]:
    """Every acknowledged reading is on the ledger exactly once (count and compare), nothing
    else is, every failure was reported; returns what the faults cost, for the test's output."""
    outbox, load, direct = running.outbox, running.load, running.direct
    counts = outbox.counts()
    # accounting: every enqueued item ended committed or given up (and every give-up reported)
    assert counts[ItemState.PENDING] == 0, f"items still pending: {counts}"
    assert counts[ItemState.COMMITTED] + counts[ItemState.FAILED] == load.enqueued
    reported = {g.item_id for g in load.give_ups}
    assert {f.item_id for f in outbox.failures()} == reported, "a give-up was not reported"
    assert all(f.reason for f in outbox.failures()), "a give-up without a reason"

    committed = {item.idempotency_key: item for item in outbox.items(ItemState.COMMITTED)}
    direct_acked = {r.idempotency_key: r for r in direct.acknowledged}
    direct_failed = {r.idempotency_key for r, _ in direct.failures}
    with network.connect() as gateway:
        on_ledger: dict[str, tuple[int, int]] = {}
        for meter_id in [*running.meters, running.direct_meter]:
            for interval, values in readings_on_ledger(gateway, meter_id, *LEDGER_WINDOW).items():
                on_ledger[f"reading/{meter_id}/{interval}"] = values
        expected = {key: registers_of(key) for key in committed}
        expected.update({key: (r.import_wh, r.export_wh) for key, r in direct_acked.items()})
        # acknowledged => on the ledger with its values; on the ledger => acknowledged, or a
        # reported failure (a give-up while in doubt may still have committed)
        missing = sorted(set(expected) - set(on_ledger))
        assert not missing, f"acknowledged but not on the ledger: {missing[:10]}"
        assert all(on_ledger[k] == v for k, v in expected.items()), "a reading's values differ"
        unexplained = set(on_ledger) - set(expected) - direct_failed
        unexplained -= {f.idempotency_key for f in outbox.failures()}
        assert not unexplained, f"on the ledger, never acknowledged nor reported: {unexplained}"
        chain = read_chain(gateway)
    for item in committed.values():
        assert chain.valid_transactions.get(item.transaction_id) == item.block_number
    statistics = attempt_statistics(outbox)
    return {
        "acknowledged": len(expected),
        "outbox_items": load.enqueued,
        "direct_acked": len(direct_acked),
        "gave_up": [str(g) for g in load.give_ups]
        + [f"{r.idempotency_key}: {e}" for r, e in direct.failures],
        "transactions": statistics,
        "blocks": chain.height,
        "timings": running.timings,
        "retry_reasons": running.retry_reasons.reasons.most_common(12),
    }


def report(title: str, result: dict[str, Any]) -> None:
    """Print what the faults cost (shown with ``-s`` or ``-rA``)."""
    print(f"\n== {title}")
    for name, value in result.items():
        if name == "retry_reasons":
            print("retry reasons:")
            for reason, count in value:
                print(f"  {count:5d}  {reason}")
        else:
            print(f"{name}: {value}")


__all__ = [
    "FabricFaultNetwork",
    "FabricLoad",
    "check_nothing_lost",
    "fabric_fault_network",
    "fabric_load",
    "report",
]
