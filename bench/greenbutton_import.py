"""The ingest suite's Green Button figure: importing generated ESPI files of ``points`` usage
points x ``days`` of hourly data into hourly meters (``register_meter(..., interval_minutes=60)``)
through the durable outbox, as ``gridledger energy import-greenbutton`` does.

One file per usage point (as utilities deliver them: one customer's download each), written by
our Green Button export (``write_feed``: one IntervalBlock per UTC day of 24 hourly
IntervalReadings, Wh). The import is timed by
phase, and the client's CPU (this process: parsing, planning, signing, the outbox and gRPC) is
set against the devnet's and the chaincode's, to say where the time goes. The issue's figure is
100 usage points x 365 days (876,000 readings) at ≥ 2,500 readings/s: ``--greenbutton-points 100
--greenbutton-days 365``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gridledger.energy import EnergyClient, HeadEnd, MeterSigner
from gridledger.greenbutton import (
    Mapping,
    accumulate,
    check_files,
    ledger_lookup,
    meter_lengths,
    read_feed,
    submit_through_outbox,
)
from gridledger.greenbutton.export import write_feed
from gridledger.outbox import Outbox, OutboxDrainer
from gridledger.profile import ConnectionProfile
from gridledger_domain import MeterReading, format_utc, parse_utc

from bench.ingest_common import markdown_table, register_bench_meters
from bench.network import OPERATOR, PYTHON_CHAINCODE, BenchNetwork
from bench.procstat import cpu_seconds

START = parse_utc("2026-01-01T00:00:00Z")
HOUR = 3_600


def write_usage_point(path: Path, meter_id: str, days: int, seed: int) -> int:
    """One usage point's file (titled with the meter id), written by our own Green Button
    export: ``days`` of hourly imports; returns its interval count."""
    register = 0
    readings = []
    for hour in range(24 * days + 1):
        readings.append(MeterReading(meter_id, START + hour * HOUR, register, 0))
        register += 150 + (seed * 37 + hour * 53) % 900
    summary = write_feed(path, [(meter_id, readings)], format_utc(START), lambda _m: HOUR)
    return summary.intervals


@dataclass(frozen=True)
class GreenButtonResult:
    points: int
    days: int
    batch_size: int
    in_flight: int
    readings: int
    committed: int
    transactions: int
    seconds: dict[str, float]  # wall time of each phase: parse, plan, sign, submit
    cpu: dict[str, float]  # CPU during submit: client, devnet (peers), chaincode (both orgs')

    def row(self) -> str:
        total = sum(self.seconds.values())
        phases = " / ".join(f"{self.seconds[p]:.1f}" for p in ("parse", "plan", "sign", "submit"))
        cpu = " / ".join(f"{self.cpu[p]:.1f}" for p in ("client", "devnet", "chaincode"))
        counts = (self.readings, self.committed, self.batch_size, self.in_flight, self.transactions)
        rates = (self.readings / total, self.readings / self.seconds["submit"])
        cells = [f"{self.points} x {self.days} d", *map(str, counts), *(f"{r:.0f}" for r in rates)]
        return "| " + " | ".join([*cells, phases, cpu]) + " |"


def greenbutton_report(results: list[GreenButtonResult]) -> str:
    return markdown_table(
        "ingest: Green Button import (hourly usage points, through the outbox)",
        "files | readings | committed | batch | in flight | transactions | readings/s "
        "| submit readings/s | parse / plan / sign / submit s "
        "| submit CPU s client / devnet / chaincode",
        (result.row() for result in results),
    )


def run_greenbutton(
    network: BenchNetwork,
    *,
    points: int,
    days: int,
    batch_size: int,
    in_flight: int,
    progress: Callable[[str], None],
    run: int = 0,
) -> GreenButtonResult:
    folder = network.home / f"greenbutton-{run}"
    folder.mkdir(parents=True, exist_ok=True)
    prefix = f"GB{run}x{int(time.time()) % 100_000}"
    signers = [MeterSigner.simulated(f"{prefix}-{n:04d}", seed="bench") for n in range(points)]
    register_bench_meters(
        network, ((s.meter_id, s.public_key_pem) for s in signers), interval_minutes=60
    )
    files = [folder / f"point-{n:04d}.xml" for n in range(points)]
    for n, (path, signer) in enumerate(zip(files, signers, strict=True)):
        write_usage_point(path, signer.meter_id, days, seed=n)
    mapping = Mapping({signer.meter_id: signer.meter_id for signer in signers})
    head_end = HeadEnd(signers)
    progress(f"ingest: importing {points} Green Button files of {days} days of hourly data")

    seconds: dict[str, float] = {}
    began = time.perf_counter()
    parsed = [point for path in files for point in read_feed(path)]
    seconds["parse"] = time.perf_counter() - began
    began = time.perf_counter()
    with EnergyClient.connect(network.home, OPERATOR, "utility") as utility:
        gathered, plan = check_files(parsed, mapping)
        accumulate(gathered, ledger_lookup(utility), plan, meter_lengths(utility))
    seconds["plan"] = time.perf_counter() - began
    began = time.perf_counter()
    signed = [
        head_end.sign(r.meter_id, r.interval_start, r.import_wh, r.export_wh) for r in plan.readings
    ]
    seconds["sign"] = time.perf_counter() - began

    connection_profile = ConnectionProfile.load(network.network_json)
    devnet_pid = network.processes["devnet"]
    chaincode_pids = [pid for role, pid in network.processes.items() if role != "devnet"]
    devnet_before = cpu_seconds(devnet_pid)
    chaincode_before = sum(cpu_seconds(pid) for pid in chaincode_pids)
    client_before = time.process_time()
    began = time.perf_counter()
    with (
        Outbox.open(folder / "outbox.sqlite") as outbox,
        OutboxDrainer(
            outbox, lambda: connection_profile.connect(OPERATOR, user="utility"), workers=in_flight
        ) as drainer,
    ):
        summary = submit_through_outbox(
            signed,
            outbox,
            drainer,
            channel=connection_profile.channel,
            chaincode=PYTHON_CHAINCODE,
            batch_size=batch_size,
        )
    seconds["submit"] = time.perf_counter() - began
    cpu = {
        "client": time.process_time() - client_before,
        "devnet": cpu_seconds(devnet_pid) - devnet_before,
        "chaincode": sum(cpu_seconds(pid) for pid in chaincode_pids) - chaincode_before,
    }
    if summary.failures:
        progress(f"ingest: Green Button import failures: {summary.failures[:3]}")
    committed = summary.stored + summary.duplicates
    return GreenButtonResult(
        points, days, batch_size, in_flight, len(signed), committed, summary.batches, seconds, cpu
    )
