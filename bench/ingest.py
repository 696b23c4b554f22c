"""The ``ingest`` suite: MQTT publish to ledger commit through a real Mosquitto and the bridge.

A Mosquitto of ours and a ``gridledger bridge mqtt`` process (both through the process manager)
beside the bench devnet (both organisations endorse); ``meters`` simulated meters publish signed
readings at ``rate`` readings/s for ``duration`` seconds; then every reading is awaited on the
ledger. Reported: readings/s from the first publish to the last commit, publish-to-commit p50 and
p99 (commit: when the bridge's outbox recorded the batch's transaction VALID), readings lost
(published and never committed: must be 0), and the bridge's CPU per reading.
The issue's figure is 1,111 readings/s for 10 minutes: ``--ingest-duration 600``.
"""

from __future__ import annotations

import argparse
import json
import math
import sqlite3
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import product

from gridledger.bridge.lanes import DEFAULT_LANES
from gridledger.bridge.simulator import connect, publish_reading, readings_for, simulated_meters
from gridledger_domain import parse_utc
from gridledger_network.mqtt_broker import start_broker
from gridledger_network.processes import free_ports, spawn, wait_until

from bench.greenbutton_import import GreenButtonResult, greenbutton_report, run_greenbutton
from bench.ingest_common import markdown_table, register_bench_meters
from bench.network import PYTHON_CHAINCODE, BenchNetwork
from bench.procstat import cpu_seconds

START = parse_utc("2025-02-01T00:00:00Z")


@dataclass(frozen=True)
class IngestResult:
    published: int
    committed: int
    seconds: float
    readings_per_second: float
    p50: float
    p99: float
    bridge_cpu_ms_per_reading: float
    rate: float
    meters: int
    batch_size: int
    lanes: int

    def row(self) -> str:
        lost = self.published - self.committed
        cells = (self.rate, self.meters, self.lanes, self.batch_size, self.published)
        text = "| " + " | ".join(f"{cell:.0f}" for cell in cells)
        return (
            f"{text} | {self.committed} | {lost} | {self.readings_per_second:.0f} "
            f"| {self.p50:.2f} | {self.p99:.2f} | {self.bridge_cpu_ms_per_reading:.3f} |"
        )


def ingest_report(results: list[IngestResult]) -> str:
    return markdown_table(
        "ingest: MQTT publish -> ledger commit (Mosquitto, bridge, devnet, both orgs)",
        "offered/s | meters | lanes | batch | published | committed | lost | readings/s | p50 s "
        "| p99 s | bridge CPU ms/reading",
        (result.row() for result in results),
    )


def _numbers(text: str) -> list[int]:
    return [int(n) for n in text.split(",") if n.strip()]


def run_ingest_suite(
    network: BenchNetwork, args: argparse.Namespace, progress: Callable[[str], None]
) -> str:
    """The suite's runs (each combination of the comma-separated options), as RESULTS text."""
    greenbutton: list[GreenButtonResult] = []
    if args.greenbutton_points > 0:
        grid = product(_numbers(args.greenbutton_in_flight), _numbers(args.greenbutton_batch))
        for n, (in_flight, batch) in enumerate(grid):
            figure = run_greenbutton(
                network, points=args.greenbutton_points, days=args.greenbutton_days,
                batch_size=batch, in_flight=in_flight, progress=progress, run=n,
            )  # fmt: skip
            greenbutton.append(figure)
    ingest: list[IngestResult] = []
    if args.ingest_duration > 0:  # 0: the Green Button figure alone
        lanes: list[int | None] = [*_numbers(args.ingest_lanes)] or [None]
        for n, (lane_count, batch) in enumerate(product(lanes, _numbers(args.ingest_batch))):
            result = run_ingest(
                network, duration=args.ingest_duration, rate=args.ingest_rate,
                meters=args.ingest_meters, batch_size=batch, lanes=lane_count, progress=progress,
                run=n,
            )  # fmt: skip
            ingest.append(result)
    text = ingest_report(ingest) if ingest else ""
    if greenbutton:
        text += ("\n" if text else "") + greenbutton_report(greenbutton)
    return text


def _metrics(port: int) -> dict[str, float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
        lines = answer.read().decode().splitlines()
    return {
        line.split()[0].removeprefix("gridledger_bridge_"): float(line.split()[1])
        for line in lines
        if line and not line.startswith("#")
    }


def _subscribed(port: int) -> bool:
    try:
        return _metrics(port).get("subscribed") == 1
    except OSError:
        return False


def run_ingest(
    network: BenchNetwork,
    *,
    duration: float,
    rate: float,
    meters: int,
    batch_size: int,
    progress: Callable[[str], None],
    lanes: int | None = None,
    run: int = 0,
) -> IngestResult:
    lanes = DEFAULT_LANES if lanes is None else lanes
    broker = start_broker(network.home / ("broker" if run == 0 else f"broker-{run}"))
    # each run of one bench its own meters (the same readings again would be redeliveries)
    prefix = "ING" if run == 0 else f"ING{run}"
    fleet = [replace(m, kind="consumption") for m in simulated_meters(prefix, meters)]
    register_bench_meters(network, ((m.meter_id, m.signer.public_key_pem) for m in fleet))
    metrics_port = free_ports(1)[0]
    state = network.home / ("ingest-bridge" if run == 0 else f"ingest-bridge-{run}")
    bridge = spawn(
        "ingest-bridge",
        [
            sys.executable, "-m", "gridledger.cli.main", "bridge", "mqtt",
            "--broker", broker.address, "--tls-ca", str(broker.ca_file),
            "--username", broker.username, "--password-file", str(broker.password_file),
            "--home", str(network.home), "--state", str(state),
            "--chaincode", PYTHON_CHAINCODE, "--batch-size", str(batch_size),
            "--lanes", str(lanes),
            "--metrics-port", str(metrics_port),
        ],
        state / "bridge.log",
    )  # fmt: skip
    client = connect(
        broker.host, broker.port, tls_ca=broker.ca_file, username=broker.username,
        password=broker.password,
    )  # fmt: skip
    try:
        wait_until(lambda: _subscribed(metrics_port), owner=bridge, what="a subscription")
        cpu_before = cpu_seconds(bridge.pid)
        total = max(meters, int(rate * duration))
        intervals = math.ceil(total / meters)
        sent_at: dict[tuple[str, int], float] = {}
        progress(f"ingest: publishing {intervals * meters} readings at {rate:.0f}/s")
        began = time.time()
        for n, batch in enumerate(readings_for(fleet, START, intervals)):
            for signed in batch:
                publish_reading(client, signed)
                sent_at[(signed.reading.meter_id, signed.reading.interval_start)] = time.time()
            ahead = began + (n + 1) * meters / rate - time.time()
            if ahead > 0:
                time.sleep(ahead)  # pacing the offered load
        published = len(sent_at)
        deadline = time.monotonic() + 120 + duration
        while _metrics(metrics_port).get("committed_total", 0) < published:
            if time.monotonic() > deadline or not bridge.alive:
                break
            time.sleep(0.2)
        cpu = cpu_seconds(bridge.pid) - cpu_before
    finally:
        client.disconnect()
        client.loop_stop()
        bridge.stop()
        broker.stop()
    latencies: list[float] = []
    last_commit = began
    with sqlite3.connect(state / "bridge.sqlite") as db:
        rows = db.execute("SELECT readings, finished_at FROM batches WHERE state='committed'")
        for readings_json, finished_at in rows:
            last_commit = max(last_commit, float(finished_at))
            for reading in json.loads(readings_json):
                at = sent_at.get((reading["meter_id"], parse_utc(reading["interval_start"])))
                if at is not None:
                    latencies.append(float(finished_at) - at)
    latencies.sort()
    committed = len(latencies)
    seconds = max(last_commit - began, 1e-9)

    def quantile(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else 0.0

    return IngestResult(
        published=published,
        committed=committed,
        seconds=seconds,
        readings_per_second=committed / seconds,
        p50=quantile(0.50),
        p99=quantile(0.99),
        bridge_cpu_ms_per_reading=1000 * cpu / max(committed, 1),
        rate=rate,
        meters=meters,
        batch_size=batch_size,
        lanes=lanes,
    )
